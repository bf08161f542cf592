"""The letter as PDFs: the public download, and staff's PDFs, state packets and delivery.

While a long PDF is being prepared the answer is 202 with a page that refreshes itself
(a meta refresh: the CSP allows no inline script), never a request left to time out.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signon import campaigns
from signon.campaigns import Campaign
from signon.letter import delivery, document
from signon.letter.document import PdfFile
from signon.views.staff_auth import staff_required
from signon.vocabulary import CampaignKind, CampaignStatus, RenderStatus
from signon.web.csrf import read_form
from signon.web.templating import flash, render

REFRESH_SECONDS = 3
MEDIA_TYPES = {".pdf": "application/pdf", ".zip": "application/zip"}


def _file_response(request: Request, found: PdfFile, campaign: Campaign) -> Response:
    if found.pending:
        response = render(
            request,
            "public/pdf_pending.html",
            {"campaign": campaign, "refresh": REFRESH_SECONDS},
            status_code=202,
        )
        response.headers["Retry-After"] = str(REFRESH_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response
    suffix = found.filename[found.filename.rfind(".") :]
    disposition = "inline" if suffix == ".pdf" else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{found.filename}"'}
    if campaign.status == CampaignStatus.DELIVERED and found.filename.endswith("-letter.pdf"):
        # The delivered file never changes: its hash is its version.
        headers["ETag"] = f'"{campaign.delivered_sha256}"'
        headers["Cache-Control"] = "public, max-age=3600"
    else:
        headers["Cache-Control"] = "no-cache"
    return Response(found.content, media_type=MEDIA_TYPES[suffix], headers=headers)


async def public_pdf(request: Request) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"], public=True)
    found = await document.letter_pdf(
        db, request.app.state.process, campaign, now=request.app.state.clock()
    )
    return _file_response(request, found, campaign)


async def _staff_page(request: Request, *, status_code: int = 200) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    states = await document.count_by_state(db, campaign)
    delivered = await delivery.get_delivery(db, campaign.id)
    # For a closed letter: where its PDF stands ("pending" while it is being prepared).
    render_status = None
    if campaign.status == CampaignStatus.CLOSED and campaign.kind == CampaignKind.LETTER and states:
        render_status = await document.letter_render_status(
            db, campaign, states, now=request.app.state.clock()
        )
    response = render(
        request,
        "staff/letter.html",
        {
            "campaign": campaign,
            "states": states,
            "delivery": delivered,
            "render_status": render_status,
            "refresh": REFRESH_SECONDS,
            "signer_count": sum(state.count for state in states),
            "inline_max_signers": document.INLINE_MAX_SIGNERS,
        },
        status_code=status_code,
    )
    if render_status == RenderStatus.PENDING:
        response.headers["Retry-After"] = str(REFRESH_SECONDS)
        response.headers["Cache-Control"] = "no-store"
    return response


@staff_required
async def staff_page(request: Request) -> Response:
    return await _staff_page(request)


@staff_required
async def staff_pdf(request: Request) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    found = await document.letter_pdf(
        db, request.app.state.process, campaign, now=request.app.state.clock()
    )
    return _file_response(request, found, campaign)


@staff_required
async def packet_pdf(request: Request) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    state = request.path_params["state"][:2]
    found = await document.packet_pdf(
        db, request.app.state.process, campaign, state, now=request.app.state.clock()
    )
    return _file_response(request, found, campaign)


@staff_required
async def packets_zip(request: Request) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    found = await document.packets_zip(
        db, request.app.state.process, campaign, now=request.app.state.clock()
    )
    return _file_response(request, found, campaign)


@staff_required
async def deliver(request: Request) -> Response:
    """Deliver now, or, for a long letter whose PDF is not ready, start preparing it and
    answer 202 with the letter page, which refreshes until the PDF is ready to deliver."""
    await read_form(request)
    slug = request.path_params["slug"]
    done = await delivery.deliver_campaign(
        request.app.state.db,
        request.app.state.process,
        request.state.staff.as_actor(),
        slug,
        now=request.app.state.clock(),
        wait=False,
    )
    if done is None:
        return await _staff_page(request, status_code=202)
    flash(
        request,
        f"Delivered with {done.signer_count:,} signatories. "
        f"The PDF is frozen; its SHA-256 is {done.sha256}.",
    )
    return RedirectResponse(request.url_for("letters:staff", slug=slug), status_code=303)
