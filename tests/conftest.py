"""Test fixtures: one fresh PostgreSQL database per run, migrated once, emptied per test.

The server is TEST_DATABASE_URL, else 127.0.0.1:5432 when it answers, else an embedded
pgserver under ./var/test-pgdata. Tests drive the app through HTTP (httpx against the ASGI
app) and build data with the real domain functions.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from databases import Database
from starlette.applications import Starlette

from signon import campaign_rules, campaigns, settings, staff
from signon import db as database
from signon.audit import CLI
from signon.state import ProcessState
from signon.tables import metadata

SHARED_DATA = settings.PROJECT_DIR.parent / "shared" / "data"

# Still argon2, at its lightest cost: the default takes ~0.3 s a hash on this machine, and
# the suite hashes hundreds of passwords. Production keeps argon2-cffi's defaults.
staff._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
staff._DUMMY_HASH = staff._hasher.hash("not a real password, never matches")
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
# The four states SOURCES.md describes in detail (../shared/data holds 46): tests that need
# only these import only these, since the whole roster takes seconds.
FOUR_STATES = ("WI", "NC", "VT", "NE")


def _server_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _admin_url() -> str:
    if settings.TEST_DATABASE_URL:
        return settings.TEST_DATABASE_URL
    if _server_answers("127.0.0.1", 5432):
        return DEFAULT_SERVER
    return database.start_embedded_server(settings.PROJECT_DIR / "var" / "test-pgdata")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def admin_url() -> str:
    return _admin_url()


@pytest.fixture(scope="session")
def database_url(admin_url: str) -> Iterator[str]:
    name = f"signon_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = _with_database(admin_url, name)
    try:
        database.migrate(url)
        yield url
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[Starlette]:
    application = _create_app(database_url)
    async with application.router.lifespan_context(application):
        yield application


def _create_app(url: str) -> Starlette:
    from signon.app import create_app

    # No rate limit and no minimum fill time here: tests submit fast and from one address.
    # tests/signing/test_abuse.py builds apps with both switched on.
    # "Now" is fixed: datasets age and officials' terms end, and tests must not notice.
    return create_app(url, sign_rate_limit="off", min_fill_seconds=0, clock=lambda: NOW)


@pytest.fixture
async def db(app: Starlette) -> AsyncIterator[Database]:
    yield app.state.db
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    await app.state.db.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def process(app: Starlette) -> ProcessState:
    """The app's caches and pools (signon/state.py), for tests that call the domain."""
    return app.state.process


@pytest.fixture
async def client(app: Starlette, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def form_post(
    client: httpx.AsyncClient, page: str, action: str, data: dict
) -> httpx.Response:
    """Submit a form the way a browser does: GET the page for its CSRF token, then POST."""
    token = csrf_from((await client.get(page)).text)
    return await client.post(action, data={**data, "csrf_token": token})


async def make_staff(
    db: Database, email: str = "admin@example.org", role: str = "admin", name: str = "Ada Admin"
) -> staff.StaffMember:
    return await staff.create_staff(db, CLI, email=email, name=name, password=PASSWORD, role=role)


async def add_sam_through_the_users_page(client: httpx.AsyncClient) -> httpx.Response:
    """A signed-in admin creates the staff member Sam Staff (sam@example.org) at /staff/users."""
    users = "/staff/users"
    sam = {"name": "Sam Staff", "email": "sam@example.org", "password": PASSWORD, "role": "staff"}
    return await form_post(client, users, users, sam)


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await form_post(
        client, "/staff/login", "/staff/login", {"email": email, "password": password}
    )


async def make_campaign(
    db: Database, slug: str = "eats-act", status: str = "open", **overrides: object
) -> campaigns.Campaign:
    data = {
        "slug": slug,
        "title": "Reject the EATS Act",
        "body_markdown": "We, the undersigned, urge Congress to **reject** the EATS Act.",
        "summary": "State and local officials oppose the EATS Act.",
        "addressee": "Members of the United States Congress",
        "salutation": "Dear Members of Congress,",
        "sign_off": "Sincerely,",
        "sponsors": "Local Progress\nState Innovation Exchange",
        "goal": "180",
        **overrides,
    }
    campaign = await campaigns.create_campaign(db, CLI, campaign_rules.parse_campaign_fields(data))
    if status in ("open", "closed"):
        campaign = await campaigns.open_campaign(db, CLI, slug)
    if status == "closed":
        campaign = await campaigns.close_campaign(db, CLI, slug)
    return campaign


def shared_data(relative: str) -> Path:
    """A file under ../shared/data, or skip the test when the folder is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared datasets are not beside this checkout")
    return path
