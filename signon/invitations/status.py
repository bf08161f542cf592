"""Where each invitation stands: opened, unsubscribed, and what staff see per campaign."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from databases import Database

from signon.tables import INVITATION_STATES, email_outbox, email_unsubscribes, invitations
from signon.tables import signatures as signatures_table


@dataclass(frozen=True)
class InvitationRow:
    id: int
    email: str
    full_name: str
    state: str
    status: str
    reminders: int
    source: str
    sent_at: datetime | None
    opened_at: datetime | None
    signed_at: datetime | None


@dataclass(frozen=True)
class Overview:
    totals: dict[str, int]
    invited: int
    rows: list[InvitationRow]
    # States with invitees and no confirmed or verified signer yet.
    states_without_signers: list[str]


async def record_opened(db: Database, invitation_id: int) -> None:
    """The link was opened (by a person or a mail scanner alike): only a timestamp and
    the state move from sent to opened; nothing else changes on a GET."""
    await db.execute(
        invitations.update()
        .where(invitations.c.id == invitation_id, invitations.c.status.in_(("queued", "sent")))
        .values(status="opened", opened_at=sa.func.coalesce(invitations.c.opened_at, sa.func.now()))
    )


async def unsubscribe(db: Database, email: str, campaign_id: int | None = None) -> None:
    """No invitation or reminder from any campaign again, including those still queued."""
    async with db.transaction():
        await db.execute(
            sa.dialects.postgresql.insert(email_unsubscribes)
            .values(email=email, campaign_id=campaign_id)
            .on_conflict_do_nothing()
        )
        await db.execute(
            invitations.update()
            .where(invitations.c.email == email, invitations.c.status != "signed")
            .values(status="unsubscribed")
        )
        mine = sa.select(invitations.c.id).where(invitations.c.email == email)
        await db.execute(
            email_outbox.update()
            .where(email_outbox.c.invitation_id.in_(mine), email_outbox.c.status == "pending")
            .values(status="failed", last_error="Not sent: the address unsubscribed.")
        )


async def is_unsubscribed(db: Database, email: str) -> bool:
    found = await db.fetch_val(
        sa.select(email_unsubscribes.c.email).where(email_unsubscribes.c.email == email)
    )
    return found is not None


async def campaign_overview(db: Database, campaign_id: int, *, limit: int = 2000) -> Overview:
    counts = await db.fetch_all(
        sa.select(invitations.c.status, sa.func.count())
        .where(invitations.c.campaign_id == campaign_id)
        .group_by(invitations.c.status)
    )
    totals = dict.fromkeys(INVITATION_STATES, 0) | {row[0]: row[1] for row in counts}
    rows = await db.fetch_all(
        sa.select(invitations)
        .where(invitations.c.campaign_id == campaign_id)
        .order_by(invitations.c.id)
        .limit(limit)
    )
    return Overview(
        totals=totals,
        invited=sum(totals.values()),
        rows=[_row(row) for row in rows],
        states_without_signers=await _states_without_signers(db, campaign_id),
    )


def _row(row: sa.Row) -> InvitationRow:
    details = row["details"]
    if isinstance(details, str):  # asyncpg hands jsonb over as text
        details = json.loads(details)
    return InvitationRow(
        id=row["id"],
        email=row["email"],
        full_name=details.get("full_name", ""),
        state=details.get("state", ""),
        status=row["status"],
        reminders=row["reminders"],
        source=row["source"],
        sent_at=row["sent_at"],
        opened_at=row["opened_at"],
        signed_at=row["signed_at"],
    )


async def _states_without_signers(db: Database, campaign_id: int) -> list[str]:
    state = invitations.c.details["state"].astext
    signed_states = sa.select(signatures_table.c.state).where(
        signatures_table.c.campaign_id == campaign_id,
        signatures_table.c.status.in_(("confirmed", "verified")),
    )
    rows = await db.fetch_all(
        sa.select(state)
        .where(invitations.c.campaign_id == campaign_id, state.is_not(None))
        .where(state.not_in(signed_states))
        .distinct()
        .order_by(state)
    )
    return [row[0] for row in rows]
