"""Helpers for tests that sign, confirm and withdraw like a signer would."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa
from databases import Database

from signon.tables import email_outbox, signatures
from tests.conftest import form_post

OFFICIAL = {
    "full_name": "Ana María Díaz",
    "title": "City Council Member",
    "office_level": "municipal",
    "jurisdiction": "Saint Paul",
    "state": "MN",
    "district": "Ward 3",
    "email": "Ana.Diaz@StPaul.gov",
    "phone": "651-555-0142",
    "organization": "",
}


async def sign(
    client: httpx.AsyncClient, slug: str = "eats-act", **overrides: str
) -> httpx.Response:
    page = f"/c/{slug}"
    token_page = await client.get(page)
    stamp = re.search(r'name="form_started" value="([^"]+)"', token_page.text)
    data = {**OFFICIAL, **overrides, "form_started": stamp.group(1) if stamp else ""}
    return await form_post(client, page, f"/c/{slug}/sign", data)


async def latest_email(db: Database, to: str | None = None) -> dict:
    query = sa.select(email_outbox).order_by(email_outbox.c.id.desc()).limit(1)
    if to:
        query = query.where(email_outbox.c.to_address == to)
    row = await db.fetch_one(query)
    assert row is not None, "no email was queued"
    return dict(row._mapping)


def link_in(body: str, purpose: str) -> str:
    """The path of the confirm or withdraw link in an email body."""
    found = re.search(rf"https?://[^/\s]+(/c/[a-z0-9-]+/{purpose}/[A-Za-z0-9_.\-]+)", body)
    assert found, f"no {purpose} link in the email"
    return found.group(1)


async def confirm(client: httpx.AsyncClient, path: str) -> httpx.Response:
    return await form_post(client, path, path, {})


async def signature_rows(db: Database) -> list[dict]:
    rows = await db.fetch_all(sa.select(signatures).order_by(signatures.c.id))
    return [dict(row._mapping) for row in rows]
