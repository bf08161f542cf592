from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from signon.app import create_app
from signon.audit import CLI
from signon.tables import campaign_texts, signatures
from signon.verification import review
from tests.factories import NOW, confirmed_signer, make_campaign


async def test_home_lists_open_campaigns(client, db):
    await make_campaign(db, slug="open-one", title="An open letter")
    await make_campaign(db, slug="draft-one", status="draft", title="A draft letter")
    response = await client.get("/")
    assert response.status_code == 200
    assert "An open letter" in response.text
    assert "A draft letter" not in response.text


@asynccontextmanager
async def another_app(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A second app in this process, on the same database, like the test suite's own."""
    app = create_app(database_url, sign_rate_limit="off", min_fill_seconds=0, clock=lambda: NOW)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 52000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_two_apps_in_one_process_keep_their_own_caches(client, db, database_url):
    campaign = await make_campaign(db)
    found = await confirmed_signer(client, db, "a@example.gov", full_name="Ann Lee")
    await review.verify_signatures(db, CLI, campaign.id, [found])
    async with another_app(database_url) as first:
        before = await first.get("/c/eats-act")  # its campaign and signatory list now cached
        assert "Ann Lee, City Council Member" in before.text
        # Changes that neither the campaign's stamps nor its counts see, written directly:
        # an app serves its cached copies of them for up to two seconds.
        await db.execute(campaign_texts.update().values(body_html="<p>Reworded directly.</p>"))
        await db.execute(signatures.update().values(jurisdiction="Ward Nine"))
        async with another_app(database_url) as second:
            fresh = await second.get("/c/eats-act")
            listed = await second.get("/api/v1/campaigns/eats-act/signatures")
        assert "Reworded directly." in fresh.text and "Ward Nine" in fresh.text
        assert listed.json()["items"][0]["jurisdiction"] == "Ward Nine"
        again = await first.get("/c/eats-act")
        assert "Reworded directly." not in again.text and "Ward Nine" not in again.text
