"""The email outbox for staff: what was sent, what waits, and why a message failed.

With SMTP_URL unset, this is where staff read the messages the app would have sent.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from signon.mail import list_outbox
from signon.views.staff_auth import staff_required
from signon.web.templating import render


@staff_required
async def outbox(request: Request) -> Response:
    messages = await list_outbox(request.app.state.db)
    return render(request, "staff/outbox.html", {"messages": messages})
