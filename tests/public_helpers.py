"""Helpers for the public count, signatory list and API tests: signers made through the
real paths (sign and confirm over HTTP, verify and reject with signon.verification.review)."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from databases import Database

from signon.audit import CLI
from signon.tables import signatures
from signon.verification import review
from tests.factories import confirm, latest_email, link_in, sign


async def signature_id(db: Database, email: str) -> int:
    found = await db.fetch_val(
        sa.select(signatures.c.id).where(signatures.c.email == email.lower())
    )
    assert found is not None, f"no signature for {email}"
    return found


async def confirmed_signer(
    client: httpx.AsyncClient, db: Database, email: str, slug: str = "eats-act", **fields: str
) -> int:
    """Sign and confirm by email; returns the signature's id (status confirmed)."""
    response = await sign(client, slug, email=email, **fields)
    assert response.status_code == 303, response.text
    await confirm(client, link_in((await latest_email(db, email.lower()))["body_text"], "confirm"))
    return await signature_id(db, email)


async def verified_signer(
    client: httpx.AsyncClient,
    db: Database,
    campaign_id: int,
    email: str,
    slug: str = "eats-act",
    **fields: str,
) -> int:
    """Sign, confirm, and have staff verify: the signer now counts and is listed."""
    found = await confirmed_signer(client, db, email, slug, **fields)
    decision = await review.verify_signatures(db, CLI, campaign_id, [found])
    assert decision.decided == 1
    return found


async def withdraw(client: httpx.AsyncClient, db: Database, email: str) -> None:
    """Use the withdraw link of the latest email sent to this address."""
    path = link_in((await latest_email(db, email.lower()))["body_text"], "withdraw")
    await confirm(client, path)  # same GET-then-POST pattern as confirming
