"""Health checks for load balancers and orchestrators (SPEC section 3).

`/healthz`: the process is up and serving (no database call, so a database outage never
makes an orchestrator restart every web process at once). `/readyz`: this process can serve
real requests: the database answers within a few seconds and its schema is at the latest
migration. Plain text, no cookies, nothing private.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from signon import db as database

READY_TIMEOUT_SECONDS = 3.0
NO_STORE = {"cache-control": "no-store"}


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok\n", headers=NO_STORE)


async def readyz(request: Request) -> PlainTextResponse:
    expected = database.latest_revision()
    try:
        found = await asyncio.wait_for(
            database.schema_revision(request.app.state.db), READY_TIMEOUT_SECONDS
        )
    except Exception:  # any failure to answer is "not ready", never a 500
        return PlainTextResponse("database unavailable\n", status_code=503, headers=NO_STORE)
    if found != expected:
        return PlainTextResponse(
            f"schema at {found or 'no migration'}, expected {expected}: run signon migrate\n",
            status_code=503,
            headers=NO_STORE,
        )
    return PlainTextResponse("ready\n", headers=NO_STORE)
