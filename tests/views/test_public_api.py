"""The read-only JSON API: campaigns with their counts, the paginated signatory list, CORS,
conditional GETs; never an email, a phone or an address (SPEC section 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from signon import campaigns
from signon.audit import CLI
from signon.letter import delivery
from signon.verification import review
from tests.conformance import assert_conforms
from tests.factories import NOW, confirmed_signer, make_campaign, verified_signer

API = "/api/v1/campaigns"


async def _signers(client, db, campaign_id, people):
    """people: (email, full_name, state) verified through the real paths."""
    for email, full_name, state in people:
        await verified_signer(client, db, campaign_id, email, full_name=full_name, state=state)


async def test_a_campaign_with_its_counts(client, db):
    campaign = await make_campaign(db)
    await _signers(
        client,
        db,
        campaign.id,
        [
            ("a@example.gov", "Ann Lee", "MN"),
            ("b@example.gov", "Bo Ray", "MN"),
            ("c@example.gov", "Cy Oh", "WI"),
        ],
    )
    await confirmed_signer(client, db, "d@example.gov", state="TX")  # confirmed: not counted
    response = await client.get(f"{API}/eats-act")
    assert response.status_code == 200
    body = assert_conforms(response)
    assert body["slug"] == "eats-act"
    assert body["title"] == "Reject the EATS Act"
    assert (body["kind"], body["status"], body["goal"]) == ("letter", "open", 180)
    assert body["verified_count"] == 3
    assert body["by_state"] == {"MN": 2, "WI": 1}
    assert body["delivered_at"] is None and body["delivered_sha256"] is None
    assert datetime.fromisoformat(body["updated_at"]).tzinfo is not None


async def test_the_list_has_every_public_campaign_newest_first(client, db):
    await make_campaign(db, slug="first")
    await make_campaign(db, slug="second", status="closed")
    await make_campaign(db, slug="third", status="draft")
    response = await client.get(API)
    body = assert_conforms(response)
    assert [item["slug"] for item in body["items"]] == ["second", "first"]
    assert body["items"][0]["status"] == "closed"
    assert body["items"][1]["verified_count"] == 0 and body["items"][1]["by_state"] == {}


async def test_drafts_and_unknown_campaigns_are_404_in_json(client, db):
    await make_campaign(db, slug="draft-one", status="draft")
    for path in (
        f"{API}/draft-one",
        f"{API}/draft-one/signatures",
        f"{API}/nothing-here",
        f"{API}/Not%20A%20Slug",
        f"{API}/{'x' * 81}/signatures",
        f"{API}/nul%00byte/signatures",
        f"{API}/trailing-newline%0A",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "error" in assert_conforms(response)


async def test_an_open_campaign_past_its_closing_date_reads_as_closed(client, db):
    await make_campaign(db, closes_at="2026-05-01T09:00")  # before tests' NOW
    body = assert_conforms(await client.get(f"{API}/eats-act"))
    assert body["status"] == "closed"
    closes_at = datetime(2026, 5, 1, 13, 0, tzinfo=UTC)  # 09:00 in New York, summer time
    assert datetime.fromisoformat(body["updated_at"]) >= closes_at


async def test_signatures_are_verified_only_sorted_and_paginated(client, db):
    campaign = await make_campaign(db)
    people = [
        ("w1@example.gov", "Zoe Adams", "WI"),
        ("m1@example.gov", "Carl Young Jr.", "MN"),
        ("m2@example.gov", "Ana Álvarez", "MN"),
        ("m3@example.gov", "Bob Baker", "MN"),
        ("i1@example.gov", "Ivy Ives", "IA"),
    ]
    await _signers(client, db, campaign.id, people)
    await confirmed_signer(client, db, "x@example.gov", full_name="Not Verified", state="AL")
    rejected = await confirmed_signer(client, db, "r@example.gov", full_name="Re Jected")
    await review.reject_signatures(db, CLI, campaign.id, [rejected], reason="Not an official")

    first = await client.get(f"{API}/eats-act/signatures", params={"per_page": 2})
    body = assert_conforms(first)
    assert body["total"] == 5
    assert [item["full_name"] for item in body["items"]] == ["Ivy Ives", "Ana Álvarez"]
    assert body["next"].endswith("/api/v1/campaigns/eats-act/signatures?page=2&per_page=2")
    second = assert_conforms(await client.get(body["next"]))
    assert [item["full_name"] for item in second["items"]] == ["Bob Baker", "Carl Young Jr."]
    third = assert_conforms(await client.get(second["next"]))
    assert [item["full_name"] for item in third["items"]] == ["Zoe Adams"]
    assert third["next"] is None
    beyond = assert_conforms(await client.get(f"{API}/eats-act/signatures?page=9&per_page=2"))
    assert beyond == {"items": [], "total": 5, "next": None}

    everyone = assert_conforms(await client.get(f"{API}/eats-act/signatures"))
    item = everyone["items"][0]
    assert set(item) == {"full_name", "title", "jurisdiction", "state", "district", "verified_at"}
    assert (item["title"], item["jurisdiction"], item["district"]) == (
        "City Council Member",
        "Saint Paul",
        "3",  # "Ward 3" as typed; districts are normalized when signing
    )
    assert datetime.fromisoformat(item["verified_at"]).tzinfo is not None


async def test_the_public_api_never_shows_emails_phones_or_addresses(client, db):
    campaign = await make_campaign(db)
    await verified_signer(
        client, db, campaign.id, "Private.Person@Example.gov", phone="612-555-0199"
    )
    for path in (API, f"{API}/eats-act", f"{API}/eats-act/signatures"):
        text = (await client.get(path)).text.lower()
        assert "private.person" not in text and "example.gov" not in text
        assert "555-0199" not in text and "203.0.113.7" not in text


async def test_bad_page_numbers_are_422(client, db):
    await make_campaign(db)
    for query, field in (
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=%C2%B2", "page"),
        ("page=1000001", "page"),
        ("per_page=0", "per_page"),
        ("per_page=1001", "per_page"),
        ("per_page=1.5", "per_page"),
    ):
        response = await client.get(f"{API}/eats-act/signatures?{query}")
        assert response.status_code == 422, query
        assert field in assert_conforms(response)["errors"]
    most = await client.get(f"{API}/eats-act/signatures?per_page=1000")
    assert most.status_code == 200


async def test_gets_are_cacheable_and_conditional(client, db):
    campaign = await make_campaign(db)
    first = await client.get(f"{API}/eats-act")
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and first.headers["cache-control"] == "public, max-age=5"
    again = await client.get(f"{API}/eats-act", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert_conforms(again)
    weak = await client.get(f"{API}/eats-act", headers={"If-None-Match": f'"x", W/{etag}'})
    assert weak.status_code == 304
    since = await client.get(f"{API}/eats-act", headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    earlier = format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
    stale = await client.get(f"{API}/eats-act", headers={"If-Modified-Since": earlier})
    assert stale.status_code == 200

    await verified_signer(client, db, campaign.id, "new@example.gov")
    changed = await client.get(f"{API}/eats-act", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["verified_count"] == 1
    assert changed.headers["etag"] != etag
    for path in (API, f"{API}/eats-act/signatures"):
        response = await client.get(path)
        assert response.headers["etag"] and response.headers["last-modified"]
        repeat = await client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert repeat.status_code == 304


async def test_cors_is_open_for_gets_and_exposes_the_etag(client, db):
    await make_campaign(db)
    origin = {"Origin": "https://partner.example"}
    for path in (API, f"{API}/eats-act", f"{API}/eats-act/signatures"):
        response = await client.get(path, headers=origin)
        assert response.headers["access-control-allow-origin"] == "*"
        assert "etag" in response.headers["access-control-expose-headers"].lower()
        assert "set-cookie" not in response.headers
    preflight = await client.options(
        f"{API}/eats-act",
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


async def test_the_api_reads_and_sets_no_cookie(client, db):
    """SPEC section 4: no cookies. A visitor's cookies (session, language) change nothing."""
    await make_campaign(db)
    await client.get("/c/eats-act?lang=es")  # the site sets its language and session cookies
    assert client.cookies.get("lang") == "es"
    assert client.cookies.get("signon_session")
    for path in (API, f"{API}/eats-act", f"{API}/eats-act/signatures", f"{API}/nope"):
        response = await client.get(path, headers={"Accept-Language": "en"})
        assert "set-cookie" not in response.headers
        assert "cookie" not in response.headers["vary"].lower()
    missing = await client.get(f"{API}/nope", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json()["error"] == "There is no campaign at this address."
    spanish = await client.get(f"{API}/nope?lang=es")
    assert spanish.json()["error"] != missing.json()["error"]
    assert "set-cookie" not in spanish.headers


async def test_a_delivered_campaign_gives_its_delivery(client, db):
    campaign = await make_campaign(db)
    await verified_signer(client, db, campaign.id, "a@example.gov")
    await campaigns.close_campaign(db, CLI, "eats-act")
    delivered = await delivery.deliver_campaign(db, CLI, "eats-act", now=NOW)
    body = assert_conforms(await client.get(f"{API}/eats-act"))
    assert body["status"] == "delivered"
    assert body["delivered_sha256"] == delivered.sha256
    assert datetime.fromisoformat(body["delivered_at"]) == delivered.delivered_at
    assert body["verified_count"] == 1
