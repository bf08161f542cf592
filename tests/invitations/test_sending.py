"""Invitations through a real SMTP server (aiosmtpd on loopback): headers, INVITE_RATE,
an outage, a permanent refusal, and a worker killed with SIGKILL mid-send."""

import asyncio
import email
import signal
import subprocess
import sys
import time
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from signon import mail, settings
from signon.audit import CLI
from signon.invitations import invitees
from signon.invitations.csvfile import Invitee
from signon.tables import email_outbox, invitations
from signon.views.invitations import RouteLinks
from tests.factories import NOW, make_campaign
from tests.processes import cli_env, free_port


class Inbox:
    """Keeps every message; refuses REFUSED with 550; takes `delay` seconds per message."""

    REFUSED = "gone@stpaul.gov"

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.delay = delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.REFUSED:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def start_smtp(inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = start_smtp(inbox)
    yield f"smtp://127.0.0.1:{controller.port}", inbox
    controller.stop()


async def invite(app, db, count: int, *, extra: tuple[str, ...] = ()) -> list[str]:
    campaign = await make_campaign(db)
    addresses = [f"member{n}@legis.wisconsin.gov" for n in range(count)] + list(extra)
    found = [Invitee(line=0, email=a, locale=None, details={}) for a in addresses]
    result = await invitees.add_invitees(
        db, CLI, campaign, found, source="csv", links=RouteLinks(app.router), now=NOW
    )
    assert result.invited == len(addresses)
    return addresses


async def test_an_invitation_arrives_with_its_unsubscribe_headers(app, db, smtp):
    url, inbox = smtp
    await invite(app, db, 1)
    assert await mail.deliver_due(db, url) == 1
    (message,) = inbox.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert message["From"].addresses[0].display_name == "Local Progress, State Innovation Exchange"
    assert message["Message-ID"].startswith("<invitation-")
    assert "/c/eats-act/i/" in message.get_body(("plain",)).get_content()
    row = await db.fetch_one(sa.select(invitations))
    assert (row["status"], row["sent_at"] is not None) == ("sent", True)
    assert await mail.deliver_due(db, url) == 0  # nothing twice


async def test_the_worker_keeps_to_invite_rate(app, db, smtp, monkeypatch):
    url, inbox = smtp
    monkeypatch.setattr(settings, "INVITE_RATE", 3)
    await invite(app, db, 5)
    assert await mail.deliver_due(db, url) == 3
    assert await mail.deliver_due(db, url) == 0  # the minute's three are spent
    # A minute passes.
    await db.execute(
        email_outbox.update().values(
            sent_at=email_outbox.c.sent_at - sa.text("interval '61 seconds'")
        )
    )
    assert await mail.deliver_due(db, url) == 2
    assert len(inbox.messages) == 5


async def test_an_smtp_outage_loses_none_and_sends_none_twice(app, db, smtp):
    url, inbox = smtp
    addresses = await invite(app, db, 4)
    down = f"smtp://127.0.0.1:{free_port()}"
    assert await mail.deliver_due(db, down) == 0
    rows = await db.fetch_all(sa.select(email_outbox))
    assert {(row["status"], row["attempts"]) for row in rows} == {("pending", 0), ("pending", 1)}
    # The first failure stopped the round: the rest were not tried, and the first waits.
    assert await mail.deliver_due(db, url) == 3
    await db.execute(email_outbox.update().values(next_attempt_at=sa.func.now()))
    assert await mail.deliver_due(db, url) == 1
    assert sorted(m["To"] for m in inbox.messages) == sorted(addresses)


async def test_a_permanent_refusal_marks_the_invitation_bounced(app, db, smtp):
    url, _inbox = smtp
    await invite(app, db, 2, extra=(Inbox.REFUSED,))
    assert await mail.deliver_due(db, url) == 2
    rows = await db.fetch_all(sa.select(invitations.c.email, invitations.c.status))
    found = {row[0]: row[1] for row in rows}
    assert found.pop(Inbox.REFUSED) == "bounced"
    assert set(found.values()) == {"sent"}
    refused = await db.fetch_one(
        sa.select(email_outbox).where(email_outbox.c.to_address == Inbox.REFUSED)
    )
    assert refused["status"] == "failed" and "550" in refused["last_error"]


def _worker(database_url: str, url: str, tmp_path) -> subprocess.Popen:
    env = cli_env(database_url, SMTP_URL=url, INVITE_RATE="100000")
    return subprocess.Popen(
        [sys.executable, "-m", "signon", "worker"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _until(check, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_worker_killed_mid_send_and_restarted_sends_each_invitation_once(
    app, db, database_url, tmp_path
):
    inbox = Inbox(delay=0.01)
    controller = start_smtp(inbox)
    url = f"smtp://127.0.0.1:{controller.port}"
    addresses = await invite(app, db, 150)
    worker = _worker(database_url, url, tmp_path)
    try:

        async def some_arrived() -> bool:
            return len(inbox.messages) >= 30

        await _until(some_arrived, 60)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        killed_at = len(inbox.messages)
        assert killed_at < len(addresses), "the kill came after the last message"
        worker = _worker(database_url, url, tmp_path)

        async def all_sent() -> bool:
            pending = await db.fetch_val(
                sa.select(sa.func.count())
                .select_from(email_outbox)
                .where(email_outbox.c.status != "sent")
            )
            return pending == 0

        await _until(all_sent, 90)
    finally:
        worker.kill()
        worker.wait(10)
        controller.stop()
    by_address: dict[str, set[str]] = {}
    for message in inbox.messages:
        by_address.setdefault(message["To"], set()).add(message["Message-ID"])
    assert sorted(by_address) == sorted(addresses)
    # One invitation each: the only repeat possible is a message the server took just
    # before the kill, sent again as the same message (its Message-ID).
    assert all(len(ids) == 1 for ids in by_address.values())
    assert len(inbox.messages) <= len(addresses) + 1
    states = await db.fetch_all(sa.select(invitations.c.status).distinct())
    assert [row[0] for row in states] == ["sent"]
