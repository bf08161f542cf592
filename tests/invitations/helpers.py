"""Shared steps of the invitation tests: staff invite through the page, invitees follow
the links in their emails."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa
from databases import Database

from signon.tables import email_outbox, invitations
from tests.forms import csrf_from

STAFF_PAGE = "/staff/campaigns/eats-act/invitations"
CSV = (
    b"email,full_name,title,office_level,state,jurisdiction,district,language\n"
    b"Ana.Diaz@StPaul.gov,Ana Diaz,City Council Member,municipal,MN,Saint Paul,Ward 3,\n"
    b"rep.rivera@legis.wisconsin.gov,Dana Rivera,State Representative,state_legislature,WI,"
    b"Wisconsin,15,es\n"
)


async def upload(client: httpx.AsyncClient, data: bytes, page: str = STAFF_PAGE, **form: str):
    token = csrf_from((await client.get(page)).text)
    return await client.post(
        page,
        data={"csrf_token": token, **form},
        files={"file": ("invitees.csv", data, "text/csv")},
    )


async def invitation_email(db: Database, to: str, kind: str = "invite") -> dict:
    row = await db.fetch_one(
        sa.select(email_outbox)
        .where(email_outbox.c.to_address == to, email_outbox.c.kind == kind)
        .order_by(email_outbox.c.id.desc())
    )
    assert row is not None, f"no {kind} email to {to}"
    return dict(row._mapping)


def link(body: str, pattern: str = r"/c/[a-z0-9-]+/i/[A-Za-z0-9_.\-]+") -> str:
    found = re.search(rf"https?://[^/\s]+({pattern})", body)
    assert found, f"no link {pattern} in the email"
    return found.group(1)


async def statuses(db: Database) -> dict[str, str]:
    rows = await db.fetch_all(sa.select(invitations.c.email, invitations.c.status))
    return {row[0]: row[1] for row in rows}
