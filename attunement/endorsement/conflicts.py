"""Conflicts of interest between a reviewer (or exam reader) and an applicant.

A reviewer may not judge someone they know through the work the portfolio shows: the
applicant's RS/C provider, rater or supervisor (by any of their addresses), someone at the
same organisation (however it is spelled), someone who leads or shares an RS/C group with the
applicant, or who trained them in a session here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.utils.translation import gettext as _

from attunement.endorsement.models import Application
from attunement.people.models import User
from attunement.people.names import fold_name
from attunement.portfolios.models import RSC, Reference, Work

# Words that do not tell one organisation from another: legal forms and articles.
_LEGAL_FORMS = frozenset(
    {
        "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
        "pllc", "plc", "pc", "lp", "llp", "pa", "gmbh", "sa", "srl", "nfp", "nonprofit",
    }
)  # fmt: skip
_ARTICLES = frozenset({"the", "and", "of"})
_SINGLE_LETTERS = re.compile(r"\b(?:\w )+\w\b")


def organisation_key(name: str) -> str:
    """One key per organisation however it is written: case, accents, punctuation, spacing,
    a leading "The", "&"/"and" and legal forms ("Inc.", "L.L.C.", "Ltd") do not count.

    'The Family Center, Inc.' and 'family  center llc' give the same key; '' gives ''."""
    folded = fold_name(name)
    # "L.L.C." and "U.S.A." fold to single letters: join them back into one word.
    folded = _SINGLE_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), folded)
    words = [w for w in folded.split() if w not in _ARTICLES]
    while words and words[-1] in _LEGAL_FORMS:
        words.pop()
    return "".join(words)


def fold_address(address: str) -> str:
    """An email address as compared here: case-folded, without a "+tag"."""
    address = (address or "").strip().casefold()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


def addresses_of(users: Iterable[User]) -> dict[int, set[str]]:
    """Every address of each user (login, second address, every address their account lists),
    folded; one query."""
    users = list(users)
    out = {u.pk: {fold_address(a) for a in (u.email, u.secondary_email) if a} for u in users}
    for user_id, email in EmailAddress.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", "email"):
        out.setdefault(user_id, set()).add(fold_address(email))
    return out


@dataclass
class Ties:
    """Whom the applicant knows through their portfolio and their work here."""

    applicant: int
    emails: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)  # lead or share an RS/C group with the applicant
    trainers: set[int] = field(default_factory=set)  # trained the applicant in a session
    providers: set[int] = field(default_factory=set)  # the applicant's individual RS/C provider


# The apps that know other ties (RS/C groups and sessions, training sessions) add a reader here
# when they start (their ``ready()``); each reads with a fixed number of queries.
TieReader = Callable[[User, Ties], None]
TIE_READERS: list[TieReader] = []


def tie_reader(read: TieReader) -> TieReader:
    """Register ``read(person, ties)``, which adds the person's ties that its app knows."""
    if read not in TIE_READERS:
        TIE_READERS.append(read)
    return read


def ties_of(application: Application) -> Ties:
    """The applicant's ties, read once per application (a fixed number of queries)."""
    portfolio = application.portfolio
    person = portfolio.person
    ties = Ties(applicant=person.pk)
    ties.emails |= addresses_of([person])[person.pk]
    ties.emails |= {
        fold_address(e) for e in RSC.objects.filter(portfolio=portfolio).values_list("provider_email", flat=True) if e
    }
    ties.emails |= {
        fold_address(e)
        for e in Reference.objects.filter(portfolio=portfolio).values_list("rater_email", flat=True)
        if e
    }
    for email, employer in Work.objects.filter(portfolio=portfolio).values_list("supervisor_email", "employer"):
        if email:
            ties.emails.add(fold_address(email))
        if key := organisation_key(employer):
            ties.organisations.add(key)
    for read in TIE_READERS:
        read(person, ties)
    return ties


def conflict(ties: Ties, user: User, addresses: set[str], employer: str) -> str:
    """Why ``user`` may not judge the applicant, or '' when nothing ties them."""
    if user.pk == ties.applicant:
        return _("is the applicant")
    if addresses & ties.emails:
        return _("is the applicant's RS/C provider, rater or supervisor")
    if user.pk in ties.providers:
        return _("is the applicant's RS/C provider")
    if (key := organisation_key(employer)) and key in ties.organisations:
        return _("works for the same employer")
    if user.pk in ties.groups:
        return _("leads or shares an RS/C group with the applicant")
    if user.pk in ties.trainers:
        return _("trained the applicant in a training session")
    return ""
