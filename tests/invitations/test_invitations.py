"""Invitations through the site, as staff and invited officials use it (SPEC section 7)."""

import json

import sqlalchemy as sa

from signon.invitations.signing import open_invitation
from signon.tables import audit_log, email_outbox, evidence, invitations, signatures
from tests.factories import NOW, log_in, make_campaign, make_staff, sign
from tests.forms import form_post
from tests.invitations.helpers import CSV, STAFF_PAGE, invitation_email, link, statuses, upload
from tests.world import load_world

ANA = "ana.diaz@stpaul.gov"
RIVERA = "rep.rivera@legis.wisconsin.gov"


async def staff_session(client, db) -> None:
    await make_campaign(db)
    await make_staff(db)
    assert (await log_in(client, "admin@example.org")).status_code == 303


async def test_the_staff_page_needs_a_login(client, db):
    await make_campaign(db)
    response = await client.get(STAFF_PAGE)
    assert response.status_code == 303
    assert "/staff/login" in response.headers["location"]


async def test_an_upload_invites_each_address_once_and_lists_bad_rows(client, db):
    await staff_session(client, db)
    data = CSV + b"not-an-address,Bo,,,,,,\n"
    response = await upload(client, data)
    assert response.status_code == 200
    assert "Invited: 2." in response.text
    assert "<td>4</td><td>" in response.text and "not an email address" in response.text
    assert await statuses(db) == {ANA: "queued", RIVERA: "queued"}
    again = await upload(client, CSV)
    assert "Invited: 0. Already invited: 2." in again.text
    emails = await db.fetch_all(sa.select(email_outbox).where(email_outbox.c.kind == "invite"))
    assert sorted(row["to_address"] for row in emails) == [ANA, RIVERA]


async def test_a_refused_file_writes_nothing_and_says_why(client, db):
    await staff_session(client, db)
    response = await upload(client, "email\nmuñoz@x.gov\n".encode("latin-1"))
    assert response.status_code == 400
    assert "not UTF-8" in response.text and 'role="alert"' in response.text
    assert await statuses(db) == {}


async def test_the_invitation_speaks_the_invitees_language_with_one_click_unsubscribe(client, db):
    await staff_session(client, db)
    await upload(client, CSV)
    english, spanish = await invitation_email(db, ANA), await invitation_email(db, RIVERA)
    assert "You are invited to sign" in english["body_text"]
    assert "Está invitado a firmar" in spanish["body_text"]
    headers = json.loads(english["headers"])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert "Local Progress" in headers["From"]
    unsubscribe = link(english["body_text"], r"/unsubscribe/[A-Za-z0-9_.\-]+")
    assert unsubscribe in headers["List-Unsubscribe"]


async def test_the_link_shows_the_letter_filled_in_and_changes_nothing_but_opened(client, db):
    await staff_session(client, db)
    await upload(client, CSV)
    path = link((await invitation_email(db, ANA))["body_text"])
    for _ in range(2):  # a mail scanner, then the person
        page = await client.get(path)
        assert page.status_code == 200
        assert "We, the undersigned" in page.text
        assert 'value="Ana Diaz"' in page.text and 'value="Saint Paul"' in page.text
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(signatures)) == 0
    assert (await statuses(db))[ANA] == "opened"


async def test_signing_from_the_link_confirms_at_once_and_only_once(client, db):
    await staff_session(client, db)
    await upload(client, CSV)
    path = link((await invitation_email(db, ANA))["body_text"])
    values = {
        "full_name": "Ana María Díaz",
        "title": "City Council Member",
        "office_level": "municipal",
        "state": "MN",
        "jurisdiction": "Saint Paul",
    }
    response = await form_post(client, path, path, values)
    assert response.status_code == 303
    row = await db.fetch_one(sa.select(signatures))
    assert (row["email"], row["full_name"], row["status"]) == (ANA, "Ana María Díaz", "confirmed")
    found = await db.fetch_all(sa.select(evidence.c.kind, evidence.c.detail))
    kinds = [(r[0], r[1]) for r in found]
    assert any(k == "invitation_inbox" and "invitation sent to this address" in d for k, d in kinds)
    # Staff gathering evidence again (after an import) keeps it: it is part of the evidence.
    recomputed = await form_post(
        client, "/staff/campaigns/eats-act/review", "/staff/campaigns/eats-act/recompute", {}
    )
    assert recomputed.status_code == 303
    found = await db.fetch_all(sa.select(evidence.c.kind))
    assert [r[0] for r in found].count("invitation_inbox") == 1
    assert (
        await db.fetch_val(
            sa.select(sa.func.count())
            .select_from(email_outbox)
            .where(email_outbox.c.kind == "confirm")
        )
        == 0
    )
    assert (await statuses(db))[ANA] == "signed"
    again = await form_post(client, "/c/eats-act", path, values)
    assert again.status_code == 409
    assert (await client.get(path)).status_code == 409
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(signatures)) == 1


