"""How long a client may take: uvicorn's HTTP protocol with a deadline for the headers.

uvicorn closes an idle keep-alive connection (`timeout_keep_alive`), but a connection that
has sent nothing yet, or only part of its headers, it waits for forever: a few hundred
slow clients (slowloris) would hold every connection open. `TimedHttpToolsProtocol`
closes a connection whose request headers are not complete within HEADERS_TIMEOUT
seconds of its first byte or of the connection opening. The body has its own deadline
(signon/web/bodylimit.py), and `signon serve` and the Procfile set the keep-alive one.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADERS_TIMEOUT = 10.0
KEEP_ALIVE_TIMEOUT = 5
# uvicorn's own options for these timeouts, for `signon serve` (the Procfile repeats them).
UVICORN_OPTIONS = {
    "http": "signon.web.server:TimedHttpToolsProtocol",
    "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
}


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """httptools' protocol, closing connections whose headers are too slow to arrive."""

    _headers_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_headers_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_headers_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_headers_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_headers_deadline()
        super().connection_lost(exc)

    def _arm_headers_deadline(self) -> None:
        if self._headers_deadline is None:
            self._headers_deadline = self.loop.call_later(HEADERS_TIMEOUT, self._headers_too_slow)

    def _disarm_headers_deadline(self) -> None:
        if self._headers_deadline is not None:
            self._headers_deadline.cancel()
            self._headers_deadline = None

    def _headers_too_slow(self) -> None:
        self._headers_deadline = None
        # Mid-response (a pipelined request's headers arriving slowly) the response finishes
        # first; otherwise there is nothing to answer: the request never arrived.
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()
