"""The test PostgreSQL server, and making and dropping databases on it.

The server is TEST_DATABASE_URL, else 127.0.0.1:5432 when it answers, else an embedded
pgserver under ./var/test-pgdata.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from signon import db as database
from signon import settings

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _server_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def find_admin_url() -> str:
    if settings.TEST_DATABASE_URL:
        return settings.TEST_DATABASE_URL
    if _server_answers("127.0.0.1", 5432):
        return DEFAULT_SERVER
    return database.start_embedded_server(settings.PROJECT_DIR / "var" / "test-pgdata")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
