"""Public pages: the list of open campaigns and a campaign's page with its sign form."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from signon import campaigns, formguard
from signon.campaigns import Campaign
from signon.offices import OFFICE_LEVELS
from signon.templating import render


async def home(request: Request) -> Response:
    found = await campaigns.list_campaigns(request.app.state.db, statuses=("open",))
    return render(request, "public/home.html", {"campaigns": found})


def render_campaign_page(
    request: Request,
    campaign: Campaign,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    """The campaign page; with values and errors when a submission is shown again."""
    return render(
        request,
        "public/campaign.html",
        {
            "campaign": campaign,
            "accepting": campaign.accepts_signatures(request.app.state.clock()),
            "values": values or {},
            "errors": errors or {},
            "levels": [level for level in OFFICE_LEVELS if level in campaign.allowed_levels],
            "form_stamp": formguard.issue_stamp(),
            "honeypot": formguard.HONEYPOT_FIELD,
        },
        status_code=status_code,
    )


async def campaign_page(request: Request) -> Response:
    campaign = await campaigns.get_campaign(
        request.app.state.db, request.path_params["slug"], public=True
    )
    return render_campaign_page(request, campaign)


routes = [
    Route("/", home, methods=["GET"], name="public:home"),
    Route("/c/{slug}", campaign_page, methods=["GET"], name="campaigns:detail"),
]
