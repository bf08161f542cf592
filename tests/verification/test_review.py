"""Staff decisions on signatures (the domain functions; the queue pages come later)."""

import pytest
import sqlalchemy as sa

from signon.errors import Conflict, ValidationFailed
from signon.tables import audit_log, campaign_counts
from signon.verification import review
from tests.emails import latest_email, link_in
from tests.factories import confirm, make_campaign, make_staff, sign, signature_rows


async def confirmed_signatures(client, db, states=("MN", "MN", "WI")):
    for n, state in enumerate(states):
        await sign(client, email=f"member{n}@example.gov", state=state)
        await confirm(client, link_in((await latest_email(db))["body_text"], "confirm"))
    return [row["id"] for row in await signature_rows(db)]


async def counts(db, campaign_id):
    rows = await db.fetch_all(
        sa.select(campaign_counts.c.state, campaign_counts.c.verified).where(
            campaign_counts.c.campaign_id == campaign_id, campaign_counts.c.verified > 0
        )
    )
    return {row["state"]: row["verified"] for row in rows}


async def test_verify_and_reject_move_the_counts_and_are_audited(client, db):
    campaign = await make_campaign(db)
    member = await make_staff(db, role="staff", email="rev@example.org", name="Rev Iewer")
    ids = await confirmed_signatures(client, db)
    decision = await review.verify_signatures(db, member.as_actor(), campaign.id, ids)
    assert (decision.decided, decision.skipped) == (3, 0)
    assert await counts(db, campaign.id) == {"MN": 2, "WI": 1}
    await review.reject_signatures(
        db, member.as_actor(), campaign.id, ids[:1], reason="Not a council member"
    )
    assert await counts(db, campaign.id) == {"MN": 1, "WI": 1}
    rows = {row["id"]: row for row in await signature_rows(db)}
    assert rows[ids[0]]["decision_reason"] == "Not a council member"
    assert rows[ids[1]]["verified_by"] == member.id
    actions = await db.fetch_all(
        sa.select(audit_log.c.action, audit_log.c.actor).where(
            audit_log.c.action.in_(["signature.verify", "signature.reject"])
        )
    )
    assert [row["action"] for row in actions].count("signature.verify") == 3
    assert {row["actor"] for row in actions} == {"rev@example.org"}


async def test_a_reason_is_required_to_reject(client, db):
    campaign = await make_campaign(db)
    ids = await confirmed_signatures(client, db, states=("MN",))
    member = await make_staff(db)
    with pytest.raises(ValidationFailed):
        await review.reject_signatures(db, member.as_actor(), campaign.id, ids, reason="  ")


async def test_unconfirmed_signatures_cannot_be_verified(client, db):
    campaign = await make_campaign(db)
    await sign(client)
    [row] = await signature_rows(db)
    member = await make_staff(db)
    with pytest.raises(Conflict):
        await review.verify_signatures(db, member.as_actor(), campaign.id, [row["id"]])
    assert await counts(db, campaign.id) == {}
