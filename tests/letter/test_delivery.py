"""Delivery (a frozen PDF and its SHA-256) and the per-state packets addressed to each
state's members of Congress (signon/letter/delivery.py, signon/letter/document.py, the CLI)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from signon import campaigns, settings
from signon.audit import CLI
from signon.errors import Conflict
from signon.letter import delivery, document, renders
from signon.tables import audit_log, congress_members, deliveries
from signon.tables import campaigns as campaigns_table
from signon.verification import review
from tests.emails import latest_email, link_in
from tests.factories import (
    NOW,
    confirm,
    log_in,
    make_campaign,
    make_staff,
    sign,
    signature_rows,
    verified_signers,
)
from tests.forms import form_post
from tests.pdf_text import assert_numbered, text_lines
from tests.shared_data import shared_data

SIGNERS = [
    {"full_name": "Wanda Wells", "state": "WI", "jurisdiction": "Madison"},
    {"full_name": "Al Anders", "state": "WI", "jurisdiction": "Milwaukee"},
    {"full_name": "Kim Kuk", "state": "AK", "jurisdiction": "Juneau"},
    {"full_name": "Mo Moe", "state": "MN", "jurisdiction": "Duluth"},
]
DELEGATION = [
    ("W000001", "Ron", "Johnson", "WI", "sen", None),
    ("W000002", "Tammy", "Baldwin", "WI", "sen", None),
    ("W000003", "Gwen", "Moore", "WI", "rep", 4),
    ("W000004", "Bryan", "Steil", "WI", "rep", 1),
    ("A000001", "Mary", "Peltola", "AK", "rep", 0),
    ("A000002", "Lisa", "Murkowski", "AK", "sen", None),
]


async def closed_letter(client, db, signers=SIGNERS, **fields):
    campaign = await make_campaign(db, **fields)
    await verified_signers(client, db, campaign, [dict(s) for s in signers])
    return await campaigns.close_campaign(db, CLI, campaign.slug)


async def add_delegation(db, members=DELEGATION):
    for bioguide, first, last, state, chamber, district in members:
        await db.execute(
            congress_members.insert().values(
                bioguide=bioguide,
                full_name=f"{first} {last}",
                first_name=first,
                last_name=last,
                state=state,
                chamber=chamber,
                district=district,
                term_start="2025-01-03",
                term_end="2027-01-03",
            )
        )


async def staff_client(client, db):
    await make_staff(db, role="staff", email="staff@example.org", name="Sam Staff")
    await log_in(client, "staff@example.org")
    return client


async def press_deliver(client):
    """Staff press "Deliver the letter" on the letter page."""
    letter_page = "/staff/campaigns/eats-act/letter"
    return await form_post(client, letter_page, "/staff/campaigns/eats-act/deliver", {})


async def test_staff_deliver_a_closed_letter_and_the_public_pdf_is_that_file(client, db):
    await closed_letter(client, db)
    await staff_client(client, db)
    page = await client.get("/staff/campaigns/eats-act/letter")
    assert "Deliver the letter" in page.text
    response = await press_deliver(client)
    assert response.status_code == 303
    stored = await db.fetch_one(sa.select(deliveries))
    row = await db.fetch_one(sa.select(campaigns_table))
    assert row["status"] == "delivered"
    assert stored["sha256"] == row["delivered_sha256"] == hashlib.sha256(stored["pdf"]).hexdigest()
    assert stored["signer_count"] == 4

    served = await client.get("/c/eats-act/letter.pdf")
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == row["delivered_sha256"]
    assert served.headers["etag"] == f'"{row["delivered_sha256"]}"'
    assert row["delivered_sha256"] in (await client.get(response.headers["location"])).text
    assert row["delivered_sha256"] in (await client.get("/c/eats-act")).text
    api = (await client.get("/api/v1/campaigns/eats-act")).json()
    assert (api["status"], api["delivered_sha256"]) == ("delivered", row["delivered_sha256"])
    assert "Mo Moe, City Council Member, Duluth" in text_lines(served.content)
    assert_numbered(served.content)
    audit = await db.fetch_one(sa.select(audit_log).where(audit_log.c.action == "campaign.deliver"))
    assert audit["actor"] == "staff@example.org"
    assert audit["after"]["sha256"] == row["delivered_sha256"]


async def test_the_delivered_pdf_never_changes_whatever_happens_later(client, db, process):
    await closed_letter(client, db)
    delivered = await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)
    before = (await client.get("/c/eats-act/letter.pdf")).content
    # A signer withdraws after delivery, with a fresh link from the page; staff may not
    # reject another (SPEC section 2).
    await form_post(
        client, "/c/eats-act", "/c/eats-act/withdraw-link", {"email": "signer0@example.gov"}
    )
    withdraw = link_in((await latest_email(db, to="signer0@example.gov"))["body_text"], "withdraw")
    assert (await confirm(client, withdraw)).status_code in (200, 303)
    rows = await signature_rows(db)
    with pytest.raises(Conflict, match="delivered"):
        await review.reject_signatures(db, CLI, rows[0]["campaign_id"], [rows[1]["id"]], reason="x")
    after = (await client.get("/c/eats-act/letter.pdf")).content
    assert after == before
    assert hashlib.sha256(after).hexdigest() == delivered.sha256
    with pytest.raises(Conflict):
        await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)


async def test_only_a_closed_letter_with_signers_can_be_delivered(client, db, process):
    await make_campaign(db)  # open
    with pytest.raises(Conflict, match="close it first"):
        await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)
    await campaigns.close_campaign(db, CLI, "eats-act")
    with pytest.raises(Conflict, match="no verified signatory"):
        await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)
    await make_campaign(db, slug="a-statement", status="closed", kind="statement")
    with pytest.raises(Conflict, match="statement"):
        await delivery.deliver_campaign(db, process, CLI, "a-statement", now=NOW)
    await staff_client(client, db)
    refused = await press_deliver(client)
    assert refused.status_code == 409
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(deliveries)) == 0


async def test_a_change_during_the_render_is_caught_and_rendered_again(
    client, db, monkeypatch, process
):
    campaign = await make_campaign(db)
    await verified_signers(client, db, campaign, [dict(SIGNERS[0])])
    await sign(client, "eats-act", email="late@example.gov", full_name="Lee Late")
    await confirm(
        client, link_in((await latest_email(db, to="late@example.gov"))["body_text"], "confirm")
    )
    await campaigns.close_campaign(db, CLI, "eats-act")
    late_id = (await signature_rows(db))[-1]["id"]
    real_render = renders.render
    calls = []

    async def render_while_staff_verify(doc, pool):
        calls.append(doc.total)
        if len(calls) == 1:  # staff verify the late signer while the first render runs
            await review.verify_signatures(db, CLI, campaign.id, [late_id])
        return await real_render(doc, pool)

    monkeypatch.setattr(renders, "render", render_while_staff_verify)
    done = await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)
    assert calls == [1, 2]
    assert done.signer_count == 2
    content = await document.delivered_pdf(db, campaign.id)
    assert "Lee Late, City Council Member, Saint Paul" in text_lines(content)
    assert hashlib.sha256(content).hexdigest() == done.sha256


async def test_a_long_letter_is_prepared_in_the_background_then_delivered_as_prepared(
    client, db, monkeypatch, process
):
    monkeypatch.setattr(document, "INLINE_MAX_SIGNERS", 0)  # every letter counts as long
    await closed_letter(client, db)
    await staff_client(client, db)
    page = await client.get("/staff/campaigns/eats-act/letter")
    assert "delivering first prepares it" in page.text
    started = await press_deliver(client)
    assert started.status_code == 202
    assert "is being prepared" in started.text
    assert 'http-equiv="refresh" content="3;url=/staff/campaigns/eats-act/letter"' in started.text
    assert started.headers["retry-after"] == "3"
    row = await db.fetch_one(sa.select(campaigns_table))
    assert row["status"] == "closed"  # nothing is frozen before the PDF is ready
    await process.wait_for_background()

    ready = await client.get("/staff/campaigns/eats-act/letter")
    assert ready.status_code == 200
    assert "The PDF of 4 signatories is ready" in ready.text
    assert "http-equiv" not in ready.text
    preview = await client.get("/staff/campaigns/eats-act/letter.pdf")
    assert preview.status_code == 200
    done = await press_deliver(client)
    assert done.status_code == 303
    row = await db.fetch_one(sa.select(campaigns_table))
    assert row["status"] == "delivered"
    assert row["delivered_sha256"] == hashlib.sha256(preview.content).hexdigest()


async def test_delivery_waits_for_a_render_in_progress_instead_of_rendering_twice(
    client, db, monkeypatch, process
):
    monkeypatch.setattr(document, "INLINE_MAX_SIGNERS", 0)
    await closed_letter(client, db)
    real_render, calls = renders.render, []

    async def slow(doc, pool):
        calls.append(doc.total)
        await asyncio.sleep(0.3)
        return await real_render(doc, pool)

    monkeypatch.setattr(renders, "render", slow)
    assert (await client.get("/c/eats-act/letter.pdf")).status_code == 202  # render started
    done = await delivery.deliver_campaign(db, process, CLI, "eats-act", now=NOW)
    assert calls == [4]  # the CLI's delivery took the render in progress
    served = await client.get("/c/eats-act/letter.pdf")
    assert hashlib.sha256(served.content).hexdigest() == done.sha256


async def test_a_state_packet_is_addressed_to_its_delegation_and_lists_its_signers(client, db):
    await closed_letter(client, db)
    await add_delegation(db)
    await staff_client(client, db)
    wisconsin = await client.get("/staff/campaigns/eats-act/packets/WI.pdf")
    assert wisconsin.status_code == 200
    lines = text_lines(wisconsin.content)
    addressees = [
        "Senator Tammy Baldwin",
        "Senator Ron Johnson",
        "Representative Bryan Steil, District 1",
        "Representative Gwen Moore, District 4",
    ]
    start = lines.index(addressees[0])
    assert lines[start : start + 4] == addressees
    listed = lines[lines.index("Signatories") :]
    assert listed[1:5] == [
        "Wisconsin",
        "Al Anders, City Council Member, Milwaukee",
        "Wanda Wells, City Council Member, Madison",
        "Total: 2 signatories",
    ]
    assert "Alaska" not in lines and not any("Kim Kuk" in line for line in lines)
    alaska = text_lines((await client.get("/staff/campaigns/eats-act/packets/AK.pdf")).content)
    assert "Representative Mary Peltola, At-Large" in alaska
    minnesota = text_lines((await client.get("/staff/campaigns/eats-act/packets/MN.pdf")).content)
    assert "The Minnesota Delegation to the United States Congress" in minnesota
    assert (await client.get("/staff/campaigns/eats-act/packets/OH.pdf")).status_code == 404


async def test_the_packets_zip_holds_one_pdf_per_state_with_signers(
    client, db, monkeypatch, process
):
    monkeypatch.setattr(document, "INLINE_MAX_SIGNERS", 0)  # the ZIP renders in the background
    await closed_letter(client, db)
    await add_delegation(db)
    await staff_client(client, db)
    waiting = await client.get("/staff/campaigns/eats-act/packets.zip")
    assert waiting.status_code == 202
    await process.wait_for_background()
    response = await client.get("/staff/campaigns/eats-act/packets.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names == ["eats-act-AK.pdf", "eats-act-MN.pdf", "eats-act-WI.pdf"]
    for name, person in zip(names, ["Kim Kuk", "Mo Moe", "Wanda Wells"], strict=True):
        assert any(person in line for line in text_lines(archive.read(name)))
    single = await client.get("/staff/campaigns/eats-act/packets/WI.pdf")
    assert single.content == archive.read("eats-act-WI.pdf")  # the same render, reused


async def test_packets_use_the_imported_congress_legislators(client, db, process):
    from signon.importing.congress import import_congress

    path = shared_data("congress-legislators/legislators-current.yaml")
    await import_congress(db, path, now=NOW)
    rows = await db.fetch_all(sa.select(congress_members).where(congress_members.c.state == "VT"))
    assert rows, "the file has Vermont's delegation"
    await closed_letter(client, db, signers=[{"full_name": "Val Vermont", "state": "VT"}])
    campaign = await campaigns.get_campaign(db, "eats-act")
    packet = await document.packet_pdf(db, process, campaign, "VT", now=NOW, wait=True)
    lines = text_lines(packet.content)
    for row in rows:
        title = "Senator" if row["chamber"] == "sen" else "Representative"
        expected = f"{title} {row['first_name']} {row['last_name']}"
        assert any(line.startswith(expected) for line in lines), expected
    assert any(line.endswith("At-Large") for line in lines)


async def run_cli(database_url: str, *args: str, cwd: Path) -> tuple[int, str, str]:
    """`python -m signon ARGS` as a separate process, on the test database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SIGNON_VAR_DIR")}
    env.update(DATABASE_URL=database_url, PYTHONPATH=str(settings.PROJECT_DIR))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "signon",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    return process.returncode or 0, out.decode(), err.decode()


