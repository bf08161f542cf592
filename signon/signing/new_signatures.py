"""The signing write: new signatures written to the database in groups, each with its
confirmation email, and the confirmation emails of repeats. The one signing module that
talks to mail.py: it makes each email's links and asks mail.confirmation_email for its
words (pre-rendered templates, filled in).

A sign POST's cost was mostly its own database round trips (BEGIN, INSERT, SELECT, INSERT,
COMMIT, each compiled from Core), its own wait for the WAL flush, and rendering two email
templates (bench/load_bench.py; figures in docs/performance.md). Here, submissions that
arrive while others are being written wait and go together (coalescing.WriteGroups): one
round trip for their ids, one statement for their rows and emails, one commit. Each caller
still waits for its own row, so nothing is answered before it is committed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa
from databases import Database

from signon import mail, settings
from signon.campaigns import Campaign
from signon.coalescing import WriteGroups
from signon.db import in_transaction
from signon.i18n import current_locale, set_locale
from signon.mail import Skeletons
from signon.signing.rules import SignatureFields
from signon.signing.tokens import make_token, new_nonce
from signon.tables import signatures

if TYPE_CHECKING:
    from signon.state import ProcessState


class Links(Protocol):
    """Absolute URLs for the links in emails (built by the web layer from its routes)."""

    def confirm(self, slug: str, token: str) -> str: ...
    def withdraw(self, slug: str, token: str) -> str: ...


@dataclass(frozen=True)
class NewSignature:
    campaign: Campaign
    fields: SignatureFields
    locale: str
    links: Links
    # The request's language, which the email is written in.
    email_locale: str
    # Insert only if the campaign row is still as `campaign` shows it (a recent copy).
    unchanged: bool


# What insert_new returns when the campaign is no longer open, or (with `unchanged`) no
# longer as the caller read it: nothing was written.
CHANGED = "changed"

_NEXT_IDS_SQL = "SELECT array_agg(nextval('signatures_id_seq')) FROM generate_series(1, $1)"
_DETAILS = (
    "full_name",
    "title",
    "office_level",
    "jurisdiction",
    "state",
    "email",
    "district",
    "phone",
    "organization",
)
_COLUMNS = {
    "id": "bigint",
    "campaign_id": "int",
    "text_version": "int",
    "locale": "text",
    "token_nonce": "text",
    "withdraw_nonce": "text",
    **dict.fromkeys(_DETAILS, "text"),
}
_MORE_COLUMNS = {
    "campaign_updated_at": "timestamptz",
    "subject": "text",
    "body_text": "text",
    "body_html": "text",
}
# One statement, so each signature is committed with its email. The campaign is checked in
# it: still open (closing it between its reading and the insert refuses the signature),
# and unchanged when the caller's copy may be old. ON CONFLICT DO NOTHING: concurrent
# repeats (even two in one group) cannot make a second row; a repeat gets no email here,
# and sign_campaign's transaction takes it from there.
_INSERT_SQL = """
WITH submitted AS (
    SELECT * FROM unnest({arrays}) AS s({names}, {more})
), still_open AS (
    SELECT s.* FROM submitted s JOIN campaigns c ON c.id = s.campaign_id
    WHERE c.status = 'open'
      AND (s.campaign_updated_at IS NULL OR c.updated_at = s.campaign_updated_at)
), created AS (
    INSERT INTO signatures ({names}) SELECT {names} FROM still_open
    ON CONFLICT (campaign_id, email) DO NOTHING
    RETURNING id
), emails AS (
    INSERT INTO email_outbox (to_address, subject, body_text, body_html, kind, signature_id)
    SELECT s.email, s.subject, s.body_text, s.body_html, 'confirm', s.id
    FROM created JOIN still_open s USING (id)
    WHERE (
        SELECT count(*) FROM email_outbox o
        WHERE o.to_address = s.email AND o.kind = 'confirm'
          AND o.created_at > now() - interval '1 day'
    ) < {daily_cap}
    RETURNING signature_id
)
SELECT array(SELECT id FROM still_open) AS still_open,
       array(SELECT signature_id FROM emails) AS created
