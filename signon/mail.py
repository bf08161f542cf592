"""Email: an outbox written in the same transaction as the change that sends it, and the
worker that delivers it through SMTP_URL (aiosmtplib), retrying with backoff.

With SMTP_URL unset, the worker writes each message to the log and marks it sent; staff
can read every message in the outbox.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
import sqlalchemy as sa
from databases import Database

from signon import settings
from signon.audit import Actor, record_audit
from signon.errors import Forbidden
from signon.i18n import gettext_ as _
from signon.tables import email_attempts, email_outbox

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)
SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None
    kind: str
    signature_id: int | None = None


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def render_email(name: str, subject: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) from templates/emails/NAME.txt and NAME.html, in the current
    language."""
    from signon.web.templating import templates  # templating imports csrf only; no cycle

    env = templates.env
    text = env.get_template(f"emails/{name}.txt").render(**context)
    html = env.get_template(f"emails/{name}.html").render(**context)
    return subject, text, html


async def queue_email(db: Database, message: OutgoingEmail) -> int:
    """Add a message to the outbox. Call it inside the transaction of the change."""
    return await db.fetch_val(
        email_outbox.insert()
        .values(
            to_address=message.to,
            subject=message.subject[:300],
            body_text=message.text,
            body_html=message.html,
            kind=message.kind,
            signature_id=message.signature_id,
        )
        .returning(email_outbox.c.id)
    )


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 10 s, 20 s, 40 s ... at most 1 h."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 * 10 s is far past the cap already
    return min(BACKOFF_FIRST * 2**doublings, BACKOFF_MAX)


def _build(row: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.MAIL_FROM
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="signon")
    message.set_content(row["body_text"])
    if row["body_html"]:
        message.add_alternative(row["body_html"], subtype="html")
    return message


class _Smtp:
    """One SMTP connection for a batch, opened on first use."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.secure = parts.scheme == "smtps"
        self.options: dict[str, Any] = {
            "hostname": parts.hostname or "localhost",
            "port": parts.port or (465 if self.secure else 25),
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_tls": self.secure,
            "timeout": SMTP_TIMEOUT_SECONDS,
        }
        self.client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        if self.client is None:
            self.client = aiosmtplib.SMTP(**self.options)
            await self.client.connect()
        await self.client.send_message(message)

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except (aiosmtplib.SMTPException, OSError):
                self.client.close()


def _is_permanent(error: Exception) -> bool:
    """A 5xx refusal of the recipient will not change by retrying."""
    return isinstance(error, aiosmtplib.SMTPRecipientsRefused) or (
        isinstance(error, aiosmtplib.SMTPResponseException) and 500 <= error.code < 600
    )


async def deliver_due(db: Database, smtp_url: str | None, *, batch: int = 50) -> int:
    """Send the messages that are due, once. Returns how many were delivered.

    Rows are locked (SKIP LOCKED) for the batch, so several workers can run side by side.
    """
    smtp = _Smtp(smtp_url) if smtp_url else None
    delivered = 0
    try:
        async with db.transaction():
            rows = await db.fetch_all(
                sa.select(email_outbox)
                .where(
                    email_outbox.c.status == "pending",
                    email_outbox.c.next_attempt_at <= sa.func.now(),
                )
                .order_by(email_outbox.c.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            for row in rows:
                delivered += await _attempt(db, smtp, row)
    finally:
        if smtp is not None:
            await smtp.close()
    return delivered


async def _attempt(db: Database, smtp: _Smtp | None, row: Any) -> int:
    error: Exception | None = None
    if smtp is None:
        log.info(
            "Email (SMTP_URL unset) to %s: %s\n%s",
            row["to_address"],
            row["subject"],
            row["body_text"],
        )
    else:
        try:
            await smtp.send(_build(row))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            error = exc
            smtp.client = None  # the connection is suspect: open a fresh one next time
    attempts = row["attempts"] + 1
    note = None if smtp else "SMTP_URL unset: written to the log"
    await db.execute(
        email_attempts.insert().values(
            outbox_id=row["id"], ok=error is None, error=(str(error)[:2000] if error else note)
        )
    )
    if error is None:
        await db.execute(
            email_outbox.update()
            .where(email_outbox.c.id == row["id"])
            .values(status="sent", attempts=attempts, sent_at=sa.func.now(), last_error=note)
        )
        return 1
    log.warning(
        "Email %s to %s failed (attempt %d): %s", row["id"], row["to_address"], attempts, error
    )
    await db.execute(
        email_outbox.update()
        .where(email_outbox.c.id == row["id"])
        .values(
            status="failed" if _is_permanent(error) else "pending",
            attempts=attempts,
            last_error=str(error)[:2000],
            next_attempt_at=sa.func.now() + sa.cast(backoff(attempts), sa.Interval),
        )
    )
    return 0


async def list_outbox(db: Database, *, limit: int = 100) -> list[OutboxMessage]:
    rows = await db.fetch_all(
        sa.select(email_outbox).order_by(email_outbox.c.id.desc()).limit(limit)
    )
    return [
        OutboxMessage(
            id=row["id"],
            to_address=row["to_address"],
            subject=row["subject"],
            body_text=row["body_text"],
            body_html=row["body_html"],
            kind=row["kind"],
            status=row["status"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            sent_at=row["sent_at"],
        )
        for row in rows
    ]


# A confirm or withdraw link up to its token (the alphabet of signing/tokens.py).
_LINK_TOKEN_RE = re.compile(r"(/c/[a-z0-9-]+/(?:confirm|withdraw)/)[A-Za-z0-9_.\-]+")
LINK_HIDDEN = "[link hidden]"


def without_tokens(message: OutboxMessage) -> OutboxMessage:
    """The message as sent, but for its links' tokens: a working link on the outbox page
    would let any staff member, or one who has left, confirm or withdraw a signature in
    the signer's name."""
    return dataclasses.replace(
        message,
        body_text=_LINK_TOKEN_RE.sub(rf"\1{LINK_HIDDEN}", message.body_text),
        body_html=_LINK_TOKEN_RE.sub(rf"\1{LINK_HIDDEN}", message.body_html or "") or None,
    )


async def list_sent_messages(db: Database) -> list[OutboxMessage]:
    """The outbox as every staff member sees it: what was sent, without working links."""
    return [without_tokens(message) for message in await list_outbox(db)]


async def reveal_outbox_links(db: Database, actor: Actor) -> list[OutboxMessage]:
    """The outbox with its working links, for an admin, deliberately: recorded in the audit
    log (without the links), since each link acts in a signer's name."""
    if not actor.is_admin:
        raise Forbidden("Only an admin can see the outbox's working links.")
    messages = await list_outbox(db)
    await record_audit(
        db, actor, "outbox.reveal_links", "email_outbox", after={"messages": len(messages)}
    )
    return messages


def confirmation_subject(title: str) -> str:
    return _("Confirm your signature: %(title)s") % {"title": title}


async def run_worker(db: Database, smtp_url: str | None, *, poll_seconds: float = 2.0) -> None:
    """Deliver due messages until cancelled; sleeps between empty polls."""
    import asyncio

    if not smtp_url:
        log.info("SMTP_URL is unset: emails are written to the log and kept in the outbox")
    while True:
        try:
            sent = await deliver_due(db, smtp_url)
        except OSError as exc:  # the database is unreachable: keep trying
            log.warning("Outbox poll failed: %s", exc)
            sent = 0
        if not sent:
            await asyncio.sleep(poll_seconds)
