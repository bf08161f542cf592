"""Email: an outbox written in the same transaction as the change that sends it, and the
worker that delivers it through SMTP_URL (aiosmtplib), retrying with backoff.

With SMTP_URL unset, the worker writes each message to the log and marks it sent; staff
can read every message in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
import sqlalchemy as sa
from databases import Database
from markupsafe import Markup, escape

from signon import settings
from signon.audit import Actor, record_audit
from signon.errors import AdminOnly
from signon.i18n import current_locale
from signon.i18n import gettext_ as _
from signon.tables import email_attempts, email_outbox
from signon.vocabulary import OutboxStatus

if TYPE_CHECKING:
    from signon.campaigns import Campaign

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


async def deliver_due(
    db: Database, smtp_url: str | None, *, batch: int = 50, stop: asyncio.Event | None = None
) -> int:
    """Send up to `batch` messages that are due, once. Returns how many were delivered.

    Each message is claimed (FOR UPDATE SKIP LOCKED, so several workers can run side by
    side), sent and marked in a transaction of its own: when the worker is cut off (the
    database restarts, the process is killed), only the message in hand can be sent again,
    never those before it. `stop` ends the run between two messages.
    """
    smtp = _Smtp(smtp_url) if smtp_url else None
    delivered = 0
    try:
        for _n in range(batch):
            if stop is not None and stop.is_set():
                break
            async with db.transaction():
                row = await db.fetch_one(_NEXT_DUE)
                if row is None:
                    break
                delivered += await _attempt(db, smtp, row)
        from signon.invitations.sending import deliver_invitations  # it imports mail

        delivered += await deliver_invitations(db, smtp)
    finally:
        if smtp is not None:
            await smtp.close()
    return delivered


_NEXT_DUE = (
    sa.select(email_outbox)
    .where(
        email_outbox.c.status == OutboxStatus.PENDING,
        email_outbox.c.next_attempt_at <= sa.func.now(),
        # Invitations go at INVITE_RATE, one commit each (signon/invitations/sending.py).
        email_outbox.c.invitation_id.is_(None),
    )
    .order_by(email_outbox.c.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)


async def _attempt(db: Database, smtp: _Smtp | None, row: Any) -> int:
    """Send one message and record the outcome; a message that cannot be built, or that
    the server refuses for good, is marked failed with the reason."""
    error: Exception | None = None
    permanent = False
    if smtp is None:
        log.info(
            "Email (SMTP_URL unset) to %s: %s\n%s",
            row["to_address"],
            row["subject"],
            row["body_text"],
        )
    else:
        try:
            message = _build(row)
        except Exception as exc:  # whatever breaks one message, not the rest
            error, permanent = RuntimeError(f"The message could not be built: {exc}"), True
        else:
            try:
                await smtp.send(message)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                error, permanent = exc, _is_permanent(exc)
                smtp.client = None  # the connection is suspect: open a fresh one next time
    await _record(
        db, row, error, permanent, note=None if smtp else "SMTP_URL unset: written to the log"
    )
    return 1 if error is None else 0


async def _record(
    db: Database, row: Any, error: Exception | None, permanent: bool, *, note: str | None
) -> None:
    attempts = row["attempts"] + 1
    reason = str(error)[:2000] if error else note
    await db.execute(
        email_attempts.insert().values(outbox_id=row["id"], ok=error is None, error=reason)
    )
    values: dict[str, Any] = {"attempts": attempts, "last_error": reason}
    if error is None:
        log.info("Email %s sent to %s (attempt %d)", row["id"], row["to_address"], attempts)
        values.update(status=OutboxStatus.SENT, sent_at=sa.func.now())
    elif permanent:
        log.warning("Email %s to %s failed for good: %s", row["id"], row["to_address"], error)
        values.update(status=OutboxStatus.FAILED)
    else:
        log.warning(
            "Email %s to %s failed (attempt %d), will retry: %s",
            row["id"],
            row["to_address"],
            attempts,
            error,
        )
        values.update(next_attempt_at=sa.func.now() + sa.cast(backoff(attempts), sa.Interval))
    await db.execute(email_outbox.update().where(email_outbox.c.id == row["id"]).values(**values))


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
        raise AdminOnly()
    messages = await list_outbox(db)
    await record_audit(
        db, actor, "outbox.reveal_links", "email_outbox", after={"messages": len(messages)}
    )
    return messages


def confirmation_subject(title: str) -> str:
    return _("Confirm your signature: %(title)s") % {"title": title}


async def run_worker(
    db: Database,
    smtp_url: str | None,
    *,
    poll_seconds: float = 2.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Deliver due messages until `stop` is set (or the task is cancelled).

    Nothing that goes wrong in one poll ends the worker: the database restarting or away,
    a connection cut mid-transaction, a bug met by one message. It logs and polls again,
    waiting longer after each failure in a row (at most a minute).
    """
    stop = stop or asyncio.Event()
    if not smtp_url:
        log.info("SMTP_URL is unset: emails are written to the log and kept in the outbox")
    failures = 0
    while not stop.is_set():
        try:
            sent = await deliver_due(db, smtp_url, stop=stop)
            failures = 0
        except Exception as exc:  # see the docstring
            failures += 1
            log.warning("Outbox poll failed (%d in a row), retrying: %r", failures, exc)
            sent = 0
        if not sent:
            # A short outage (a restart) costs seconds; a long one, a poll a minute.
            wait = min(poll_seconds * max(failures, 1), 60.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
    log.info("The worker stops: SIGTERM or Ctrl-C, after the message in hand")


# --- The confirmation email, pre-rendered ----------------------------------------------

# The pre-rendered confirmation emails (see _skeleton), by what they depend on; the app's
# ProcessState (signon/state.py) keeps them.
Skeletons = OrderedDict[Hashable, Any]


def confirmation_email(
    skeletons: Skeletons,
    campaign: Campaign,
    details: dict[str, Any],
    confirm_url: str,
    withdraw_url: str,
) -> tuple[str, str, str]:
    """The confirmation email (subject, text, html) with its two links, in the current
    language: every email signing sends (signing/new_signatures.py asks for them)."""
    values = {
        **{f"details.{key}": value for key, value in details.items()},
        "confirm_url": confirm_url,
        "withdraw_url": withdraw_url,
    }
    subject = confirmation_subject(campaign.title)
    key = (
        current_locale(),
        campaign.id,
        campaign.updated_at,
        campaign.text_version,
        settings.TOKEN_MAX_AGE_DAYS,
        tuple((name, bool(value)) for name, value in values.items()),
    )
    skeleton = skeletons.get(key)
    if skeleton is None:
        skeleton = _skeleton(skeletons, key, campaign, subject, values)
    if skeleton is _UNFIT:
        return render_email("confirm", subject, _context(campaign, values))
    return subject, _fill(skeleton[0], values, str), _fill(skeleton[1], values, escape)


# Rendering the two templates took about a third of a sign POST's CPU. So each (language,
# campaign version, which details are empty) is rendered once with marks where a signer's
# values go; each email fills them in (as Jinja would: escaped in HTML, as is in text).
# The marks are private-use characters, which the sign form refuses in any field. The
# first fill is checked against a real rendering; a template that does more with a value
# than print it is simply rendered every time. The skeletons are kept in the app's
# ProcessState (signon/state.py), at most _MAX_SKELETONS.
_UNFIT = object()
_MAX_SKELETONS = 64


def _mark(name: str) -> str:
    return f"\ue000{name}\ue001"


_MARK = re.compile("\ue000([^\ue001]*)\ue001")


def _skeleton(
    skeletons: Skeletons, key: Hashable, campaign: Campaign, subject: str, values: dict[str, Any]
) -> Any:
    # Markup: the marks go through autoescaping untouched (they are ours, not the signer's).
    marked = {name: Markup(_mark(name)) if value else value for name, value in values.items()}  # noqa: S704
    real = render_email("confirm", subject, _context(campaign, values))
    skeleton: Any = _UNFIT
    try:
        _, text, html = render_email("confirm", subject, _context(campaign, marked))
        pieces = (tuple(_MARK.split(text)), tuple(_MARK.split(html)))
        if (_fill(pieces[0], values, str), _fill(pieces[1], values, escape)) == real[1:]:
            skeleton = pieces
        else:
            log.warning("The confirmation email's templates cannot be pre-rendered")
    except Exception:  # a template that needs more than the values themselves
        log.warning("The confirmation email's templates cannot be pre-rendered", exc_info=True)
    skeletons[key] = skeleton
    while len(skeletons) > _MAX_SKELETONS:
        skeletons.popitem(last=False)
    return skeleton


def _context(campaign: Campaign, values: dict[str, Any]) -> dict[str, Any]:
    details = {
        name.removeprefix("details."): value
        for name, value in values.items()
        if name.startswith("details.")
    }
    return {
        "campaign": campaign,
        "details": details,
        "confirm_url": values["confirm_url"],
        "withdraw_url": values["withdraw_url"],
        "max_age_days": settings.TOKEN_MAX_AGE_DAYS,
    }


def _fill(pieces: tuple[str, ...], values: dict[str, Any], convert: Any) -> str:
    """Text between marks, at even places, and the marks' names, at odd ones."""
    filled = list(pieces)
    for place in range(1, len(filled), 2):
        filled[place] = str(convert(values[filled[place]]))
    return "".join(filled)
