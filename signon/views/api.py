"""The JSON API under /api/v1 (SPEC section 4): no cookies, CORS open."""

from __future__ import annotations

import json

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from signon import campaigns
from signon.errors import ValidationFailed
from signon.i18n import current_locale
from signon.i18n import gettext_ as _
from signon.signing import rules, signatures
from signon.verification import divisions
from signon.views.signing import AppLinks
from signon.vocabulary import SignatureStatus
from signon.web.ratelimit import client_address

MAX_BODY_BYTES = 64 * 1024


async def _json_body(request: Request) -> dict[str, object]:
    """The request's JSON object, or ValidationFailed (422) saying what is wrong with it."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ValidationFailed({"body": [_("Send the signature as JSON (application/json).")]})
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ValidationFailed({"body": [_("The request is too large.")]})
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # 1,000 levels deep: too deep
        raise ValidationFailed({"body": [_("The body is not valid JSON.")]}) from exc
    if not isinstance(data, dict):
        raise ValidationFailed({"body": [_("Send one JSON object with the signature's fields.")]})
    return data


async def create_signature(request: Request) -> Response:
    db, process = request.app.state.db, request.app.state.process
    # A copy up to two seconds old will do: sign_submission has the insert check it.
    campaign = await campaigns.get_campaign_to_sign(
        db, process, request.path_params["slug"], max_age=campaigns.RECENT_SECONDS
    )
    await request.app.state.limiter.hit("sign", client_address(request))
    try:
        data = await _json_body(request)
        rules.check_as_documented(data, campaign.allowed_levels)
        await signatures.sign_submission(
            db,
            process,
            campaign,
            data,
            locale=current_locale(),
            links=AppLinks(request.app),
            now=request.app.state.clock(),
        )
    except ValidationFailed as exc:
        return JSONResponse({"errors": exc.errors}, status_code=422)
    # The same answer for a new signature and a repeat: a 200 for a repeat told anyone who
    # typed an address that it had signed, even unconfirmed, rejected or withdrawn, which
    # are never public (issue 13).
    return JSONResponse({"status": SignatureStatus.UNCONFIRMED}, status_code=201)


async def list_divisions(request: Request) -> Response:
    state = request.query_params.get("state", "")
    query = request.query_params.get("q", "")[:100]
    found = await divisions.search_divisions(request.app.state.db, state, query)
    return JSONResponse(
        {"items": [{"id": d.id, "name": d.name, "type": d.type} for d in found]},
        headers={"Cache-Control": "public, max-age=300"},
    )


# One CORS policy for everything under /api/v1 (GETs, and signature POSTs from partner
# sites; no credentials). app.py mounts these routes with views/public_api.py's under it.
MIDDLEWARE = [
    Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "If-None-Match", "If-Modified-Since"],
        expose_headers=["ETag"],
        allow_credentials=False,
        max_age=86400,
    )
]