async def test_a_bad_form_keeps_what_was_typed(client, db):
    await staff_session(client, db)
    await upload(client, CSV)
    path = link((await invitation_email(db, ANA))["body_text"])
    response = await form_post(client, path, path, {"full_name": "Ana Typed", "title": ""})
    assert response.status_code == 400
    assert 'value="Ana Typed"' in response.text and 'role="alert"' in response.text
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(signatures)) == 0


async def test_tampered_expired_and_other_campaign_links_get_a_clear_page(client, db, app):
    await staff_session(client, db)
    await make_campaign(db, slug="other-letter")
    await upload(client, CSV)
    path = link((await invitation_email(db, ANA))["body_text"])
    token = path.rsplit("/", 1)[1]
    tampered = await client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert tampered.status_code == 400 and "not valid" in tampered.text
    other = await client.get(f"/c/other-letter/i/{token}")
    assert other.status_code == 404 and "not for this campaign" in other.text
    from datetime import timedelta

    import pytest

    from signon.invitations.links import InvalidInvitation

    with pytest.raises(InvalidInvitation, match="expired"):
        await open_invitation(db, "eats-act", token, now=NOW + timedelta(days=61))


async def test_a_roster_email_so_invited_carries_the_roster_signal_and_auto_verifies(client, db):
    await staff_session(client, db)
    await load_world(db)
    response = await form_post(
        client,
        STAFF_PAGE,
        "/staff/campaigns/eats-act/invitations/roster",
        {"state": "WI", "chamber": "lower", "language": "en"},
    )
    assert "Invited: 1." in response.text
    row = await db.fetch_one(sa.select(invitations))
    assert (row["email"], row["roster_person_id"]) == (RIVERA, "ocd-person/rivera")
    path = link((await invitation_email(db, RIVERA))["body_text"])
    page = await client.get(path)
    assert 'value="Dana Rivera"' in page.text and 'value="15"' in page.text
    values = {
        "full_name": "Dana Rivera",
        "title": "State Representative",
        "office_level": "state_legislature",
        "state": "WI",
        "jurisdiction": "Wisconsin",
        "district": "15",
    }
    assert (await form_post(client, path, path, values)).status_code == 303
    signature = await db.fetch_one(sa.select(signatures))
    assert signature["status"] == "verified"
    strengths = await db.fetch_all(sa.select(evidence.c.strength))
    assert "strong" in [r[0] for r in strengths]


async def test_earlier_campaigns_verified_signers_are_invited(client, db):
    await staff_session(client, db)
    await make_campaign(db, slug="earlier-letter")
    await sign(client, slug="earlier-letter")
    await sign(client, slug="earlier-letter", email="bo@stpaul.gov")
    await db.execute(signatures.update().where(signatures.c.email == ANA).values(status="verified"))
    response = await form_post(
        client,
        STAFF_PAGE,
        "/staff/campaigns/eats-act/invitations/earlier",
        {"from_slug": "earlier-letter", "language": "en"},
    )
    assert "Invited: 1." in response.text
    assert await statuses(db) == {ANA: "queued"}


async def test_unsubscribe_page_then_button_and_no_invitation_again_from_any_campaign(client, db):
    await staff_session(client, db)
    await upload(client, CSV)
    path = link((await invitation_email(db, ANA))["body_text"], r"/unsubscribe/[A-Za-z0-9_.\-]+")
    assert "Unsubscribe" in (await client.get(path)).text
    assert (await statuses(db))[ANA] == "queued"  # the GET changed nothing
    done = await form_post(client, path, path, {})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert (await statuses(db))[ANA] == "unsubscribed"
    pending = await invitation_email(db, ANA)
    assert pending["status"] == "failed"  # the queued invitation is not sent
    await make_campaign(db, slug="next-letter")
    again = await upload(client, CSV, page="/staff/campaigns/next-letter/invitations")
    assert "Unsubscribed, not invited: 1." in again.text
    rows = await db.fetch_all(sa.select(email_outbox).where(email_outbox.c.to_address == ANA))
    assert len(rows) == 1


