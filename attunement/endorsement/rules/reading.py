"""The one reader of the portfolio exchange format (``attunement.portfolio/1``).

``parse_portfolio`` checks everything the exchange spec asks (types, unknown keys, enums,
positive hours, ends after starts, dates not after ``as_of`` where a section forbids them)
and raises :class:`PortfolioError` with one message per problem, each naming its JSON path.

It is also the fast path: one pass over the decoded JSON, each field checked once against
precomputed tables, and a message (with its path) built only when a check fails. So the
accepting case costs what a plain copy into the snapshot costs (make bench, P8).
Pure Python: no Django.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attunement.endorsement.rules.fields import (
    AGES_SET,
    BOOLS,
    DOMAIN_SET,
    FORMATS,
    LEADS,
    LEVELS,
    MISSING,
    RELATIONS,
    SERVICE,
    after,
    as_object,
    before,
    choice,
    count,
    day_of,
    flag,
    flags,
    items_of,
    not_after,
    number,
    optional_text,
    ordered,
    section,
    text,
    unknown,
)
from attunement.endorsement.rules.people import NO_PERSON, People, read_held, read_person
from attunement.endorsement.rules.portfolio import (
    FORMAT,
    RSC,
    Education,
    Exam,
    License,
    Membership,
    Portfolio,
    PortfolioError,
    Reference,
    Training,
    Work,
)

# The keys each object may have, in the order the reader reads them (unknown keys are an error).
TOP = ("format", "person", "education", "licenses", "work", "training", "rsc", "references", "agreements",
       "memberships", "exam", "credentials")  # fmt: skip
PERSON = ("name", "email", "id")
EDUCATION = ("level", "field", "institution", "conferred", "verified")
LICENSE = ("kind", "mental_health", "jurisdiction", "issued", "expires")
WORK_FLAGS = ("social_emotional_focus", "relationship_focus", "dyadic_therapy", "supervised", "internship",
              "provides_rsc")  # fmt: skip
WORK = ("start", "end", "supervisor", "employer", "title", "fte", "service_level", "ages", "families_served",
        "leadership", "paid", *WORK_FLAGS)  # fmt: skip
TRAINING_FLAGS = ("dei", "about_rsc", "verified")
TRAINING = ("domains", "title", "provider", "date", "hours", *TRAINING_FLAGS)
RSC_FLAGS = ("about_providing_rsc", "peer", "confirmed")
RSC_KEYS = ("provider", "start", "end", "format", "hours", *RSC_FLAGS)
REFERENCE = ("rater", "relationship", "known_months", "completed", "insufficient_info_count")
AGREEMENTS = ("code_of_ethics", "endorsement_agreement")
MEMBERSHIP = ("association", "valid_from", "valid_through")
EXAM = ("date", "part1_percent", "part2_passed")

# The same as sets (a frozenset keeps its hash: these are the cheap ones to look things up in).
TOP_SET, PERSON_SET, EDUCATION_SET, LICENSE_SET, WORK_SET, TRAINING_SET, RSC_SET = map(
    frozenset, (TOP, PERSON, EDUCATION, LICENSE, WORK, TRAINING, RSC_KEYS)
)
REFERENCE_SET, AGREEMENTS_SET, MEMBERSHIP_SET, EXAM_SET = map(frozenset, (REFERENCE, AGREEMENTS, MEMBERSHIP, EXAM))


def _person(top: dict[str, Any], errors: list[str]) -> dict[str, str]:
    person: dict[str, str] = {}
    raw = top.get("person")
    if raw is not None:
        o = as_object(raw, "$.person", errors)
        for key in PERSON:
            value = optional_text(o, key, "$.person", errors)
            if value is not None:
                person[key] = value
        if not o.keys() <= PERSON_SET:
            unknown(o, PERSON_SET, "$.person", errors)
    return person


def _education(top: dict[str, Any], as_of: date, errors: list[str]) -> tuple[Education, ...]:
    out = []
    for i, value in enumerate(section(top, "education", errors)):
        path = f"$.education[{i}]"
        o = as_object(value, path, errors)
        level = choice(o, "level", LEVELS, "none", path, errors)
        field = text(o, "field", path, errors)
        institution = text(o, "institution", path, errors)
        conferred = day_of(o, "conferred", path, errors, required=True)
        not_after(conferred, as_of, "conferred", path, errors)
        out.append(Education(level, field, institution, conferred or date.max, flag(o, "verified", path, errors)))
        if not o.keys() <= EDUCATION_SET:
            unknown(o, EDUCATION_SET, path, errors)
    return tuple(out)


def _licenses(top: dict[str, Any], errors: list[str]) -> tuple[License, ...]:
    out = []
    for i, value in enumerate(section(top, "licenses", errors)):
        path = f"$.licenses[{i}]"
        o = as_object(value, path, errors)
        kind = text(o, "kind", path, errors, required=True)
        mental_health = flag(o, "mental_health", path, errors)
        jurisdiction = text(o, "jurisdiction", path, errors)
        issued = day_of(o, "issued", path, errors, required=True)
        expires = day_of(o, "expires", path, errors)
        ordered(issued, expires, "expires", "issued", path, errors)
        if not o.keys() <= LICENSE_SET:
            unknown(o, LICENSE_SET, path, errors)
        out.append(License(kind, mental_health, jurisdiction, issued or date.max, expires))
    return tuple(out)


def _work(top: dict[str, Any], as_of: date, errors: list[str]) -> tuple[Work, ...]:
    out = []
    for i, value in enumerate(section(top, "work", errors)):
        path = f"$.work[{i}]"
        o = as_object(value, path, errors)
        start = day_of(o, "start", path, errors, required=True)
        not_after(start, as_of, "start", path, errors)
        end = day_of(o, "end", path, errors)
        ordered(start, end, "end", "start", path, errors)
        supervisor = o.get("supervisor")
        if supervisor is not None:
            supervisor = read_person(supervisor, f"{path}.supervisor", errors)
        employer, title = o.get("employer", ""), o.get("title", "")
        if type(employer) is not str or type(title) is not str:
            employer, title = text(o, "employer", path, errors), text(o, "title", path, errors)
        paid = o.get("paid")
        if paid is not True:
            paid = flag(o, "paid", path, errors)
        fte = o.get("fte", 1.0)
        if type(fte) is not float or not 0 < fte <= 1:
            fte = number(o, "fte", path, errors, positive=True, default=1.0, maximum=1.0)
        service_level, ages = o.get("service_level"), o.get("ages")
        if type(service_level) is not str or service_level not in SERVICE:
            service_level = choice(o, "service_level", SERVICE, "promotion", path, errors)
        if type(ages) is not str or ages not in AGES_SET:
            ages = choice(o, "ages", AGES_SET, "infant", path, errors)
        families = o.get("families_served")
        if type(families) is not int or families < 0:
            families = count(o, "families_served", path, errors) or 0
        social, relationship, dyadic, supervised, internship, provides = flags(o, WORK_FLAGS, path, errors)
        leadership = o.get("leadership")
        if leadership is not None:
            leadership = choice(o, "leadership", LEADS, None, path, errors, required=False)
        if not o.keys() <= WORK_SET:
            unknown(o, WORK_SET, path, errors)
        out.append(
            Work(
                employer,
                title,
                start or date.max,
                end,
                paid,
                fte,
                service_level,
                ages,
                families,
                social,
                relationship,
                dyadic,
                supervised,
                internship,
                provides,
                leadership,
                supervisor,
            )
        )
    return tuple(out)


def _domains(o: dict[str, Any], path: str, errors: list[str]) -> tuple[str, ...]:
    slugs = o.get("domains")
    if type(slugs) is not list:
        slugs = items_of(o, "domains", path, errors)
    try:
        if DOMAIN_SET.issuperset(slugs):
            return tuple(slugs)
    except TypeError:  # something unhashable: explained below
        pass
    kept = []
    for j, slug in enumerate(slugs):
        if type(slug) is str and slug in DOMAIN_SET:
            kept.append(slug)
        else:
            errors.append(f"{path}.domains[{j}]: unknown competency domain {slug!r}")
    return tuple(kept)


def _training(top: dict[str, Any], as_of: date, errors: list[str]) -> tuple[Training, ...]:
    out = []
    for i, value in enumerate(section(top, "training", errors)):
        path = f"$.training[{i}]"
        o = as_object(value, path, errors)
        domains = _domains(o, path, errors)
        title, provider = o.get("title", ""), o.get("provider", "")
        if type(title) is not str or type(provider) is not str:
            title, provider = text(o, "title", path, errors), text(o, "provider", path, errors)
        day = day_of(o, "date", path, errors, required=True)
        if day is not None and day > as_of:
            after(path, "date", as_of, errors)
        hours = o.get("hours")
        if type(hours) is not float or hours <= 0:  # whole hours too: the full check returns a float
            hours = number(o, "hours", path, errors, required=True, positive=True)
        dei, about_rsc, verified = o.get("dei"), o.get("about_rsc"), o.get("verified")
        if not BOOLS.issuperset((type(dei), type(about_rsc), type(verified))):
            dei, about_rsc, verified = flags(o, TRAINING_FLAGS, path, errors)
        dei, about_rsc, verified = dei is True, about_rsc is True, verified is True
        if not o.keys() <= TRAINING_SET:
            unknown(o, TRAINING_SET, path, errors)
        out.append(Training(title, provider, day or date.max, hours, domains, dei, about_rsc, verified))
    return tuple(out)


def _rsc(top: dict[str, Any], as_of: date, errors: list[str]) -> tuple[RSC, ...]:
    out = []
    people = People()
    for i, value in enumerate(section(top, "rsc", errors)):
        path = f"$.rsc[{i}]"
        o = as_object(value, path, errors)
        provider = people.read(o, "provider", path, errors)
        start = day_of(o, "start", path, errors, required=True)
        if start is not None and start > as_of:
            after(path, "start", as_of, errors)
        end = day_of(o, "end", path, errors)
        if end is not None and start is not None and end < start:
            before(path, "end", "start", errors)
        kind = o.get("format")
        if type(kind) is not str or kind not in FORMATS:
            kind = choice(o, "format", FORMATS, "individual", path, errors)
        hours = o.get("hours")
        if type(hours) is not float or hours <= 0:  # whole hours too: the full check returns a float
            hours = number(o, "hours", path, errors, required=True, positive=True)
        about, peer, confirmed = o.get("about_providing_rsc"), o.get("peer"), o.get("confirmed")
        if not BOOLS.issuperset((type(about), type(peer), type(confirmed))):
            about, peer, confirmed = flags(o, RSC_FLAGS, path, errors)
        about, peer, confirmed = about is True, peer is True, confirmed is True
        if not o.keys() <= RSC_SET:
            unknown(o, RSC_SET, path, errors)
        out.append(RSC(provider, kind, start or date.max, end, hours, about, peer, confirmed))
    return tuple(out)


def _references(top: dict[str, Any], errors: list[str]) -> tuple[Reference, ...]:
    out = []
    for i, value in enumerate(section(top, "references", errors)):
        path = f"$.references[{i}]"
        o = as_object(value, path, errors)
        rater = o.get("rater", MISSING)
        if rater is MISSING:
            errors.append(f"{path}.rater: is required")
            rater = NO_PERSON
        else:
            rater = read_person(rater, f"{path}.rater", errors)
        relationship = o.get("relationship")
        if type(relationship) is not str or relationship not in RELATIONS:
            relationship = choice(o, "relationship", RELATIONS, "other", path, errors)
        known_months = o.get("known_months")
        if known_months is not None and (type(known_months) is not int or known_months < 0):
            known_months = count(o, "known_months", path, errors, default=None)
        completed = day_of(o, "completed", path, errors)
        insufficient = o.get("insufficient_info_count")
        if type(insufficient) is not int or insufficient < 0:
            insufficient = count(o, "insufficient_info_count", path, errors) or 0
        if not o.keys() <= REFERENCE_SET:
            unknown(o, REFERENCE_SET, path, errors)
        out.append(Reference(rater, relationship, known_months, completed, insufficient))
    return tuple(out)


def _agreements(top: dict[str, Any], as_of: date, errors: list[str]) -> tuple[date | None, date | None]:
    raw = top.get("agreements")
    if raw is None:
        return None, None
    o = as_object(raw, "$.agreements", errors)
    ethics = day_of(o, "code_of_ethics", "$.agreements", errors)
    not_after(ethics, as_of, "code_of_ethics", "$.agreements", errors)
    agreement = day_of(o, "endorsement_agreement", "$.agreements", errors)
    not_after(agreement, as_of, "endorsement_agreement", "$.agreements", errors)
    if not o.keys() <= AGREEMENTS_SET:
        unknown(o, AGREEMENTS_SET, "$.agreements", errors)
    return ethics, agreement


def _memberships(top: dict[str, Any], errors: list[str]) -> tuple[Membership, ...]:
    out = []
    for i, value in enumerate(section(top, "memberships", errors)):
        path = f"$.memberships[{i}]"
        o = as_object(value, path, errors)
        association = text(o, "association", path, errors, required=True)
        valid_from = day_of(o, "valid_from", path, errors, required=True)
        valid_through = day_of(o, "valid_through", path, errors, required=True)
        ordered(valid_from, valid_through, "valid_through", "valid_from", path, errors)
        if not o.keys() <= MEMBERSHIP_SET:
            unknown(o, MEMBERSHIP_SET, path, errors)
        out.append(Membership(association, valid_from or date.max, valid_through or date.min))
    return tuple(out)


def _exam(top: dict[str, Any], as_of: date, errors: list[str]) -> Exam | None:
    raw = top.get("exam")
    if raw is None:
        return None
    o = as_object(raw, "$.exam", errors)
    day = day_of(o, "date", "$.exam", errors, required=True)
    not_after(day, as_of, "date", "$.exam", errors)
    part1 = number(o, "part1_percent", "$.exam", errors, required=True, maximum=100)
    part2 = flag(o, "part2_passed", "$.exam", errors)
    if not o.keys() <= EXAM_SET:
        unknown(o, EXAM_SET, "$.exam", errors)
    return Exam(day or date.max, part1, part2)


def parse_portfolio(data: Any, as_of: date) -> Portfolio:
    """Build a :class:`Portfolio` from decoded JSON, or raise :class:`PortfolioError`."""
    errors: list[str] = []
    top = as_object(data, "$", errors)
    fmt = top.get("format", MISSING)
    if fmt is MISSING:
        errors.append("$.format: is required")
    elif fmt != FORMAT:
        errors.append(f"$.format: must be {FORMAT}")
    person = _person(top, errors)
    education = _education(top, as_of, errors)
    licenses = _licenses(top, errors)
    work = _work(top, as_of, errors)
    training = _training(top, as_of, errors)
    rsc = _rsc(top, as_of, errors)
    references = _references(top, errors)
    code_of_ethics, endorsement_agreement = _agreements(top, as_of, errors)
    memberships = _memberships(top, errors)
    exam = _exam(top, as_of, errors)
    credentials = tuple(
        read_held(c, f"$.credentials[{i}]", errors) for i, c in enumerate(items_of(top, "credentials", "$", errors))
    )
    if not top.keys() <= TOP_SET:
        unknown(top, TOP_SET, "$", errors)
    if errors:
        raise PortfolioError(errors)
    return Portfolio(person, education, licenses, work, training, rsc, references, code_of_ethics,
                     endorsement_agreement, memberships, exam, credentials)  # fmt: skip
