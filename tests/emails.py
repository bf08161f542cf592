"""Email as the tests read it: the outbox's latest message, the links in a body, and an
inbox for the real SMTP server (aiosmtpd) that delivery tests send to."""

from __future__ import annotations

import email
import re
from email import policy

import sqlalchemy as sa
from databases import Database

from signon.tables import email_outbox


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


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"
