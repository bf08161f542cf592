"""Importers (`signon import ...`): upstream formats, skipped lines, atomic replacement,
seat resolution, and the staff datasets page.

Small fictional fixtures under tests/fixtures/importing exercise every bad-row path; the
real files in ../shared/data (when present) check counts and the handy cases of
SOURCES.md. Only the OCD *sample* is imported here; the full file is for timing.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from signon.importing import ImportRefused, import_dataset
from signon.importing.congress import import_congress
from signon.importing.dotgov import import_dotgov
from signon.importing.ocd import import_ocd
from signon.importing.openstates import (
    import_openstates,
    is_current_role,
    looks_like_placeholder,
)
from signon.importing.records import BadRecord, describe_age, is_stale, iso_date
from signon.importing.seats import DivisionIndex, district_slug, jurisdiction_division
from signon.tables import (
    audit_log,
    congress_members,
    datasets,
    divisions,
    dotgov_domains,
    roster_people,
    roster_roles,
    roster_vacancies,
)
from tests.factories import NOW, log_in, make_staff
from tests.processes import cli_env, run_signon
from tests.shared_data import FOUR_STATES, shared_data

FIXTURES = Path(__file__).parent.parent / "fixtures" / "importing"
WI = "ocd-division/country:us/state:wi"


async def table(db, table_: sa.Table, *order: str) -> list[dict]:
    rows = await db.fetch_all(sa.select(table_).order_by(*(table_.c[c] for c in order)))
    return [dict(row._mapping) for row in rows]


async def dataset_row(db, name: str) -> dict | None:
    row = await db.fetch_one(sa.select(datasets).where(datasets.c.name == name))
    return dict(row._mapping) if row else None


async def seats(db) -> dict[str, list[tuple]]:
    """Each person's roles as (type, district, division_id, end_date), by name."""
    rows = await db.fetch_all(
        sa.select(roster_people.c.name, roster_roles)
        .select_from(roster_roles.join(roster_people))
        .order_by(roster_roles.c.id)
    )
    found: dict[str, list[tuple]] = {}
    for row in rows:
        found.setdefault(row["name"], []).append(
            (row["type"], row["district"], row["division_id"], row["end_date"])
        )
    return found


# --- Pure rules ---


def test_dates_are_normalized_to_iso_text():
    assert iso_date(date(2025, 1, 6), "d") == "2025-01-06"
    assert iso_date(datetime(2025, 1, 6, 12, 30), "d") == "2025-01-06"
    assert iso_date("2025-01-06", "d") == "2025-01-06"
    assert iso_date("2025", "d") == "2025"
    assert iso_date(None, "d") is None
    for bad in ("2025-02-30", "next spring", "06/01/2025", 20250106):
        with pytest.raises(BadRecord):
            iso_date(bad, "start_date")


def test_staleness_and_ages():
    assert is_stale(None, None)  # never imported
    assert is_stale(timedelta(days=15), timedelta(days=14))
    assert not is_stale(timedelta(days=14), timedelta(days=14))
    assert not is_stale(timedelta(days=400), None)  # no limit: ocd, congress
    assert describe_age(timedelta(seconds=30)) == "just now"
    assert describe_age(timedelta(minutes=1, seconds=5)) == "1 minute"
    assert describe_age(timedelta(hours=5, minutes=59)) == "5 hours"
    assert describe_age(timedelta(days=20, hours=3)) == "20 days"


def test_seat_helpers():
    assert district_slug("10th Bristol") == "10th_bristol"
    assert district_slug("Chittenden-19") == "chittenden-19"
    assert (
        jurisdiction_division("ocd-jurisdiction/country:us/state:wi/place:milwaukee/government")
        == f"{WI}/place:milwaukee"
    )
    assert jurisdiction_division("ocd-jurisdiction/country:us/state:wi/government") == WI
    assert jurisdiction_division("somewhere") is None
    assert is_current_role(None, None, "2026-06-01")
    assert is_current_role("2025-01-06", "2028-04-16", "2026-06-01")
    assert not is_current_role("2019-01-07", "2023-01-02", "2026-06-01")
    assert not is_current_role("2027-01-04", None, "2026-06-01")
    assert looks_like_placeholder("Janesville City Council")
    assert not looks_like_placeholder("Cavalier Johnson")


