"""The verification API (django-ninja, OpenAPI 3 at ``/api/v1/openapi.json``).

Every operation but ``ping`` needs an API key (``Authorization: Bearer att_...`` or
``X-API-Key: att_...``) and sees only the credentials of the association that issued it.
Error shapes: ``{"detail": "..."}`` (401, 400, 413, 422), ``{"valid": false, "detail": "..."}``
(404 for an unknown code), ``{"detail": "...", "retry_after": n}`` with a ``Retry-After``
header (429)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any, Literal

import orjson
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import ValidationError
from ninja.renderers import BaseRenderer
from ninja.security import APIKeyHeader, HttpBearer
from pydantic import Field

from attunement.api import actions, keys, lookup, roster, selectors
from attunement.api.matching import SCORES, normalise_code
from attunement.api.models import RosterCheck, RosterStatus

DESCRIPTION = """
Verify Endorsement® credentials of the association that issued your API key.

* **Keys**: send `Authorization: Bearer <key>` (or `X-API-Key: <key>`). Keys are issued by the
  association's admin.
* **Quota**: requests per minute per key (600 unless the association set another). A roster
  check costs one request per started 100 rows. Over quota: `429` with `Retry-After` (seconds).
* **Confidence**: `exact` (the code matched), `high` (the full name matched one person, ignoring
  case, accents and punctuation), `medium` (every word given is among the holder's names, or
  several people share the name), `low` (the code matched but the name or category given with it
  did not), `none`.
* **Current** means the credential's status is `active` or `emeritus`; anything else (lapsed,
  inactive, archived, suspended, revoked) is not valid today.
