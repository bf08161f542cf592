"""The evidence engine and the auto-verify policy, on a small fictional world
(tests/world.py). Precision first: a wrong automatic verification is
worse than a signature left for review."""

import pytest
import sqlalchemy as sa

from signon.tables import audit_log, evidence
from signon.verification import policy, review
from signon.verification.evidence import Signal
from tests.factories import LEGISLATOR, make_campaign, make_staff, sign_and_confirm
from tests.world import load_world


@pytest.fixture
async def world(db):
    await load_world(db)


async def test_roster_email_of_the_seat_holder_auto_verifies(client, db, world):
    await make_campaign(db)
    row, found = await sign_and_confirm(
        client, db, full_name="Dana Rivera", email="rep.rivera@legis.wisconsin.gov", **LEGISLATOR
    )
    assert found["roster_email"] == "strong"
    assert found["jurisdiction_found"] == "none"
    assert found["dotgov_state"] == "weak"  # the roster lists an address for the seat
    assert row["status"] == "verified" and row["verified_by"] is None
    assert row["division_id"] == "ocd-division/country:us/state:wi/sldl:15"
    assert "Automatically verified (strong policy)" in row["decision_reason"]
    entry = await db.fetch_one(
        sa.select(audit_log).where(audit_log.c.action == "signature.auto_verify")
    )
    assert entry["actor"] == "system"


async def test_policy_off_verifies_nothing(client, db, world):
    await make_campaign(db, auto_verify="off")
    row, found = await sign_and_confirm(
        client, db, full_name="Dana Rivera", email="rep.rivera@legis.wisconsin.gov", **LEGISLATOR
    )
    assert found["roster_email"] == "strong"
    assert row["status"] == "confirmed"


async def test_a_staff_address_from_extras_is_not_the_members(client, db, world):
    await make_campaign(db)
    row, found = await sign_and_confirm(
        client, db, full_name="Dana Rivera", email="aide.rivera@legis.wisconsin.gov", **LEGISLATOR
    )
    assert found["roster_staff_email"] == "strong_negative"
    assert row["status"] == "confirmed"


async def test_a_retired_member_does_not_verify(client, db, world):
    await make_campaign(db)
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Lee Oldham",
        email="rep.oldham@legis.wisconsin.gov",
        **{**LEGISLATOR, "district": "98"},
    )
    assert found["roster_former"] == "strong_negative"
    assert row["status"] == "confirmed"


async def test_an_ended_role_does_not_count_in_favour(client, db, world):
    """Dana Rivera held district 98 until 2025 and holds 15 now."""
    await make_campaign(db)
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Dana Rivera",
        email="rep.rivera@legis.wisconsin.gov",
        **{**LEGISLATOR, "district": "98"},
    )
    assert found["roster_former"] == "strong_negative"
    assert found["roster_other_seat"] == "strong_negative"
    assert row["status"] == "confirmed"


async def test_a_mayor_whose_term_ended_does_not_verify(client, db, world):
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Jordan Pike",
        email="mayor@lakeviewwi.gov",
        title="Mayor",
        office_level="municipal",
        jurisdiction="Lakeview",
        state="WI",
        district="",
    )
    assert found["roster_former"] == "strong_negative"
    assert found["dotgov_jurisdiction"] == "medium"
    assert row["status"] == "confirmed"


async def test_city_domain_is_medium_and_the_policy_decides(client, db, world):
    office = {
        "title": "City Council Member",
        "office_level": "municipal",
        "jurisdiction": "Milwaukee",
        "state": "WI",
        "district": "4",
    }
    await make_campaign(db)
    await make_campaign(db, slug="medium-ok", auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client, db, full_name="Ana Ruiz", email="ana.ruiz@milwaukee.gov", **office
    )
    assert found == {"jurisdiction_found": "none", "dotgov_jurisdiction": "medium"}
    assert row["status"] == "confirmed"
    row, _ = await sign_and_confirm(
        client,
        db,
        slug="medium-ok",
        full_name="Ana Ruiz",
        email="ana.ruiz@milwaukee.gov",
        **office,
    )
    assert row["status"] == "verified"


async def test_the_mayor_listed_in_the_roster_is_strong(client, db, world):
    await make_campaign(db)
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Robin Marsh",
        email="mayor@milwaukee.gov",
        title="Mayor",
        office_level="municipal",
        jurisdiction="City of Milwaukee",
        state="WI",
        district="",
    )
    assert found["roster_email"] == "strong"
    assert row["status"] == "verified"


async def test_a_domain_of_another_state_is_a_strong_negative(client, db, world):
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Ana Ruiz",
        email="ana@milwaukee.gov",
        title="Mayor",
        office_level="municipal",
        jurisdiction="Saint Paul",
        state="MN",
        district="",
    )
    assert found["dotgov_other_state"] == "strong_negative"
    assert row["status"] == "confirmed"


