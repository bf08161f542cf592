"""An official's staff sign for the official through the sign form (SPEC section 7)."""

import pytest
import sqlalchemy as sa

from signon.errors import ValidationFailed
from signon.invitations.on_behalf import parse_submitter
from signon.tables import audit_log, email_outbox, evidence, signatures, staff_submissions
from tests.emails import link_in
from tests.factories import confirm, make_campaign, sign
from tests.world import load_world

RIVERA = {
    "full_name": "Dana Rivera",
    "title": "State Representative",
    "office_level": "state_legislature",
    "state": "WI",
    "jurisdiction": "Wisconsin",
    "district": "15",
    "email": "dana@gmail.com",
    "phone": "",
}
AIDE = {"for_official": "yes", "submitter_name": "Sam Aide", "submitter_email": "Sam@Aides.org"}


def test_the_submitter_is_parsed_only_when_the_box_is_ticked():
    assert parse_submitter({"submitter_name": "Sam"}) is None
    submitter = parse_submitter(AIDE)
    assert (submitter.name, submitter.email) == ("Sam Aide", "sam@aides.org")
    with pytest.raises(ValidationFailed) as refused:
        parse_submitter({"for_official": "yes", "submitter_email": "nope"})
    assert set(refused.value.errors) == {"submitter_name", "submitter_email"}


async def test_a_known_officials_confirmation_goes_to_the_roster_email(client, db):
    await make_campaign(db)
    await load_world(db)
    response = await sign(client, **RIVERA, **AIDE)
    assert response.status_code == 303
    (email,) = await db.fetch_all(sa.select(email_outbox))
    assert email["to_address"] == "rep.rivera@legis.wisconsin.gov"
    row = await db.fetch_one(sa.select(staff_submissions))
    assert (row["submitter_email"], row["official_email"], row["confirmation_to"]) == (
        "sam@aides.org",
        "dana@gmail.com",
        "roster",
    )
    audit = await db.fetch_one(
        sa.select(audit_log).where(audit_log.c.action == "signature.submitted_by_staff")
    )
    assert "sam@aides.org" in audit["actor"] and audit["after"]["submitter_name"] == "Sam Aide"
    assert (await confirm(client, link_in(email["body_text"], "confirm"))).status_code == 303
    signature = await db.fetch_one(sa.select(signatures))
    assert signature["status"] == "verified"  # the roster inbox confirmed it


async def test_otherwise_the_submitter_confirms_and_a_person_must_verify(client, db):
    await make_campaign(db, auto_verify="strong_or_medium")
    await load_world(db)
    official = {
        **RIVERA,
        "full_name": "Ana Díaz",
        "title": "City Council Member",
        "office_level": "municipal",
        "state": "MN",
        "jurisdiction": "Saint Paul",
        "district": "",
        "email": "ana@stpaul.gov",
    }
    aide = {**AIDE, "submitter_email": "aide@stpaul.gov"}  # a .gov of the city: medium
    assert (await sign(client, **official, **aide)).status_code == 303
    (email,) = await db.fetch_all(sa.select(email_outbox))
    assert email["to_address"] == "aide@stpaul.gov"
    await confirm(client, link_in(email["body_text"], "confirm"))
    signature = await db.fetch_one(sa.select(signatures))
    assert signature["status"] == "confirmed"  # waits for a reviewer
    strengths = [row[0] for row in await db.fetch_all(sa.select(evidence.c.strength))]
    assert "medium" in strengths  # what strong_or_medium would have verified on its own
    details = [row[0] for row in await db.fetch_all(sa.select(evidence.c.detail))]
    assert any(
        "Submitted by the official's staff: Sam Aide <aide@stpaul.gov>" in d for d in details
    )


async def test_a_bad_staff_submission_keeps_what_was_typed(client, db):
    await make_campaign(db)
    response = await sign(client, **RIVERA, for_official="yes", submitter_name="Sam Aide")
    assert response.status_code == 400
    assert 'value="Sam Aide"' in response.text and "Enter your own email" in response.text
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(signatures)) == 0


async def test_one_submitter_address_cannot_hold_two_officials_signatures(client, db):
    await make_campaign(db)
    first = {
        **RIVERA,
        "full_name": "Ana Díaz",
        "state": "MN",
        "office_level": "municipal",
        "jurisdiction": "Saint Paul",
        "district": "",
        "title": "Council Member",
    }
    assert (await sign(client, **first, **AIDE)).status_code == 303
    second = await sign(client, **{**first, "full_name": "Bo Lee"}, **AIDE)
    assert second.status_code == 400 and "another official" in second.text
    names = [row[0] for row in await db.fetch_all(sa.select(signatures.c.full_name))]
    assert names == ["Ana Díaz"]
