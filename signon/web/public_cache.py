"""The count JSON's whole responses, kept per process for at most PUBLIC_CACHE_SECONDS
(SPEC section 4: counts may come from a cache at most 2 seconds old) and replayed before
any other middleware or route runs.

Embeds and partner sites poll `GET /api/v1/campaigns/{slug}`; under load even one query
shared by the requests in flight (counts.SingleFlight) left it slower than a bare page with
one query (bench/load_bench.py). A replay is the bytes and headers the full stack produced
for the same request (security, CORS and language headers included), so it cannot differ
from a fresh answer except by being up to that many seconds old.

A response is kept only for a GET of those paths with no query string, keyed by every
request header that could change it; only a 200 or 304 without Set-Cookie is kept.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Hashable
from time import monotonic

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PATHS = re.compile(r"/api/v1/campaigns(/[a-z0-9-]{1,80})?")
# Request headers no response of those paths depends on (uvicorn and the routes ignore
# them; the API reads no cookie). Every other header, Origin and If-None-Match for
# instance, is part of the key.
IGNORED_HEADERS = frozenset(
    {b"user-agent", b"accept", b"accept-encoding", b"connection", b"cookie"}
)
MAX_ENTRIES = 256
MAX_BODY_BYTES = 256 * 1024


class PublicResponseCache:
    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self._entries: OrderedDict[Hashable, tuple[float, Message, Message]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope) if self.seconds > 0 and scope["type"] == "http" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        started = monotonic()
        found = self._entries.get(key)
        if found is not None and started - found[0] <= self.seconds:
            await send(dict(found[1]))
            await send(dict(found[2]))
            return
        sent: list[Message] = []

        async def keep(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        self._store(key, started, sent)

    def _key(self, scope: Scope) -> Hashable | None:
        if scope["method"] != "GET" or scope["query_string"] or not PATHS.fullmatch(scope["path"]):
            return None
        headers = tuple(
            sorted((name, value) for name, value in scope["headers"] if name not in IGNORED_HEADERS)
        )
        return scope["path"], headers

    def _store(self, key: Hashable, started: float, sent: list[Message]) -> None:
        if len(sent) != 2 or sent[0]["type"] != "http.response.start":
            return
        start, body = sent
        if start["status"] not in (200, 304) or body.get("more_body"):
            return
        if len(body.get("body", b"")) > MAX_BODY_BYTES:
            return
        if any(name.lower() == b"set-cookie" for name, _ in start.get("headers", [])):
            return
        self._entries.pop(key, None)
        self._entries[key] = (started, start, body)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
