"""Writes of the workforce app: importing check-in files and keeping the stored figures current."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.endorsement.models import Credential
from attunement.lib.errors import ActionRefused
from attunement.people.models import User
from attunement.workforce.checkin import CheckinError, Reader, Response
from attunement.workforce.indicators import compute, compute_extra
from attunement.workforce.models import (
    ANSWER_FIELDS,
    CheckinImport,
    CheckinResponse,
    ImportStatus,
    IndicatorSnapshot,
    Programme,
    RegionTarget,
    Rollup,
    WorkforceProfile,
)
from attunement.workforce.rollups import CURRENT, ROLLUPS
from attunement.workforce.selectors import associations_of, responses_for

# Rows written at a time by an import: a model row costs about 6 KB of memory while it is
# written, and larger batches are no faster (20,000 rows: the same rows/s at 500 and 2,000).
IMPORT_BATCH = 500


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    replaced: int
    years: tuple[int, ...]


def _row(association: Association, response: Response) -> CheckinResponse:
    def listed(value: frozenset[str] | None) -> list[str] | None:
        return sorted(value) if value else None

    return CheckinResponse(
        association=association,
        respondent_id=response.respondent_id,
        year=response.year,
        source=CheckinResponse.Source.IMPORT,
        role=response.role,
        service_level=response.service_level or "",
        region=response.region or "",
        race_ethnicity=listed(response.race_ethnicity),
        languages=listed(response.languages),
        specialized_training_foundations=response.specialized_training_foundations,
        ebt_trained=listed(response.ebt_trained),
        endorsed=response.endorsed,
        received_rs=response.received_rs,
        barriers=listed(response.barriers),
        desired_topics=listed(response.desired_topics),
        paid_hours_week=response.paid_hours_week,
        worked_hours_week=response.worked_hours_week,
        annual_salary=response.annual_salary,
        caseload=response.caseload,
    )


# Problems kept on an import's page (the count says how many more there were).
SHOWN_PROBLEMS = 50


@transaction.atomic
def queue_checkin_import(*, actor: User, association: Association, content: bytes, file_name: str) -> CheckinImport:
    """Store an uploaded check-in file and enqueue its import (``run_checkin_import``); the
    page of the returned import shows its progress and outcome. The problems are written in
    the uploader's language."""
    job = CheckinImport(
        association=association,
        requested_by=actor,
        file_name=file_name[:255],
        language=translation.get_language() or "en",
    )
    job.file.save("checkins.csv", ContentFile(content), save=False)
    job.save()
    record(actor=actor, verb="workforce.checkins_import_queued", association=association, target=job,
           data={"file": job.file_name, "bytes": len(content)})  # fmt: skip
    import_checkin_file.enqueue(job.pk)
    return job


@task(queue_name="default")
def import_checkin_file(job_id: int) -> str:
    """The task: import one stored file, all or nothing, and record the outcome."""
    return run_checkin_import(job_id)


def run_checkin_import(job_id: int) -> str:
    if not CheckinImport.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(status=ImportStatus.RUNNING):
        return "not queued"  # a second task for the same file, or already done
    job = CheckinImport.objects.select_related("association", "requested_by").get(pk=job_id)
    fields: dict[str, Any]
    with translation.override(job.language):
        try:
            with job.file.open("rb") as stored:
                text = stored.read().decode("utf-8")
            result = import_checkins(job.association, text, actor=job.requested_by, file_name=job.file_name)
        except UnicodeDecodeError:
            problems = [str(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))]
            fields = {"status": ImportStatus.FAILED, "problems": problems, "problem_count": 1}
        except CheckinError as exc:
            fields = {"status": ImportStatus.FAILED, "problems": exc.errors[:SHOWN_PROBLEMS],
                      "problem_count": len(exc.errors)}  # fmt: skip
        except Exception as exc:
            problem = _("The import stopped (%(error)s); nothing was imported. Upload the file again.") % {
                "error": type(exc).__name__
            }
            _finish(job, status=ImportStatus.FAILED, problems=[str(problem)], problem_count=1)
            raise
        else:
            fields = {"status": ImportStatus.DONE, "rows": result.rows, "created": result.created,
                      "replaced": result.replaced}  # fmt: skip
    _finish(job, **fields)
    return str(fields["status"])


