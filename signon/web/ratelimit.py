"""Per-address rate limits on signing and confirming (SIGN_RATE_LIMIT, e.g. "20/hour").

The `limits` library keeps the counters: in memory by default, in Redis when REDIS_URL is
set (shared by every web process). "off" disables the limit, for load tests.

When Redis cannot be reached, no request fails because of it (SPEC section 3): the process
counts on its own meanwhile, logs one warning a minute, and goes back to Redis once it
answers again.
"""

from __future__ import annotations

import logging
import time

import limits
import redis.asyncio as redis
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from starlette.requests import Request

from signon.errors import SubmissionsThrottled
from signon.settings import ConfigurationError

log = logging.getLogger(__name__)

# A Redis that does not answer must not hold a sign request up for long.
REDIS_TIMEOUT_SECONDS = 0.5
REDIS_CONNECTIONS = 50
# While Redis is down, try it again this often (the rest of the time, count locally).
REDIS_RETRY_SECONDS = 1.0
REDIS_WARNING_EVERY_SECONDS = 60.0


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
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.shared: MovingWindowRateLimiter | None = None
        # The Redis pool is ours, so that close() can release its connections.
        self._pool = None
        if redis_url:
            # Blocking: under a burst, a request waits for a free connection rather than
            # failing ("Too many connections") and counting alone as if Redis were down.
            self._pool = redis.BlockingConnectionPool.from_url(
                redis_url,
                max_connections=REDIS_CONNECTIONS,
                timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            storage = RedisStorage(
                _async_url(redis_url),
                implementation="redispy",
                connection_pool=self._pool,
                wrap_exceptions=True,
            )
            self.shared = MovingWindowRateLimiter(storage)
        self._down_since: float | None = None
        self._last_try = 0.0
        self._last_warning: float | None = None

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def hit(self, scope: str, address: str) -> None:
        """Count one request; raise SubmissionsThrottled once the address is over."""
        if self.item is None:
            return
        strategy = self.local
        if self.shared is not None and self._redis_worth_trying():
            try:
                allowed = await self.shared.hit(self.item, scope, address)
            except StorageError as exc:
                self._redis_failed(exc.storage_error)
            else:
                self._redis_answered()
                strategy = self.shared
                if allowed:
                    return
        if strategy is self.local and await self.local.hit(self.item, scope, address):
            return
        try:
            stats = await strategy.get_window_stats(self.item, scope, address)
            retry_after = max(1, int(stats.reset_time - time.time()) + 1)
        except StorageError as exc:  # Redis went away between the two calls
            self._redis_failed(exc.storage_error)
            retry_after = int(self.item.get_expiry())
        raise SubmissionsThrottled(
            retry_after=retry_after,
        )

    def _redis_worth_trying(self) -> bool:
        return self._down_since is None or time.monotonic() - self._last_try >= REDIS_RETRY_SECONDS

    def _redis_failed(self, error: Exception) -> None:
        now = time.monotonic()
        self._last_try = now
        if self._down_since is None:
            self._down_since = now
        if self._last_warning is None or now - self._last_warning >= REDIS_WARNING_EVERY_SECONDS:
            self._last_warning = now
            log.warning(
                "Redis (REDIS_URL) cannot be reached, so rate limits are counted by this "
                "process alone until it answers: %s",
                error,
            )

    def _redis_answered(self) -> None:
        if self._down_since is not None:
            log.warning(
                "Redis answers again after %.1f s: rate limits are shared again",
                time.monotonic() - self._down_since,
            )
            self._down_since = None


def _async_url(redis_url: str) -> str:
    return redis_url if redis_url.startswith("async+") else "async+" + redis_url
