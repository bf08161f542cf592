"""A limit on every request body, enforced while it streams in, and a deadline for it.

`Content-Length` alone is not enough: a chunked body declares no length, and Starlette's
form parser keeps what it reads, so a 150 MB chunked POST to the login form was held whole
before anything refused it. Here each chunk is counted as it arrives; past MAX_BODY_BYTES
the handler's read raises a 413 (the error page says so) and nothing more is read. A body
that trickles in slower than BODY_TIMEOUT seconds in all gets a 408.
"""

from __future__ import annotations

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signon.i18n import gettext_ as _

# No form of Signon's is near this: the longest, a letter's text, is 100,000 characters.
MAX_BODY_BYTES = 2 * 1024 * 1024
BODY_TIMEOUT = 30.0


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, timeout: float = BODY_TIMEOUT
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > self.max_bytes
        received = 0
        complete = False
        deadline = time.monotonic() + self.timeout

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:  # the body is in: later reads wait for a disconnect, unbounded
                return await receive()
            if too_large:
                raise HTTPException(413, _("The form is too large to be sent."))
            try:
                async with asyncio.timeout_at(_loop_deadline(deadline)):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, _("The request took too long to arrive.")) from None
            received += len(message.get("body", b""))
            complete = not message.get("more_body", False)
            if received > self.max_bytes:
                raise HTTPException(413, _("The form is too large to be sent."))
            return message

        await self.app(scope, limited_receive, send)


def _loop_deadline(monotonic_deadline: float) -> float:
    # asyncio's clock is monotonic too, but not necessarily the same origin.
    loop = asyncio.get_running_loop()
    return loop.time() + (monotonic_deadline - time.monotonic())
