"""The demo: `signon demo` loads, or replaces, an open letter at /c/demo and a staff login."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from signon import mail, tables
from signon.demo import DEMO_EMAIL, DEMO_SLUG, load_demo
from tests.factories import log_in, sign
from tests.processes import cli_env, run_signon

PASSWORD_RE = re.compile(r"password:\s+(\S+)")


async def demo_password(database_url: str, tmp_path) -> str:
    result = await run_signon("demo", cwd=tmp_path, env=cli_env(database_url))
    assert result.returncode == 0, result
    assert "/c/demo" in result.stdout
    assert "/staff/login" in result.stdout
    assert DEMO_EMAIL in result.stdout
    found = PASSWORD_RE.search(result.stdout)
    assert found, result.stdout
    return found.group(1)


async def test_demo_twice_leaves_one_open_letter_and_a_login_that_works(
    client, db, database_url, tmp_path
):
    first = await demo_password(database_url, tmp_path)
    second = await demo_password(database_url, tmp_path)
    assert first != second
    rows = await db.fetch_all(
        sa.select(tables.campaigns).where(tables.campaigns.c.slug == DEMO_SLUG)
    )
    assert [(row["status"], row["goal"]) for row in rows] == [("open", 200)]
    page = await client.get("/c/demo")
    assert page.status_code == 200
    assert "Agricultural Commerce Uniformity Act" in page.text
    assert "Good Pasture Alliance" in page.text
    assert (await log_in(client, DEMO_EMAIL, first)).status_code == 403  # replaced
    signed_in = await log_in(client, DEMO_EMAIL, second)
    assert signed_in.status_code == 303
    staff_page = await client.get("/staff/campaigns/demo")
    assert staff_page.status_code == 200


async def _sign_old_demo(client, db) -> None:
    """A signer signs the demo through the form; its email is sent; evidence is on file."""
    assert (await sign(client, DEMO_SLUG)).status_code == 303
    assert await mail.deliver_due(db, None) == 1  # leaves an email_attempts row too
    signature_id = await db.fetch_val(sa.select(tables.signatures.c.id))
    # Written directly: a row that must go with its signature.
    await db.execute(
        tables.evidence.insert().values(
            signature_id=signature_id, kind="test", strength="strong", detail="A test fact."
        )
    )


async def count(db, table: sa.Table) -> int:
    return await db.fetch_val(sa.select(sa.func.count()).select_from(table))


async def test_replacing_the_demo_removes_what_referenced_the_old_one(client, db):
    await load_demo(db, signers=0)
    old_id = await db.fetch_val(
        sa.select(tables.campaigns.c.id).where(tables.campaigns.c.slug == DEMO_SLUG)
    )
    await _sign_old_demo(client, db)
    for table in (tables.signatures, tables.evidence, tables.email_outbox, tables.email_attempts):
        assert await count(db, table) == 1, table.name
    login = await load_demo(db, signers=0)
    new_id = await db.fetch_val(
        sa.select(tables.campaigns.c.id).where(tables.campaigns.c.slug == DEMO_SLUG)
    )
    assert new_id != old_id
    for table in (tables.signatures, tables.evidence, tables.email_outbox, tables.email_attempts):
        assert await count(db, table) == 0, table.name
    assert await count(db, tables.campaign_texts) == 1
    assert await count(db, tables.campaign_sponsors) == 3
    assert await count(db, tables.staff) == 1
    # The old campaign's audit history stays, detached from the deleted row.
    old_rows = await db.fetch_all(
        sa.select(tables.audit_log).where(
            tables.audit_log.c.object_type == "campaign",
            tables.audit_log.c.object_id == str(old_id),
        )
    )
    assert {row["action"] for row in old_rows} >= {"campaign.create", "campaign.delete"}
    assert all(row["campaign_id"] is None for row in old_rows)
    # The password change is audited, without the password.
    audit = await db.fetch_all(sa.select(tables.audit_log))
    assert "staff.set_password" in {row["action"] for row in audit}
    dumped = json.dumps([[str(value) for value in row.values()] for row in audit])
    assert login.password not in dumped


async def test_demo_signers_fill_many_states_and_every_lifecycle_state(client, db):
    await load_demo(db, signers=120)
    rows = await db.fetch_all(
        sa.select(tables.signatures.c.id, tables.signatures.c.status, tables.signatures.c.state)
    )
    statuses = [row["status"] for row in rows]
    assert len(rows) == 120
    assert set(statuses) == {"unconfirmed", "confirmed", "verified", "rejected", "withdrawn"}
    assert statuses.count("verified") > len(rows) / 2
    verified_states = {row["state"] for row in rows if row["status"] == "verified"}
    assert len(verified_states) >= 20
    with_evidence = await db.fetch_val(
        sa.select(sa.func.count(sa.distinct(tables.evidence.c.signature_id)))
    )
    assert with_evidence == len([s for s in statuses if s != "unconfirmed"])
    counted = await db.fetch_val(sa.select(sa.func.sum(tables.campaign_counts.c.verified)))
    assert counted == statuses.count("verified")
    assert (await client.get("/c/demo")).status_code == 200
