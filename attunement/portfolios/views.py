from __future__ import annotations

import json
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.endorsement.models import CATEGORY_CHOICES
from attunement.endorsement.rules import RuleSetError, evaluate, parse_portfolio
from attunement.endorsement.selectors import NoRuleSet, build, rule_set_version_in_force
from attunement.lib.http import SignedInRequest
from attunement.lib.uploads import CONTENT_TYPES
from attunement.mail.selectors import about as mail_about
from attunement.mail.selectors import latest_about
from attunement.portfolios import actions
from attunement.portfolios.access import get_entry_for_owner
from attunement.portfolios.actions import REFERENCE_MAIL
from attunement.portfolios.forms import (
    DOMAIN_CHOICES,
    AimForm,
    CommentForm,
    EducationForm,
    LicenseForm,
    ReferenceForm,
    RSCForm,
    SignForm,
    StartForm,
    TrainingForm,
    WorkForm,
)
from attunement.portfolios.models import (
    RSC,
    AgreementKind,
    AgreementText,
    Comment,
    Education,
    License,
    Portfolio,
    Rating,
    Reference,
    ReferenceStatus,
    Section,
    Signature,
    Training,
    Work,
)
from attunement.portfolios.needs import needs_from_report
from attunement.portfolios.selectors import portfolio_document

# Sections whose entries the owner edits with a form: model, form, columns shown in the list.
ENTRY_SECTIONS: dict[str, tuple[type[Any], type[Any], list[str]]] = {
    Section.EDUCATION: (Education, EducationForm, ["level", "field", "institution", "conferred"]),
    Section.LICENSES: (License, LicenseForm, ["kind", "jurisdiction", "issued", "expires"]),
    Section.WORK: (Work, WorkForm, ["title", "employer", "start", "end", "service_level"]),
    Section.TRAINING: (Training, TrainingForm, ["title", "provider", "date", "hours"]),
    Section.RSC: (RSC, RSCForm, ["provider_name", "provider_category", "format", "start", "end", "hours"]),
}


def _own_portfolio(request: SignedInRequest) -> Portfolio | None:
    # select_related: every portfolio page shows the association and uses its rule set.
    return Portfolio.objects.select_related("association", "person").filter(person=request.user).first()


def _site_url(request: HttpRequest) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def _section_counts(portfolio: Portfolio) -> dict[str, int]:
    counts = {
        section: model.objects.filter(portfolio=portfolio).count()
        for section, (model, _f, _c) in ENTRY_SECTIONS.items()
    }
    counts[Section.REFERENCES] = (
        Reference.objects.filter(portfolio=portfolio).exclude(status=ReferenceStatus.CANCELLED).count()
    )
    counts[Section.AGREEMENTS] = Signature.objects.filter(portfolio=portfolio).values("text__kind").distinct().count()
    return counts


def home(request: SignedInRequest) -> HttpResponse:
    """The portfolio overview, or the form that starts one."""
    portfolio = _own_portfolio(request)
    if portfolio is None:
        form = StartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            actions.start_portfolio(
                actor=request.user,
                person=request.user,
                association=form.cleaned_data["association"],
                aim=form.cleaned_data["aim"],
            )
            return redirect("portfolio:home")
        return render(request, "portfolios/start.html", {"form": form}, status=400 if form.errors else 200)
    if request.method == "POST":
        aim_form = AimForm(request.POST)
        if aim_form.is_valid():
            actions.set_aim(actor=request.user, portfolio=portfolio, aim=aim_form.cleaned_data["aim"])
            return redirect("portfolio:home")
    return render(
        request,
        "portfolios/home.html",
        {
            "portfolio": portfolio,
            "counts": _section_counts(portfolio),
            "aim_form": AimForm(initial={"aim": portfolio.aim}),
            "sections": Section,
        },
    )


@require_GET
def needs(request: SignedInRequest) -> HttpResponse:
    """'What do I still need': the aimed-at category in detail, and every category side by side."""
    portfolio = _own_portfolio(request)
    if portfolio is None:
        return redirect("portfolio:home")
    category = request.GET.get("category") or portfolio.aim or "IFA"
    if category not in dict(CATEGORY_CHOICES):
        raise Http404
    today = timezone.localdate()
    document = portfolio_document(portfolio, today)
    try:
        version = rule_set_version_in_force(portfolio.association, today)
    except NoRuleSet:
        return render(request, "portfolios/needs.html", {"portfolio": portfolio, "no_rule_set": True}, status=503)
    rules = build(version)
    snapshot = parse_portfolio(document, today)
    reports = {
        code: evaluate(snapshot, rules, code, today) for code, _label in CATEGORY_CHOICES if code in rules.categories
    }
    overview = [
        {
            "code": code,
            "label": label,
            "eligible": reports[code]["eligible"],
            "total": len(reports[code]["requirements"]),
            "unmet": sum(1 for r in reports[code]["requirements"] if r["status"] == "unmet"),
        }
        for code, label in CATEGORY_CHOICES
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
            "category_label": dict(CATEGORY_CHOICES)[category],
            "report": reports[category],
            "rule_set": version,
            "needs": needs_from_report(reports[category], document),
            "overview": overview,
            "categories": CATEGORY_CHOICES,
        },
    )


