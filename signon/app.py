"""The ASGI application: `create_app()` builds it; uvicorn runs `signon.app:create_app`."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from databases import Database
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from signon import db as database
from signon import settings, staff
from signon.campaigns import now_utc
from signon.i18n import API_PREFIX, LocaleMiddleware
from signon.state import ProcessState
from signon.views.routes import routes
from signon.web.bodylimit import BodyLimitMiddleware
from signon.web.errors import EXCEPTION_HANDLERS
from signon.web.proxy import TrustedProxies
from signon.web.public_cache import PublicResponseCache
from signon.web.ratelimit import RateLimiter
from signon.web.request_log import RequestLogMiddleware

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


def proxy_headers(trusted: TrustedProxies) -> list[Middleware]:
    """X-Forwarded-For and -Proto, from trusted proxies only (signon/web/proxy.py)."""
    if not trusted:
        return []
    hosts = "*" if trusted.everyone else trusted.entries
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=hosts)]


def create_app(
    database_url: str | None = None,
    *,
    db: Database | None = None,
    sign_rate_limit: str | None = None,
    min_fill_seconds: float | None = None,
    clock: Callable[[], datetime] | None = None,
    public_cache_seconds: float | None = None,
    forwarded_allow_ips: str | None = None,
    redis_url: str | None = None,
) -> Starlette:
    """Build the app. Refuses to start (ConfigurationError) without a safe secret key.

    The keyword arguments override settings (tests use them); by default they come from
    SIGN_RATE_LIMIT, MIN_FILL_SECONDS, PUBLIC_CACHE_SECONDS, FORWARDED_ALLOW_IPS and
    REDIS_URL.
    `clock` gives "now" to the rules that depend on the date (closing dates, roster
    terms), so tests can fix it.
    """
    secret = settings.secret_key()
    limiter = RateLimiter(
        settings.SIGN_RATE_LIMIT if sign_rate_limit is None else sign_rate_limit,
        redis_url or settings.REDIS_URL,
    )
    trusted = TrustedProxies(
        settings.FORWARDED_ALLOW_IPS if forwarded_allow_ips is None else forwarded_allow_ips
    )
    if db is None:
        db = database.make_database(database_url or database.resolve_database_url())
    process = ProcessState.build(db)

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
            await process.close()
            await limiter.close()
            await db.disconnect()

    app = Starlette(
        routes=routes(),
        middleware=[
            # Outermost: it sees the peer itself, times the whole response, logs errors.
            Middleware(RequestLogMiddleware, trusted=trusted),
            *proxy_headers(trusted),
            # It replays whole responses, headers of every inner layer included.
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
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.db = db
    # Every cache and pool the app keeps between requests (signon/state.py).
    app.state.process = process
    app.state.limiter = limiter
    app.state.password_slots = staff.HashSlots()
    app.state.clock = clock or now_utc
    app.state.min_fill_seconds = (
        settings.MIN_FILL_SECONDS if min_fill_seconds is None else min_fill_seconds
    )
    return app
