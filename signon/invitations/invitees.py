"""Invitees: adding them (from a list, earlier campaigns' verified signers, the roster),
each with its invitation queued in the outbox by the same statement; reminders.

An address is invited once per campaign (a unique constraint), and an unsubscribed one
is recorded as such with no email, so staff see why it was not invited. Writes go through
asyncpg's arrays (unnest): 10,000 invitees and their emails are two statements, not
20,000, and one statement is one atomic write: an import is never half-written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from databases import Database

from signon.audit import Actor, record_audit
from signon.campaigns import Campaign
from signon.errors import CampaignNotInviting
from signon.i18n import DEFAULT_LOCALE
from signon.i18n import gettext_ as _
from signon.invitations.csvfile import Invitee
from signon.invitations.emails import invitation_email
from signon.invitations.links import InviteLinks
from signon.signing.tokens import new_nonce
from signon.tables import MAX_REMINDERS, email_unsubscribes, invitations, signatures

INVITATION_KINDS = ("invite", "remind")


@dataclass(frozen=True)
class AddResult:
    invited: int
    already_invited: int
    unsubscribed: int


_NEXT_IDS_SQL = "SELECT array_agg(nextval('invitations_id_seq')) FROM generate_series(1, $1)"
# One statement: the invitations and the emails of those newly invited, or nothing.
# ON CONFLICT DO NOTHING: an address already invited (even by a concurrent import) gets
# no second row and no second email.
_ADD_SQL = """
WITH given AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
        AS g(id, email, locale, details, nonce, roster_person_id, subject, body_text,
             body_html, headers)
), created AS (
    INSERT INTO invitations (id, campaign_id, email, locale, details, source,
                             roster_person_id, status, nonce, invited_by)
    SELECT g.id, $11, g.email, g.locale, g.details::jsonb, $12, g.roster_person_id,
           CASE WHEN u.email IS NULL THEN 'queued' ELSE 'unsubscribed' END, g.nonce, $13
    FROM given g LEFT JOIN email_unsubscribes u ON u.email = g.email
    ON CONFLICT (campaign_id, email) DO NOTHING
    RETURNING id, status
), emails AS (
    INSERT INTO email_outbox (to_address, subject, body_text, body_html, kind,
                              invitation_id, headers)
    SELECT g.email, g.subject, g.body_text, g.body_html, 'invite', g.id, g.headers::jsonb
    FROM created c JOIN given g USING (id)
    WHERE c.status = 'queued'
    RETURNING invitation_id
)
SELECT (SELECT count(*) FROM emails) AS invited,
       (SELECT count(*) FROM created WHERE status = 'unsubscribed') AS unsubscribed