def _finish(job: CheckinImport, **fields: Any) -> None:
    """Record the outcome and remove the stored file (the answers are in the database now)."""
    CheckinImport.objects.filter(pk=job.pk).update(finished_at=timezone.now(), file="", **fields)
    if job.file and job.file.name:
        job.file.storage.delete(job.file.name)


def import_checkins(
    association: Association, text: str | Iterable[str], *, actor: User | None, file_name: str = ""
) -> ImportResult:
    """Import a whole ``attunement.checkin/1`` file, or nothing (raises ``CheckinError``).

    ``text`` is the file's text or its lines (a file opened with ``newline=""``): the file is
    read row by row and written ``IMPORT_BATCH`` rows at a time in one transaction, rolled
    back if any row is bad (every problem is still reported). Idempotent: a respondent and year
    already held is replaced by the file's answer, so importing the same file twice leaves
    the same rows."""
    reader = Reader(io.StringIO(text, newline="") if isinstance(text, str) else text)
    rows = replaced = 0
    years: set[int] = set()
    with transaction.atomic():
        batch: list[Response] = []
        for response in reader:
            if reader.errors:
                continue  # the file is rejected: read on for every problem, write no more
            years.add(response.year)
            batch.append(response)
            if len(batch) == IMPORT_BATCH:
                replaced += _write_checkins(association, batch)
                rows, batch = rows + len(batch), []
        reader.check()  # raises CheckinError: the batches already written are rolled back
        if batch:
            replaced += _write_checkins(association, batch)
            rows += len(batch)
        refresh_indicators(association, sorted(years))
        record(
            actor=actor,
            verb="workforce.checkins_imported",
            association=association,
            data={"file": file_name, "rows": rows, "replaced": replaced, "years": sorted(years)},
        )
    return ImportResult(rows=rows, created=rows - replaced, replaced=replaced, years=tuple(sorted(years)))


def _write_checkins(association: Association, batch: list[Response]) -> int:
    """Insert or replace one batch of answers; the number that replaced a held answer."""
    held = set(
        CheckinResponse.objects.filter(
            association=association,
            year__in={response.year for response in batch},
            respondent_id__in=[response.respondent_id for response in batch],
        ).values_list("year", "respondent_id")
    )
    CheckinResponse.objects.bulk_create(
        [_row(association, response) for response in batch],
        batch_size=IMPORT_BATCH,
        update_conflicts=True,
        unique_fields=["association", "year", "respondent_id"],
        update_fields=[*ANSWER_FIELDS, "updated_at"],
    )
    return sum(1 for response in batch if (response.year, response.respondent_id) in held)


def refresh_indicators(association: Association, years: Sequence[int]) -> None:
    """Recompute the stored figures of ``years`` (call inside the change's transaction);
    each year's answers are read once for both sets of figures."""
    snapshots = []
    for year in years:
        responses = responses_for(association, year)
        snapshots.append(
            IndicatorSnapshot(
                association=association,
                year=year,
                figures=compute(responses, year),
                extra=compute_extra(responses, year),
                stale=False,
            )
        )
    IndicatorSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["association", "year"],
        update_fields=["figures", "extra", "stale", "computed_at"],
    )


# --- Profiles and check-ins -------------------------------------------------------------------

PROFILE_FIELDS = (
    "role",
    "sector",
    "service_level",
    "region",
    "programme",
    "caseload",
    "paid_hours_week",
    "worked_hours_week",
    "annual_salary",
)
# The columns of a year's row that the profile answers (the rest only the check-in asks).
ROW_FROM_PROFILE = (
    "role",
    "service_level",
    "region",
    "race_ethnicity",
    "languages",
    "endorsed",
    "paid_hours_week",
    "worked_hours_week",
    "annual_salary",
    "caseload",
)