def test_seats_never_resolve_to_historical_ambiguous_or_unknown_divisions():
    vt = "ocd-division/country:us/state:vt"
    index = DivisionIndex.from_rows(
        [
            (vt, None, None, None),
            (f"{vt}/sldl:chittenden-1-1", None, None, None),  # same letters as chittenden-11
            (f"{vt}/sldl:chittenden-11", None, None, None),
            (f"{vt}/sldl:orange-caledonia", None, "2023-01-03", "vt-lower-orange-caledonia"),
            (f"{vt}/sldl:grand isle", None, None, None),
            (f"{vt}/sldu:old", f"{vt}/sldu:new", None, None),  # an alias...
            (f"{vt}/sldu:new", f"{vt}/sldu:newest", None, None),  # ...of an alias
            (f"{vt}/sldu:newest", None, None, None),
        ]
    )
    jurisdiction = "ocd-jurisdiction/country:us/state:vt/government"
    assert index.seat("lower", jurisdiction, "Chittenden-11") == f"{vt}/sldl:chittenden-11"
    assert index.seat("lower", jurisdiction, "Chittenden 1 1") is None  # ambiguous letters
    assert index.seat("lower", jurisdiction, "Orange-Caledonia") is None  # historical
    assert index.seat("lower", jurisdiction, "Grand-Isle") == f"{vt}/sldl:grand isle"
    assert index.seat("upper", jurisdiction, "Old") == f"{vt}/sldu:newest"
    assert index.seat("lower", jurisdiction, None) is None
    assert index.seat("governor", jurisdiction, None) == vt
    assert (
        index.seat("mayor", "ocd-jurisdiction/country:us/state:vt/place:x/government", None) is None
    )


# --- dotgov ---


async def test_dotgov_reads_the_registry_and_reports_bad_lines(db):
    path = FIXTURES / "dotgov.csv"
    report = await import_dotgov(db, path, now=NOW)
    assert report.rows == 4
    assert [str(skipped) for skipped in report.skipped] == [
        "line 5: expected 7 columns, found 3",
        "line 6: no domain name",
        "line 7: exampleville.gov is listed again (first on line 2)",
        "line 8: state 'Wisconsin' is not a two-letter code",
        "line 9: 'quoted, village.gov' is not a domain name",
    ]
    rows = {row["domain"]: row for row in await table(db, dotgov_domains, "domain")}
    assert set(rows) == {
        "exampleville.gov",
        "examplecounty.gov",
        "examplestate.gov",
        "examplevillage.gov",
    }
    assert rows["exampleville.gov"] == {
        "domain": "exampleville.gov",
        "domain_type": "City",
        "organization": "City of Exampleville",
        "suborganization": None,
        "city": "Exampleville",
        "state": "WI",
    }
    assert rows["examplecounty.gov"]["suborganization"] == "Clerk's Office"
    assert rows["examplestate.gov"]["state"] is None  # empty State
    assert rows["examplestate.gov"]["suborganization"] is None  # "(blank)"
    assert rows["examplevillage.gov"]["organization"] == 'Village of Example "Twin" Lakes'
    assert rows["examplevillage.gov"]["state"] == "WI"
    recorded = await dataset_row(db, "dotgov")
    assert recorded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (recorded["row_count"], recorded["skipped_count"]) == (4, 5)
    assert recorded["imported_at"] == NOW
    assert recorded["source"] == str(path.resolve())
    audit = await db.fetch_one(sa.select(audit_log).where(audit_log.c.action == "dataset.import"))
    assert (audit["actor"], audit["object_id"]) == ("cli", "dotgov")


async def test_reimporting_the_same_file_gives_the_same_rows(db):
    path = FIXTURES / "dotgov.csv"
    await import_dotgov(db, path, now=NOW - timedelta(days=3))
    first = await table(db, dotgov_domains, "domain")
    await import_dotgov(db, path, now=NOW)
    assert await table(db, dotgov_domains, "domain") == first
    assert len(await table(db, datasets, "name")) == 1
    assert (await dataset_row(db, "dotgov"))["imported_at"] == NOW


async def test_a_file_in_the_wrong_format_changes_nothing(db, tmp_path):
    await import_dotgov(db, FIXTURES / "dotgov.csv", now=NOW)
    before = await table(db, dotgov_domains, "domain")
    with pytest.raises(ImportRefused, match="lacks the column"):
        await import_dotgov(db, FIXTURES / "ocd.csv")
    # A file of the right shape whose every row is bad would empty the table: refused too.
    header = (FIXTURES / "dotgov.csv").read_text().splitlines()[0]
    broken = tmp_path / "broken.csv"
    broken.write_text(f"{header}\r\nonly,three,columns\r\n")
    with pytest.raises(ImportRefused, match=r"no row could be imported \(line 2: expected 7"):
        await import_dotgov(db, broken)
    assert await table(db, dotgov_domains, "domain") == before
    assert (await dataset_row(db, "dotgov"))["imported_at"] == NOW


