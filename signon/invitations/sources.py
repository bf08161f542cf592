"""Who to invite besides an uploaded list: the verified signers of an earlier campaign,
and the imported legislators' roster by state and chamber, at their roster emails."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from databases import Database

from signon.errors import NotFound
from signon.i18n import gettext_ as _
from signon.importing.openstates import is_current_role
from signon.invitations.csvfile import Invitee
from signon.offices import STATES
from signon.tables import campaigns, roster_people, roster_roles, signatures

CHAMBERS = {"upper": "State Senator", "lower": "State Representative", "legislature": "Senator"}
_SIGNATURE_DETAILS = ("full_name", "title", "office_level", "jurisdiction", "state", "district")


async def earlier_signers(db: Database, slug: str) -> list[Invitee]:
    """The verified signers of campaign `slug`, with their office as verified."""
    campaign_id = await db.fetch_val(sa.select(campaigns.c.id).where(campaigns.c.slug == slug))
    if campaign_id is None:
        raise NotFound(_("There is no campaign at that address."))
    rows = await db.fetch_all(
        sa.select(signatures)
        .where(signatures.c.campaign_id == campaign_id, signatures.c.status == "verified")
        .order_by(signatures.c.id)
    )
    return [
        Invitee(
            line=0,
            email=row["email"],
            locale=row["locale"],
            details={name: row[name] for name in _SIGNATURE_DETAILS if row[name]},
        )
        for row in rows
    ]


async def roster_members(
    db: Database, state: str, chamber: str, *, now: datetime
) -> tuple[list[Invitee], dict[str, str]]:
    """The current members of a state's chamber who have a roster email, and each
    address's roster person id. A person with several addresses is invited at the first."""
    if state not in STATES or chamber not in CHAMBERS:
        raise NotFound(_("Choose a state and a chamber."))
    today = now.date().isoformat()
    rows = await db.fetch_all(
        sa.select(roster_people, roster_roles.c.district, roster_roles.c.title.label("role_title"))
        .select_from(roster_people.join(roster_roles))
        .where(
            roster_people.c.state == state,
            roster_people.c.retired.is_(False),
            roster_roles.c.type == chamber,
            sa.func.cardinality(roster_people.c.emails) > 0,
        )
        .order_by(roster_people.c.family_name, roster_people.c.name)
        .add_columns(roster_roles.c.start_date, roster_roles.c.end_date)
    )
    invitees: list[Invitee] = []
    person_ids: dict[str, str] = {}
    for row in rows:
        email = row["emails"][0]
        if email in person_ids or not is_current_role(row["start_date"], row["end_date"], today):
            continue
        person_ids[email] = row["id"]
        details = {
            "full_name": row["name"],
            "title": row["role_title"] or CHAMBERS[chamber],
            "office_level": "state_legislature",
            "jurisdiction": STATES[state],
            "state": state,
        }
        if row["district"]:
            details["district"] = row["district"]
        invitees.append(Invitee(line=0, email=email, locale=None, details=details))
    return invitees, person_ids
