"""The email outbox for staff: what was sent, what waits, and why a message failed.

With SMTP_URL unset, this is where staff read the messages the app would have sent.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from signon.mail import list_sent_messages, reveal_outbox_links
from signon.views.staff_auth import staff_required
from signon.web.csrf import read_form
from signon.web.templating import render


@staff_required
async def outbox(request: Request) -> Response:
    messages = await list_sent_messages(request.app.state.db)
    return render(request, "staff/outbox.html", {"messages": messages, "revealed": False})


@staff_required(admin=True)
async def reveal(request: Request) -> Response:
    """Admins only, and audited: the same page with the links that work."""
    await read_form(request)
    actor = request.state.staff.as_actor()
    messages = await reveal_outbox_links(request.app.state.db, actor)
    return render(request, "staff/outbox.html", {"messages": messages, "revealed": True})