async def test_bytes_that_are_not_utf8_skip_their_row_only(db, tmp_path):
    lines = (FIXTURES / "dotgov.csv").read_bytes().split(b"\r\n")
    lines[1] = lines[1].replace(b"Exampleville,WI", b"Exampleville\xff,WI")
    lines[2] = lines[2].replace(b"Springfield", b"Spring\x00field")
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\r\n".join(lines))
    report = await import_dotgov(db, path)
    assert [str(s) for s in report.skipped[:2]] == [
        "line 2: holds a NUL or bytes that are not UTF-8",
        "line 3: holds a NUL or bytes that are not UTF-8",
    ]
    assert report.rows == 3  # the later exampleville.gov row is now the first one


# --- OCD ---


async def test_ocd_reads_ids_aliases_and_historical_rows(db):
    path = FIXTURES / "ocd.csv"
    report = await import_ocd(db, path, now=NOW)
    assert [str(skipped) for skipped in report.skipped] == [
        "line 16: no id",
        "line 17: expected 13 columns, found 2",
        f"line 20: {WI}/place:exampleville is listed again (first on line 4)",
        "line 21: 'not-an-ocd-id' is not an OCD division id",
    ]
    rows = {row["id"]: row for row in await table(db, divisions, "id")}
    assert len(rows) == report.rows == 15
    assert rows[f"{WI}/sldl:7"] == {
        "id": f"{WI}/sldl:7",
        "name": "Wisconsin Assembly district 7",
        "name_key": "wisconsin assembly district 7",
        "state": "WI",
        "type": "sldl",
        "same_as": None,
        "valid_through": None,
        "census_geoid": "sldl-55007",
        "openstates_district": "wi-lower-7",
    }
    assert rows["ocd-division/country:us"]["state"] is None
    assert rows["ocd-division/country:us/state:ne/sldl:5"]["same_as"] == (
        "ocd-division/country:us/state:ne/sldu:5"
    )
    assert rows[f"{WI}/sldl:99"]["valid_through"] == "2013-01-01"
    cafe = rows[f"{WI}/county:café"]
    assert cafe["name"] == 'Café County, the "Multi-line"\nname'  # a quoted newline is data
    assert cafe["name_key"] == 'cafe county, the "multi-line" name'
    assert (await dataset_row(db, "ocd"))["skipped_count"] == 4


async def test_a_failure_part_way_leaves_the_previous_data(db, tmp_path):
    await import_ocd(db, FIXTURES / "ocd.csv", now=NOW)
    before = await table(db, divisions, "id")
    header = (FIXTURES / "ocd.csv").read_text().splitlines()[0]
    bigger = tmp_path / "bigger.csv"
    rows = (f"{WI}/place:town_{n},Town {n}" + "," * 11 for n in range(10_000))
    bigger.write_text("\r\n".join([header, *rows]) + "\r\n")
    calls = []

    def failing_progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:  # after the old rows are deleted and new ones are copied
            raise RuntimeError("the terminal went away")

    with pytest.raises(RuntimeError, match="terminal went away"):
        await import_ocd(db, bigger, progress=failing_progress)
    assert await table(db, divisions, "id") == before
    assert (await dataset_row(db, "ocd"))["imported_at"] == NOW


# --- Open States ---


