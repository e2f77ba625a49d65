"""Directory reads: one query per page whatever the registry's size (keyset pagination by
name, then id), and only what the holder chose to show is searched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from attunement.endorsement.models import Credential, CredentialStatus
from attunement.endorsement.rules.categories import CODES
from attunement.people.languages import WORK_LANGUAGE_CODES
from attunement.people.names import fold_name
from attunement.registry.models import Accepting

if TYPE_CHECKING:
    from attunement.associations.models import Association

# Only current credentials are listed; lapsed, inactive, archived, suspended and revoked ones
# leave the directory the moment their status changes (verification by code still answers).
LISTED = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    query: str = ""
    category: str = ""
    region: str = ""
    language: str = ""
    accepting: bool = False
    after: str = ""

    @classmethod
    def from_request(cls, params: Any) -> Filters:
        category = params.get("category", "")
        language = params.get("language", "")
        return cls(
            query=params.get("q", "").strip()[:100],
            category=category if category in CODES else "",
            region=params.get("region", "").strip()[:120],
            language=language if language in WORK_LANGUAGE_CODES else "",
            accepting=params.get("accepting") == "yes",
            after=params.get("after", "")[:300],
        )


def listed_credentials(association: Association | None) -> QuerySet[Credential]:
    rows = Credential.objects.filter(status__in=LISTED, association__is_active=True)
    if association is not None:
        rows = rows.filter(association=association)
    # A person who said "do not list me" is left out; no listing row means the default (listed).
    rows = rows.filter(Q(person__listing__isnull=True) | Q(person__listing__listed=True))
    # select_related: every row shows the person, what they chose to show, and (across the
    # deployment) the association.
    return rows.select_related("person", "person__listing", "association")


@dataclass
class Page:
    credentials: list[Credential]
    after: str


def directory_page(association: Association | None, filters: Filters) -> Page:
    rows = listed_credentials(association)
    query = fold_name(filters.query)
    if query:  # "jose garcia" finds José García: the folded names are stored on the person
        rows = rows.filter(Q(person__legal_name_key__contains=query) | Q(person__preferred_name_key__contains=query))
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.region:
        rows = rows.filter(person__listing__region__icontains=filters.region)
    if filters.language:
        rows = rows.filter(person__listing__languages__contains=f" {filters.language} ")
    if filters.accepting:
        rows = rows.filter(person__listing__accepting=Accepting.YES)
    # In the order of the folded legal name (accents and case ignored), then person and
    # credential: the database walks the people's name index and stops after a page instead
    # of sorting every listed credential (1.7 ms instead of 1.2 s at 1,000,000, `make bench`).
    after_key, person_id, credential_id = _keyset(filters.after)
    if after_key is None:  # from the start; the condition lets SQLite's planner walk the index too
        rows = rows.filter(person__legal_name_key__gte="")
    else:
        rows = rows.filter(person__legal_name_key__gte=after_key).filter(
            Q(person__legal_name_key__gt=after_key)
            | Q(person__legal_name_key=after_key, person_id__gt=person_id)
            | Q(person__legal_name_key=after_key, person_id=person_id, id__gt=credential_id)
        )
    page = list(rows.order_by("person__legal_name_key", "person_id", "id")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    if not more:
        return Page(page, "")
    last = page[-1]
    return Page(page, f"{last.person.legal_name_key}|{last.person_id}|{last.id}")


def _keyset(after: str) -> tuple[str | None, int, int]:
    """The position after which the next page starts (name key, person id, credential id);
    anything malformed starts at the beginning."""
    key, _sep, ids = after.partition("|")
    person_id, _sep, credential_id = ids.partition("|")
    if not (person_id.isdigit() and credential_id.isdigit()):
        return None, 0, 0
    return key, int(person_id), int(credential_id)


def listed_credential(code: str) -> Credential | None:
    """A holder's listing page by the credential's random code (one query); None when the
    code is unknown or the credential is not listed."""
    return listed_credentials(None).filter(public_code=code).first()


def credential_by_code(code: str) -> Credential | None:
    """Any credential by its code, for the verification page (one query)."""
    return Credential.objects.select_related("person", "association").filter(public_code=code).first()
