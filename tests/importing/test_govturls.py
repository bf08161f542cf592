"""`signon import govturls`: the GSA's list of government domains outside .gov, its
skipped lines, the real file, the command and the staff datasets page."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from signon.importing import import_dataset
from signon.importing.govturls import government_of, import_govturls
from signon.tables import datasets, govt_domains
from tests.factories import NOW, log_in, make_staff
from tests.processes import cli_env, run_signon
from tests.shared_data import shared_data

FIXTURE = Path(__file__).parent.parent / "fixtures" / "importing" / "govturls.csv"


async def listed(db) -> dict[str, dict]:
    rows = await db.fetch_all(sa.select(govt_domains))
    return {row["address"]: dict(row._mapping) for row in rows}


@pytest.mark.parametrize(
    ("comments", "expected"),
    [
        ("City of Ann Arbor, MI -- Note added 8/31/16 16:38", ("City of Ann Arbor", "MI")),
        ("trenton, mi -- Note added 9/3/15 16:18", ("trenton", "MI")),
        ("Dunn Township, Otter Tail County, MN -- Note added 3/21/14", ("Dunn Township", "MN")),
        ("Gloucester Township, New Jersey -- Note added 9/16/15", ("Gloucester Township", "NJ")),
        ("City of Rohnert Park, CA website. -- Note added 3/20/15", ("City of Rohnert Park", "CA")),
        ("Rockford, IL Board of Elections", (None, None)),
        ("Travel and Tourism Site for Vermont -- Note added 6/6/13", (None, None)),
        ("", (None, None)),
    ],
)
def test_the_government_is_read_from_the_comment(comments, expected):
    assert government_of(comments) == expected


async def test_the_list_is_imported_with_its_paths_and_skipped_lines(db):
    report = await import_govturls(db, FIXTURE, now=NOW)
    assert [str(skipped) for skipped in report.skipped] == [
        "line 6: no domain name",
        "line 7: exampleville-mi.org is listed again (first on line 2)",
        "line 8: 'not a domain!' is not a domain name",
        "line 10: expected 10 columns, found 2",
    ]
    rows = await listed(db)
    assert report.rows == len(rows) == 6
    assert rows["exampleville-mi.org"] == {
        "address": "exampleville-mi.org",
        "domain": "exampleville-mi.org",
        "path": None,
        "government": "City of Exampleville",
        "government_type": "Local",
        "state": "MI",
        "comments": "City of Exampleville, MI -- Note added 8/31/16 16:38",
        "date_added": "6/6/13 18:09",
    }
    shared = rows["sharedhost.com/village"]
    assert (shared["domain"], shared["path"], shared["state"]) == (
        "sharedhost.com",
        "village",
        "WI",
    )
    assert rows["exampletourism.com"]["government"] is None  # the comment names no one
    assert (rows["examplecity.net"]["state"], rows["examplecity.net"]["government"]) == (None, None)
    assert rows["townofdillon.com"]["government"] == "Town of Dillon"
    recorded = await db.fetch_one(sa.select(datasets).where(datasets.c.name == "govturls"))
    assert recorded["sha256"] == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert (recorded["row_count"], recorded["skipped_count"]) == (6, 4)
    assert recorded["imported_at"] == NOW


async def test_reimporting_replaces_the_list_whole(db):
    await import_govturls(db, FIXTURE, now=NOW)
    extra = {"address": "x.org", "domain": "x.org", "government_type": "Local"}
    await db.execute(govt_domains.insert().values(**extra))
    await import_govturls(db, FIXTURE, now=NOW)
    assert "x.org" not in await listed(db)
    assert len(await listed(db)) == 6


async def test_the_real_gsa_list(db):
    report = await import_dataset(
        db, "govturls", shared_data("govt-urls/1_govt_urls_full.csv"), now=NOW
    )
    assert report.sha256.startswith("75db36a4")
    # 9,225 listed lines: the rest are domains listed twice, each skipped with its line.
    assert report.rows + len(report.skipped) == 9225
    assert all("listed again" in skipped.reason for skipped in report.skipped)
    rows = await listed(db)
    assert rows["a2gov.org"]["government"] == "City of Ann Arbor"
    assert rows["a2gov.org"]["state"] == "MI"
    assert rows["174.132.145.94/~hope"]["path"] == "~hope"
    assert rows["174.132.145.94/~hope"]["government"] == "Town of Hope Mills"


async def test_the_import_command_and_the_datasets_page(client, db, database_url, tmp_path):
    result = await run_signon(
        "import", "govturls", str(FIXTURE), cwd=tmp_path, env=cli_env(database_url)
    )
    assert result.returncode == 0, result
    assert "Imported 6 govturls rows" in result.stdout
    assert "  line 8: 'not a domain!' is not a domain name" in result.stdout
    await import_govturls(db, FIXTURE, now=NOW - timedelta(days=91))
    await make_staff(db, "staff@example.org", role="staff")
    await log_in(client, "staff@example.org")
    html = (await client.get("/staff/datasets")).text
    row = html.split('id="dataset-govturls"')[1].split("</tr>")[0]
    assert "Government domains outside .gov (GSA/govt-urls)" in row
    assert "91 days" in row and "Stale" in row and "<td>6</td>" in row and "<td>4</td>" in row
    warning = html.split('role="alert"')[1].split("</div>")[0]
    assert "GSA/govt-urls" in warning and "signon import govturls" in warning
