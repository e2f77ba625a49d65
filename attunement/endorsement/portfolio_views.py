"""The portfolio's pages that judge it: "what do I still need", the exchange document, the
rater's form (its competency domains come from the rule set in force) and the staff view of
one portfolio with the report on the category it aims at.

They sit in endorsement because they read the eligibility service; the root URLconf mounts
them in the portfolio's namespaces (``portfolio:``, ``portfolio_staff:``), beside the
portfolio's own pages."""

from __future__ import annotations

import json
from datetime import date

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attunement.associations.access import staff_required
from attunement.endorsement.eligibility import NoRuleSet, build, judge, portfolio_document, rule_set_version_in_force
from attunement.endorsement.rules import RuleSetError, evaluate, parse_portfolio
from attunement.endorsement.rules.categories import CODES
from attunement.lib.categories import category_choices, category_name
from attunement.lib.http import SignedInRequest, StaffRequest
from attunement.mail.selectors import mail_to
from attunement.portfolios import actions
from attunement.portfolios.access import PORTFOLIO_ROLES, VERIFYING_ROLES, get_own_portfolio, get_portfolio_for_user
from attunement.portfolios.forms import DOMAIN_CHOICES, CommentForm, StandingForm, VerifyForm
from attunement.portfolios.models import Comment, Portfolio, Rating, Reference, ReferenceStatus, Section
from attunement.portfolios.needs import needs_from_report
from attunement.portfolios.views import ENTRY_SECTIONS


@require_GET
def needs(request: SignedInRequest) -> HttpResponse:
    """'What do I still need': the aimed-at category in detail, and every category side by side."""
    portfolio = get_own_portfolio(request.user)
    if portfolio is None:
        return redirect("portfolio:home")
    category = request.GET.get("category") or portfolio.aim or "IFA"
    if category not in CODES:
        raise Http404
    today = timezone.localdate()
    document = portfolio_document(portfolio, today)
    try:
        version = rule_set_version_in_force(portfolio.association, today)
    except NoRuleSet:
        return render(request, "portfolios/needs.html", {"portfolio": portfolio, "no_rule_set": True}, status=503)
    rules = build(version)
    snapshot = parse_portfolio(document, today)
    reports = {code: evaluate(snapshot, rules, code, today) for code in CODES if code in rules.categories}
    overview = [
        {
            "code": code,
            "label": label,
            "eligible": reports[code]["eligible"],
            "total": len(reports[code]["requirements"]),
            "unmet": sum(1 for r in reports[code]["requirements"] if r["status"] == "unmet"),
        }
        for code, label in category_choices()
        if code in reports
    ]
    if category not in reports:
        raise Http404
    return render(
        request,
        "portfolios/needs.html",
        {
            "portfolio": portfolio,
            "category": category,
            "category_label": category_name(category),
            "report": reports[category],
            "rule_set": version,
            "needs": needs_from_report(reports[category], document),
            "overview": overview,
            "categories": category_choices(),
        },
    )


@require_GET
def export(request: SignedInRequest) -> HttpResponse:
    portfolio = get_own_portfolio(request.user)
    if portfolio is None:
        raise Http404
    document = portfolio_document(portfolio)
    actions.record_export(actor=request.user, portfolio=portfolio)
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="portfolio.json"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The rater's form (no account: a signed, expiring link) ---------------------------------


@login_not_required
def reference_form(request: HttpRequest, token: str) -> HttpResponse:
    try:
        reference = actions.reference_from_token(token)
    except actions.ActionRefused as refusal:
        return render(request, "portfolios/rater_closed.html", {"message": str(refusal)}, status=410)
    if reference.status == ReferenceStatus.COMPLETED:
        return render(
            request,
            "portfolios/rater_closed.html",
            {"message": _("Thank you: this rating is already submitted.")},
            status=410,
        )
    domains = _domains_for(reference.portfolio, reference.category)
    if reference.status == ReferenceStatus.SENT:
        actions.mark_reference_opened(reference=reference)
    errors: dict[str, str] = {}
    if request.method == "POST":
        answers = {slug: request.POST.get(f"domain-{slug}", "") for slug, _label in domains}
        for slug, value in answers.items():
            if value not in Rating.values:
                errors[slug] = _("Choose a rating, or “I do not have enough information”.")
        category = request.POST.get("rater_category", "")
        since_raw = request.POST.get("rater_since", "")
        since = None
        if category and category not in CODES:
            errors["rater_category"] = _("Choose an Endorsement category from the list.")
        if category:
            try:
                since = date.fromisoformat(since_raw) if since_raw else None
            except ValueError:
                errors["rater_since"] = _("Give the date as YYYY-MM-DD.")
            if since is None and "rater_since" not in errors:
                errors["rater_since"] = _("Since when do you hold it?")
        if not errors:
            try:
                actions.complete_reference(
                    reference=reference,
                    answers=answers,
                    narrative=request.POST.get("narrative", "")[:8000],
                    rater_category=category,
                    rater_since=since,
                )
            except actions.ActionRefused as refusal:
                return render(request, "portfolios/rater_closed.html", {"message": str(refusal)}, status=409)
            return render(
                request,
                "portfolios/rater_closed.html",
                {"message": _("Thank you. Your rating has been submitted."), "done": True},
            )
    return render(
        request,
        "portfolios/rater_form.html",
        {
            "reference": reference,
            "person": reference.portfolio.person,
            "domains": domains,
            "ratings": Rating.choices,
            "errors": errors,
            "posted": request.POST,
            "categories": category_choices(),
        },
        status=400 if errors else 200,
    )


def _domains_for(portfolio: Portfolio, category: str) -> list[tuple[str, str]]:
    """The competency domains the rule set in force asks of ``category``: one item each."""
    try:
        rules = build(rule_set_version_in_force(portfolio.association, timezone.localdate()))
        slugs = rules.category(category).domains
    except (NoRuleSet, RuleSetError):
        slugs = tuple(slug for slug, _label in DOMAIN_CHOICES[:8])
    labels = dict(DOMAIN_CHOICES)
    return [(slug, str(labels[slug])) for slug in slugs]


# --- Staff: one portfolio -----------------------------------------------------------------


@staff_required(*PORTFOLIO_ROLES)
@require_GET
def portfolio_detail(request: StaffRequest, portfolio_id: str) -> HttpResponse:
    portfolio = get_portfolio_for_user(request.user, request.association, portfolio_id)
    sections = [
        (Section(key), model, columns, list(model.objects.filter(portfolio=portfolio)))
        for key, (model, _f, columns) in ENTRY_SECTIONS.items()
    ]
    references = list(Reference.objects.filter(portfolio=portfolio).order_by("created_at"))
    comments = list(Comment.objects.filter(portfolio=portfolio).select_related("author"))
    needs, report = [], None
    if portfolio.aim:
        try:
            today = timezone.localdate()
            document = portfolio_document(portfolio, today)
            report = judge(portfolio, portfolio.aim, as_of=today, document=document).report
            needs = needs_from_report(report, document)
        except NoRuleSet:
            report = None
    return render(
        request,
        "portfolios/staff_detail.html",
        {
            "portfolio": portfolio,
            "sections": sections,
            "references": references,
            "comments": comments,
            "mail": mail_to([portfolio.person.email, portfolio.person.secondary_email]),
            "needs": needs,
            "report": report,
            "verify_form": VerifyForm(),
            "standing_form": StandingForm(),
            "comment_form": CommentForm(),
            "can_verify": bool(request.association_roles & VERIFYING_ROLES),
            "all_sections": Section.choices,
        },
    )