def _profile_values(profile: WorkforceProfile, person: User, association: Association) -> dict[str, Any]:
    return {
        "role": profile.role,
        "service_level": profile.service_level,
        "region": profile.region or person.region,
        "race_ethnicity": profile.counted_race,
        "languages": sorted(person.languages) if person.languages else None,
        "endorsed": Credential.objects.filter(person=person, association=association, status__in=CURRENT).exists(),
        "paid_hours_week": profile.paid_hours_week,
        "worked_hours_week": profile.worked_hours_week,
        "annual_salary": profile.annual_salary,
        "caseload": profile.caseload,
    }


def _mark_stale(association: Association, year: int) -> None:
    """The year's figures wait for the refresh task (at most its interval); the first answers
    of a year are counted at once (there is nothing big to recompute yet)."""
    if not IndicatorSnapshot.objects.filter(association=association, year=year).update(stale=True):
        refresh_indicators(association, [year])


@transaction.atomic
def save_workforce_profile(*, actor: User, person: User, values: dict[str, Any]) -> WorkforceProfile:
    """Save what the person tells about their work; this year's row in each of their
    associations follows it, so the figures count profiles as well as check-ins."""
    profile = WorkforceProfile.objects.select_for_update().filter(person=person).first() or WorkforceProfile(
        person=person
    )
    for name in PROFILE_FIELDS:
        setattr(profile, name, values.get(name) if values.get(name) is not None else _blank(name))
    consent = bool(values.get("demographics_consent"))
    if consent and not profile.demographics_consent:
        profile.consented_at = timezone.now()
    profile.demographics_consent = consent
    # Withdrawing consent deletes the answer; it is never kept "just in case".
    profile.race_ethnicity = sorted(values.get("race_ethnicity") or []) or None if consent else None
    if not consent:
        profile.consented_at = None
    profile.save()
    year = timezone.localdate().year
    for association in associations_of(person):
        row_values = _profile_values(profile, person, association)
        updated = CheckinResponse.objects.filter(
            association=association, year=year, respondent_id=profile.respondent_id
        ).update(**row_values)
        if not updated:
            CheckinResponse.objects.create(
                association=association,
                year=year,
                respondent_id=profile.respondent_id,
                source=CheckinResponse.Source.PROFILE,
                **row_values,
            )
        if not consent:  # earlier years' rows forget it too
            CheckinResponse.objects.filter(association=association, respondent_id=profile.respondent_id).update(
                race_ethnicity=None
            )
        _mark_stale(association, year)
    record(actor=actor, verb="workforce.profile_saved", target=person, data={"demographics_consent": consent})
    return profile


def _blank(name: str) -> Any:
    """The empty value of a profile field: None where the column is nullable, else ""."""
    return None if WorkforceProfile._meta.get_field(name).null else ""


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@transaction.atomic
def submit_checkin(*, actor: User, person: User, association: Association, answers: dict[str, Any]) -> CheckinResponse:
    """This year's check-in: one row per person, association and year (sending it again
    replaces it); it also brings the profile up to date."""
    if association not in associations_of(person):
        raise ActionRefused(_("You can check in only with an association you work with."))
    profile = WorkforceProfile.objects.select_for_update().filter(person=person).first() or WorkforceProfile(
        person=person
    )
    for name in (
        "role",
        "service_level",
        "region",
        "paid_hours_week",
        "worked_hours_week",
        "annual_salary",
        "caseload",
    ):
        value = answers.get(name)
        setattr(profile, name, value if value is not None else _blank(name))
    profile.save()
    if sorted(person.languages or []) != sorted(answers.get("languages") or []):
        User.objects.filter(pk=person.pk).update(languages=sorted(answers.get("languages") or []))
    year = timezone.localdate().year
    values = {
        "source": CheckinResponse.Source.CHECKIN,
        "role": answers["role"],
        "service_level": answers.get("service_level") or "",
        "region": answers.get("region") or "",
        "race_ethnicity": profile.counted_race,
        "languages": sorted(answers.get("languages") or []) or None,
        "specialized_training_foundations": _yes_no(answers.get("specialized_training_foundations") or ""),
        "ebt_trained": sorted(answers.get("ebt_trained") or []) or None,
        "endorsed": _yes_no(answers.get("endorsed") or ""),
        "received_rs": _yes_no(answers.get("received_rs") or ""),
        "barriers": sorted(answers.get("barriers") or []) or None,
        "desired_topics": sorted(answers.get("desired_topics") or []) or None,
        "paid_hours_week": answers.get("paid_hours_week"),
        "worked_hours_week": answers.get("worked_hours_week"),
        "annual_salary": answers.get("annual_salary"),
        "caseload": answers.get("caseload"),
    }
    row, created = CheckinResponse.objects.update_or_create(
        association=association, year=year, respondent_id=profile.respondent_id, defaults=values
    )
    _mark_stale(association, year)
    record(actor=actor, verb="workforce.checkin_submitted", association=association, target=person,
           data={"year": year, "replaced": not created})  # fmt: skip
    return row


