"""Email delivery through a real SMTP server (aiosmtpd on loopback), with retries."""

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from signon import mail
from signon.tables import email_attempts, email_outbox
from tests.emails import Inbox, link_in
from tests.factories import make_campaign, sign
from tests.processes import free_port


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", inbox
    finally:
        controller.stop()


async def test_confirmation_email_arrives_with_both_bodies(client, db, smtp_server):
    url, inbox = smtp_server
    await make_campaign(db)
    await sign(client)
    assert await mail.deliver_due(db, url) == 1
    [message] = inbox.messages
    assert message["To"] == "ana.diaz@stpaul.gov"
    assert "Reject the EATS Act" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "/c/eats-act/confirm/" in text and "/c/eats-act/confirm/" in html
    response = await client.get(link_in(text, "confirm"))
    assert response.status_code == 200
    row = await db.fetch_one(sa.select(email_outbox))
    assert (row["status"], row["attempts"]) == ("sent", 1)
    assert await mail.deliver_due(db, url) == 0  # nothing is sent twice


async def test_smtp_down_loses_nothing_and_retries_with_backoff(client, db, smtp_server):
    url, inbox = smtp_server
    await make_campaign(db)
    for n in range(3):
        await sign(client, email=f"member{n}@stpaul.gov")
    down = f"smtp://127.0.0.1:{free_port()}"
    assert await mail.deliver_due(db, down) == 0
    rows = await db.fetch_all(sa.select(email_outbox))
    assert {row["status"] for row in rows} == {"pending"}
    assert all(row["attempts"] == 1 and row["last_error"] for row in rows)
    assert await mail.deliver_due(db, url) == 0  # not due yet: backing off
    # Time passes (the backoff is 10 s after the first failure).
    await db.execute(email_outbox.update().values(next_attempt_at=sa.func.now()))
    assert await mail.deliver_due(db, url) == 3
    assert sorted(m["To"] for m in inbox.messages) == [
        "member0@stpaul.gov",
        "member1@stpaul.gov",
        "member2@stpaul.gov",
    ]
    attempts = await db.fetch_all(sa.select(email_attempts).order_by(email_attempts.c.id))
    assert [row["ok"] for row in attempts] == [False] * 3 + [True] * 3


async def test_without_smtp_the_message_goes_to_the_log_and_staff_can_read_it(client, db, caplog):
    await make_campaign(db)
    await sign(client)
    with caplog.at_level("INFO", logger="signon.mail"):
        assert await mail.deliver_due(db, None) == 1
    assert "/c/eats-act/confirm/" in caplog.text
    row = await db.fetch_one(sa.select(email_outbox))
    assert row["status"] == "sent" and "written to the log" in row["last_error"]


def test_backoff_grows_and_is_capped():
    assert [mail.backoff(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert mail.backoff(50).total_seconds() == 3600


async def test_spanish_signers_get_spanish_email(client, db):
    await make_campaign(db)
    client.headers["Accept-Language"] = "es"
    await sign(client)
    row = await db.fetch_one(sa.select(email_outbox))
    assert row["subject"].startswith("Confirme su firma")
    assert "Gracias por firmar" in row["body_text"]
    assert "Confirmar mi firma" in row["body_html"]


async def test_the_worker_command_sends_what_is_due(
    client, db, database_url, tmp_path, smtp_server
):
    from tests.processes import cli_env, run_signon

    url, inbox = smtp_server
    await make_campaign(db)
    await sign(client)
    env = {**cli_env(database_url), "SMTP_URL": url}
    result = await run_signon("worker", "--once", cwd=tmp_path, env=env)
    assert result.returncode == 0, result
    assert "Sent 1 message(s)." in result.stdout
    assert len(inbox.messages) == 1


async def test_staff_read_the_outbox(client, db):
    from tests.factories import log_in, make_staff

    await make_campaign(db)
    await sign(client)
    await make_staff(db, "rev@example.org", role="staff", name="Rev")
    await log_in(client, "rev@example.org")
    dashboard = (await client.get("/staff/")).text
    assert 'href="/staff/outbox"' in dashboard
    page = (await client.get("/staff/outbox")).text
    assert "ana.diaz@stpaul.gov" in page and "/c/eats-act/confirm/" in page
