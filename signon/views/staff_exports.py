"""Staff downloads: the CSV of every signature."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from signon import campaigns
from signon.letter import exports
from signon.views.staff_auth import staff_required


@staff_required
async def export_csv(request: Request) -> Response:
    db = request.app.state.db
    campaign = await campaigns.get_campaign(db, request.path_params["slug"])
    return StreamingResponse(
        exports.csv_chunks(db, campaign.id),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{campaign.slug}-signatures.csv"',
            "Cache-Control": "no-store",
        },
    )