async def test_openstates_people_roles_emails_and_skipped_files(db):
    await import_ocd(db, FIXTURES / "ocd.csv")
    report = await import_openstates(db, FIXTURES / "openstates", now=NOW)
    folder = "data/wi/legislature"
    skipped = sorted(str(s) for s in report.skipped)
    # The parser's wording varies (libyaml or pure Python); the line it names does not.
    assert skipped[0].startswith(
        f"{folder}/Bad-Yaml-00000000-0000-4000-8000-000000000004.yml: line 6: unreadable YAML ("
    )
    assert skipped[1:] == [
        f"{folder}/Broken-Date-00000000-0000-4000-8000-000000000003.yml: unreadable YAML "
        "value (month must be in 1..12)",
        f"{folder}/Missing-Type-00000000-0000-4000-8000-000000000006.yml: role 1: no type",
        f"{folder}/Not-A-Person-00000000-0000-4000-8000-000000000005.yml: not a person: a "
        "YAML mapping was expected",
        f"{folder}/Odd-Date-00000000-0000-4000-8000-000000000016.yml: role 1: start_date is "
        "not a date: 'next spring'",
        "settings.yml: wi vacancy 2: no district",
    ]
    assert report.rows == 10
    assert dict(report.counts) == {"people": 10, "roles": 11, "vacancies": 2}
    people = {row["name"]: row for row in await table(db, roster_people, "id")}
    quinn = people["Quinn Example"]
    assert quinn["emails"] == ["rep.quinn@legis.example.gov"]
    assert quinn["staff_emails"] == [
        "sam.aide@legis.example.gov",
        "scheduler.quinn@legis.example.gov",
    ]
    assert quinn["other_names"] == ["Q. Example", "Example, Quinn"]
    assert (quinn["state"], quinn["retired"]) == ("WI", False)
    assert quinn["source"] == f"{folder}/Quinn-Example-00000000-0000-4000-8000-000000000001.yml"
    # The only address in this file is an aide's, under extras.
    robin = people["Robin Sample"]
    assert (robin["emails"], robin["staff_emails"]) == ([], ["lee.helper@legis.example.gov"])
    # VT's "state email" and "work email" are the member's own, never an aide's.
    avery = people["Avery Hollow"]
    assert avery["emails"] == ["ahollow@leg.example.vt.us", "avery@hollowfarm.example"]
    assert avery["staff_emails"] == []
    assert people["Morgan Mayor"]["emails"] == [
        "mayor@exampleville.gov",
        "office.of.the.mayor@exampleville.gov",
    ]
    assert people["Casey Former"]["retired"] is True
    assert sum(person["retired"] for person in people.values()) == 1
    assert looks_like_placeholder(people["Exampleville City Council"]["name"])
    vacancies = await table(db, roster_vacancies, "state")
    assert [(v["state"], v["chamber"], v["district"], v["vacant_until"]) for v in vacancies] == [
        ("NE", "legislature", "9", None),
        ("WI", "lower", "12", "2026-12-01"),
    ]


async def test_openstates_seats_resolve_against_the_divisions(db):
    await import_ocd(db, FIXTURES / "ocd.csv")
    report = await import_openstates(db, FIXTURES / "openstates", now=NOW)
    found = await seats(db)
    vt, ne = "ocd-division/country:us/state:vt", "ocd-division/country:us/state:ne"
    assert found["Quinn Example"] == [
        ("lower", "7", f"{WI}/sldl:7", None),  # by openstates_district wi-lower-7
        ("lower", "99", None, "2013-01-07"),  # sldl:99 is historical
    ]
    assert found["Robin Sample"] == [("upper", "3", f"{WI}/sldu:3", None)]
    assert found["Casey Former"] == [("lower", "8", f"{WI}/sldl:8", "2023-01-02")]  # built id
    assert found["Avery Hollow"] == [("lower", "Maple Hollow", f"{vt}/sldl:maple_hollow", None)]
    assert found["Drew North"] == [("lower", "Example-North-2", f"{vt}/sldl:example-north-2", None)]
    assert found["Jordan Unicam"] == [("legislature", "5", f"{ne}/sldu:5", None)]
    assert found["Morgan Mayor"] == [("mayor", None, f"{WI}/place:exampleville", "2028-04-16")]
    # Open States writes place:north_example where OCD has place:north-example.
    assert found["Pat Northex"] == [("mayor", None, f"{WI}/place:north-example", "2022-04-19")]
    assert found["Gale Governor"] == [("governor", None, WI, "2027-01-04")]
    assert report.notes == ("1 roles have no current OCD division (division_id NULL).",)


async def test_without_divisions_seats_are_built_unchecked_and_the_report_says_so(db):
    report = await import_openstates(db, FIXTURES / "openstates")
    found = await seats(db)
    assert found["Quinn Example"][1] == ("lower", "99", f"{WI}/sldl:99", "2013-01-07")
    assert found["Pat Northex"][0][2] == f"{WI}/place:north_example"
    assert any("No OCD divisions are imported" in note for note in report.notes)


