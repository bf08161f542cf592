"""The staff CSV export: every signature, evidence included, no formula can run."""

import csv
import io

from signon.letter.exports import csv_safe
from tests.factories import log_in, make_campaign, make_staff, sign


async def test_the_csv_has_every_signature_and_no_live_formula(client, db):
    await make_campaign(db)
    await sign(client)
    await sign(
        client,
        email="evil@example.org",
        full_name="=HYPERLINK(x)",
        organization="@SUM(A1)",
        title="+Mayor",
        jurisdiction="-Springfield",
    )
    await make_staff(db, "rev@example.org", role="staff", name="Rev")
    await log_in(client, "rev@example.org")
    response = await client.get("/staff/campaigns/eats-act/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    for column in (
        "full_name",
        "title",
        "office_level",
        "jurisdiction",
        "state",
        "district",
        "email",
        "status",
        "evidence",
        "text_version",
        "signed_at",
    ):
        assert column in rows[0]
    assert rows[0]["email"] == "ana.diaz@stpaul.gov" and rows[0]["status"] == "unconfirmed"
    for cell in (c for row in rows for c in row.values()):
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert rows[1]["full_name"] == "'=HYPERLINK(x)"


async def test_the_csv_is_for_staff_only(client, db):
    await make_campaign(db)
    response = await client.get("/staff/campaigns/eats-act/export.csv")
    assert response.status_code == 303


def test_cells_that_could_be_formulas_are_neutralized():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("\t=cmd") == "'\t'=cmd"  # split on tabs, "=cmd" is a cell of its own
    assert csv_safe("Ana") == "Ana"
    assert csv_safe(None) == ""
    assert csv_safe(3) == "3"


async def test_export_csv_from_the_command_line(client, db, database_url, tmp_path):
    from tests.processes import cli_env, run_signon

    await make_campaign(db)
    await sign(client)
    target = tmp_path / "out.csv"
    result = await run_signon(
        "export", "csv", "eats-act", "-o", str(target), cwd=tmp_path, env=cli_env(database_url)
    )
    assert result.returncode == 0, result
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [row["email"] for row in rows] == ["ana.diaz@stpaul.gov"]
