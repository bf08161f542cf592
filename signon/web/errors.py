"""The one table of handlers that turns errors into pages: each named domain error gets
its status here, and the page (or JSON under /api/) says the error's translated message.

A person sees a page that extends base.html, never a traceback or a driver message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from signon import errors as e
from signon.i18n import gettext_ as _
from signon.web.templating import render

# Every named domain error and the status it answers (tests/web/test_errors_table.py
# checks that none is missing). A subclass not listed answers its nearest listed base's.
STATUS: dict[type[e.DomainError], int] = {
    # The kinds first: an error not listed by name takes its kind's status.
    e.NotFound: 404,
    e.Conflict: 409,
    e.Forbidden: 403,
    e.TooManyAttempts: 429,
    e.ServiceUnavailable: 503,
    e.InvalidLink: 400,
    e.InvalidInvitation: 400,
    e.ValidationFailed: 400,  # the JSON API answers 422 itself, with every field's errors
    e.ImportRefused: 400,
    e.LinkMalformed: 400,
    e.LinkExpired: 400,
    e.LinkUsed: 400,
    e.WithdrawLinkEnded: 400,
    e.AdminOnly: 403,
    e.LoginFailed: 403,
    e.CampaignNotFound: 404,
    e.SignatureNotFound: 404,
    e.SignatureNotInCampaign: 404,
    e.StaffNotFound: 404,
    e.NotDelivered: 404,
    e.NoDeliveredPdf: 404,
    e.NoSignatoryFromState: 404,
    e.NoPacketYet: 404,
    e.CampaignClosed: 409,
    e.CampaignClosedToConfirmation: 409,
    e.CampaignChanged: 409,
    e.CampaignFrozen: 409,
    e.CannotOpen: 409,
    e.CannotClose: 409,
    e.AlreadyWithdrawn: 409,
    e.NotDecidable: 409,
    e.DeliveredListFrozen: 409,
    e.OwnAccountUnchangeable: 409,
    e.NotALetter: 409,
    e.CampaignNotClosed: 409,
    e.AlreadyDelivered: 409,
    e.NothingToDeliver: 409,
    e.SignatoriesKeptChanging: 409,
    e.LoginThrottled: 429,
    e.SignInBusy: 429,
    e.SubmissionsThrottled: 429,
    e.PdfUnavailable: 503,
    e.CampaignNotInviting: 409,
    e.AlreadySigned: 409,
    e.InvitationCampaignClosed: 409,
}


def status_for(error: e.DomainError) -> int:
    """The error's status: its own entry, else its nearest listed base's, else 500."""
    return next((STATUS[cls] for cls in type(error).__mro__ if cls in STATUS), 500)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_json(request):
        error = message or _title_for(status)
        return JSONResponse({"error": error}, status_code=status, headers=headers)
    response = render(
        request,
        "errors/error.html",
        {"status": status, "message": message, "title": _title_for(status)},
        status_code=status,
    )
    if headers:
        response.headers.update(headers)
    return response


def _title_for(status: int) -> str:
    return {
        400: _("Something in the request was not right"),
        403: _("You cannot do that"),
        404: _("Page not found"),
        405: _("That method is not allowed here"),
        409: _("That cannot be done now"),
        413: _("The request is too large"),
        429: _("Too many attempts"),
        503: _("Signon is briefly unavailable"),
    }.get(status, _("Something went wrong"))


def _retry_after(error: e.DomainError) -> dict[str, str] | None:
    seconds = getattr(error, "retry_after", None)
    return {"Retry-After": str(seconds)} if seconds else None


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    default = {404: _("There is no page at this address."), 405: _("Use the form on the page.")}
    if _wants_json(request):
        default[405] = _("That method is not allowed here")
    phrase = HTTPStatus(exc.status_code).phrase
    message = exc.detail if exc.detail and exc.detail != phrase else None
    return _error_response(
        request, exc.status_code, message or default.get(exc.status_code, ""), exc.headers
    )


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, e.DomainError)
    status = status_for(exc)
    if status == 500:
        return await server_error(request, exc)  # a new error nobody gave a status yet
    return _error_response(request, status, exc.message, _retry_after(exc))


async def text_not_storable(request: Request, exc: Exception) -> Response:
    """PostgreSQL refused a value as text (a NUL in an address, say): the client's fault.

    Forms are checked in csrf.read_form; this catches what reaches a query from a URL.
    """
    return _error_response(request, 400, "")


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """While PostgreSQL is unreachable: a clear 503, never a hang or a traceback."""
    return _error_response(
        request,
        503,
        _("Signon cannot reach its database just now. Try again shortly."),
        {"Retry-After": str(e.ServiceUnavailable.retry_after)},
    )


def _from_the_database(exc: BaseException) -> bool:
    # A refused or reset connection reaches us as a plain OSError: it is the database's
    # only when the driver (or `databases` around it) was what met it.
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.partition(".")[0] in ("asyncpg", "databases"):
            return True
        tb = tb.tb_next
    return False


async def os_error(request: Request, exc: Exception) -> Response:
    """A connection the database driver could not make or keep is the database being
    unreachable (503); any other OSError (a file, a socket of ours) is a server error."""
    if _from_the_database(exc):
        return await database_unavailable(request, exc)
    # Any other OSError is a bug of ours: raised on, so signon/web/request_log.py logs it
    # once, with the request id, and answers with server_error's page.
    raise exc


async def server_error(request: Request, exc: Exception) -> Response:
    # Not logged here: signon/web/request_log.py logs each unhandled error once, with its
    # traceback and the request id, and answers with this page.
    return _error_response(
        request, 500, _("The error has been logged. Please try again in a moment.")
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]

EXCEPTION_HANDLERS: dict[type[Exception], Handler] = {
    HTTPException: http_exception,
    e.DomainError: domain_error,
    asyncpg.CharacterNotInRepertoireError: text_not_storable,
    OSError: os_error,
    asyncpg.PostgresConnectionError: database_unavailable,
    asyncpg.CannotConnectNowError: database_unavailable,
    # The server shutting down or restarting, a connection lost mid-request.
    asyncpg.exceptions.OperatorInterventionError: database_unavailable,
    asyncpg.InterfaceError: database_unavailable,
    # A statement sent in the instant the server cut the connection (during a restart)
    # finds the driver mid-way through the server's goodbye.
    asyncpg.InternalClientError: database_unavailable,
    Exception: server_error,
}
