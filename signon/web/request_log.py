"""One log line per request, and one per error (SPEC section 3, LOG_FORMAT).

Each request is logged once, when its response ends, with method, path, status, duration
and a request id: the `X-Request-ID` a trusted proxy sent, else a new one, echoed in the
response so a person reporting a problem can quote it. An unhandled error is logged here,
once, with its traceback and the request id, and answered with the site's 500 page; it is
not re-raised, since uvicorn would log it a second time, without the id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signon.web.errors import server_error
from signon.web.proxy import TrustedProxies

log = logging.getLogger("signon.requests")

# What a proxy's id may look like (Heroku's, HAProxy's unique-id, a UUID); anything else
# is replaced, so a log line never carries what a client typed into a header.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")
# Signed links carry a token in the path: whoever reads the log must not be able to use it.
TOKEN_IN_PATH = re.compile(r"/(confirm|withdraw)/[^/]+")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted

    def _request_id(self, scope: Scope) -> str:
        client = scope.get("client")
        if client and client[0] in self.trusted:
            for name, value in scope["headers"]:
                if name == b"x-request-id":
                    given = value.decode("latin-1")
                    if REQUEST_ID.fullmatch(given):
                        return given
        return uuid.uuid4().hex

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            path = loggable_path(scope["path"])
            fields = {"method": scope["method"], "path": path, "request_id": request_id}
            log.error(
                "Unhandled error on %s %s (request %s)",
                scope["method"],
                path,
                request_id,
                exc_info=exc,
                extra=fields,
            )
            if status is None:  # else the response is cut short: nothing more can be said
                response = await server_error(Request(scope, receive), exc)
                await response(scope, receive, send_with_id)
        finally:
            _log_request(scope, status, time.perf_counter() - started, request_id)


def loggable_path(path: str) -> str:
    return TOKEN_IN_PATH.sub(r"/\1/…", path)


def _log_request(scope: Scope, status: int | None, seconds: float, request_id: str) -> None:
    duration_ms = round(seconds * 1000, 1)
    path = loggable_path(scope["path"])
    log.info(
        "%s %s %s %.1f ms %s",
        scope["method"],
        path,
        status,
        duration_ms,
        request_id,
        extra={
            "method": scope["method"],
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "request_id": request_id,
        },
    )
