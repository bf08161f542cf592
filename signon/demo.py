"""The demo: an open letter at /c/demo and an admin login, so a new user can try Signon.

`load_demo` replaces whatever the slug `demo` held before, so running it again gives the
same starting point. The letter, the bill and the sponsors are fictional.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from databases import Database

from signon import campaign_rules, campaigns, staff, tables
from signon.audit import CLI, record_audit
from signon.demo_signers import add_demo_signers
from signon.vocabulary import AutoVerify, CampaignKind, StaffRole

DEMO_SLUG = "demo"
DEFAULT_SIGNERS = 48
DEMO_EMAIL = "demo@signon.example"
DEMO_NAME = "Demo Admin"
# Serializes concurrent `signon demo` runs (any constant works; this one spells "demo").
_DEMO_LOCK = 0x64656D6F

DEMO_BODY = """\
We, the undersigned state and local elected officials, write to urge you to reject the
Agricultural Commerce Uniformity Act.

For generations, states, counties and cities have set their own standards for how farm
animals are raised and how food sold to our residents is produced. Voters and legislatures
in our communities have adopted cage-free housing rules, limits on extreme confinement and
food safety protections that reflect local values and local conditions.

The Agricultural Commerce Uniformity Act would forbid a state or locality from applying
any such standard to agricultural products made in another state. In practice it would
void dozens of laws passed by voters and legislators, invite years of litigation over
which rules still stand, and put family farmers who have invested in higher-welfare
practices at a disadvantage against the largest industrial operations.

We believe that:

- **Local laws deserve respect.** Decisions made by voters and their elected
  representatives should not be erased by a rider in a farm bill.
- **Farmers need certainty.** Producers who have already adapted to current standards
  should not see the market they built undercut overnight.
- **Food safety is a shared responsibility.** States and localities are often first to
  respond to outbreaks and abuses, and they need the tools to do so.

We ask you to oppose the Agricultural Commerce Uniformity Act and any similar provision,
and to protect the ability of states and communities to set their own standards for the
food sold within their borders.

*This letter is a demonstration of Signon. The bill and the sponsoring organizations are
fictional.*
"""

DEMO_FIELDS = {
    "slug": DEMO_SLUG,
    "kind": CampaignKind.LETTER,
    "title": "State and Local Officials Urge Congress to Reject the Agricultural Commerce "
    "Uniformity Act",
    "summary": "Elected officials from across the country ask Congress to keep the power of "
    "states and communities to set farm-animal welfare and food safety standards.",
    "addressee": "Members of the United States Congress",
    "salutation": "Dear Members of Congress,",
    "sign_off": "Respectfully,",
    "body_markdown": DEMO_BODY,
    "sponsors": "Cedar Valley Network of Local Officials\n"
    "Commonfield State Leaders Council\n"
    "Good Pasture Alliance",
    "goal": "200",
    "auto_verify": AutoVerify.STRONG,
}


@dataclass(frozen=True)
class DemoLogin:
    """What `signon demo` prints: where the letter is and how staff sign in."""

    slug: str
    email: str
    password: str


async def load_demo(db: Database, signers: int = DEFAULT_SIGNERS, *, now: datetime) -> DemoLogin:
    """Load, or replace, the open demo letter with `signers` fictional signers, and give
    the demo admin a fresh password."""
    password = secrets.token_urlsafe(12)
    async with db.transaction():
        await db.execute(sa.select(sa.func.pg_advisory_xact_lock(_DEMO_LOCK)))
        await _delete_demo_campaign(db)
        fields = campaign_rules.parse_campaign_fields(DEMO_FIELDS)
        await campaigns.create_campaign(db, CLI, fields)
        opened = await campaigns.open_campaign(db, CLI, DEMO_SLUG)
        await add_demo_signers(db, opened, signers, now=now)
        await _ensure_demo_admin(db, password)
    return DemoLogin(slug=DEMO_SLUG, email=DEMO_EMAIL, password=password)


async def _delete_demo_campaign(db: Database) -> None:
    """Remove the old demo and everything that points at it. Call inside a transaction.

    Evidence goes with its signature (ON DELETE CASCADE), as do the campaign's counts,
    deliveries and PDF renders with the campaign; audit rows stay, with their campaign_id
    set to NULL. A table that comes to reference campaigns or signatures without a cascade
    must be cleared here too.
    """
    campaign_id = await db.fetch_val(
        sa.select(tables.campaigns.c.id)
        .where(tables.campaigns.c.slug == DEMO_SLUG)
        .with_for_update()
    )
    if campaign_id is None:
        return
    signatures, outbox = tables.signatures, tables.email_outbox
    its_signatures = sa.select(signatures.c.id).where(signatures.c.campaign_id == campaign_id)
    await db.execute(outbox.delete().where(outbox.c.signature_id.in_(its_signatures)))
    await db.execute(signatures.delete().where(signatures.c.campaign_id == campaign_id))
    for table in (tables.campaign_sponsors, tables.campaign_texts):
        await db.execute(table.delete().where(table.c.campaign_id == campaign_id))
    await db.execute(tables.campaigns.delete().where(tables.campaigns.c.id == campaign_id))
    await record_audit(
        db, CLI, "campaign.delete", "campaign", campaign_id, before={"slug": DEMO_SLUG}
    )


async def _ensure_demo_admin(db: Database, password: str) -> None:
    """Create the demo admin, or re-enable it as an admin with the new password."""
    staff_id = await db.fetch_val(
        sa.select(tables.staff.c.id).where(tables.staff.c.email == DEMO_EMAIL)
    )
    if staff_id is None:
        await staff.create_staff(
            db, CLI, email=DEMO_EMAIL, name=DEMO_NAME, password=password, role=StaffRole.ADMIN
        )
        return
    await staff.update_staff(db, CLI, staff_id, role=StaffRole.ADMIN, is_active=True)
    await staff.set_password(db, CLI, staff_id, password)
