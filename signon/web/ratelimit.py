"""Per-address rate limits on signing and confirming (SIGN_RATE_LIMIT, e.g. "20/hour").

The `limits` library keeps the counters: in memory by default, in Redis when REDIS_URL is
set (shared by every web process). "off" disables the limit, for load tests.
"""

from __future__ import annotations

import time

import limits
import redis.asyncio as redis
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.requests import Request

from signon.errors import TooManyAttempts
from signon.i18n import gettext_ as _
from signon.settings import ConfigurationError


def client_address(request: Request) -> str:
    """The address a request's limits and throttles count against (as uvicorn gives it,
    after its trusted-proxy handling)."""
    return request.client.host if request.client else "unknown"


class RateLimiter:
    def __init__(self, spec: str, redis_url: str | None = None) -> None:
        self.item: limits.RateLimitItem | None = None
        if spec.strip().lower() != "off":
            try:
                self.item = limits.parse(spec)
            except ValueError as exc:
                raise ConfigurationError(
                    f"SIGN_RATE_LIMIT={spec!r} is not a rate like '20/hour' or 'off'"
                ) from exc
        # The Redis pool is ours, so that close() can release its connections.
        self._pool = redis.ConnectionPool.from_url(redis_url) if redis_url else None
        storage: Storage = (
            RedisStorage(
                _async_url(redis_url), implementation="redispy", connection_pool=self._pool
            )
            if redis_url
            else MemoryStorage()
        )
        self.strategy = MovingWindowRateLimiter(storage)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def hit(self, scope: str, address: str) -> None:
        """Count one request; raise TooManyAttempts (429) once the address is over."""
        if self.item is None:
            return
        if await self.strategy.hit(self.item, scope, address):
            return
        stats = await self.strategy.get_window_stats(self.item, scope, address)
        raise TooManyAttempts(
            _("Too many submissions from your network in a short time. Please wait and try again."),
            retry_after=max(1, int(stats.reset_time - time.time()) + 1),
        )


def _async_url(redis_url: str) -> str:
    return redis_url if redis_url.startswith("async+") else "async+" + redis_url
