"""Jurisdiction suggestions: GET /api/v1/divisions over whatever divisions are imported."""

from signon.tables import divisions
from signon.verification.divisions import name_key, parse_division_id

ROWS = [
    ("ocd-division/country:us/state:wi", "Wisconsin", None, None),
    ("ocd-division/country:us/state:wi/place:milwaukee", "Milwaukee", None, None),
    ("ocd-division/country:us/state:wi/county:milwaukee", "Milwaukee County", None, None),
    ("ocd-division/country:us/state:wi/place:middleton", "Middleton", None, None),
    ("ocd-division/country:us/state:wi/place:old_milton", "Milton", None, "2010-01-01"),
    ("ocd-division/country:us/state:wi/place:milton_alias", "Milton", "ocd-division/x", None),
    ("ocd-division/country:us/state:mn/place:milaca", "Milaca", None, None),
    ("ocd-division/country:us/state:nm/place:espanola", "Española", None, None),
]


async def load(db):
    values = []
    for division_id, name, same_as, valid_through in ROWS:
        state, kind = parse_division_id(division_id)
        values.append(
            {
                "id": division_id,
                "name": name,
                "name_key": name_key(name),
                "state": state,
                "type": kind,
                "same_as": same_as,
                "valid_through": valid_through,
            }
        )
    await db.execute_many(divisions.insert(), values)


async def test_suggestions_match_the_start_of_names_in_the_state(client, db):
    await load(db)
    response = await client.get("/api/v1/divisions", params={"state": "WI", "q": "mil"})
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": "ocd-division/country:us/state:wi/place:milwaukee",
                "name": "Milwaukee",
                "type": "place",
            },
            {
                "id": "ocd-division/country:us/state:wi/county:milwaukee",
                "name": "Milwaukee County",
                "type": "county",
            },
        ]
    }


async def test_suggestions_ignore_accents_case_and_wildcards(client, db):
    await load(db)
    found = (await client.get("/api/v1/divisions?state=nm&q=ESPAN")).json()["items"]
    assert [item["name"] for item in found] == ["Española"]
    assert (await client.get("/api/v1/divisions?state=WI&q=%25")).json() == {"items": []}
    assert (await client.get("/api/v1/divisions?state=WI&q=_")).json() == {"items": []}


async def test_bad_or_missing_parameters_give_an_empty_list(client, db):
    await load(db)
    for query in ("", "?state=WI", "?q=mil", "?state=Wisconsin&q=mil", "?state=WI&q=" + "m" * 5000):
        response = await client.get("/api/v1/divisions" + query)
        assert response.status_code == 200
        assert response.json() == {"items": []}


def test_division_ids_are_parsed():
    assert parse_division_id("ocd-division/country:us/state:vt/sldl:chittenden-19") == (
        "VT",
        "sldl",
    )
    assert parse_division_id("ocd-division/country:us/district:dc") == ("DC", "district")
    assert parse_division_id("ocd-division/country:us/territory:pr") == ("PR", "territory")
    assert name_key("  Cañon   City ") == "canon city"