"""


async def add_invitees(
    db: Database,
    actor: Actor,
    campaign: Campaign,
    invitees: Sequence[Invitee],
    *,
    source: str,
    links: InviteLinks,
    default_locale: str = DEFAULT_LOCALE,
    roster_ids: dict[str, str] | None = None,
    now: datetime,
) -> AddResult:
    """Invite these addresses to `campaign`, each email queued with its invitation."""
    if not campaign.accepts_signatures(now):
        raise CampaignNotInviting(_("Invitations can be sent only while a campaign is open."))
    roster_ids = roster_ids or {}
    async with db.transaction(), db.connection() as connection:
        raw = connection.raw_connection
        ids = await raw.fetchval(_NEXT_IDS_SQL, len(invitees)) if invitees else []
        stamp = now.timestamp() if now else None
        rows = [
            _row(
                campaign,
                new_id,
                invitee,
                invitee.locale or default_locale,
                links,
                roster_ids,
                stamp,
            )
            for new_id, invitee in zip(ids, invitees, strict=True)
        ]
        columns = [list(column) for column in zip(*rows, strict=True)] or [[]] * 10
        found = await raw.fetchrow(_ADD_SQL, *columns, campaign.id, source, actor.label)
        result = AddResult(
            invited=found["invited"],
            already_invited=len(invitees) - found["invited"] - found["unsubscribed"],
            unsubscribed=found["unsubscribed"],
        )
        await record_audit(
            db,
            actor,
            "invitations.add",
            "campaign",
            campaign.id,
            campaign_id=campaign.id,
            after={"source": source, **result.__dict__},
        )
    return result


def _row(
    campaign: Campaign,
    new_id: int,
    invitee: Invitee,
    locale: str,
    links: InviteLinks,
    roster_ids: dict[str, str],
    stamp: float | None,
) -> tuple[Any, ...]:
    nonce = new_nonce()
    message = invitation_email(
        campaign, new_id, nonce, invitee.email, locale, invitee.details, links, now=stamp
    )
    return (
        new_id,
        invitee.email,
        locale,
        json.dumps(invitee.details),
        nonce,
        roster_ids.get(invitee.email),
        message.subject,
        message.text,
        message.html,
        json.dumps(message.headers),
    )


# --- Reminders ----------------------------------------------------------------------------


def _remindable(campaign_id: int) -> sa.Select:
    """Invitees who were sent an invitation and have neither signed (by any path) nor
    unsubscribed, with reminders left."""
    signed = sa.exists().where(
        signatures.c.campaign_id == campaign_id,
        signatures.c.email == invitations.c.email,
        signatures.c.status.in_(("confirmed", "verified")),
    )
    unsubscribed = sa.exists().where(email_unsubscribes.c.email == invitations.c.email)
    return sa.select(invitations).where(
        invitations.c.campaign_id == campaign_id,
        invitations.c.status.in_(("sent", "opened")),
        invitations.c.reminders < MAX_REMINDERS,
        ~signed,
        ~unsubscribed,
    )


async def count_remindable(db: Database, campaign_id: int) -> int:
    query = _remindable(campaign_id).subquery()
    return await db.fetch_val(sa.select(sa.func.count()).select_from(query))


_REMIND_SQL = """
WITH given AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::text[]) AS g(id, email, subject, body_text, body_html, headers)
), counted AS (
    UPDATE invitations i SET reminders = i.reminders + 1
    FROM given g WHERE i.id = g.id
    RETURNING i.id
)
INSERT INTO email_outbox (to_address, subject, body_text, body_html, kind, invitation_id,
                          headers)
SELECT g.email, g.subject, g.body_text, g.body_html, 'remind', g.id, g.headers::jsonb
FROM counted c JOIN given g USING (id)
"""


async def send_reminders(
    db: Database, actor: Actor, campaign: Campaign, *, links: InviteLinks, now: datetime | None
) -> int:
    """Queue one reminder to each remindable invitee; how many were queued."""
    if not campaign.accepts_signatures(now):
        raise CampaignNotInviting(_("Reminders can be sent only while a campaign is open."))
    async with db.transaction():
        rows = await db.fetch_all(_remindable(campaign.id).with_for_update(of=invitations))
        messages = []
        for row in rows:
            details = row["details"] if isinstance(row["details"], dict) else {}
            if isinstance(row["details"], str):
                details = json.loads(row["details"])
            message = invitation_email(
                campaign,
                row["id"],
                row["nonce"],
                row["email"],
                row["locale"],
                details,
                links,
                reminder=True,
                now=now.timestamp() if now else None,
            )
            messages.append(
                (
                    row["id"],
                    row["email"],
                    message.subject,
                    message.text,
                    message.html,
                    json.dumps(message.headers),
                )
            )
        if messages:
            async with db.connection() as connection:
                columns = [list(column) for column in zip(*messages, strict=True)]
                await connection.raw_connection.execute(_REMIND_SQL, *columns)
        await record_audit(
            db,
            actor,
            "invitations.remind",
            "campaign",
            campaign.id,
            campaign_id=campaign.id,
            after={"reminded": len(messages)},
        )
    return len(messages)
