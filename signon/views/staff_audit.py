"""The audit log page: every staff decision and state change, newest first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from signon.audit import list_audit
from signon.views.staff_auth import staff_required
from signon.web.templating import render

PAGE_SIZE = 100


@staff_required
async def audit(request: Request) -> Response:
    raw = request.query_params.get("before", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses. Under 19
    # digits fits PostgreSQL's bigint.
    before_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    entries = await list_audit(request.app.state.db, limit=PAGE_SIZE, before_id=before_id)
    older = entries[-1].id if len(entries) == PAGE_SIZE else None
    return render(request, "staff/audit.html", {"entries": entries, "older": older})
