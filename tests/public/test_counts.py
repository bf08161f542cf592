"""Counts stay equal to a full recount through a mixed run of real signing, confirming,
verifying, rejecting and withdrawing; reading them never touches signatures; caches are
never more than 2 seconds behind; last names sort the way people expect."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from signon.audit import CLI
from signon.public import counts, signatories
from signon.public.signatories import last_name, name_sort_key
from signon.tables import campaign_counts, signatures
from signon.verification import review
from tests.conformance import assert_conforms
from tests.emails import latest_email, link_in
from tests.factories import confirm, confirmed_signer, make_campaign, sign, signature_id, withdraw


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Juan Pérez", "Pérez"),
        ("Juan Pérez Jr.", "Pérez"),
        ("John Smith, Jr.", "Smith"),
        ("Martin Luther King III", "King"),
        ("Robert Jones Sr", "Jones"),
        ("Henry Ford II", "Ford"),
        ("Ann O'Neil", "O'Neil"),
        ("Mary García-López", "García-López"),
        ("Ana de la Cruz", "Cruz"),
        ("  Bob   Baker  ", "Baker"),
        ("Cher", "Cher"),
        ("Jr.", "Jr"),
        ("", ""),
    ],
)
def test_the_last_name_is_the_last_word_without_suffixes(full_name, expected):
    assert last_name(full_name) == expected


def test_names_sort_by_last_name_with_accents_in_their_natural_place():
    names = ["Zoe Zola", "Bob Alvarez", "Ed Ávila", "Al Baker", "Ana Álvarez", "émile adams"]
    assert sorted(names, key=name_sort_key) == [
        "émile adams",
        "Ana Álvarez",
        "Bob Alvarez",
        "Ed Ávila",
        "Al Baker",
        "Zoe Zola",
    ]


async def _recount(db, campaign_id):
    rows = await db.fetch_all(
        "SELECT state, count(*) AS n FROM signatures "
        "WHERE campaign_id = :id AND status = 'verified' GROUP BY state",
        {"id": campaign_id},
    )
    return {row["state"]: row["n"] for row in rows}


async def _stored(db, campaign_id):
    rows = await db.fetch_all(
        sa.select(campaign_counts.c.state, campaign_counts.c.verified).where(
            campaign_counts.c.campaign_id == campaign_id, campaign_counts.c.verified > 0
        )
    )
    return {row["state"]: row["verified"] for row in rows}


async def _check_against_recount(client, db, campaign):
    expected = await _recount(db, campaign.id)
    assert await _stored(db, campaign.id) == expected
    body = assert_conforms(await client.get(f"/api/v1/campaigns/{campaign.slug}"))
    assert body["by_state"] == expected
    assert body["verified_count"] == sum(expected.values())
    listed = assert_conforms(
        await client.get(f"/api/v1/campaigns/{campaign.slug}/signatures?per_page=1000")
    )
    assert listed["total"] == sum(expected.values())
    by_state: dict[str, int] = {}
    for item in listed["items"]:
        by_state[item["state"]] = by_state.get(item["state"], 0) + 1
    assert by_state == expected
    return expected


async def test_counts_equal_a_recount_after_a_mixed_run(client, db):
    campaign = await make_campaign(db)
    other = await make_campaign(db, slug="other-letter")
    states = ["MN", "WI", "TX", "MN", "CA", "WI", "NY", "MN", "TX", "VT", "WI", "MN"]
    emails = [f"official{n}@example.gov" for n in range(len(states))]
    ids = [
        await confirmed_signer(client, db, email, full_name=f"Person Number{n}", state=state)
        for n, (email, state) in enumerate(zip(emails, states, strict=True))
    ]
    await sign(client, email="unconfirmed@example.gov", state="MN")  # never confirmed
    other_id = await confirmed_signer(client, db, "x@example.gov", slug="other-letter")
    await review.verify_signatures(db, CLI, other.id, [other_id])
    await _check_against_recount(client, db, campaign)

    await review.verify_signatures(db, CLI, campaign.id, ids[:9])
    await review.reject_signatures(db, CLI, campaign.id, ids[9:11], reason="Not in office")
    assert await _check_against_recount(client, db, campaign) == {
        "MN": 3,
        "WI": 2,
        "TX": 2,
        "CA": 1,
        "NY": 1,
    }
    # Staff change their minds both ways.
    await review.reject_signatures(db, CLI, campaign.id, ids[:2], reason="Wrong office")
    await review.verify_signatures(db, CLI, campaign.id, ids[9:10])
    await _check_against_recount(client, db, campaign)
    # Withdrawals: verified, confirmed, unconfirmed.
    await withdraw(client, db, emails[2])
    await withdraw(client, db, emails[11])
    await withdraw(client, db, "unconfirmed@example.gov")
    await _check_against_recount(client, db, campaign)
    # A verified signer moves to another state: back through verification, then verified.
    await sign(client, email=emails[3], full_name="Person Number3", state="IA")
    await confirm(client, link_in((await latest_email(db, emails[3]))["body_text"], "confirm"))
    assert await _check_against_recount(client, db, campaign) == {
        "MN": 1,
        "WI": 1,
        "TX": 1,
        "CA": 1,
        "NY": 1,
        "VT": 1,
    }
    await review.verify_signatures(db, CLI, campaign.id, [ids[3]])
    # A withdrawn signer signs again: unconfirmed, then confirmed and verified anew.
    await sign(client, email=emails[2], full_name="Person Number2", state="TX")
    await confirm(client, link_in((await latest_email(db, emails[2]))["body_text"], "confirm"))
    await review.verify_signatures(db, CLI, campaign.id, [await signature_id(db, emails[2])])
    final = await _check_against_recount(client, db, campaign)
    assert final == {"MN": 1, "WI": 1, "TX": 2, "CA": 1, "NY": 1, "VT": 1, "IA": 1}
    assert await _stored(db, other.id) == await _recount(db, other.id) == {"MN": 1}


async def test_reading_the_count_uses_the_counts_table_not_signatures(client, db):
    campaign = await make_campaign(db)
    # A figure only campaign_counts holds: no signature backs it.
    await db.execute(
        campaign_counts.insert().values(campaign_id=campaign.id, state="OR", verified=7)
    )
    body = assert_conforms(await client.get("/api/v1/campaigns/eats-act"))
    assert body["verified_count"] == 7 and body["by_state"] == {"OR": 7}
    assert "7 verified signers" in (await client.get("/c/eats-act")).text
    plan = await db.fetch_all(sa.text("EXPLAIN " + counts.SUMMARY_LIST))
    assert "signatures" not in " ".join(str(row[0]) for row in plan)
    # The one campaign's summary looks at signatures only once it is delivered (to count
    # withdrawals since): for this open campaign that part of the plan never runs.
    async with db.connection() as connection:
        plan = await connection.raw_connection.fetch(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + counts.SUMMARY_BY_SLUG, "eats-act"
        )
    touching = [row[0] for row in plan if " on signatures" in row[0]]
    assert touching and all("never executed" in line for line in touching)


# Far past any real time.monotonic(), so entries the pages stored are older than these.
START = 1e9


async def test_the_signatory_list_is_never_more_than_two_seconds_behind(client, db):
    campaign = await make_campaign(db)
    found = await confirmed_signer(client, db, "a@example.gov", full_name="Ann Lee")
    await review.verify_signatures(db, CLI, campaign.id, [found])
    summary = await counts.get_summary(db, "eats-act")
    first = await signatories.get_signatories(db, summary, now=START)
    assert [item.full_name for item in first.items] == ["Ann Lee"]
    # A change no count sees (a district, written directly): served from the cache for at
    # most MAX_AGE_SECONDS, then read again.
    await db.execute(signatures.update().values(district="Ward 9"))
    cached = await signatories.get_signatories(db, summary, now=START + 1.5)
    assert cached.items[0].district == "3"
    fresh = await signatories.get_signatories(db, summary, now=START + counts.MAX_AGE_SECONDS + 0.1)
    assert fresh.items[0].district == "Ward 9"
    # A change the counts see is read at once.
    second = await confirmed_signer(client, db, "b@example.gov", full_name="Bo Ray")
    await review.verify_signatures(db, CLI, campaign.id, [second])
    summary = await counts.get_summary(db, "eats-act")
    now = START + counts.MAX_AGE_SECONDS + 0.2
    assert (await signatories.get_signatories(db, summary, now=now)).total == 2


async def test_an_unchanged_list_is_kept_with_what_was_derived_from_it(client, db):
    campaign = await make_campaign(db)
    found = await confirmed_signer(client, db, "a@example.gov", full_name="Ann Lee")
    await review.verify_signatures(db, CLI, campaign.id, [found])
    summary = await counts.get_summary(db, "eats-act")
    first = await signatories.get_signatories(db, summary, now=START * 2)
    assert first.derive("page", lambda: "made once") == "made once"
    again = await signatories.get_signatories(db, summary, now=START * 2 + 5)  # read again
    assert again is first and again.derive("page", lambda: "made twice") == "made once"


def test_derived_values_are_bounded_oldest_first():
    listed = signatories.SignatoryList(())
    for n in range(signatories.MAX_DERIVED + 3):
        listed.derive(n, lambda n=n: n * 10)
    assert len(listed.derived) == signatories.MAX_DERIVED
    assert 0 not in listed.derived and listed.derive(3, lambda: -1) == 30


def test_the_cache_forgets_on_a_new_version_after_max_age_and_beyond_its_size():
    cache: counts.VersionedCache[str] = counts.VersionedCache(max_age=2.0, max_entries=2)
    cache.put("a", 1, "first", now=10.0)
    assert cache.get("a", 1, now=11.9) == "first"
    assert cache.get("a", 2, now=11.0) is None
    assert cache.get("a", 1, now=12.1) is None
    cache.put("b", 1, "b", now=10.0)
    cache.put("c", 1, "c", now=10.0)
    assert cache.get("a", 1, now=10.0) is None and cache.get("c", 1, now=10.0) == "c"


async def test_concurrent_reads_share_one_query_and_failures_are_not_shared():
    flight = counts.SingleFlight()
    calls = 0
    release = asyncio.Event()

    async def read():
        nonlocal calls
        calls += 1
        await release.wait()
        return calls

    tasks = [asyncio.create_task(flight.run("k", read)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*tasks) == [1] * 5
    assert calls == 1
    # Later calls run again: nothing is kept.
    assert await flight.run("k", read) == 2

    attempts = []

    async def flaky():
        attempts.append(1)
        await asyncio.sleep(0)
        if len(attempts) == 1:
            raise ConnectionError("the first try fails")
        return "ok"

    first = asyncio.create_task(flight.run("f", flaky))
    second = asyncio.create_task(flight.run("f", flaky))
    with pytest.raises(ConnectionError):
        await first
    assert await second == "ok"  # the waiter tried on its own
