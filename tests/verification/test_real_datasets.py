"""The evidence engine on the real public datasets (../shared/data), for the cases in
SOURCES.md's table and the traps it lists. Skipped when the datasets are absent.

The datasets are imported once for the module; each case signs and confirms through HTTP
with the clock fixed (tests.factories.NOW), so mayors' terms do not end under the tests.
"""

from datetime import UTC, datetime

import pytest

from signon.importing import import_dataset
from signon.verification import policy
from tests.factories import NOW, make_campaign, sign_and_confirm
from tests.shared_data import FOUR_STATES, shared_data

WI_REP = {
    "title": "State Representative",
    "office_level": "state_legislature",
    "state": "WI",
    "jurisdiction": "",
    "phone": "",
    "organization": "",
}


async def import_all(db):
    await import_dataset(db, "ocd", shared_data("ocd-division-ids/country-us.sample.csv"))
    await import_dataset(db, "dotgov", shared_data("dotgov-data/current-full.csv"))
    await import_dataset(db, "openstates", shared_data("openstates-people"), states=FOUR_STATES)


async def test_the_sources_table_cases(client, db):
    await import_all(db)
    await make_campaign(db, slug="strong")
    await make_campaign(db, slug="medium", auto_verify="strong_or_medium")

    row, found = await sign_and_confirm(
        client,
        db,
        "strong",
        full_name="Adam Neylon",
        email="rep.neylon@legis.wisconsin.gov",
        district="15",
        **WI_REP,
    )
    assert row["division_id"] == "ocd-division/country:us/state:wi/sldl:15"
    assert found["roster_email"] == "strong" and row["status"] == "verified"
    assert found["dotgov_state"] == "weak"

    row, found = await sign_and_confirm(
        client,
        db,
        "strong",
        full_name="Sarita Austin",
        email="saustin@leg.state.vt.us",
        **{**WI_REP, "state": "VT", "district": "Chittenden-19"},
    )
    assert row["division_id"] == "ocd-division/country:us/state:vt/sldl:chittenden-19"
    assert found["roster_email"] == "strong" and row["status"] == "verified"
    assert not any(kind.startswith("dotgov") for kind in found)

    row, found = await sign_and_confirm(
        client,
        db,
        "strong",
        full_name="Tom Brandt",
        email="tbrandt@leg.ne.gov",
        **{**WI_REP, "state": "NE", "title": "Senator", "district": "32"},
    )
    assert row["division_id"] == "ocd-division/country:us/state:ne/sldu:32"
    assert found["roster_email"] == "strong" and row["status"] == "verified"

    mayor = {
        "title": "Mayor",
        "office_level": "municipal",
        "district": "",
        "phone": "",
        "organization": "",
    }
    row, found = await sign_and_confirm(
        client,
        db,
        "strong",
        full_name="Cavalier Johnson",
        email="mayor@milwaukee.gov",
        jurisdiction="Milwaukee",
        state="WI",
        **mayor,
    )
    assert row["division_id"] == "ocd-division/country:us/state:wi/place:milwaukee"
    assert found["roster_email"] == "strong" and found["dotgov_jurisdiction"] == "medium"
    assert row["status"] == "verified"

    row, found = await sign_and_confirm(
        client,
        db,
        "medium",
        full_name="Bea Soderberg",
        email="bsoderberg@germantownwi.gov",
        jurisdiction="Germantown",
        state="WI",
        **{**mayor, "title": "Village Trustee"},
    )
    assert found["dotgov_jurisdiction"] == "medium" and found["jurisdiction_found"] == "none"
    assert row["status"] == "verified"  # strong_or_medium policy

    row, found = await sign_and_confirm(
        client,
        db,
        "strong",
        full_name="Leirion Gaylor Baird",
        email="mayor@lincoln.ne.gov",
        jurisdiction="Lincoln",
        state="NE",
        **mayor,
    )
    assert found["state_subdomain"] == "weak"
    assert found["roster_email"] == "strong"  # the municipal record lists the address

    row, found = await sign_and_confirm(
        client,
        db,
        "strong",
        full_name="Satya Rhodes-Conway",
        email="mayor@cityofmadison.com",
        jurisdiction="Madison",
        state="WI",
        **mayor,
    )
    assert not any(kind.startswith("dotgov") for kind in found)
    assert found["roster_email"] == "strong"


