"""Read-only JSON under /api/v1 (SPEC section 4): campaigns, their counts, their signatories,
and the OpenAPI document. app.py mounts these with views/api.py's routes and CORS policy.

Every GET answers with an ETag (a hash of the body), Last-Modified and a short public
Cache-Control, and a 304 when the client's copy is current.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from signon import settings
from signon.i18n import gettext_ as _
from signon.public import counts, signatories
from signon.public.counts import CampaignSummary
from signon.public.signatories import Signatory, SignatoryList
from signon.views import api
from signon.web.openapi import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, openapi_document

CACHE_CONTROL = "public, max-age=5"


def _now(request: Request) -> datetime:
    return request.app.state.clock()


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def campaign_object(summary: CampaignSummary, now: datetime) -> dict[str, Any]:
    return {
        "slug": summary.slug,
        "title": summary.title,
        "kind": summary.kind,
        "status": summary.public_status(now),
        "goal": summary.goal,
        "verified_count": summary.counts.verified,
        "by_state": summary.counts.state_dict(),
        "updated_at": _iso(summary.last_changed(now)),
        "delivered_at": _iso(summary.delivered_at),
        "delivered_sha256": summary.delivered_sha256,
    }


def signatory_object(item: Signatory) -> dict[str, Any]:
    return {
        "full_name": item.full_name,
        "title": item.title,
        "jurisdiction": item.jurisdiction,
        "state": item.state,
        "district": item.district,
        "verified_at": _iso(item.verified_at),
    }


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins (weak comparison); else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def encode(data: Any) -> tuple[bytes, str]:
    """The JSON body and its ETag (a strong validator: a hash of the bytes)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached_json(
    request: Request,
    data: Any,
    last_modified: datetime | None,
    encoded: tuple[bytes, str] | None = None,
) -> Response:
    body, etag = encoded or encode(data)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if last_modified:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(UTC), usegmt=True)
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


async def list_campaigns(request: Request) -> Response:
    found = await counts.list_summaries(request.app.state.db, request.app.state.process)
    now = _now(request)
    newest = max((summary.last_changed(now) for summary in found), default=None)
    return cached_json(request, {"items": [campaign_object(s, now) for s in found]}, newest)


async def campaign_detail(request: Request) -> Response:
    summary = await counts.find_summary(
        request.app.state.db, request.app.state.process, request.path_params["slug"]
    )
    now = _now(request)
    return cached_json(request, campaign_object(summary, now), summary.last_changed(now))


def _positive(request: Request, name: str, default: int, highest: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= highest:
        raise ValueError(name)
    return int(raw)


def _signatures_page(request: Request, found: SignatoryList, number: int, per_page: int) -> Any:
    following = None
    if found.has_page_after(number, per_page):
        # From BASE_URL, not the request's Host header, which the client chooses.
        path = request.app.url_path_for("api:signatures", slug=request.path_params["slug"])
        following = f"{settings.BASE_URL}{path}?page={number + 1}&per_page={per_page}"
    return {
        "items": [signatory_object(item) for item in found.page(number, per_page)],
        "total": found.total,
        "next": following,
    }


async def list_signatures(request: Request) -> Response:
    try:
        number = _positive(request, "page", 1, MAX_PAGE)
        per_page = _positive(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    except ValueError as exc:
        if exc.args[0] == "page":
            message = _("Use a page number from 1 to %(highest)s.") % {"highest": MAX_PAGE}
        else:
            message = _("Use a whole number from 1 to %(highest)s.") % {"highest": MAX_PER_PAGE}
        return JSONResponse({"errors": {exc.args[0]: [message]}}, status_code=422)
    summary = await counts.find_summary(
        request.app.state.db, request.app.state.process, request.path_params["slug"]
    )
    found = await signatories.get_signatories(
        request.app.state.db, request.app.state.process, summary
    )
    # Pages are encoded once per list.
    encoded = found.derive(
        ("json", number, per_page),
        lambda: encode(_signatures_page(request, found, number, per_page)),
    )
    return cached_json(request, None, summary.last_changed(_now(request)), encoded)


async def signatures(request: Request) -> Response:
    """One route for the path's two methods: GET lists, POST signs (views/api.py)."""
    if request.method == "POST":
        return await api.create_signature(request)
    return await list_signatures(request)


async def openapi_json(request: Request) -> Response:
    return cached_json(request, openapi_document(), None)
