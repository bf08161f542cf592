"""The database: its URL, the embedded server when none is configured, and migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import databases

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
    return f"postgresql://postgres@/postgres?host={data_dir}"


def resolve_database_url() -> str:
    """DATABASE_URL, or the embedded server's URL when it is unset (SPEC section 3)."""
    if settings.DATABASE_URL:
        return settings.DATABASE_URL
    url = start_embedded_server(settings.VAR_DIR / "pgdata")
    log.info("DATABASE_URL is unset: using the embedded PostgreSQL in %s", settings.VAR_DIR)
    return url


def sqlalchemy_url(url: str) -> str:
    """The same URL with the asyncpg driver named, as SQLAlchemy and Alembic want it."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


def make_database(url: str, **options: object) -> databases.Database:
    return databases.Database(sqlalchemy_url(url), **options)


def alembic_config(url: str):  # -> alembic.config.Config, imported lazily
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(settings.PROJECT_DIR / "migrations"))
    # '%' is ConfigParser's interpolation character; URLs may carry it in passwords.
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database to `revision`. Synchronous: call it outside an event loop."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
