"""The worker's side of invitations: sent at INVITE_RATE per minute, one commit each.

Confirmation emails go out in batches committed together (mail.deliver_due); an invitee
list is thousands of messages, so here each message is locked, sent and marked sent in
its own transaction. A worker killed mid-send loses its lock with its connection: the
message it was sending is still pending and is sent again by the next worker, under the
same Message-ID (<invitation-OUTBOX_ID@…>), so the one case that can repeat (killed after
the SMTP server's 250 and before the commit, a window of one round trip) is the same
message, which mail systems deliver once. A permanent refusal (5xx) marks it bounced.
"""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

import aiosmtplib
import sqlalchemy as sa
from databases import Database

from signon import settings
from signon.invitations.invitees import INVITATION_KINDS
from signon.tables import email_attempts, email_outbox, invitations

WINDOW = timedelta(minutes=1)
# The state is written in the statement, not bound: only then can the planner use the
# partial index of pending invitations (a bound value might not be 'pending'), and not
# walk past every message already sent, once for each message.
_NEXT_SQL = """
SELECT * FROM email_outbox
WHERE status = 'pending' AND invitation_id IS NOT NULL AND next_attempt_at <= now()
ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
"""


async def budget(db: Database, rate: int) -> int:
    """How many invitations may go now: `rate` less those sent in the last minute."""
    sent = await db.fetch_val(
        sa.select(sa.func.count())
        .select_from(email_outbox)
        .where(
            email_outbox.c.kind.in_(INVITATION_KINDS),
            email_outbox.c.sent_at > sa.func.now() - sa.cast(WINDOW, sa.Interval),
        )
    )
    return max(rate - sent, 0)


def build_message(row: Any, build: Any) -> EmailMessage:
    """mail's message with the invitation's headers and a Message-ID fixed by its row."""
    message = build(row)
    headers = row["headers"]
    if isinstance(headers, str):
        headers = json.loads(headers)
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    domain = parseaddr(settings.MAIL_FROM)[1].rpartition("@")[2] or "signon"
    del message["Message-ID"]
    message["Message-ID"] = f"<invitation-{row['id']}@{domain}>"
    return message


async def deliver_invitations(db: Database, smtp: Any, *, rate: int | None = None) -> int:
    """Send due invitations and reminders within the rate; returns how many were sent.

    `smtp` is mail's connection (None: written to the log), shared with its batch."""
    from signon import mail  # mail calls this module: imported here, no cycle at load

    allowed = await budget(db, settings.INVITE_RATE if rate is None else rate)
    sent = 0
    while sent < allowed:
        async with db.transaction():
            row = await db.fetch_one(_NEXT_SQL)
            if row is None:
                break
            error = await _send(mail, smtp, row)
            await _record(db, mail, row, error)
        if error is None:
            sent += 1
        elif not mail._is_permanent(error):
            break  # the server is down or refusing for now: back off, try the rest later
    return sent


async def _send(mail: Any, smtp: Any, row: Any) -> Exception | None:
    if smtp is None:
        mail.log.info("Invitation (SMTP_URL unset) to %s: %s", row["to_address"], row["subject"])
        return None
    try:
        await smtp.send(build_message(row, mail._build))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        smtp.client = None  # the connection is suspect: open a fresh one next time
        return exc
    return None


async def _record(db: Database, mail: Any, row: Any, error: Exception | None) -> None:
    attempts = row["attempts"] + 1
    await db.execute(
        email_attempts.insert().values(
            outbox_id=row["id"], ok=error is None, error=str(error)[:2000] if error else None
        )
    )
    if error is None:
        await db.execute(
            email_outbox.update()
            .where(email_outbox.c.id == row["id"])
            .values(status="sent", attempts=attempts, sent_at=sa.func.now())
        )
        await db.execute(
            invitations.update()
            .where(invitations.c.id == row["invitation_id"], invitations.c.status == "queued")
            .values(status="sent", sent_at=sa.func.now())
        )
        return
    permanent = mail._is_permanent(error)
    await db.execute(
        email_outbox.update()
        .where(email_outbox.c.id == row["id"])
        .values(
            status="failed" if permanent else "pending",
            attempts=attempts,
            last_error=str(error)[:2000],
            next_attempt_at=sa.func.now() + sa.cast(mail.backoff(attempts), sa.Interval),
        )
    )
    if permanent:
        await db.execute(
            invitations.update()
            .where(invitations.c.id == row["invitation_id"], invitations.c.status != "signed")
            .values(status="bounced", bounced_at=sa.func.now())
        )
