"""The database: its URL, the embedded server when none is configured, and migrations."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import databases
from databases.core import Transaction

from signon import settings

log = logging.getLogger(__name__)

# pgserver keeps its server object alive for as long as this process holds it.
_embedded_server = None


def start_embedded_server(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL under data_dir and return its URL.

    pgserver listens on a Unix socket in data_dir only; the server stops when the last
    process that started it exits.
    """
    global _embedded_server
    import pgserver  # imported here: it is slow to import and most commands never need it

    data_dir.mkdir(parents=True, exist_ok=True)
    _embedded_server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    # pgserver's own URL: when data_dir is too long for a Unix socket path, the socket
    # lives in another directory, which only the server object knows.
    return _embedded_server.get_uri()


def resolve_database_url() -> str:
    """DATABASE_URL, or the embedded server's URL when it is unset (SPEC section 3)."""
    if settings.DATABASE_URL:
        return settings.DATABASE_URL
    if settings.is_production():
        # An empty embedded database would answer "no campaign here" to every visitor.
        raise settings.ConfigurationError(
            "DATABASE_URL must be set when SIGNON_ENV=production (the embedded PostgreSQL "
            "is for trying Signon, never a fallback)"
        )
    url = start_embedded_server(settings.VAR_DIR / "pgdata")
    log.info("DATABASE_URL is unset: using the embedded PostgreSQL in %s", settings.VAR_DIR)
    return url


def sqlalchemy_url(url: str) -> str:
    """The same URL with the asyncpg driver named, as SQLAlchemy and Alembic want it."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


class _ReleasingTransaction(Transaction):
    """A transaction that gives its pooled connection back even when BEGIN, COMMIT or
    ROLLBACK fail. Written against the private internals of databases 0.9.0 (pinned in
    pyproject.toml, which says what is relied on).

    databases 0.9 releases the connection only after they succeed (encode/databases PR
    #498, unmerged). When PostgreSQL restarts under load, every transaction it cuts off
    then keeps a pool slot forever: once max_size slots are gone every request waits
    without end, and shutdown hangs waiting for them. tests/proofs/test_reliability.py restarts
    the server in the middle of a signing load.
    """

    async def start(self) -> Transaction:
        self._transaction = self._connection._connection.transaction()
        async with self._connection._transaction_lock:
            is_root = not self._connection._transaction_stack
            await self._connection.__aenter__()
            try:
                await self._transaction.start(is_root=is_root, extra_options=self._extra_options)
            except BaseException:
                await self._connection.__aexit__()
                raise
            self._connection._transaction_stack.append(self)
        return self

    async def commit(self) -> None:
        await self._finish("commit")

    async def rollback(self) -> None:
        await self._finish("rollback")

    async def _finish(self, how: str) -> None:
        async with self._connection._transaction_lock:
            assert self._connection._transaction_stack[-1] is self
            self._connection._transaction_stack.pop()
            assert self._transaction is not None
            try:
                await getattr(self._transaction, how)()
            finally:
                await self._connection.__aexit__()
                self._transaction = None


def in_transaction(db: databases.Database) -> bool:
    """Whether the calling task is inside db.transaction(), without acquiring a pooled
    connection to ask (db.connection() would, for a request that has none): the sign
    POST's group write asks this of every submission. Private internals of databases
    0.9.0, as pinned in pyproject.toml."""
    connection = db._global_connection or db._connection
    return connection is not None and bool(connection._transaction_stack)


class _Database(databases.Database):
    def transaction(self, *, force_rollback: bool = False, **kwargs: Any) -> Transaction:
        return _ReleasingTransaction(self.connection, force_rollback=force_rollback, **kwargs)


# Each web process keeps at most 10 connections and opens them as load needs them: several
# processes (and tests, which build extra apps) share one server's max_connections.
POOL_OPTIONS = {"min_size": 2, "max_size": 10}


def make_database(url: str, **options: object) -> databases.Database:
    if not settings.statement_cache():
        options = {"statement_cache_size": 0, **options}
    return _Database(sqlalchemy_url(url), **{**POOL_OPTIONS, **options})


def alembic_config(url: str):  # -> alembic.config.Config, imported lazily
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(settings.PROJECT_DIR / "migrations"))
    # '%' is ConfigParser's interpolation character; URLs may carry it in passwords.
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    # Read by migrations/env.py, which reads no setting itself.
    cfg.attributes["statement_cache"] = settings.statement_cache()
    return cfg


# Any fixed number: every Signon process that migrates a database takes the same lock.
MIGRATION_LOCK_KEY = 0x5349474E  # "SIGN"
# How long a migration waits for another process's (SPEC section 3: never two at once).
MIGRATION_LOCK_TIMEOUT_SECONDS = 120


class MigrationLockTimeout(settings.ConfigurationError):
    """Another process held the migration lock for longer than the timeout."""


def migrate(
    url: str, revision: str = "head", *, lock_timeout: float = MIGRATION_LOCK_TIMEOUT_SECONDS
) -> None:
    """Upgrade the database to `revision`, under the migration lock (migrations/env.py).

    Synchronous: call it outside an event loop.
    """
    from alembic import command
    from sqlalchemy.exc import DBAPIError

    cfg = alembic_config(url)
    cfg.attributes["lock_timeout_ms"] = int(lock_timeout * 1000)
    try:
        command.upgrade(cfg, revision)
    except DBAPIError as exc:
        if "lock timeout" not in str(exc.orig):
            raise
        raise MigrationLockTimeout(
            f"Another process held the migration lock for more than {lock_timeout:g} s; "
            "is a migration still running?"
        ) from exc


@functools.cache
def latest_revision() -> str:
    """The head of migrations/, which the code's schema expects (read once: it is code)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_current_head()
    assert head is not None
    return head


async def schema_revision(db: databases.Database) -> str | None:
    """The revision the database's schema is at; None when it has never been migrated."""
    exists = await db.fetch_val("SELECT to_regclass('alembic_version') IS NOT NULL")
    if not exists:
        return None
    return await db.fetch_val("SELECT version_num FROM alembic_version")