async def test_a_file_that_cannot_be_read_rolls_the_roster_back(db, tmp_path):
    await import_openstates(db, FIXTURES / "openstates", now=NOW)
    before = (await table(db, roster_people, "id"), await table(db, roster_roles, "id"))
    clone = tmp_path / "people"
    shutil.copytree(FIXTURES / "openstates", clone)
    # A file removed while the import runs (a `git pull` under it): an I/O error, not a bad
    # row. It sorts after the first WI legislators, so their rows are already copied.
    (clone / "data/wi/legislature/Zz-Gone.yml").symlink_to(clone / "nowhere.yml")
    with pytest.raises(FileNotFoundError):
        await import_openstates(db, clone)
    assert (await table(db, roster_people, "id"), await table(db, roster_roles, "id")) == before
    assert (await dataset_row(db, "openstates"))["source"] == str(
        (FIXTURES / "openstates").resolve()
    )


async def test_the_data_folder_itself_is_accepted_and_the_hash_follows_the_files(db, tmp_path):
    whole = await import_openstates(db, FIXTURES / "openstates")
    again = await import_openstates(db, FIXTURES / "openstates")
    assert whole.sha256 == again.sha256
    clone = tmp_path / "people"
    shutil.copytree(FIXTURES / "openstates", clone)
    (clone / "settings.yml").write_text("wi:\n  vacancies: []\n")
    changed = await import_openstates(db, clone / "data")
    assert changed.rows == whole.rows and changed.sha256 != whole.sha256
    with pytest.raises(ImportRefused, match="no data/<state>/legislature"):
        await import_openstates(db, clone / "data" / "wi")


async def test_only_the_states_asked_for_are_read(db):
    everything = await import_openstates(db, FIXTURES / "openstates")
    only_ne = await import_openstates(db, FIXTURES / "openstates", states=["ne"])
    assert dict(only_ne.counts)["vacancies"] == 1  # settings.yml's NE vacancy, not WI's
    assert 0 < only_ne.rows < everything.rows
    states = await db.fetch_all(sa.select(roster_people.c.state).distinct())
    assert [row[0] for row in states] == ["NE"]
    with pytest.raises(ImportRefused, match="no data/ folder for: tx"):
        await import_openstates(db, FIXTURES / "openstates", states=["NE", "TX"])


# --- Congress ---


async def test_congress_members_from_their_last_term(db):
    path = FIXTURES / "congress.yaml"
    report = await import_congress(db, path, now=NOW)
    assert [str(s) for s in report.skipped] == [
        "line 33: unreadable value (month must be in 1..12)",
        "line 44: no bioguide id",
    ]
    members = {row["bioguide"]: row for row in await table(db, congress_members, "bioguide")}
    assert members["X000001"] == {
        "bioguide": "X000001",
        "full_name": "Ada Q. Example",
        "first_name": "Ada",
        "last_name": "Example",
        "state": "WI",
        "chamber": "sen",
        "district": None,
        "party": "Democrat",
        "term_start": "2025-01-03",
        "term_end": "2031-01-03",
    }
    assert (members["X000002"]["full_name"], members["X000002"]["district"]) == ("Bo Sample", 0)
    assert members["X000005"]["term_start"] == "2025-01-03"  # a YAML date, as ISO text
    recorded = await dataset_row(db, "congress")
    assert recorded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (recorded["row_count"], recorded["skipped_count"]) == (3, 2)


# --- The real upstream files (skipped when ../shared/data is absent) ---


async def test_real_dotgov_registry(db):
    report = await import_dataset(db, "dotgov", shared_data("dotgov-data/current-full.csv"))
    assert (report.rows, report.skipped) == (16539, ())
    assert report.sha256.startswith("2cf70e99")
    rows = {
        row["domain"]: row
        for row in await db.fetch_all(
            sa.select(dotgov_domains).where(
                dotgov_domains.c.domain.in_(["milwaukee.gov", "wisconsin.gov", "ne.gov"])
            )
        )
    }
    assert (rows["milwaukee.gov"]["organization"], rows["milwaukee.gov"]["domain_type"]) == (
        "City of Milwaukee",
        "City",
    )
    assert rows["wisconsin.gov"]["domain_type"] == "State or territory"
    assert rows["ne.gov"]["organization"] == "State of Nebraska"
    empty_state = sa.select(sa.func.count()).where(dotgov_domains.c.state.is_(None))
    assert await db.fetch_val(empty_state) == 5