async def test_cli_exports_the_pdf_and_a_packet_delivers_and_exports_the_frozen_file(
    client, db, database_url, tmp_path
):
    await closed_letter(client, db)
    await add_delegation(db)
    code, out, err = await run_cli(
        database_url, "export", "pdf", "eats-act", "-o", "l.pdf", cwd=tmp_path
    )
    assert code == 0, err
    assert "Wanda Wells, City Council Member, Madison" in text_lines(
        (tmp_path / "l.pdf").read_bytes()
    )
    code, out, err = await run_cli(
        database_url, "export", "pdf", "eats-act", "-o", "wi.pdf", "--state", "wi", cwd=tmp_path
    )
    assert code == 0, err
    assert "Senator Tammy Baldwin" in text_lines((tmp_path / "wi.pdf").read_bytes())

    code, out, err = await run_cli(database_url, "campaign", "deliver", "eats-act", cwd=tmp_path)
    assert code == 0, err
    sha256 = await db.fetch_val(sa.select(campaigns_table.c.delivered_sha256))
    assert sha256 in out
    code, out, err = await run_cli(
        database_url, "export", "pdf", "eats-act", "-o", "d.pdf", cwd=tmp_path
    )
    assert code == 0, err
    assert hashlib.sha256((tmp_path / "d.pdf").read_bytes()).hexdigest() == sha256
    code, out, err = await run_cli(database_url, "campaign", "deliver", "eats-act", cwd=tmp_path)
    assert code == 1 and "already been delivered" in err and "Traceback" not in err
