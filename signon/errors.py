"""Named domain errors and the one table of handlers that turns errors into pages.

A person sees a page that extends base.html (or a JSON error under /api/), never a
traceback or a driver message.
"""

from __future__ import annotations

import logging

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from signon.i18n import gettext_ as _

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A request the rules refuse. `status` is the HTTP status a handler should answer."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The object is in a state that does not allow this (an illegal lifecycle move)."""

    status = 409


class Forbidden(DomainError):
    status = 403


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_json(request):
        error = message or _title_for(status)
        return JSONResponse({"error": error}, status_code=status, headers=headers)
    from signon.web.templating import render  # the templating module imports csrf, not errors

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


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    default = {404: _("There is no page at this address."), 405: _("Use the form on the page.")}
    if _wants_json(request):
        default[405] = _("That method is not allowed here")
    message = exc.detail if exc.detail and exc.detail != _phrase(exc.status_code) else None
    return _error_response(
        request, exc.status_code, message or default.get(exc.status_code, ""), exc.headers
    )


def _phrase(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return _error_response(request, exc.status, exc.message, headers)


async def text_not_storable(request: Request, exc: Exception) -> Response:
    """PostgreSQL refused a value as text (a NUL in an address, say): the client's fault.

    Forms are checked in csrf.read_form; this catches what reaches a query from a URL.
    """
    return _error_response(request, 400, "")


async def server_error(request: Request, exc: Exception) -> Response:
    # Logged once, with the request id, by signon/web/request_log.py, which calls this.
    return _error_response(
        request, 500, _("The error has been logged. Please try again in a moment.")
    )


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    DomainError: domain_error,
    asyncpg.CharacterNotInRepertoireError: text_not_storable,
    Exception: server_error,
}


class ValidationFailed(DomainError):
    """Bad input: `errors` maps each field name to its messages, for the form or JSON."""

    status = 400

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors


class ServiceUnavailable(DomainError):
    status = 503
    retry_after = 5