async def test_real_openstates_roster_resolves_the_handy_cases(db):
    ocd = await import_ocd(db, shared_data("ocd-division-ids/country-us.sample.csv"))
    assert (ocd.rows, ocd.skipped) == (19527, ())
    report = await import_openstates(
        db, shared_data("openstates-people"), now=NOW, states=FOUR_STATES
    )
    assert report.skipped == ()
    assert dict(report.counts)["people"] == report.rows == 1630
    found = await seats(db)
    assert found["Adam Neylon"][0] == ("lower", "15", f"{WI}/sldl:15", None)
    assert found["Sarita Austin"][0] == (
        "lower",
        "Chittenden-19",
        "ocd-division/country:us/state:vt/sldl:chittenden-19",
        None,
    )
    assert found["Tom Brandt"] == [
        ("legislature", "32", "ocd-division/country:us/state:ne/sldu:32", None)
    ]
    assert found["Cavalier Johnson"] == [("mayor", None, f"{WI}/place:milwaukee", "2028-04-16")]
    # Filed under NC, but North Charleston is in SC: no NC division, and the term is over.
    assert found["R Keith Summey"] == [("mayor", None, None, "2023-11-07")]
    people = {row["name"]: row for row in await table(db, roster_people, "id")}
    assert people["Adam Neylon"]["emails"] == ["rep.neylon@legis.wisconsin.gov"]
    assert "joe.zapf@legis.wisconsin.gov" in people["Adam Neylon"]["staff_emails"]
    assert "Janesville City Council" in people
    retired = await db.fetch_val(sa.select(sa.func.count()).where(roster_people.c.retired))
    assert retired == 233 + 357 + 346 + 109


async def test_real_congress_delegations(db):
    report = await import_congress(db, shared_data("congress-legislators/legislators-current.yaml"))
    assert (report.rows, report.skipped) == (537, ())
    rows = await db.fetch_all(
        sa.select(congress_members.c.chamber, sa.func.count())
        .where(congress_members.c.state == "WI")
        .group_by(congress_members.c.chamber)
    )
    assert {row[0]: row[1] for row in rows} == {"sen": 2, "rep": 8}


# --- The staff page and the command line ---


async def test_staff_see_each_datasets_age_and_a_stale_warning(client, db):
    await make_staff(db, "staff@example.org", role="staff")
    await import_dotgov(db, FIXTURES / "dotgov.csv", now=NOW - timedelta(days=20))
    await import_openstates(db, FIXTURES / "openstates", now=NOW - timedelta(days=29, hours=23))
    await import_congress(db, FIXTURES / "congress.yaml", now=NOW - timedelta(days=400))
    assert (await client.get("/staff/datasets")).status_code == 303  # log in first
    await log_in(client, "staff@example.org")
    page = await client.get("/staff/datasets")
    assert page.status_code == 200
    html = page.text
    assert 'href="/staff/datasets"' in html  # in the staff navigation
    dotgov = html.split('id="dataset-dotgov"')[1].split("</tr>")[0]
    assert "20 days" in dotgov and "Stale" in dotgov and "<td>4</td>" in dotgov
    digest = hashlib.sha256((FIXTURES / "dotgov.csv").read_bytes()).hexdigest()
    assert f'title="{digest}">{digest[:12]}</code>' in dotgov
    openstates = html.split('id="dataset-openstates"')[1].split("</tr>")[0]
    assert "29 days" in openstates and "Stale" not in openstates
    congress = html.split('id="dataset-congress"')[1].split("</tr>")[0]
    assert "400 days" in congress and "Stale" not in congress  # no limit for Congress
    ocd = html.split('id="dataset-ocd"')[1].split("</tr>")[0]
    assert "Never imported" in ocd and "signon import ocd" in ocd
    warning = html.split('role="alert"')[1].split("</div>")[0]
    assert "dotgov-data" in warning and "stale, imported 20 days ago" in warning
    assert "never imported" in warning and "openstates/people" not in warning


async def test_the_import_command_prints_skipped_lines(db, database_url, tmp_path):
    env = cli_env(database_url)
    fixture = str(FIXTURES / "dotgov.csv")
    result = await run_signon("import", "dotgov", fixture, cwd=tmp_path, env=env)
    assert result.returncode == 0, result
    assert "Imported 4 dotgov rows" in result.stdout
    assert "Skipped 5 rows that could not be read:" in result.stdout
    assert "  line 7: exampleville.gov is listed again (first on line 2)" in result.stdout
    assert "Reading" not in result.stdout  # no progress bar when stdout is not a terminal
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(dotgov_domains)) == 4
    wrong = await run_signon("import", "ocd", fixture, cwd=tmp_path, env=env)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "lacks the column(s) id, name" in wrong.stderr