""".format(  # noqa: S608 (column names and types from the constants above)
    names=", ".join(_COLUMNS),
    more=", ".join(_MORE_COLUMNS),
    # An address past its daily cap gets no email; its signature waits, unconfirmed, and
    # signing again another day sends one.
    daily_cap=int(settings.CONFIRM_EMAILS_PER_ADDRESS_PER_DAY),
    arrays=", ".join(
        f"${n}::{kind}[]" for n, kind in enumerate({**_COLUMNS, **_MORE_COLUMNS}.values(), 1)
    ),
)


async def insert_new(
    db: Database,
    process: ProcessState,
    campaign: Campaign,
    fields: SignatureFields,
    locale: str,
    links: Links,
    *,
    unchanged: bool = False,
) -> int | str | None:
    """The new signature's id; None when this email has already signed the campaign (and
    the campaign is as shown); or CHANGED."""
    new = NewSignature(campaign, fields, locale, links, current_locale(), unchanged)
    if in_transaction(db):  # the caller's transaction: write within it
        return (await _insert(db, process.email_skeletons, [new]))[0]
    return await process.signature_writes.submit(new)


async def _insert(
    db: Database, skeletons: Skeletons, group: Sequence[NewSignature]
) -> list[int | str | None]:
    async with db.connection() as connection:
        raw = connection.raw_connection
        ids = await raw.fetchval(_NEXT_IDS_SQL, len(group))
        rows = [_row(skeletons, new, new_id) for new, new_id in zip(group, ids, strict=True)]
        found = await raw.fetchrow(_INSERT_SQL, *map(list, zip(*rows, strict=True)))
    still_open, created = set(found["still_open"]), set(found["created"])
    return [
        new_id if new_id in created else None if new_id in still_open else CHANGED for new_id in ids
    ]


def _row(skeletons: Skeletons, new: NewSignature, new_id: int) -> tuple[Any, ...]:
    nonce, withdraw_nonce = new_nonce(), new_nonce()
    details = {name: getattr(new.fields, name) for name in _DETAILS}

    def email() -> tuple[str, str, str]:
        set_locale(new.email_locale)  # in a copy of the context: the caller's is untouched
        return confirmation_email(
            skeletons, new.campaign, new_id, nonce, withdraw_nonce, details, new.links
        )

    subject, text, html = contextvars.copy_context().run(email)
    return (
        new_id,
        new.campaign.id,
        new.campaign.text_version,
        new.locale,
        nonce,
        withdraw_nonce,
        *(details[name] for name in _DETAILS),
        new.campaign.updated_at if new.unchanged else None,
        subject[:300],
        text,
        html,
    )


class SignatureWrites:
    """The app's new signatures on their way to the database: each submitted one waits
    for a lane and goes with the others waiting (coalescing.WriteGroups). Three groups in
    flight at most: three of the pool's ten connections, each kept while more groups wait.

    Its tasks belong to the event loop that runs the app (one per app: ProcessState).
    """

    def __init__(self, db: Database, skeletons: Skeletons) -> None:
        self._groups: WriteGroups[NewSignature, int | str | None] = WriteGroups(
            partial(_insert, db, skeletons), lanes=3, hold=db.connection
        )

    async def submit(self, new: NewSignature) -> int | str | None:
        return await self._groups.submit(new)


# --- The confirmation email: its links here, its words in mail.py ----------------------


def confirmation_email(
    skeletons: Skeletons,
    campaign: Campaign,
    signature_id: int,
    nonce: str,
    withdraw_nonce: str,
    details: dict[str, Any],
    links: Links,
) -> tuple[str, str, str]:
    """The confirmation email (subject, text, html) with its two links, in the current
    language."""
    confirm_url = links.confirm(campaign.slug, make_token(signature_id, nonce, "confirm"))
    withdraw_url = links.withdraw(
        campaign.slug, make_token(signature_id, withdraw_nonce, "withdraw")
    )
    return mail.confirmation_email(skeletons, campaign, details, confirm_url, withdraw_url)


async def queue_confirmation(
    db: Database,
    process: ProcessState,
    campaign: Campaign,
    signature_id: int,
    details: dict[str, Any],
    email: str,
    links: Links,
) -> None:
    """A repeat submission's confirmation email, with the row's current nonces, into the
    outbox (inside the caller's transaction)."""
    row = await db.fetch_one(
        sa.select(signatures.c.token_nonce, signatures.c.withdraw_nonce).where(
            signatures.c.id == signature_id
        )
    )
    subject, text, html = confirmation_email(
        process.email_skeletons, campaign, signature_id, row[0], row[1], details, links
    )
    outgoing = mail.OutgoingEmail(
        to=email, subject=subject, text=text, html=html, kind="confirm", signature_id=signature_id
    )
    await mail.queue_email(db, outgoing)
