"""Staff sign-in and sign-out, and the guards every staff handler wears."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signon import staff
from signon.errors import AdminOnly, LoginFailed, LoginThrottled, SignInBusy
from signon.web.csrf import read_form
from signon.web.errors import status_for
from signon.web.ratelimit import client_address
from signon.web.templating import render

Handler = Callable[[Request], Awaitable[Response]]
SESSION_STAFF = "staff_id"
SESSION_EPOCH = "staff_epoch"


def staff_required(handler: Handler | None = None, *, admin: bool = False):
    """Load the signed-in staff member into request.state.staff, or send them to log in.

    With admin=True, staff who are not admins get 403.
    """

    def decorate(inner: Handler) -> Handler:
        @functools.wraps(inner)
        async def wrapper(request: Request) -> Response:
            staff_id = request.session.get(SESSION_STAFF)
            member = (
                await staff.get_active_staff(request.app.state.db, staff_id)
                if isinstance(staff_id, int)
                else None
            )
            if member is not None and request.session.get(SESSION_EPOCH) != member.session_epoch:
                member = None  # signed out everywhere since this cookie was issued
            if member is None:
                request.session.pop(SESSION_STAFF, None)
                login = request.url_for("staff:login").include_query_params(
                    next=_return_to(request)
                )
                return RedirectResponse(str(login), status_code=303)
            if admin and not member.is_admin:
                raise AdminOnly()
            request.state.staff = member
            return await inner(request)

        return wrapper

    return decorate(handler) if handler is not None else decorate


def _return_to(request: Request) -> str:
    # After signing in, a page can be shown again but a form post cannot be replayed.
    if request.method != "GET":
        return "/staff/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _safe_next(target: str | None) -> str:
    # Only paths on this site under /staff/: never an open redirect. Backslashes are
    # refused too, since browsers read them as slashes.
    if target and target.startswith("/staff/") and "\\" not in target:
        return target
    return "/staff/"


async def login_form(request: Request) -> Response:
    return render(
        request,
        "staff/login.html",
        {"values": {}, "error": None, "next": _safe_next(request.query_params.get("next"))},
    )


async def login(request: Request) -> Response:
    form = await read_form(request)
    email = str(form.get("email") or "")[:254]
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    try:
        member = await staff.authenticate(
            request.app.state.db,
            email,
            password,
            client_address(request),
            request.app.state.password_slots,
        )
    except (LoginFailed, LoginThrottled, SignInBusy) as exc:
        response = render(
            request,
            "staff/login.html",
            {"values": {"email": email}, "error": exc.message, "next": target},
            status_code=status_for(exc),
        )
        if isinstance(exc, LoginThrottled):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    request.session.clear()  # a new session on sign-in: no fixation
    request.session[SESSION_STAFF] = member.id
    request.session[SESSION_EPOCH] = member.session_epoch
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """Sign out. The account's other sessions end too: a session cookie is a signed value
    that cannot be revoked alone, so logging out revokes them all (staff.session_epoch)."""
    await read_form(request)
    staff_id = request.session.get(SESSION_STAFF)
    if isinstance(staff_id, int) and 0 < staff_id <= staff.MAX_STAFF_ID:
        await staff.end_sessions(request.app.state.db, staff_id)
    request.session.clear()
    return RedirectResponse(request.url_for("staff:login"), status_code=303)
