"""Delivering a letter: its PDF frozen, byte for byte, with its SHA-256 (SPEC sections 2, 6).

closed -> delivered. The PDF is rendered (or taken from the render cache) before the
transaction, so no lock is held during a long render; inside the transaction the campaign
row is locked, the printed signatures are locked FOR SHARE and the fingerprint is checked
again. Should the text or the list have changed meanwhile, the render is done again.

The CLI waits for the render. The staff page does not wait for a long one: it starts the
render in the background and shows "being prepared" until it is ready; delivering then
takes that render, the very bytes staff could download and check.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from databases import Database

from signon.audit import Actor, record_audit
from signon.campaigns import Campaign, get_campaign
from signon.errors import (
    AlreadyDelivered,
    CampaignNotClosed,
    NotALetter,
    NotDelivered,
    NothingToDeliver,
    SignatoriesKeptChanging,
)
from signon.letter import document, renders
from signon.tables import campaigns, deliveries, signatures
from signon.vocabulary import CampaignKind, CampaignStatus

if TYPE_CHECKING:
    from signon.state import ProcessState

# Renders tried before giving up when the list keeps changing under a delivery.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Delivery:
    campaign_id: int
    sha256: str
    signer_count: int
    delivered_at: datetime
    delivered_by: int | None


@dataclass(frozen=True)
class _Rendered:
    key: str
    content: bytes
    signer_count: int


async def get_delivery(db: Database, campaign_id: int) -> Delivery | None:
    row = await db.fetch_one(
        sa.select(
            deliveries.c.campaign_id,
            deliveries.c.sha256,
            deliveries.c.signer_count,
            deliveries.c.delivered_at,
            deliveries.c.delivered_by,
        ).where(deliveries.c.campaign_id == campaign_id)
    )
    return Delivery(**dict(row._mapping)) if row is not None else None


def _check_deliverable(campaign: Campaign) -> None:
    if campaign.kind != CampaignKind.LETTER:
        raise NotALetter()
    if campaign.status != CampaignStatus.CLOSED:
        raise (
            CampaignNotClosed(status=campaign.status)
            if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.OPEN)
            else AlreadyDelivered()
        )


async def _render(
    db: Database, process: ProcessState, campaign: Campaign, date_text: str, *, wait: bool
) -> _Rendered | None:
    key, count = await document.letter_key(db, campaign, date_text)
    if count == 0:
        raise NothingToDeliver()
    make = document.letter_maker(db, process, campaign, date_text)
    # The same bytes as the preview staff may have checked, when nothing changed since.
    waits = wait or count <= document.INLINE_MAX_SIGNERS
    content = await renders.cached(
        db, process, campaign.id, "letter", key, make, wait=waits, must=waits
    )
    return None if content is None else _Rendered(key, content, count)


async def deliver_campaign(
    db: Database,
    process: ProcessState,
    actor: Actor,
    slug: str,
    *,
    now: datetime,
    wait: bool = True,
) -> Delivery | None:
    """Freeze the letter's PDF as delivered, dated `now`; the campaign becomes delivered.

    With wait=False, a letter of more than document.INLINE_MAX_SIGNERS signatories whose
    PDF is not ready yet is rendered in the background and None comes back: being prepared.
    """
    for _attempt in range(MAX_ATTEMPTS):
        campaign = await get_campaign(db, slug)
        _check_deliverable(campaign)
        date_text = document.letter_date(campaign, now)
        rendered = await _render(db, process, campaign, date_text, wait=wait)
        if rendered is None:
            return None
        async with db.transaction():
            await db.execute(
                sa.select(campaigns.c.id).where(campaigns.c.id == campaign.id).with_for_update()
            )
            current = await get_campaign(db, slug)
            _check_deliverable(current)
            key, _count = await document.letter_key(db, current, date_text, lock=True)
            if key == rendered.key:
                return await _store(db, actor, current, rendered)
    raise SignatoriesKeptChanging()


async def _store(db: Database, actor: Actor, campaign: Campaign, rendered: _Rendered) -> Delivery:
    sha256 = hashlib.sha256(rendered.content).hexdigest()
    delivered_at = await db.fetch_val(sa.select(sa.func.now()))
    await db.execute(
        deliveries.insert().values(
            campaign_id=campaign.id,
            pdf=rendered.content,
            sha256=sha256,
            signer_count=rendered.signer_count,
            delivered_at=delivered_at,
            delivered_by=actor.staff_id,
        )
    )
    # Withdraw links work until delivery (SPEC section 2): every one sent so far stops
    # working now; a signer asks the campaign page for a fresh one. (The nonce only has
    # to change: a link is signed with SECRET_KEY, so it cannot be guessed anyway.)
    await db.execute(
        signatures.update()
        .where(signatures.c.campaign_id == campaign.id)
        .values(withdraw_nonce=sa.cast(sa.func.gen_random_uuid(), sa.String))
    )
    await db.execute(
        campaigns.update()
        .where(campaigns.c.id == campaign.id)
        .values(
            status=CampaignStatus.DELIVERED,
            delivered_at=delivered_at,
            delivered_sha256=sha256,
            updated_at=sa.func.now(),
        )
    )
    await record_audit(
        db,
        actor,
        "campaign.deliver",
        "campaign",
        campaign.id,
        campaign_id=campaign.id,
        before={"status": campaign.status},
        after={
            "status": CampaignStatus.DELIVERED,
            "sha256": sha256,
            "signer_count": rendered.signer_count,
        },
    )
    return Delivery(campaign.id, sha256, rendered.signer_count, delivered_at, actor.staff_id)


async def require_delivery(db: Database, campaign_id: int) -> Delivery:
    found = await get_delivery(db, campaign_id)
    if found is None:
        raise NotDelivered()
    return found
