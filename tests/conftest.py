"""Test fixtures: one fresh PostgreSQL database per run, migrated once, emptied per test.

Fixtures only: the server and its databases are tests/postgres.py's, the data tests build
(with the real domain functions and HTTP) tests/factories.py's.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from argon2 import PasswordHasher
from databases import Database
from starlette.applications import Starlette

from signon import db as database
from signon import staff
from signon.tables import metadata
from tests.factories import NOW
from tests.postgres import admin, find_admin_url, with_database

# Still argon2, at its lightest cost: the default takes ~0.3 s a hash on this machine, and
# the suite hashes hundreds of passwords. Production keeps argon2-cffi's defaults.
staff._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
staff._DUMMY_HASH = staff._hasher.hash("not a real password, never matches")


@pytest.fixture(scope="session")
def admin_url() -> str:
    return find_admin_url()


@pytest.fixture(scope="session")
def database_url(admin_url: str) -> Iterator[str]:
    name = f"signon_test_{secrets.token_hex(4)}"
    asyncio.run(admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = with_database(admin_url, name)
    try:
        database.migrate(url)
        yield url
    finally:
        asyncio.run(admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
async def client(app: Starlette, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
