"""The staff review queue through HTTP: evidence shown strongest first, filters, bulk
decisions with reasons, office corrections, recompute after an import."""

import sqlalchemy as sa

from signon.tables import audit_log, signatures
from tests.factories import LEGISLATOR, log_in, make_campaign, make_staff, sign_and_confirm
from tests.forms import form_post
from tests.world import load_world

QUEUE = "/staff/campaigns/eats-act/review"


async def queue_with_three(client, db):
    await load_world(db)
    await make_campaign(db, auto_verify="off")
    await sign_and_confirm(
        client,
        db,
        full_name="Ana Ruiz",
        email="ana@gmail.com",
        title="Mayor",
        office_level="municipal",
        jurisdiction="Saint Paul",
        state="MN",
        district="",
    )
    await sign_and_confirm(
        client, db, full_name="Dana Rivera", email="aide.rivera@legis.wisconsin.gov", **LEGISLATOR
    )
    await sign_and_confirm(
        client, db, full_name="Dana Rivera", email="rep.rivera@legis.wisconsin.gov", **LEGISLATOR
    )
    await make_staff(db, "rev@example.org", role="staff", name="Rev Iewer")
    await log_in(client, "rev@example.org")
    return {row["email"]: row["id"] for row in await db.fetch_all(sa.select(signatures))}


async def test_the_queue_lists_clear_evidence_first_and_negatives_last(client, db):
    await queue_with_three(client, db)
    page = (await client.get(QUEUE)).text
    strong = page.index("rep.rivera@legis.wisconsin.gov")
    negative = page.index("aide.rivera@legis.wisconsin.gov")
    weak_only = page.index("ana@gmail.com")
    assert strong < weak_only < negative
    assert "strong negative" in page
    assert "among Dana Rivera&#39;s staff" in page or "among Dana Rivera's staff" in page
    assert "imported 2026-05-20" in page


async def test_filters_by_state_and_level(client, db):
    await queue_with_three(client, db)
    page = (await client.get(QUEUE + "?state=MN")).text
    assert "ana@gmail.com" in page and "rivera" not in page
    page = (await client.get(QUEUE + "?level=state_legislature")).text
    assert "ana@gmail.com" not in page and "rep.rivera" in page
    assert (await client.get(QUEUE + "?state=%00&level=x&status=nope")).status_code == 200


async def test_bulk_verify_and_reject_with_a_reason(client, db):
    ids = await queue_with_three(client, db)
    chosen = [ids["rep.rivera@legis.wisconsin.gov"], ids["ana@gmail.com"]]
    response = await form_post(client, QUEUE, QUEUE, {"ids": chosen, "action": "verify"})
    assert response.status_code == 303
    assert "2 signature(s) verified" in (await client.get(response.headers["location"])).text
    no_reason = await form_post(
        client, QUEUE, QUEUE, {"ids": [ids["aide.rivera@legis.wisconsin.gov"]], "action": "reject"}
    )
    assert no_reason.status_code == 400 and "Give a reason" in no_reason.text
    rejected = await form_post(
        client,
        QUEUE,
        QUEUE,
        {
            "ids": [ids["aide.rivera@legis.wisconsin.gov"]],
            "action": "reject",
            "reason": "Staff address, not the member's",
        },
    )
    assert rejected.status_code == 303
    statuses = {r["email"]: r["status"] for r in await db.fetch_all(sa.select(signatures))}
    assert statuses == {
        "ana@gmail.com": "verified",
        "rep.rivera@legis.wisconsin.gov": "verified",
        "aide.rivera@legis.wisconsin.gov": "rejected",
    }
    actors = await db.fetch_all(
        sa.select(audit_log.c.actor, audit_log.c.action).where(
            audit_log.c.action.in_(["signature.verify", "signature.reject"])
        )
    )
    assert sorted(row["action"] for row in actors) == [
        "signature.reject",
        "signature.verify",
        "signature.verify",
    ]
    assert {row["actor"] for row in actors} == {"rev@example.org"}
    assert "rejected" in (await client.get(QUEUE + "?status=rejected")).text


async def test_staff_correct_a_typo_in_the_jurisdiction(client, db):
    ids = await queue_with_three(client, db)
    ana = ids["ana@gmail.com"]
    action = f"/staff/campaigns/eats-act/signatures/{ana}/office"
    response = await form_post(
        client,
        QUEUE,
        action,
        {
            "title": "Mayor",
            "office_level": "municipal",
            "jurisdiction": "St. Paul",
            "state": "MN",
            "district": "",
        },
    )
    assert response.status_code == 303
    row = await db.fetch_one(sa.select(signatures).where(signatures.c.id == ana))
    assert row["jurisdiction"] == "St. Paul"
    assert row["division_id"] == "ocd-division/country:us/state:mn/place:saint_paul"
    entry = await db.fetch_one(
        sa.select(audit_log).where(audit_log.c.action == "signature.edit_office")
    )
    assert entry["before"] == {"jurisdiction": "Saint Paul"}
    assert entry["after"] == {"jurisdiction": "St. Paul"}
    bad = await form_post(
        client,
        QUEUE,
        action,
        {"title": "", "office_level": "municipal", "jurisdiction": "x", "state": "ZZ"},
    )
    assert bad.status_code == 400


async def test_recompute_after_an_import_applies_the_policy(client, db):
    await make_campaign(db)
    _, found = await sign_and_confirm(
        client, db, full_name="Dana Rivera", email="rep.rivera@legis.wisconsin.gov", **LEGISLATOR
    )
    assert "jurisdiction_not_found" in found  # nothing imported yet
    await load_world(db)  # the datasets arrive
    await make_staff(db, "rev@example.org", role="staff", name="Rev Iewer")
    await log_in(client, "rev@example.org")
    response = await form_post(client, QUEUE, "/staff/campaigns/eats-act/recompute", {})
    assert response.status_code == 303
    row = await db.fetch_one(sa.select(signatures))
    assert row["status"] == "verified"
