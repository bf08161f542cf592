"""The imported datasets for staff: source, rows, hash, age, and a warning when stale."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from signon.importing.records import STALE_AFTER, list_datasets
from signon.views.staff_auth import staff_required
from signon.web.templating import render


@staff_required
async def datasets(request: Request) -> Response:
    listed = await list_datasets(request.app.state.db, request.app.state.clock())
    limits = {name: limit.days for name, limit in STALE_AFTER.items()}
    return render(request, "staff/datasets.html", {"datasets": listed, "limits": limits})
