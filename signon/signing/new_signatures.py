"""New signatures under load: written to the database in groups, each with its
confirmation email, and those emails filled into templates rendered once.

A sign POST's cost was mostly its own database round trips (BEGIN, INSERT, SELECT, INSERT,
COMMIT, each compiled from Core), its own wait for the WAL flush, and rendering two email
templates (bench/load_bench.py; figures in docs/performance.md). Here, submissions that
arrive while others are being written wait and go together (coalescing.WriteGroups): one
round trip for their ids, one statement for their rows and emails, one commit. Each caller
still waits for its own row, so nothing is answered before it is committed.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from databases import Database
from markupsafe import Markup, escape

from signon import settings
from signon.campaigns import Campaign
from signon.coalescing import WriteGroups
from signon.i18n import current_locale, set_locale
from signon.mail import confirmation_subject, render_email
from signon.signing.rules import SignatureFields
from signon.signing.tokens import make_token, new_nonce

log = logging.getLogger(__name__)


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
    if _in_transaction(db):  # the caller's transaction: write within it
        return (await _insert(db, [new]))[0]
    return await _groups(db).submit(new)


def _in_transaction(db: Database) -> bool:
    # `databases` keeps a connection per task; db.connection() would make one for the
    # request just to say it has no transaction.
    connection = db._global_connection or db._connection
    return connection is not None and bool(connection._transaction_stack)


async def _insert(db: Database, group: Sequence[NewSignature]) -> list[int | str | None]:
    async with db.connection() as connection:
        raw = connection.raw_connection
        ids = await raw.fetchval(_NEXT_IDS_SQL, len(group))
        rows = [_row(new, new_id) for new, new_id in zip(group, ids, strict=True)]
        found = await raw.fetchrow(_INSERT_SQL, *map(list, zip(*rows, strict=True)))
    still_open, created = set(found["still_open"]), set(found["created"])
    return [
        new_id if new_id in created else None if new_id in still_open else CHANGED for new_id in ids
    ]


def _row(new: NewSignature, new_id: int) -> tuple[Any, ...]:
    nonce, withdraw_nonce = new_nonce(), new_nonce()
    details = {name: getattr(new.fields, name) for name in _DETAILS}

    def email() -> tuple[str, str, str]:
        set_locale(new.email_locale)  # in a copy of the context: the caller's is untouched
        return confirmation_email(new.campaign, new_id, nonce, withdraw_nonce, details, new.links)

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


# One WriteGroups per database and event loop (its tasks belong to the loop).
_by_db: weakref.WeakKeyDictionary[Database, tuple[Any, WriteGroups]] = weakref.WeakKeyDictionary()


def _groups(db: Database) -> WriteGroups[NewSignature, int | str | None]:
    loop = asyncio.get_running_loop()
    found = _by_db.get(db)
    if found is None or found[0] is not loop:
        # Three groups in flight at most: three of the pool's ten connections, each kept
        # while more groups wait.
        groups = WriteGroups(partial(_insert, db), lanes=3, hold=db.connection)
        found = _by_db[db] = (loop, groups)
    return found[1]


# --- The confirmation email ------------------------------------------------------------


def confirmation_email(
    campaign: Campaign,
    signature_id: int,
    nonce: str,
    withdraw_nonce: str,
    details: dict[str, Any],
    links: Links,
) -> tuple[str, str, str]:
    """The confirmation email (subject, text, html) with its two links, in the current
    language."""
    values = {
        **{f"details.{key}": value for key, value in details.items()},
        "confirm_url": links.confirm(campaign.slug, make_token(signature_id, nonce, "confirm")),
        "withdraw_url": links.withdraw(
            campaign.slug, make_token(signature_id, withdraw_nonce, "withdraw")
        ),
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
    skeleton = _skeletons.get(key)
    if skeleton is None:
        skeleton = _skeleton(key, campaign, subject, values)
    if skeleton is _UNFIT:
        return render_email("confirm", subject, _context(campaign, values))
    return subject, _fill(skeleton[0], values, str), _fill(skeleton[1], values, escape)


# Rendering the two templates took about a third of a sign POST's CPU. So each (language,
# campaign version, which details are empty) is rendered once with marks where a signer's
# values go; each email fills them in (as Jinja would: escaped in HTML, as is in text).
# The marks are private-use characters, which the sign form refuses in any field. The
# first fill is checked against a real rendering; a template that does more with a value
# than print it is simply rendered every time.
_skeletons: OrderedDict[Hashable, Any] = OrderedDict()
_UNFIT = object()
_MAX_SKELETONS = 64


def _mark(name: str) -> str:
    return f"\ue000{name}\ue001"


_MARK = re.compile("\ue000([^\ue001]*)\ue001")


def _skeleton(key: Hashable, campaign: Campaign, subject: str, values: dict[str, Any]) -> Any:
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
    _skeletons[key] = skeleton
    while len(_skeletons) > _MAX_SKELETONS:
        _skeletons.popitem(last=False)
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
