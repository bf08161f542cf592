"""The GSA list's weak signal (SPEC 5): an email at a domain the list gives for the
claimed government, signed and confirmed through HTTP like an official."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from signon.importing.govturls import import_govturls
from signon.tables import evidence, signatures
from tests.emails import latest_email, link_in
from tests.factories import NOW, confirm, make_campaign, sign

FIXTURE = Path(__file__).parent.parent / "fixtures" / "importing" / "govturls.csv"
COUNCIL = {
    "full_name": "Pat Example",
    "title": "City Council Member",
    "office_level": "municipal",
    "jurisdiction": "City of Exampleville",
    "state": "MI",
    "district": "",
    "phone": "",
}


async def signed(client, db, **office) -> tuple[dict, dict[str, tuple[str, str]]]:
    await sign(client, **{**COUNCIL, **office})
    await confirm(client, link_in((await latest_email(db))["body_text"], "confirm"))
    row = await db.fetch_one(
        sa.select(signatures).where(signatures.c.email == office["email"].lower())
    )
    found = await db.fetch_all(sa.select(evidence).where(evidence.c.signature_id == row["id"]))
    return dict(row._mapping), {s["kind"]: (s["strength"], s["detail"]) for s in found}


async def test_a_domain_listed_for_the_claimed_city_is_weak_evidence(client, db):
    await import_govturls(db, FIXTURE, now=NOW)
    await make_campaign(db, auto_verify="strong_or_medium")
    row, found = await signed(
        client, db, email="pat@exampleville-mi.org", jurisdiction="Exampleville"
    )
    strength, detail = found["govt_url_jurisdiction"]
    assert strength == "weak"
    assert "exampleville-mi.org" in detail and "City of Exampleville (MI)" in detail
    assert "6/6/13" in detail and "can lapse" in detail
    assert row["status"] == "confirmed"  # weak never verifies by itself
    stored = await db.fetch_one(
        sa.select(evidence).where(evidence.c.kind == "govt_url_jurisdiction")
    )
    assert (stored["dataset"], stored["dataset_imported_at"]) == ("govturls", NOW)


async def test_a_mail_subdomain_and_the_county_list_count_too(client, db):
    await import_govturls(db, FIXTURE, now=NOW)
    await make_campaign(db)
    _, found = await signed(client, db, email="clerk@mail.exampleville-mi.org")
    assert found["govt_url_jurisdiction"][0] == "weak"
    county = {"office_level": "county", "jurisdiction": "Example County", "title": "Commissioner"}
    _, found = await signed(client, db, email="c@examplecounty.org", **county)
    assert found["govt_url_jurisdiction"][0] == "weak"


async def test_no_signal_for_another_place_kind_state_level_or_a_shared_host(client, db):
    await import_govturls(db, FIXTURE, now=NOW)
    await make_campaign(db)
    cases = [
        {"email": "a@exampleville-mi.org", "jurisdiction": "Otherville"},
        {"email": "b@exampleville-mi.org", "jurisdiction": "Town of Exampleville"},
        {"email": "c@exampleville-mi.org", "state": "WI"},
        {"email": "d@examplecounty.org", "jurisdiction": "Example"},  # a county's domain
        {"email": "e@sharedhost.com", "jurisdiction": "Village of Example Lakes", "state": "WI"},
        {"email": "f@exampleville-mi.org", "office_level": "school_board"},
    ]
    for case in cases:
        _, found = await signed(client, db, **case)
        assert "govt_url_jurisdiction" not in found, case
