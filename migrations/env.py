"""Alembic environment: async, through asyncpg, the only driver Signon uses.

Migrations run under a PostgreSQL advisory lock, as Warehouse's do, so processes that start
together never run them twice at once: the second waits, then finds the schema current.
"""

import asyncio
import uuid

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import async_engine_from_config

from signon.db import MIGRATION_LOCK_KEY
from signon.tables import metadata

config = context.config
target_metadata = metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        # A transaction-level lock, not a session one: through PgBouncer in transaction
        # pooling mode a session lock could stay behind on a server connection. The
        # timeout bounds the wait (and the migrations' own lock waits) so a stuck
        # migration elsewhere gives an error, not a process that never starts.
        timeout = config.attributes.get("lock_timeout_ms", 120_000)
        connection.execute(
            text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": f"{timeout}ms"}
        )
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


def _connect_args() -> dict:
    """With DATABASE_STATEMENT_CACHE=off (PgBouncer, transaction pooling), no statement is
    cached, and those SQLAlchemy must prepare get names no other client can have taken on
    the same server connection (SQLAlchemy's asyncpg dialect docs, "Prepared Statement
    Name with PGBouncer")."""
    if config.attributes.get("statement_cache", True):
        return {}
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__",
    }


async def run_async_migrations() -> None:
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
        connect_args=_connect_args(),
    )
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
