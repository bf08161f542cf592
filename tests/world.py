"""A small, fictional world of imported datasets for evidence tests.

Rows are written straight into the dataset tables, in the shape the importers give them
(signon/importing/), so the engine can be tested without the real files. The real files
are used by tests/verification/test_real_datasets.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from databases import Database

from signon.tables import (
    datasets,
    divisions,
    dotgov_domains,
    roster_people,
    roster_roles,
    roster_vacancies,
)
from signon.verification.divisions import name_key, parse_division_id

US = "ocd-division/country:us"
IMPORTED = datetime(2026, 5, 20, tzinfo=UTC)

DIVISIONS = [
    (f"{US}/state:wi", "Wisconsin", None, None),
    (f"{US}/state:wi/sldl:15", "Wisconsin Assembly district 15", None, None),
    (f"{US}/state:wi/sldl:44", "Wisconsin Assembly district 44", None, None),
    (f"{US}/state:wi/sldl:98", "Wisconsin Assembly district 98", None, None),
    (f"{US}/state:wi/sldu:5", "Wisconsin State Senate district 5", None, None),
    (f"{US}/state:wi/place:milwaukee", "Milwaukee city", None, None),
    (f"{US}/state:wi/place:lakeview", "Lakeview city", None, None),
    (f"{US}/state:wi/county:washington/place:germantown", "Germantown village", None, None),
    (f"{US}/state:wi/county:juneau/place:germantown", "Germantown town", None, None),
    (f"{US}/state:ne", "Nebraska", None, None),
    (f"{US}/state:ne/sldu:32", "Nebraska State Senate district 32", None, None),
    (f"{US}/state:ne/sldl:32", "Nebraska State Senate district 32", f"{US}/state:ne/sldu:32", None),
    (f"{US}/state:ne/place:lincoln", "Lincoln city", None, None),
    (f"{US}/state:vt", "Vermont", None, None),
    (f"{US}/state:vt/sldl:chittenden-19", "Vermont Chittenden-19 State House district", None, None),
    (f"{US}/state:vt/sldu:chittenden-central", "Old Chittenden Central", None, "2022-12-31"),
    (f"{US}/state:mn", "Minnesota", None, None),
    (f"{US}/state:mn/place:saint_paul", "St. Paul city", None, None),
]

DOMAINS = [
    ("wisconsin.gov", "State or territory", "State of Wisconsin", "Madison", "WI"),
    ("milwaukee.gov", "City", "City of Milwaukee", "Milwaukee", "WI"),
    ("lakeviewwi.gov", "City", "City of Lakeview", "Lakeview", "WI"),
    ("ne.gov", "State or territory", "State of Nebraska", "Lincoln", "NE"),
    ("stpaul.gov", "City", "City of Saint Paul", "Saint Paul", "MN"),
    ("house.gov", "Federal - Legislative", "U.S. House of Representatives", "Washington", "DC"),
]

# One person per record, laid out as a table (fmt: skip): formatted, each would take a dozen
# lines and the world would no longer fit on a screen.
PEOPLE = [
    # id, name, emails, staff_emails, state, retired, roles [(type, district, division, start, end)]
    ("ocd-person/rivera", "Dana Rivera", ["rep.rivera@legis.wisconsin.gov"],
     ["aide.rivera@legis.wisconsin.gov"], "WI", False,
     [("lower", "15", f"{US}/state:wi/sldl:15", "2025-01-06", None),
      ("lower", "98", f"{US}/state:wi/sldl:98", "2019-01-07", "2025-01-06")]),
    ("ocd-person/okafor", "Chidi Okafor", [], [], "WI", False,
     [("upper", "5", f"{US}/state:wi/sldu:5", "2023-01-03", None)]),
    ("ocd-person/oldham", "Lee Oldham", ["rep.oldham@legis.wisconsin.gov"], [], "WI", True,
     [("lower", "98", f"{US}/state:wi/sldl:98", "2011-01-03", "2019-01-07")]),
    ("ocd-person/marsh", "Robin Marsh", ["mayor@milwaukee.gov"], [], "WI", False,
     [("mayor", None, f"{US}/state:wi/place:milwaukee", None, "2028-04-16")]),
    ("ocd-person/pike", "Jordan Pike", ["mayor@lakeviewwi.gov"], [], "WI", False,
     [("mayor", None, f"{US}/state:wi/place:lakeview", None, "2023-04-18")]),
    ("ocd-person/stroud", "Tom Stroud", ["tstroud@leg.ne.gov"], [], "NE", False,
     [("legislature", "32", f"{US}/state:ne/sldu:32", "2021-01-06", None)]),
    ("ocd-person/austin", "Sarita Vance", ["svance@leg.state.vt.us"], [], "VT", False,
     [("lower", "Chittenden-19", f"{US}/state:vt/sldl:chittenden-19", "2021-01-06", None)]),
]  # fmt: skip


async def load_world(db: Database) -> None:
    await db.execute_many(
        divisions.insert(),
        [
            {
                "id": d,
                "name": n,
                "name_key": name_key(n),
                "state": parse_division_id(d)[0],
                "type": parse_division_id(d)[1],
                "same_as": alias,
                "valid_through": until,
            }
            for d, n, alias, until in DIVISIONS
        ],
    )
    await db.execute_many(
        dotgov_domains.insert(),
        [
            {"domain": d, "domain_type": t, "organization": o, "city": c, "state": s}
            for d, t, o, c, s in DOMAINS
        ],
    )
    for pid, name, emails, staff_emails, state, retired, roles in PEOPLE:
        await db.execute(
            roster_people.insert().values(
                id=pid,
                name=name,
                emails=emails,
                staff_emails=staff_emails,
                state=state,
                retired=retired,
                source=f"data/{state.lower()}/{pid}.yml",
                other_names=[],
            )
        )
        await db.execute_many(
            roster_roles.insert(),
            [
                {
                    "person_id": pid,
                    "type": t,
                    "district": dist,
                    "division_id": div,
                    "jurisdiction": "ocd-jurisdiction/x",
                    "start_date": start,
                    "end_date": end,
                }
                for t, dist, div, start, end in roles
            ],
        )
    await db.execute(
        roster_vacancies.insert().values(
            state="WI", chamber="lower", district="44", vacant_until="2026-09-01"
        )
    )
    for name in ("dotgov", "ocd", "openstates"):
        await db.execute(
            datasets.insert().values(
                name=name,
                source=f"fixture:{name}",
                sha256="0" * 64,
                row_count=1,
                imported_at=IMPORTED,
            )
        )
