"""Bot and flood controls on signing: honeypot, minimum fill time, per-address limits."""

import re
import socket
import time
from contextlib import asynccontextmanager

import httpx

from signon.app import create_app
from signon.signing import formguard
from tests.factories import OFFICIAL, make_campaign, sign, signature_rows


@asynccontextmanager
async def guarded_client(database_url, address="198.51.100.9", **options):
    """A client of an app with the given abuse settings, from one client address."""
    app = create_app(database_url, **options)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def test_a_filled_honeypot_is_refused_without_saying_why(client, db):
    await make_campaign(db)
    response = await sign(client, website="http://buy.example")
    assert response.status_code == 400
    assert "We could not accept this submission" in response.text
    assert "honeypot" not in response.text.lower() and "bot" not in response.text.lower()
    assert 'value="Ana María Díaz"' in response.text  # what a person typed is kept
    assert await signature_rows(db) == []


async def test_a_form_sent_faster_than_a_person_can_fill_it_is_refused(db, database_url):
    await make_campaign(db)
    async with guarded_client(database_url, sign_rate_limit="off", min_fill_seconds=3) as c:
        too_fast = await sign(c)
        assert too_fast.status_code == 400
        assert "We could not accept this submission" in too_fast.text
        page = (await c.get("/c/eats-act")).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        stamp = formguard.issue_stamp(now=time.time() - 30)  # shown 30 s ago
        response = await c.post(
            "/c/eats-act/sign", data={**OFFICIAL, "csrf_token": token, "form_started": stamp}
        )
        assert response.status_code == 303
        forged = await c.post(
            "/c/eats-act/sign",
            data={**OFFICIAL, "csrf_token": token, "form_started": "1.0.forged"},
        )
        assert forged.status_code == 400
    assert len(await signature_rows(db)) == 1


async def test_the_json_api_has_no_fill_time_check(db, database_url):
    await make_campaign(db)
    async with guarded_client(database_url, sign_rate_limit="off", min_fill_seconds=3) as c:
        response = await c.post("/api/v1/campaigns/eats-act/signatures", json=OFFICIAL)
        assert response.status_code == 201


async def test_signing_is_rate_limited_per_address(db, database_url):
    await make_campaign(db)
    async with guarded_client(database_url, sign_rate_limit="3/minute", min_fill_seconds=0) as c:
        for n in range(3):
            ok = await c.post(
                "/api/v1/campaigns/eats-act/signatures",
                json={**OFFICIAL, "email": f"m{n}@stpaul.gov"},
            )
            assert ok.status_code == 201
        refused = await c.post(
            "/api/v1/campaigns/eats-act/signatures", json={**OFFICIAL, "email": "m9@stpaul.gov"}
        )
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 61
        assert "Please wait" in refused.json()["error"]
        page = await sign(c, email="m10@stpaul.gov")
        assert page.status_code == 429
        assert "Please wait" in page.text and "<html" in page.text
    assert len(await signature_rows(db)) == 3


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def test_limits_can_live_in_redis_shared_by_processes(db, database_url, monkeypatch):
    import pytest

    if not redis_answers():
        pytest.skip("no Redis at 127.0.0.1:6379")
    from signon import settings

    monkeypatch.setattr(settings, "REDIS_URL", "redis://127.0.0.1:6379/0")
    await make_campaign(db)
    unique = f"{time.time_ns()}"
    # An address of its own, so counters left in Redis by an earlier run do not count.
    address = f"2001:db8::{time.time_ns() % 65536:x}"
    options = {"address": address, "sign_rate_limit": "2/minute"}
    async with guarded_client(database_url, **options) as first:
        async with guarded_client(database_url, **options) as second:
            codes = []
            for n, c in enumerate([first, second, first]):
                response = await c.post(
                    "/api/v1/campaigns/eats-act/signatures",
                    json={**OFFICIAL, "email": f"r{unique}{n}@stpaul.gov"},
                )
                codes.append(response.status_code)
    # Two apps, one shared counter: the third request is over the limit.
    assert codes[:2] == [201, 201] and codes[2] == 429