# --- Programmes and targets -------------------------------------------------------------------


@transaction.atomic
def save_programme(
    *,
    actor: User,
    association: Association,
    name: str,
    region: str,
    endorsed_target: int,
    programme: Programme | None = None,
) -> Programme:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the programme a name.")})
    taken = ValidationError({"name": _("There is already a programme with this name.")})
    # Locked before the name is looked up: two staff saving one name at once (in any case) make
    # one programme; the other is told.
    association = Association.objects.select_for_update().get(pk=association.pk)
    clash = Programme.objects.filter(association=association, name__iexact=name)
    if programme is not None:
        clash = clash.exclude(pk=programme.pk)
    if clash.exists():
        raise taken
    if programme is None:
        programme = Programme(association=association)
    programme.name, programme.region, programme.endorsed_target = name, region.strip(), endorsed_target
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        raise taken from None
    record(actor=actor, verb="workforce.programme_saved", association=association, target=programme,
           data={"name": name, "endorsed_target": endorsed_target})  # fmt: skip
    return programme


@transaction.atomic
def delete_programme(*, actor: User, programme: Programme) -> None:
    association, name = programme.association, programme.name
    if not Programme.objects.filter(pk=programme.pk).delete()[0]:
        raise ActionRefused(_("This programme was already removed."))
    record(actor=actor, verb="workforce.programme_removed", association=association, data={"name": name})


@transaction.atomic
def set_region_target(*, actor: User, association: Association, region: str, endorsed_target: int | None) -> None:
    """Set (or with ``None`` remove) how many endorsed people the association wants in a region."""
    region = region.strip()
    if not region:
        raise ValidationError({"region": _("Name the region.")})
    if endorsed_target is None:
        RegionTarget.objects.filter(association=association, region=region).delete()
    else:
        RegionTarget.objects.update_or_create(
            association=association, region=region, defaults={"endorsed_target": endorsed_target}
        )
    record(actor=actor, verb="workforce.region_target_set", association=association,
           data={"region": region, "endorsed_target": endorsed_target})  # fmt: skip


# --- The refresh task -------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    associations: int
    years: int
    rollups: int


def refresh_workforce(association: Association | None = None, *, stale_only: bool = True) -> RefreshResult:
    """Recompute the stale years' figures and every dashboard roll-up, one association at a
    time, each in its own transaction (``attunement workforce refresh``, run by a timer)."""
    associations = [association] if association is not None else list(Association.objects.order_by("pk"))
    years = rollups = 0
    for each in associations:
        with transaction.atomic():
            snapshots = IndicatorSnapshot.objects.select_for_update().filter(association=each)
            if stale_only:
                snapshots = snapshots.filter(stale=True)
            due = set(snapshots.values_list("year", flat=True))
            if not stale_only:  # every year that has answers, kept figures or not
                due |= set(CheckinResponse.objects.filter(association=each).values_list("year", flat=True).distinct())
            if due:
                refresh_indicators(each, sorted(due))
                years += len(due)
            Rollup.objects.bulk_create(
                [Rollup(association=each, name=name, figures=rollup(each)) for name, rollup in ROLLUPS.items()],
                update_conflicts=True,
                unique_fields=["association", "name"],
                update_fields=["figures", "computed_at"],
            )
            rollups += len(ROLLUPS)
    return RefreshResult(associations=len(associations), years=years, rollups=rollups)
