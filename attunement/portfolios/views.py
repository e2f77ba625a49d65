from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.lib.http import SignedInRequest
from attunement.lib.uploads import CONTENT_TYPES
from attunement.mail.selectors import about as mail_about
from attunement.mail.selectors import latest_about
from attunement.portfolios import actions
from attunement.portfolios.access import get_entry, get_own_portfolio, get_own_reference
from attunement.portfolios.actions import REFERENCE_MAIL
from attunement.portfolios.forms import (
    DOMAIN_CHOICES,
    AimForm,
    ChangeRaterForm,
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

# Sections whose entries the owner edits with a form: model, form, columns shown in the list.
ENTRY_SECTIONS: dict[str, tuple[type[Any], type[Any], list[str]]] = {
    Section.EDUCATION: (Education, EducationForm, ["level", "field", "institution", "conferred"]),
    Section.LICENSES: (License, LicenseForm, ["kind", "jurisdiction", "issued", "expires"]),
    Section.WORK: (Work, WorkForm, ["title", "employer", "start", "end", "service_level"]),
    Section.TRAINING: (Training, TrainingForm, ["title", "provider", "date", "hours"]),
    Section.RSC: (RSC, RSCForm, ["provider_name", "provider_category", "format", "start", "end", "hours"]),
}


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
    portfolio = get_own_portfolio(request.user)
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


def _comments(portfolio: Portfolio, section: str) -> list[Comment]:
    # select_related: each message shows its author.
    return list(Comment.objects.filter(portfolio=portfolio, section=section).select_related("author"))


def section(request: SignedInRequest, section: str) -> HttpResponse:
    portfolio = get_own_portfolio(request.user)
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
    portfolio = get_own_portfolio(request.user)
    if portfolio is None or section not in ENTRY_SECTIONS:
        raise Http404
    model, form_class, _columns = ENTRY_SECTIONS[section]
    entry = get_entry(model, portfolio, entry_id)
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
    portfolio = get_own_portfolio(request.user)
    if portfolio is None or section not in ENTRY_SECTIONS:
        raise Http404
    entry = get_entry(ENTRY_SECTIONS[section][0], portfolio, entry_id)
    try:
        actions.delete_entry(actor=request.user, entry=entry)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Removed."))
    return redirect("portfolio:section", section=section)


@require_POST
def comment(request: SignedInRequest, section: str) -> HttpResponse:
    portfolio = get_own_portfolio(request.user)
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
    portfolio = get_own_portfolio(request.user)
    if portfolio is None or section not in {Section.EDUCATION, Section.TRAINING}:
        raise Http404
    if section == Section.EDUCATION:
        return serve_entry_file(get_entry(Education, portfolio, entry_id))
    return serve_entry_file(get_entry(Training, portfolio, entry_id))


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
    portfolio = get_own_portfolio(request.user)
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
def resend_reference(request: SignedInRequest, reference_id: str) -> HttpResponse:
    reference = get_own_reference(request.user, reference_id)
    try:
        actions.send_reference(actor=request.user, reference=reference, site_url=_site_url(request))
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Sent again with a new link; the old link no longer works."))
    return redirect("portfolio:references")


@require_POST
def cancel_reference(request: SignedInRequest, reference_id: str) -> HttpResponse:
    reference = get_own_reference(request.user, reference_id)
    try:
        actions.cancel_reference(actor=request.user, reference=reference)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("portfolio:references")


@require_POST
def change_rater(request: SignedInRequest, reference_id: str) -> HttpResponse:
    reference = get_own_reference(request.user, reference_id)
    form = ChangeRaterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new rater's name and email."))
        return redirect("portfolio:references")
    try:
        actions.change_rater(
            actor=request.user,
            reference=reference,
            name=form.cleaned_data["rater_name"],
            email=form.cleaned_data["rater_email"],
            site_url=_site_url(request),
        )
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("The new rater has been sent the link."))
    return redirect("portfolio:references")


def agreements(request: SignedInRequest) -> HttpResponse:
    portfolio = get_own_portfolio(request.user)
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
