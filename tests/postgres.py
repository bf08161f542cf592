"""The test PostgreSQL server, and making and dropping databases on it.

The server is TEST_DATABASE_URL, else 127.0.0.1:5432 when it answers, else an embedded
pgserver under ./var/test-pgdata.
"""

from __future__ import annotations

import socket
from pathlib import Path
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


class PrivatePostgres:
    """A PostgreSQL server of the test's own: pgserver's binaries, a data directory and a
    Unix socket under a temporary folder. It can be stopped and started again in place."""

    def __init__(self, data_dir: Path) -> None:
        import pgserver

        self.pgserver = pgserver
        self.server = pgserver.get_server(data_dir, cleanup_mode="delete")
        self.data_dir = self.server.pgdata
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        self.url = f"postgresql://postgres@/postgres?host={self.socket_dir}"
        self.running = True

    def _pg_ctl(self, *args: str) -> None:
        # As root, pgserver runs PostgreSQL as its own system user; so must we.
        self.pgserver.pg_ctl(
            list(args), pgdata=self.data_dir, user=self.server.system_user, timeout=60
        )

    def stop(self) -> None:
        """Fast shutdown: open sessions are cut off, as when the server is restarted."""
        self._pg_ctl("-w", "-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        log = str(self.data_dir / "log")
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start")
        self.running = True

    def close(self) -> None:
        if self.running:
            self.stop()
        self.server.cleanup()  # removes the data directory
