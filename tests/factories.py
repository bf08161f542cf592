"""Data for tests, made the way the app makes it: staff and campaigns through the domain
functions, signers who sign, confirm and withdraw over HTTP as a signer would, and staff
decisions through signon.verification.review."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from databases import Database

from signon import campaign_rules, campaigns, staff
from signon.audit import CLI
from signon.tables import evidence, signatures
from signon.verification import review
from tests.emails import latest_email, link_in
from tests.forms import form_post

PASSWORD = "correct horse battery staple"
# "Now" for the app under test (conftest.py passes it as the clock): datasets age and
# officials' terms end, and tests must not notice.
NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)

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
# A Wisconsin Assembly member's office (tests/world.py seats Dana Rivera in district 15).
LEGISLATOR = {
    "title": "State Representative",
    "office_level": "state_legislature",
    "state": "WI",
    "jurisdiction": "",
    "district": "15",
    "phone": "",
    "organization": "",
}


async def make_staff(
    db: Database, email: str = "admin@example.org", role: str = "admin", name: str = "Ada Admin"
) -> staff.StaffMember:
    return await staff.create_staff(db, CLI, email=email, name=name, password=PASSWORD, role=role)


async def add_sam_through_the_users_page(client: httpx.AsyncClient) -> httpx.Response:
    """A signed-in admin creates the staff member Sam Staff (sam@example.org) at /staff/users."""
    users = "/staff/users"
    sam = {"name": "Sam Staff", "email": "sam@example.org", "password": PASSWORD, "role": "staff"}
    return await form_post(client, users, users, sam)


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await form_post(
        client, "/staff/login", "/staff/login", {"email": email, "password": password}
    )


async def make_campaign(
    db: Database, slug: str = "eats-act", status: str = "open", **overrides: object
) -> campaigns.Campaign:
    data = {
        "slug": slug,
        "title": "Reject the EATS Act",
        "body_markdown": "We, the undersigned, urge Congress to **reject** the EATS Act.",
        "summary": "State and local officials oppose the EATS Act.",
        "addressee": "Members of the United States Congress",
        "salutation": "Dear Members of Congress,",
        "sign_off": "Sincerely,",
        "sponsors": "Local Progress\nState Innovation Exchange",
        "goal": "180",
        **overrides,
    }
    campaign = await campaigns.create_campaign(db, CLI, campaign_rules.parse_campaign_fields(data))
    if status in ("open", "closed"):
        campaign = await campaigns.open_campaign(db, CLI, slug)
    if status == "closed":
        campaign = await campaigns.close_campaign(db, CLI, slug)
    return campaign


async def sign(
    client: httpx.AsyncClient, slug: str = "eats-act", **overrides: str
) -> httpx.Response:
    page = f"/c/{slug}"
    token_page = await client.get(page)
    stamp = re.search(r'name="form_started" value="([^"]+)"', token_page.text)
    data = {**OFFICIAL, **overrides, "form_started": stamp.group(1) if stamp else ""}
    return await form_post(client, page, f"/c/{slug}/sign", data)


async def confirm(client: httpx.AsyncClient, path: str) -> httpx.Response:
    return await form_post(client, path, path, {})


async def signature_rows(db: Database) -> list[dict]:
    rows = await db.fetch_all(sa.select(signatures).order_by(signatures.c.id))
    return [dict(row._mapping) for row in rows]


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


async def verified_signers(client, db, campaign, signers: list[dict[str, str]]) -> list[int]:
    """Sign, confirm from the email and verify each signer, as the real paths do."""
    for number, details in enumerate(signers):
        email = details.pop("email", f"signer{number}@example.gov")
        await sign(client, campaign.slug, email=email, **details)
        await confirm(client, link_in((await latest_email(db, to=email))["body_text"], "confirm"))
    ids = [row["id"] for row in await signature_rows(db)]
    await review.verify_signatures(db, CLI, campaign.id, ids)
    return ids


async def withdraw(client: httpx.AsyncClient, db: Database, email: str) -> None:
    """Use the withdraw link of the latest email sent to this address."""
    path = link_in((await latest_email(db, email.lower()))["body_text"], "withdraw")
    await confirm(client, path)  # same GET-then-POST pattern as confirming


async def sign_and_confirm(client, db, slug="eats-act", **office):
    """Sign and confirm; returns the signature's row and its evidence (kind: strength)."""
    await sign(client, slug=slug, **office)
    email = await latest_email(db)
    await confirm(client, link_in(email["body_text"], "confirm"))
    row = await db.fetch_one(
        sa.select(signatures)
        .where(signatures.c.email == office["email"].lower())
        .order_by(signatures.c.id.desc())
    )
    kinds = await db.fetch_all(
        sa.select(evidence.c.kind, evidence.c.strength).where(evidence.c.signature_id == row["id"])
    )
    return row, {k["kind"]: k["strength"] for k in kinds}