async def test_state_domain_is_medium_when_the_roster_has_no_address(client, db, world):
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Chidi Okafor",
        email="sen.okafor@legis.wisconsin.gov",
        **{**LEGISLATOR, "title": "State Senator", "district": "5"},
    )
    assert found["dotgov_state"] == "medium"
    assert found["roster_name"] == "weak"
    assert row["status"] == "verified"


async def test_a_state_run_subdomain_is_weak(client, db, world):
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Kim Lee",
        email="mayor@lincoln.ne.gov",
        title="Mayor",
        office_level="municipal",
        jurisdiction="Lincoln",
        state="NE",
        district="",
    )
    assert found["state_subdomain"] == "weak"
    assert row["status"] == "confirmed"


async def test_nebraska_one_chamber_and_alias_ids(client, db, world):
    await make_campaign(db)
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Tom Stroud",
        email="tstroud@leg.ne.gov",
        **{**LEGISLATOR, "state": "NE", "title": "State Senator", "district": "District 32"},
    )
    assert row["division_id"] == "ocd-division/country:us/state:ne/sldu:32"
    assert found["roster_email"] == "strong"
    assert row["status"] == "verified"


async def test_vermont_named_district_without_gov_email(client, db, world):
    await make_campaign(db)
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Sarita Vance",
        email="svance@leg.state.vt.us",
        **{**LEGISLATOR, "state": "VT", "district": "Chittenden-19"},
    )
    assert row["division_id"] == "ocd-division/country:us/state:vt/sldl:chittenden-19"
    assert found["roster_email"] == "strong"
    assert not any(kind.startswith("dotgov") for kind in found)


async def test_a_vacant_seat_is_a_strong_negative(client, db, world):
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Pat Doe",
        email="rep.doe@legis.wisconsin.gov",
        **{**LEGISLATOR, "district": "44"},
    )
    assert found["seat_vacant"] == "strong_negative"
    assert row["status"] == "confirmed"


async def test_a_name_match_with_a_personal_email_is_only_weak(client, db, world):
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client, db, full_name="Dana M. Rivera", email="dana.rivera@gmail.com", **LEGISLATOR
    )
    assert found["roster_name"] == "weak"
    assert row["status"] == "confirmed"


async def test_an_unknown_jurisdiction_blocks_any_automatic_verdict(client, db, world):
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await sign_and_confirm(
        client,
        db,
        full_name="Ana Ruiz",
        email="ana@milwaukee.gov",
        title="Mayor",
        office_level="municipal",
        jurisdiction="Springfield",
        state="WI",
        district="",
    )
    assert "jurisdiction_not_found" in found
    assert row["status"] == "confirmed"


async def test_a_historical_division_is_not_found(client, db, world):
    await make_campaign(db)
    _, found = await sign_and_confirm(
        client,
        db,
        full_name="Sam Hill",
        email="sam@example.org",
        **{**LEGISLATOR, "state": "VT", "title": "State Senator", "district": "Chittenden Central"},
    )
    assert "jurisdiction_not_found" in found


async def test_a_returning_signer_verified_by_staff_is_recognized(client, db, world):
    first = await make_campaign(db, slug="first", auto_verify="off")
    await make_campaign(db, slug="second")
    office = {
        "title": "City Council Member",
        "office_level": "municipal",
        "jurisdiction": "Milwaukee",
        "state": "WI",
        "district": "4",
    }
    row, _ = await sign_and_confirm(
        client, db, slug="first", full_name="Ana Ruiz", email="ana.ruiz@gmail.com", **office
    )
    member = await make_staff(db, name="Rae Viewer")
    await review.verify_signatures(db, member.as_actor(), first.id, [row["id"]])
    row, found = await sign_and_confirm(
        client, db, slug="second", full_name="Ana Ruiz", email="ana.ruiz@gmail.com", **office
    )
    assert found["prior_verification"] == "strong"
    assert row["status"] == "verified"
    detail = await db.fetch_val(
        sa.select(evidence.c.detail).where(evidence.c.kind == "prior_verification")
    )
    assert "Rae Viewer" in detail and "first" in detail


def test_policy_rules_are_pure():
    found = Signal("jurisdiction_found", "none", "")
    strong = Signal("roster_email", "strong", "roster")
    medium = Signal("dotgov_jurisdiction", "medium", "registry")
    negative = Signal("roster_staff_email", "strong_negative", "staff")
    assert policy.auto_verify_reason([found, strong], "strong")
    assert not policy.auto_verify_reason([found, medium], "strong")
    assert policy.auto_verify_reason([found, medium], "strong_or_medium")
    assert not policy.auto_verify_reason([found, strong, negative], "strong_or_medium")
    assert not policy.auto_verify_reason([strong], "strong")  # no jurisdiction
    assert not policy.auto_verify_reason([found, strong], "off")
    assert policy.sort_signals([medium, negative, strong])[0] is negative
