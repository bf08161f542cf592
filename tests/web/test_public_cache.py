"""The count JSON replayed from a per-process cache (PUBLIC_CACHE_SECONDS): the same bytes
and headers as a fresh answer, never older than the setting allows, kept apart by every
request header that changes the answer, and only for the count JSON's plain GETs."""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx

from signon.app import create_app
from signon.audit import CLI
from signon.verification import review
from signon.web import public_cache
from tests.factories import confirmed_signer, make_campaign

COUNT = "/api/v1/campaigns/eats-act"


@asynccontextmanager
async def cached_client(database_url, seconds=2.0):
    app = create_app(database_url, sign_rate_limit="off", public_cache_seconds=seconds)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 41000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c, app


def entries(app) -> dict:
    """The replays kept by the app's cache (the middleware just inside Starlette's own)."""
    cache = app.middleware_stack.app
    assert isinstance(cache, public_cache.PublicResponseCache)
    return cache._entries


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_replay_is_the_fresh_answer_until_the_setting_runs_out(
    client, db, database_url, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(public_cache, "monotonic", clock)
    campaign = await make_campaign(db)
    signer = await confirmed_signer(client, db, "a@example.gov")
    async with cached_client(database_url) as (c, _):
        first = await c.get(COUNT)
        await review.verify_signatures(db, CLI, campaign.id, [signer])
        clock.now += 1.9
        replayed = await c.get(COUNT)
        assert replayed.content == first.content
        assert replayed.headers.items() == first.headers.items()
        assert first.json()["verified_count"] == 0
        assert "frame-ancestors 'none'" in replayed.headers["content-security-policy"]
        clock.now += 0.2  # 2.1 s after the first answer: too old
        assert (await c.get(COUNT)).json()["verified_count"] == 1


async def test_what_changes_the_answer_keeps_replays_apart(db, database_url, monkeypatch):
    monkeypatch.setattr(public_cache, "monotonic", Clock())
    await make_campaign(db)
    async with cached_client(database_url) as (c, _):
        plain = await c.get(COUNT)
        assert "access-control-allow-origin" not in plain.headers
        partner = await c.get(COUNT, headers={"Origin": "https://partner.example"})
        assert partner.headers["access-control-allow-origin"] == "*"
        again = await c.get(COUNT, headers={"If-None-Match": plain.headers["etag"]})
        assert again.status_code == 304
        assert (await c.get(COUNT)).status_code == 200
        assert (await c.get(COUNT, headers={"If-None-Match": '"other"'})).status_code == 200


async def test_only_the_count_json_plain_gets_are_kept(db, database_url, monkeypatch):
    monkeypatch.setattr(public_cache, "monotonic", Clock())
    await make_campaign(db)
    async with cached_client(database_url) as (c, app):
        await c.get(COUNT)
        await c.get(f"{COUNT}?lang=es")
        await c.get(f"{COUNT}/signatures")
        await c.get("/c/eats-act")
        await c.get("/api/v1/campaigns/nothing-here")  # 404: not kept
        await c.get("/api/v1/campaigns")
        await c.post(f"{COUNT}/signatures", json={})
        assert sorted(path for path, _ in entries(app)) == ["/api/v1/campaigns", COUNT]


async def test_it_is_off_in_development_and_tests(app, client, db):
    await make_campaign(db)
    await client.get(COUNT)
    assert entries(app) == {}