async def test_a_mail_clients_one_click_post_needs_no_cookie_or_csrf(client, db, app):
    import httpx

    await staff_session(client, db)
    await upload(client, CSV)
    path = link((await invitation_email(db, RIVERA))["body_text"], r"/unsubscribe/[A-Za-z0-9_.\-]+")
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as mailer:
        forged = await mailer.post(path, data={"something": "else"})
        assert forged.status_code == 403
        clicked = await mailer.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert clicked.status_code == 204
    assert (await statuses(db))[RIVERA] == "unsubscribed"
    bad = await client.post("/unsubscribe/forged", content=b"List-Unsubscribe=One-Click")
    assert bad.status_code == 400


async def test_reminders_at_most_two_never_to_signed_or_unsubscribed(client, db):
    from signon import mail

    await staff_session(client, db)
    await upload(client, CSV + b"bo@stpaul.gov,Bo,,,,,,\n")
    assert "Send a reminder to 0 invitees" in (await client.get(STAFF_PAGE)).text
    await mail.deliver_due(db, None)  # the invitations go out (SMTP_URL unset: the log)
    assert set((await statuses(db)).values()) == {"sent"}
    # Ana signs; Rivera unsubscribes; Bo does nothing.
    path = link((await invitation_email(db, ANA))["body_text"])
    ana = {
        "full_name": "Ana Diaz",
        "title": "Council Member",
        "office_level": "municipal",
        "state": "MN",
        "jurisdiction": "Saint Paul",
    }
    await form_post(client, path, path, ana)
    out = link((await invitation_email(db, RIVERA))["body_text"], r"/unsubscribe/[A-Za-z0-9_.\-]+")
    await form_post(client, out, out, {})
    page = await client.get(STAFF_PAGE)
    assert "Send a reminder to 1 invitee<" in page.text
    remind = "/staff/campaigns/eats-act/invitations/remind"
    for _ in range(3):
        assert (await form_post(client, STAFF_PAGE, remind, {})).status_code == 303
    reminders = await db.fetch_all(sa.select(email_outbox).where(email_outbox.c.kind == "remind"))
    assert [row["to_address"] for row in reminders] == ["bo@stpaul.gov"] * 2
    assert "Reminder: will you sign" in reminders[0]["subject"]
    assert "Send a reminder to 0 invitees" in (await client.get(STAFF_PAGE)).text
    audit = await db.fetch_all(sa.select(audit_log.c.action))
    assert "invitations.remind" in [r[0] for r in audit]


async def test_staff_see_totals_per_invitee_and_states_without_signers(client, db):
    await staff_session(client, db)
    await upload(client, CSV)
    path = link((await invitation_email(db, ANA))["body_text"])
    ana = {
        "full_name": "Ana Diaz",
        "title": "Council Member",
        "office_level": "municipal",
        "state": "MN",
        "jurisdiction": "Saint Paul",
    }
    await form_post(client, path, path, ana)
    page = (await client.get(STAFF_PAGE)).text
    assert "<td>2</td><td>1</td><td>0</td><td>0</td><td>1</td>" in page  # invited, queued…signed
    assert "States with invitees but no signers yet: WI." in page
    assert RIVERA in page and "<td>signed</td>" in page


async def test_an_upload_of_10000_rows_is_invited_whole(client, db):
    import time

    await staff_session(client, db)
    rows = "".join(f"member{n}@legis.wi.gov,Member {n},WI\n" for n in range(10_000))
    started = time.monotonic()
    response = await upload(client, ("email,full_name,state\n" + rows).encode())
    elapsed = time.monotonic() - started
    assert "Invited: 10000." in response.text
    count = sa.select(sa.func.count()).select_from(email_outbox)
    assert await db.fetch_val(count.where(email_outbox.c.kind == "invite")) == 10_000
    assert elapsed < 60, elapsed


async def test_the_cli_invites_from_a_file_and_reminds(client, db, database_url, tmp_path):
    from signon import mail
    from tests.processes import cli_env, run_signon

    await make_campaign(db)
    path = tmp_path / "invitees.csv"
    path.write_bytes(CSV + b"bad,,,,,,,\n")
    env = cli_env(database_url)
    result = await run_signon("invite", "eats-act", str(path), cwd=tmp_path, env=env)
    assert result.returncode == 0, result
    assert "Invited 2; already invited 0; unsubscribed 0; rows not read 1." in result.stdout
    assert "Line 4:" in result.stderr
    await mail.deliver_due(db, None)
    result = await run_signon("campaign", "remind", "eats-act", cwd=tmp_path, env=env)
    assert "Reminders queued: 2." in result.stdout, result