def _comments(portfolio: Portfolio, section: str) -> list[Comment]:
    # select_related: each message shows its author.
    return list(Comment.objects.filter(portfolio=portfolio, section=section).select_related("author"))


def section(request: SignedInRequest, section: str) -> HttpResponse:
    portfolio = _own_portfolio(request)
    if portfolio is None:
        return redirect("portfolio:home")
    if section not in ENTRY_SECTIONS:
        raise Http404
    model, form_class, columns = ENTRY_SECTIONS[section]
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            entry = form.save(commit=False)
            actions.save_entry(actor=request.user, portfolio=portfolio, entry=entry, changed=list(form.changed_data))
            messages.success(request, _("Saved."))
            return redirect("portfolio:section", section=section)
        messages.error(request, _("Please correct the fields marked below."))
    entries = model.objects.filter(portfolio=portfolio)
    return render(
        request,
        "portfolios/section.html",
        {
            "portfolio": portfolio,
            "section": Section(section),
            "entries": entries,
            "columns": columns,
            "form": form,
            "comments": _comments(portfolio, section),
            "comment_form": CommentForm(),
            "model": model,
        },
        status=400 if form.errors else 200,
    )


def edit_entry(request: SignedInRequest, section: str, entry_id: str) -> HttpResponse:
    portfolio = _own_portfolio(request)
    if portfolio is None or section not in ENTRY_SECTIONS:
        raise Http404
    model, form_class, _columns = ENTRY_SECTIONS[section]
    entry = get_entry_for_owner(model, portfolio, entry_id)
    form = form_class(request.POST or None, request.FILES or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_entry(
                actor=request.user, portfolio=portfolio, entry=form.save(commit=False), changed=list(form.changed_data)
            )
        except actions.ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Saved."))
        return redirect("portfolio:section", section=section)
    return render(
        request,
        "portfolios/edit.html",
        {"portfolio": portfolio, "section": Section(section), "entry": entry, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def delete_entry(request: SignedInRequest, section: str, entry_id: str) -> HttpResponse:
    portfolio = _own_portfolio(request)
    if portfolio is None or section not in ENTRY_SECTIONS:
        raise Http404
    entry = get_entry_for_owner(ENTRY_SECTIONS[section][0], portfolio, entry_id)
    try:
        actions.delete_entry(actor=request.user, entry=entry)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Removed."))
    return redirect("portfolio:section", section=section)


@require_POST
def comment(request: SignedInRequest, section: str) -> HttpResponse:
    portfolio = _own_portfolio(request)
    if portfolio is None or section not in Section.values:
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        actions.add_comment(actor=request.user, portfolio=portfolio, section=section, body=form.cleaned_data["body"])
        messages.success(request, _("Message sent to the association's staff."))
    else:
        messages.error(request, _("Write a message first."))
    if section in ENTRY_SECTIONS:
        return redirect("portfolio:section", section=section)
    return redirect(f"portfolio:{section}")  # references, agreements


@require_GET
def entry_file(request: SignedInRequest, section: str, entry_id: str) -> FileResponse:
    """A transcript or certificate, to its owner (staff reach it through their pages)."""
    portfolio = _own_portfolio(request)
    if portfolio is None or section not in {Section.EDUCATION, Section.TRAINING}:
        raise Http404
    if section == Section.EDUCATION:
        return serve_entry_file(get_entry_for_owner(Education, portfolio, entry_id))
    return serve_entry_file(get_entry_for_owner(Training, portfolio, entry_id))


def serve_entry_file(entry: Education | Training) -> FileResponse:
    upload = entry.transcript if isinstance(entry, Education) else entry.certificate
    if not upload:
        raise Http404
    extension = PurePosixPath(upload.name or "").suffix.lstrip(".")
    try:
        stream = upload.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        as_attachment=extension == "pdf",
        filename=f"{entry.SECTION.value}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def references(request: SignedInRequest) -> HttpResponse:
    portfolio = _own_portfolio(request)
    if portfolio is None:
        return redirect("portfolio:home")
    form = ReferenceForm(request.POST or None, initial={"category": portfolio.aim})
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_reference(
                actor=request.user, portfolio=portfolio, reference=form.save(commit=False), site_url=_site_url(request)
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("The rater has been sent a link to the rating form."))
            return redirect("portfolio:references")
    rows = list(Reference.objects.filter(portfolio=portfolio).exclude(status=ReferenceStatus.CANCELLED))
    domain_labels, rating_labels = dict(DOMAIN_CHOICES), dict(Rating.choices)
    # How the last mail to each rater fared (queued while the mail server is down, or given up).
    mails = latest_about(mail_about(REFERENCE_MAIL, row.public_id) for row in rows)
    for row in rows:
        row.mail = mails.get(mail_about(REFERENCE_MAIL, row.public_id))  # type: ignore[attr-defined]
        # The applicant sees a rating's content only when they did not waive the right to.
        row.visible_answers = (  # type: ignore[attr-defined]
            [(domain_labels.get(slug, slug), rating_labels.get(value, value)) for slug, value in row.answers.items()]
            if row.status == ReferenceStatus.COMPLETED and not row.waived
            else None
        )
    return render(
        request,
        "portfolios/references.html",
        {
            "portfolio": portfolio,
            "references": rows,
            "form": form,
            "comments": _comments(portfolio, Section.REFERENCES),
            "comment_form": CommentForm(),
            "section": Section.REFERENCES,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def reference_action(request: SignedInRequest, reference_id: str, what: str) -> HttpResponse:
    portfolio = _own_portfolio(request)
    if portfolio is None:
        raise Http404
    reference = get_entry_for_owner(Reference, portfolio, reference_id)
    try:
        if what == "resend":
            actions.send_reference(actor=request.user, reference=reference, site_url=_site_url(request))
            messages.success(request, _("Sent again with a new link; the old link no longer works."))
        elif what == "cancel":
            actions.cancel_reference(actor=request.user, reference=reference)
            messages.success(request, _("Withdrawn."))
        elif what == "change":
            name, email = request.POST.get("rater_name", "").strip(), request.POST.get("rater_email", "").strip()
            if not name or not email:
                messages.error(request, _("Give the new rater's name and email."))
            else:
                actions.change_rater(
                    actor=request.user, reference=reference, name=name, email=email, site_url=_site_url(request)
                )
                messages.success(request, _("The new rater has been sent the link."))
        else:
            raise Http404
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return redirect("portfolio:references")


def agreements(request: SignedInRequest) -> HttpResponse:
    portfolio = _own_portfolio(request)
    if portfolio is None:
        return redirect("portfolio:home")
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in {"en", "es"} else "en"
    texts: dict[str, AgreementText] = {}
    for text in AgreementText.objects.filter(effective__lte=timezone.localdate()).order_by("kind", "-effective"):
        if text.association_id not in (None, portfolio.association_id):
            continue
        current = texts.get(text.kind)
        better = (
            current is None
            or (text.association_id and not current.association_id)
            or (
                text.language == language
                and current.language != language
                and text.association_id == current.association_id
            )
        )
        if better:
            texts[text.kind] = text
    form = SignForm(request.POST or None)
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind not in texts:
            raise Http404
        if form.is_valid():
            try:
                actions.sign_agreement(
                    actor=request.user,
                    portfolio=portfolio,
                    text=texts[kind],
                    typed_name=form.cleaned_data["typed_name"],
                )
            except ValidationError as error:
                form.add_error("typed_name", error.message_dict["typed_name"])
            else:
                messages.success(request, _("Signed."))
                return redirect("portfolio:agreements")
    signed = {
        s.text.kind: s
        for s in Signature.objects.filter(portfolio=portfolio).select_related("text").order_by("signed_at")
    }
    return render(
        request,
        "portfolios/agreements.html",
        {
            "portfolio": portfolio,
            "texts": [(k, texts.get(k), signed.get(k)) for k in AgreementKind.values],
            "form": form,
            "kinds": dict(AgreementKind.choices),
            "section": Section.AGREEMENTS,
            "comments": _comments(portfolio, Section.AGREEMENTS),
            "comment_form": CommentForm(),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def export(request: SignedInRequest) -> HttpResponse:
    portfolio = _own_portfolio(request)
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
        if category and category not in dict(CATEGORY_CHOICES):
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
            "categories": CATEGORY_CHOICES,
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