"""


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data)


def _check_key(request: HttpRequest, token: str) -> keys.KeyInfo | None:
    key = keys.key_for_token(token)
    if key is not None:
        keys.charge(key)
    return key


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> keys.KeyInfo | None:
        return _check_key(request, token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> keys.KeyInfo | None:
        return _check_key(request, key) if key else None


api = NinjaAPI(
    title="Attunement verification API",
    version="1",
    description=DESCRIPTION,
    docs_url=None,  # the Swagger page needs a CDN and inline script; the strict CSP forbids both
    renderer=OrjsonRenderer(),
    auth=[BearerKey(), HeaderKey()],
    urls_namespace="api",
)


# --- Schemas ---------------------------------------------------------------------------------


class Error(Schema):
    detail: str


class NotValid(Schema):
    valid: Literal[False] = False
    detail: str


class QuotaError(Schema):
    detail: str
    retry_after: int


class InputError(Schema):
    detail: str
    errors: list[dict[str, Any]]


class CategoryOut(Schema):
    code: str
    name: str


class AssociationOut(Schema):
    slug: str
    name: str


class CredentialOut(Schema):
    code: str
    valid: bool = Field(description="The same as current: the credential can be relied on today.")
    current: bool
    status: Literal["active", "lapsed", "inactive", "archived", "suspended", "revoked", "emeritus"]
    category: CategoryOut
    emerging: bool
    holder: str = Field(description="The holder's preferred (or legal) name.")
    association: AssociationOut
    since: date
    valid_through: date | None


Confidence = Literal["exact", "high", "medium", "low", "none"]


class Candidate(Schema):
    confidence: Confidence
    score: float
    credential: CredentialOut


class SearchOut(Schema):
    count: int = Field(description="Candidates found (at most 500).")
    next_offset: int | None
    results: list[Candidate]


class RosterAnswer(Schema):
    row: int = Field(description="1 for the first row after the header (CSV) or the first item (JSON).")
    ref: str | None
    status: Literal["current", "not_current", "not_found", "error"]
    confidence: Confidence
    credential: CredentialOut | None
    error: str | None


class RosterOut(Schema):
    rows: int
    counts: dict[str, int]
    results: list[RosterAnswer]


class RosterQueued(Schema):
    id: str
    status: Literal["queued"]
    rows: int
    url: str


class RosterCheckOut(Schema):
    id: str
    status: Literal["queued", "running", "done"]
    rows: int
    counts: dict[str, int] | None = None
    results: list[RosterAnswer] | None = None


class Pong(Schema):
    ok: bool


AUTH_ERRORS: dict[int, Any] = {401: Error, 422: InputError, 429: QuotaError}


# --- Errors ----------------------------------------------------------------------------------


@api.exception_handler(keys.QuotaExceeded)
def quota_exceeded(request: HttpRequest, exc: keys.QuotaExceeded) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "detail": _("Quota of %(quota)s requests per minute used up; try again in %(seconds)s seconds.")
            % {"quota": exc.quota, "seconds": exc.retry_after},
            "retry_after": exc.retry_after,
        },
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors]
    return api.create_response(request, {"detail": _("The request's parameters are not valid."), "errors": errors},
                               status=422)  # fmt: skip


# --- Operations ------------------------------------------------------------------------------


@api.get("/ping", auth=None, response=Pong, include_in_schema=True, summary="Liveness (no key, no database)")
def ping(request: HttpRequest) -> dict[str, bool]:
    return {"ok": True}


@api.get(
    "/credentials/{code}",
    response={200: CredentialOut, 304: None, 404: NotValid, **AUTH_ERRORS},
    summary="Verify a credential by its code",
)
def credential(request: HttpRequest, code: str) -> Any:
    """The credential with this code: `current` says whether it can be relied on today.
    An unknown code (or one of another association) is a 404 with `valid: false`."""
    key: keys.KeyInfo = request.auth  # type: ignore[attr-defined]
    normalised = normalise_code(code)
    answer = lookup.credential_by_code(key.association_id, normalised) if normalised else None
    # Answered directly (the shape is the schema's, checked by the tests and the fuzzing):
    # this is the hot path that payers call thousands of times a minute.
    if answer is None:
        body = orjson.dumps({"valid": False, "detail": _("No credential has this code: it is not valid.")})
        response = HttpResponse(body, status=404, content_type="application/json")
    else:
        body = orjson.dumps(answer)
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
    # Private: the answer is for this key's association (attunement/api/urls.py holds every
    # keyed answer to that; the 304 and the 404 included).
    response["Cache-Control"] = "private, max-age=60"
    response["Vary"] = "Authorization, X-API-Key"
    return response


CategoryCode = Literal[selectors.CATEGORY_CODES]  # type: ignore[valid-type]


class SearchQuery(Schema):
    name: str = Field(min_length=1, max_length=200, description="The holder's full name, as you have it.")
    category: CategoryCode | None = Field(None, description="An Endorsement category code, e.g. IFS.")
    region: str | None = Field(None, max_length=120)
    limit: int = Field(20, ge=1, le=50)
    offset: int = Field(0, ge=0, le=selectors.SEARCH_CANDIDATES)


@api.get(
    "/credentials",
    response={200: SearchOut, **AUTH_ERRORS},
    summary="Find credentials by name (with category and region)",
)
def search(request: HttpRequest, response: HttpResponse, query: Query[SearchQuery]) -> Any:
    """Candidates for a name, best first, with a match confidence (see the description)."""
    key: keys.KeyInfo = request.auth  # type: ignore[attr-defined]
    category = query.category
    region = query.region.strip() if query.region and query.region.strip() else None
    found = selectors.search_by_name(key.association_id, query.name, category, region)
    page = found[query.offset : query.offset + query.limit]
    more = query.offset + query.limit < len(found)
    response["Cache-Control"] = "private, max-age=60"
    response["Vary"] = "Authorization, X-API-Key"
    return Status(
        200,
        {
            "count": len(found),
            "next_offset": query.offset + query.limit if more else None,
            "results": [
                {"confidence": confidence, "score": SCORES[confidence], "credential": answer}
                for answer, confidence in page
            ],
        },
    )


ROSTER_BODY = {
    "parameters": [
        {
            "in": "header",
            "name": "Prefer",
            "required": False,
            "description": "`respond-async` (RFC 7240): answer 202 at once with the URL where the answer will be.",
            "schema": {"type": "string"},
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": {
                            "type": "array",
                            "maxItems": roster.MAX_ROWS,
                            # Deliberately loose: a malformed row is answered with its own error
                            # (status "error"), not by refusing the whole roster.
                            "items": {
                                "description": "An object; a row needs a code or a name.",
                                "properties": {
                                    column: {"description": f"Text, at most {roster.LIMITS[column]} characters."}
                                    for column in roster.COLUMNS
                                },
                            },
                        }
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    },
}


@api.post(
    "/roster-checks",
    response={200: RosterOut, 202: RosterQueued, 400: Error, 413: Error, 415: Error, **AUTH_ERRORS},
    summary="Check a roster of up to 10,000 people",
    openapi_extra=ROSTER_BODY,
)
def roster_check(request: HttpRequest) -> Any:
    """One answer per row, in order. Send JSON `{"rows": [{"ref", "code", "name", "category",
    "region"}, ...]}`, a CSV file (multipart field `file`) or a CSV body (`text/csv`) with a
    header row naming those columns. A row needs a code or a name; a malformed row gets
    `status: "error"` and its own message while the others are answered."""
    key: keys.KeyInfo = request.auth  # type: ignore[attr-defined]
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data":
            upload = request.FILES.get("file")
            if upload is None:
                return Status(400, {"detail": _('Send the roster as a CSV file in the form field "file".')})
            if upload.size is not None and upload.size > roster.MAX_BYTES:
                return Status(413, {"detail": _("The file is larger than 8 MB.")})
            rows = roster.rows_from_csv(upload.read())
        elif content_type in ("application/json", "text/csv"):
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > roster.MAX_BYTES:
                return Status(413, {"detail": _("The body is larger than 8 MB.")})
            # Read the stream directly: the roster may be larger than DATA_UPLOAD_MAX_MEMORY_SIZE.
            body = request._body if hasattr(request, "_body") else request.read(roster.MAX_BYTES + 1)
            if len(body) > roster.MAX_BYTES:
                return Status(413, {"detail": _("The body is larger than 8 MB.")})
            rows = roster.rows_from_json(body) if content_type == "application/json" else roster.rows_from_csv(body)
        elif not int(request.META.get("CONTENT_LENGTH") or 0):
            return Status(400, {"detail": _("The body is empty: send a roster.")})
        else:
            return Status(415, {"detail": _("Send application/json, text/csv or multipart/form-data.")})
    except roster.RosterRefused as refusal:
        return Status(refusal.status, {"detail": refusal.message})
    except (MultiPartParserError, ValueError):
        return Status(400, {"detail": _("The request body cannot be read.")})
    if len(rows) > keys.ROWS_PER_REQUEST:  # the first hundred rows were paid for by the request itself
        keys.charge(key, keys.roster_cost(len(rows)) - 1)
    if _prefers_async(request):
        check = actions.queue_roster_check(client_id=key.client_id, association_id=key.association_id, rows=rows)
        location = f"{request.build_absolute_uri('/api/v1/roster-checks/')}{check.public_id}"
        response = HttpResponse(
            orjson.dumps({"id": str(check.public_id), "status": check.status, "rows": check.rows, "url": location}),
            status=202,
            content_type="application/json",
        )
        response["Location"] = location
        response["Preference-Applied"] = "respond-async"
        response["Cache-Control"] = "private, no-store"
        return response
    # Answered directly: validating 10,000 answers through the schema took longer than checking
    # them (the shape is the schema's, held by the tests and the fuzzing).
    response = HttpResponse(orjson.dumps(roster.answer(key.association_id, rows)), content_type="application/json")
    response["Cache-Control"] = "private, no-store"  # a roster names people: keep it out of caches
    return response


def _prefers_async(request: HttpRequest) -> bool:
    """RFC 7240: ``Prefer: respond-async`` (among other preferences, any case)."""
    wanted = request.headers.get("Prefer", "")
    return any(part.split(";")[0].strip().lower() == "respond-async" for part in wanted.split(","))


@api.get(
    "/roster-checks/{check_id}",
    response={200: RosterCheckOut, 404: Error, **AUTH_ERRORS},
    summary="The answer to a roster sent with Prefer: respond-async",
)
def roster_check_result(request: HttpRequest, check_id: str) -> Any:
    """While the roster is being checked, `status` is `queued` or `running` (ask again after
    Retry-After seconds); then `done` with the same `rows`, `counts` and `results` as a direct
    answer. Kept for a day, for the organisation that sent it; anything else is a 404."""
    key: keys.KeyInfo = request.auth  # type: ignore[attr-defined]
    try:
        public_id = uuid.UUID(check_id)
    except ValueError:
        public_id = None
    found = (
        RosterCheck.objects.filter(public_id=public_id, client_id=key.client_id, expires_at__gt=timezone.now())
        .only("public_id", "status", "rows", "answer")
        .first()
        if public_id is not None
        else None
    )
    if found is None:
        response = HttpResponse(
            orjson.dumps({"detail": _("No roster check with this id: it may have expired (answers are kept a day).")}),
            status=404,
            content_type="application/json",
        )
    else:
        body: dict[str, Any] = {"id": str(found.public_id), "status": found.status, "rows": found.rows}
        if found.status == RosterStatus.DONE and found.answer is not None:
            body |= {"counts": found.answer["counts"], "results": found.answer["results"]}
        response = HttpResponse(orjson.dumps(body), content_type="application/json")
        if found.status != RosterStatus.DONE:
            response["Retry-After"] = "2"
    response["Cache-Control"] = "private, no-store"
    return response
