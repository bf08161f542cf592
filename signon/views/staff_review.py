"""The review queue: confirmed signatures with their evidence; verify or reject them one
by one or in bulk, correct a signer's office, recompute evidence after an import."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signon import campaigns
from signon.errors import ValidationFailed
from signon.offices import OFFICE_LEVELS
from signon.tables import SIGNATURE_STATES
from signon.verification import policy, review
from signon.views.staff_auth import staff_required
from signon.vocabulary import SignatureStatus
from signon.web.csrf import read_form
from signon.web.templating import flash, render

FILTERS = ("status", "state", "level")


def _queue_url(request: Request, slug: str, filters: dict[str, str]) -> str:
    url = request.app.url_path_for("review:queue", slug=slug)
    query = "&".join(f"{key}={value}" for key, value in filters.items() if value)
    return f"{url}?{query}" if query else str(url)


def _filters(source: dict[str, str]) -> dict[str, str]:
    status = source.get("status", SignatureStatus.CONFIRMED)
    return {
        "status": status if status in SIGNATURE_STATES else SignatureStatus.CONFIRMED,
        "state": "".join(ch for ch in source.get("state", "")[:2].upper() if ch.isalpha()),
        "level": source.get("level", "") if source.get("level", "") in OFFICE_LEVELS else "",
    }


async def _queue_page(
    request: Request, errors: dict[str, list[str]] | None = None, status_code: int = 200
) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    filters = _filters(dict(request.query_params))
    items = await review.list_queue(db, campaign.id, **filters)
    choices = await review.division_choices_for(db, items)
    return render(
        request,
        "staff/review.html",
        {
            "campaign": campaign,
            "items": items,
            "choices": choices,
            "filters": filters,
            "errors": errors or {},
            "statuses": SIGNATURE_STATES,
            "levels": OFFICE_LEVELS,
            "limit": review.QUEUE_LIMIT,
        },
        status_code=status_code,
    )


@staff_required
async def queue(request: Request) -> Response:
    return await _queue_page(request)


@staff_required
async def decide(request: Request) -> Response:
    form = await read_form(request)
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    action, reason = form.get("action"), str(form.get("reason") or "")
    actor = request.state.staff.as_actor()
    try:
        ids = _signature_ids(form.getlist("ids"))
        if action == "verify":
            done = await review.verify_signatures(db, actor, campaign.id, ids, reason=reason)
        elif action == "reject":
            done = await review.reject_signatures(db, actor, campaign.id, ids, reason=reason)
        else:
            raise ValidationFailed({"action": ["Choose verify or reject."]})
    except ValidationFailed as exc:
        return await _queue_page(request, exc.errors, status_code=400)
    verb = "verified" if action == "verify" else "rejected"
    skipped = f" ({done.skipped} skipped: not in a state that allows it)" if done.skipped else ""
    flash(request, f"{done.decided} signature(s) {verb}{skipped}.")
    filters = _filters({key: str(form.get(key) or "") for key in FILTERS})
    return RedirectResponse(_queue_url(request, campaign.slug, filters), status_code=303)


def _signature_ids(values: list[object]) -> list[int]:
    """The chosen signatures' ids; ValidationFailed for anything that is not one (a "²",
    5,000 digits, 2**63: none can be a row's id, and int() or PostgreSQL would fail)."""
    if len(values) > 1000:
        raise ValidationFailed({"ids": ["Choose at most 1,000 signatures at a time."]})
    if not all(isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 18 for v in values):
        raise ValidationFailed({"ids": ["Choose signatures from the list."]})
    return [int(value) for value in values]  # type: ignore[arg-type]


@staff_required
async def recompute(request: Request) -> Response:
    await read_form(request)
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    count = await policy.recompute_campaign(
        db, request.state.staff.as_actor(), campaign.id, now=request.app.state.clock()
    )
    flash(request, f"Evidence gathered again for {count} signature(s).")
    return RedirectResponse(_queue_url(request, campaign.slug, {}), status_code=303)


@staff_required
async def edit_office(request: Request) -> Response:
    form = await read_form(request)
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    data = {name: str(form.get(name) or "") for name in review.EDITED_FIELDS}
    try:
        await review.edit_office(
            db,
            request.state.staff.as_actor(),
            campaign.id,
            request.path_params["signature_id"],
            data,
            now=request.app.state.clock(),
        )
    except ValidationFailed as exc:
        return await _queue_page(request, exc.errors, status_code=400)
    flash(request, "Office corrected; its evidence was gathered again.")
    filters = _filters({key: str(form.get(key) or "") for key in FILTERS})
    return RedirectResponse(_queue_url(request, campaign.slug, filters), status_code=303)