async def test_traps_never_verify(client, db):
    await import_all(db)
    await make_campaign(db, slug="medium", auto_verify="strong_or_medium")
    retired = await db.fetch_one(
        "SELECT p.name, p.emails, r.district, r.type FROM roster_people p "
        "JOIN roster_roles r ON r.person_id = p.id "
        "WHERE p.retired AND p.state = 'WI' AND r.type = 'lower' AND cardinality(p.emails) > 0 "
        "ORDER BY p.id LIMIT 1"
    )
    assert retired is not None, "the WI sample has retired Assembly members with emails"
    row, found = await sign_and_confirm(
        client,
        db,
        "medium",
        full_name=retired["name"],
        email=retired["emails"][0],
        district=retired["district"],
        **WI_REP,
    )
    assert row["status"] == "confirmed"
    assert "strong_negative" in found.values()

    # Adam Neylon's staff address (extras), claiming his seat.
    row, found = await sign_and_confirm(
        client,
        db,
        "medium",
        full_name="Adam Neylon",
        email="dillon.mcgee@legis.wisconsin.gov",
        district="15",
        **WI_REP,
    )
    assert found["roster_staff_email"] == "strong_negative" and row["status"] == "confirmed"

    # A .gov of another state: milwaukee.gov for a Minnesota city.
    row, found = await sign_and_confirm(
        client,
        db,
        "medium",
        full_name="Ana Ruiz",
        email="ana@milwaukee.gov",
        title="Mayor",
        office_level="municipal",
        jurisdiction="Saint Paul",
        state="MN",
        district="",
        phone="",
        organization="",
    )
    assert found["dotgov_other_state"] == "strong_negative" and row["status"] == "confirmed"

    # R Keith Summey: filed as mayor of North Charleston, NC, a place of South Carolina.
    row, found = await sign_and_confirm(
        client,
        db,
        "medium",
        full_name="R Keith Summey",
        email="rks@example.org",
        title="Mayor",
        office_level="municipal",
        jurisdiction="North Charleston",
        state="NC",
        district="",
        phone="",
        organization="",
    )
    assert "jurisdiction_not_found" in found and row["status"] == "confirmed"

    # A roster name with a personal address: weak only.
    row, found = await sign_and_confirm(
        client,
        db,
        "medium",
        full_name="Adam T. Neylon",
        email="adam.neylon@gmail.com",
        district="15",
        **WI_REP,
    )
    assert found["roster_name"] == "weak" and row["status"] == "confirmed"


async def test_a_multi_seat_vermont_district(client, db):
    await import_all(db)
    await make_campaign(db, slug="strong")
    vt = {**WI_REP, "state": "VT", "district": "Chittenden-19"}
    # Two members hold Chittenden-19; each verifies with their own address.
    for name, email in (
        ("Sarita Austin", "saustin@leg.state.vt.us"),
        ("Wendy Critchlow", "wcritchlow@leg.state.vt.us"),
    ):
        row, found = await sign_and_confirm(client, db, "strong", full_name=name, email=email, **vt)
        assert found["roster_email"] == "strong" and row["status"] == "verified"
    # A senator (Grand Isle) claiming the House seat with his own address.
    row, found = await sign_and_confirm(
        client, db, "strong", full_name="Patrick Brennan", email="pbrennan@leg.state.vt.us", **vt
    )
    assert found["roster_other_seat"] == "strong_negative" and row["status"] == "confirmed"
    # Someone else at the legislature's domain, with no roster record.
    row, found = await sign_and_confirm(
        client, db, "strong", full_name="Someone Else", email="someone@leg.state.vt.us", **vt
    )
    assert row["status"] == "confirmed"


async def test_a_mayors_term_that_ends_stops_counting(db, client):
    await import_all(db)
    await make_campaign(db, slug="strong")
    row, _ = await sign_and_confirm(
        client,
        db,
        "strong",
        full_name="Leirion Gaylor Baird",
        email="mayor@lincoln.ne.gov",
        title="Mayor",
        office_level="municipal",
        jurisdiction="Lincoln",
        state="NE",
        district="",
        phone="",
        organization="",
    )
    after_term = datetime(2027, 6, 1, tzinfo=UTC)
    assert after_term > NOW
    result = await policy.evaluate_signature(db, row["id"], now=after_term)
    kinds = {signal.kind: signal.strength for signal in result.signals}
    assert kinds.get("roster_former") == "strong_negative"
    assert "roster_email" not in kinds


@pytest.fixture(autouse=True)
def _needs_data():
    shared_data("openstates-people/settings.yml")
