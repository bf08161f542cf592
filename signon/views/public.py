"""Public pages: the list of open campaigns and a campaign's page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from signon import campaigns
from signon.templating import render


async def home(request: Request) -> Response:
    found = await campaigns.list_campaigns(request.app.state.db, statuses=("open",))
    return render(request, "public/home.html", {"campaigns": found})


async def campaign_page(request: Request) -> Response:
    campaign = await campaigns.get_campaign(
        request.app.state.db, request.path_params["slug"], public=True
    )
    return render(
        request,
        "public/campaign.html",
        {"campaign": campaign, "accepting": campaign.accepts_signatures(campaigns.now_utc())},
    )


routes = [
    Route("/", home, methods=["GET"], name="public:home"),
    Route("/c/{slug}", campaign_page, methods=["GET"], name="campaigns:detail"),
]
