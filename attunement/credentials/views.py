"""Public documents of an issuer (its DID document, its status lists) and the holder's
downloads (the signed credential, a wallet bundle, the certificate PDF)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from attunement.associations.access import association_page
from attunement.credentials import actions, selectors, vc
from attunement.credentials.documents import certificate_pdf
from attunement.credentials.verify import BUNDLE_FORMAT
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.lib.errors import ActionRefused
from attunement.lib.http import AssociationPageRequest, SignedInRequest

CURRENT = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]


@association_page
@require_safe
def did_document(request: AssociationPageRequest) -> HttpResponse:
    """``/<slug>/did.json``: the did:web document of the association's issuer."""
    response = JsonResponse(selectors.did_document(request.association), content_type="application/did+json")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@association_page
@require_safe
def status_list(request: AssociationPageRequest, purpose: str) -> HttpResponse:
    """The association's revocation or suspension list, built now; caches may keep it for
    STATUS_LIST_TTL seconds, so a change shows within five minutes."""
    if purpose not in vc.PURPOSES:
        raise Http404
    token = selectors.status_list_token(request.association, purpose)
    if token is None:
        raise Http404
    response = HttpResponse(token, content_type=vc.MEDIA_TYPE)
    response["Cache-Control"] = f"public, max-age={selectors.STATUS_LIST_TTL}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _own(request: SignedInRequest, code: str) -> Credential:
    credential = selectors.holder_credential(request.user, code)
    if credential is None:
        raise Http404
    return credential


@require_GET
def mine(request: SignedInRequest) -> HttpResponse:
    """The signed-in person's credentials, with their downloads."""
    credentials = Credential.objects.filter(person=request.user).select_related("association").order_by("-since", "id")
    return render(request, "credentials/mine.html", {"credentials": credentials, "current": CURRENT})


def _token_or_refusal(request: SignedInRequest, credential: Credential) -> str | None:
    try:
        return actions.issue_verifiable_credential(actor=request.user, credential=credential)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return None


@require_GET
def credential_jwt(request: SignedInRequest, code: str) -> HttpResponse:
    credential = _own(request, code)
    token = _token_or_refusal(request, credential)
    if token is None:
        return redirect("credentials_me:mine")
    response = HttpResponse(token, content_type=vc.MEDIA_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="endorsement-{credential.category}-{credential.public_code}.jwt"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def credential_bundle(request: SignedInRequest, code: str) -> HttpResponse:
    """The signed credential with a copy of the issuer's DID document, for reference: ``attunement
    verify`` checks against the live document and, offline with only this copy, says the
    issuer's key is not verified."""
    credential = _own(request, code)
    token = _token_or_refusal(request, credential)
    if token is None:
        return redirect("credentials_me:mine")
    bundle = {
        "format": BUNDLE_FORMAT,
        "credential": token,
        "mediaType": vc.MEDIA_TYPE,
        "didDocument": selectors.did_document(credential.association),
        "didDocumentUrl": vc.did_document_url(selectors.issuer_did(credential.association)),
        "verificationPage": selectors.verification_url(credential.public_code),
        "savedAt": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    response = HttpResponse(json.dumps(bundle, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="endorsement-{credential.category}-{credential.public_code}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def certificate(request: SignedInRequest, code: str) -> HttpResponse:
    credential = _own(request, code)
    if credential.status not in CURRENT:
        messages.error(request, _("A certificate is only made for a current credential."))
        return redirect("credentials_me:mine")
    pdf = certificate_pdf(credential)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{credential.category}-{credential.public_code}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
