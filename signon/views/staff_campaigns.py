"""Staff pages for campaigns: the dashboard, writing and editing, opening and closing."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signon import campaign_rules, campaigns
from signon.campaign_rules import FORM_TIMEZONE
from signon.campaigns import Campaign
from signon.errors import ValidationFailed
from signon.offices import OFFICE_LEVELS
from signon.tables import AUTO_VERIFY_POLICIES
from signon.views.staff_auth import staff_required
from signon.vocabulary import AutoVerify, CampaignKind
from signon.web.csrf import read_form
from signon.web.templating import flash, render

FORM_FIELDS = (
    "slug",
    "title",
    "kind",
    "summary",
    "body_markdown",
    "addressee",
    "salutation",
    "sign_off",
    "goal",
    "opens_at",
    "closes_at",
    "auto_verify",
    "sponsors",
)


def _form_values(form: FormData) -> dict[str, Any]:
    """What the person typed, kept as typed for re-display."""
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    values["allowed_levels"] = [str(v) for v in form.getlist("allowed_levels")]
    return values


def _values_of(campaign: Campaign) -> dict[str, Any]:
    def local(moment) -> str:
        return moment.astimezone(FORM_TIMEZONE).strftime("%Y-%m-%dT%H:%M") if moment else ""

    fields = campaign.fields()
    return {
        "slug": fields.slug,
        "title": fields.title,
        "kind": fields.kind,
        "summary": fields.summary,
        "body_markdown": fields.body_markdown,
        "addressee": fields.addressee,
        "salutation": fields.salutation,
        "sign_off": fields.sign_off,
        "goal": "" if fields.goal is None else str(fields.goal),
        "opens_at": local(fields.opens_at),
        "closes_at": local(fields.closes_at),
        "auto_verify": fields.auto_verify,
        "sponsors": "\n".join(fields.sponsors),
        "allowed_levels": list(fields.allowed_levels),
    }


def _form_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    campaign: Campaign | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "staff/campaign_form.html",
        {
            "values": values,
            "errors": errors,
            "campaign": campaign,
            "office_levels": OFFICE_LEVELS,
            "policies": AUTO_VERIFY_POLICIES,
        },
        status_code=status_code,
    )


@staff_required
async def dashboard(request: Request) -> Response:
    found = await campaigns.list_campaigns(request.app.state.db)
    return render(request, "staff/dashboard.html", {"campaigns": found})


@staff_required
async def campaign_new(request: Request) -> Response:
    values = {
        "kind": CampaignKind.LETTER,
        "auto_verify": AutoVerify.STRONG,
        "allowed_levels": list(OFFICE_LEVELS),
    }
    return _form_page(request, values, {})


@staff_required
async def campaign_create(request: Request) -> Response:
    values = _form_values(await read_form(request))
    try:
        fields = campaign_rules.parse_campaign_fields(values)
        created = await campaigns.create_campaign(
            request.app.state.db, request.state.staff.as_actor(), fields
        )
    except ValidationFailed as exc:
        return _form_page(request, values, exc.errors, status_code=400)
    flash(request, f"Campaign “{created.title}” created as a draft.")
    return RedirectResponse(request.url_for("staff:campaign", slug=created.slug), status_code=303)


@staff_required
async def campaign_detail(request: Request) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    versions = await campaigns.list_text_versions(db, campaign.id)
    return render(request, "staff/campaign.html", {"campaign": campaign, "versions": versions})


@staff_required
async def campaign_edit(request: Request) -> Response:
    campaign = await campaigns.get_campaign(request.app.state.db, request.path_params["slug"])
    return _form_page(request, _values_of(campaign), {}, campaign)


@staff_required
async def campaign_update(request: Request) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    values = _form_values(await read_form(request))
    try:
        fields = campaign_rules.parse_campaign_fields(values)
        updated = await campaigns.update_campaign(
            db, request.state.staff.as_actor(), campaign.slug, fields
        )
    except ValidationFailed as exc:
        return _form_page(request, values, exc.errors, campaign, status_code=400)
    if updated.text_version != campaign.text_version:
        flash(request, f"Saved as text version {updated.text_version}; earlier versions are kept.")
    else:
        flash(request, "Saved.")
    return RedirectResponse(request.url_for("staff:campaign", slug=updated.slug), status_code=303)


async def _transition(request: Request, move) -> Response:
    await read_form(request)
    moved = await move(
        request.app.state.db, request.state.staff.as_actor(), request.path_params["slug"]
    )
    flash(request, f"The campaign is now {moved.status}.")
    return RedirectResponse(request.url_for("staff:campaign", slug=moved.slug), status_code=303)


@staff_required
async def campaign_open(request: Request) -> Response:
    return await _transition(request, campaigns.open_campaign)


@staff_required
async def campaign_close(request: Request) -> Response:
    return await _transition(request, campaigns.close_campaign)
