"""The ASGI application: `create_app()` builds it; uvicorn runs `signon.app:create_app`."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import asyncpg
from databases import Database
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signon import db as database
from signon import errors, settings, staff
from signon.campaigns import now_utc
from signon.i18n import API_PREFIX, LocaleMiddleware
from signon.views.routes import routes
from signon.web.bodylimit import BodyLimitMiddleware
from signon.web.public_cache import PublicResponseCache
from signon.web.ratelimit import RateLimiter

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
}


# Production is served over HTTPS only (docs/deploy.md): browsers are told to keep to it.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Staff pages hold emails, phones and live links: no browser or proxy may keep a copy.
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeadersMiddleware:
    """Headers every response gets unless its handler set its own (the embed widget)."""

    HEADERS = tuple((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items())

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = (*self.HEADERS, HSTS) if hsts else self.HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        staff_page = scope["type"] == "http" and scope["path"].startswith("/staff")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if staff_page:
                    headers[:] = [h for h in headers if h[0].lower() != NO_STORE[0]]
                    headers.append(NO_STORE)
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


class SiteSessionMiddleware(SessionMiddleware):
    """The signed session cookie (CSRF tokens, staff sign-in, flashes) for the site's pages.

    The JSON API has no cookies (SPEC section 4): its requests neither read nor set one.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """While PostgreSQL is unreachable: a clear 503, never a hang or a traceback."""
    return await errors.domain_error(
        request,
        errors.ServiceUnavailable("Signon cannot reach its database just now. Try again shortly."),
    )


def create_app(
    database_url: str | None = None,
    *,
    db: Database | None = None,
    sign_rate_limit: str | None = None,
    min_fill_seconds: float | None = None,
    clock: Callable[[], datetime] | None = None,
    public_cache_seconds: float | None = None,
) -> Starlette:
    """Build the app. Refuses to start (ConfigurationError) without a safe secret key.

    The keyword arguments override settings (tests use them); by default they come from
    SIGN_RATE_LIMIT, MIN_FILL_SECONDS and PUBLIC_CACHE_SECONDS. `clock` gives "now" to the
    rules that depend on the date (closing dates, roster terms), so tests can fix it.
    """
    secret = settings.secret_key()
    limiter = RateLimiter(
        settings.SIGN_RATE_LIMIT if sign_rate_limit is None else sign_rate_limit,
        settings.REDIS_URL,
    )
    if db is None:
        db = database.make_database(database_url or database.resolve_database_url())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not db.is_connected:
            await db.connect()
        # What start-up built (modules, templates, tables) lives as long as the process:
        # moved out of the collector's sight, full collections no longer walk it. Under
        # load they took up to 130 ms each, 6% of a web process's time, and set the p99 of
        # a sign POST (bench/load_bench.py, docs/performance.md).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await limiter.close()
            await db.disconnect()

    app = Starlette(
        routes=routes(),
        middleware=[
            # Outermost: it replays whole responses, headers of every layer included.
            Middleware(
                PublicResponseCache,
                seconds=(
                    settings.PUBLIC_CACHE_SECONDS
                    if public_cache_seconds is None
                    else public_cache_seconds
                ),
            ),
            Middleware(SecurityHeadersMiddleware, hsts=settings.is_production()),
            Middleware(BodyLimitMiddleware),
            Middleware(
                SiteSessionMiddleware,
                secret_key=secret,
                session_cookie="signon_session",
                max_age=settings.SESSION_MAX_AGE_SECONDS,
                same_site="lax",
                https_only=settings.is_production(),
            ),
            Middleware(LocaleMiddleware),
        ],
        exception_handlers={
            **errors.EXCEPTION_HANDLERS,
            OSError: database_unavailable,
            asyncpg.PostgresConnectionError: database_unavailable,
            asyncpg.CannotConnectNowError: database_unavailable,
            # The server shutting down or restarting, a connection lost mid-request.
            asyncpg.exceptions.OperatorInterventionError: database_unavailable,
            asyncpg.InterfaceError: database_unavailable,
            # A statement sent in the instant the server cut the connection (during a
            # restart) finds the driver mid-way through the server's goodbye.
            asyncpg.InternalClientError: database_unavailable,
        },
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.limiter = limiter
    app.state.password_slots = staff.HashSlots()
    app.state.clock = clock or now_utc
    app.state.min_fill_seconds = (
        settings.MIN_FILL_SECONDS if min_fill_seconds is None else min_fill_seconds
    )
    return app
