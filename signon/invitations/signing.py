"""Signing from an invitation: the page the link opens, and its one-click signature.

The link reached the invited inbox, so a signature from it is confirmed at once (SPEC
section 7), with the evidence "signed from an invitation sent to this address"; the
evidence engine and the campaign's policy then run as at any confirmation, so a roster
email gives the roster's strong signal and nothing else is taken on trust.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from databases import Database

from signon.audit import Actor, record_audit
from signon.campaigns import Campaign, get_campaign
from signon.errors import AlreadySigned, InvitationCampaignClosed, NotFound
from signon.i18n import gettext_ as _
from signon.invitations.links import InvalidInvitation, read_invite_token
from signon.invitations.status import record_opened
from signon.signing.rules import SignatureFields, parse_signature
from signon.signing.tokens import new_nonce
from signon.tables import campaigns, invitations, signatures
from signon.verification.policy import evaluate_signature

SIGNER = Actor(label="signer")
_DETAILS = ("full_name", "title", "office_level", "jurisdiction", "state", "district", "phone")


@dataclass(frozen=True)
class OpenInvitation:
    id: int
    email: str
    details: dict[str, Any]
    campaign: Campaign


_WITH_SLUG = sa.select(invitations, campaigns.c.slug).select_from(invitations.join(campaigns))


def _check(row: Any, slug: str, nonce: str) -> dict[str, Any]:
    if row is None or row["slug"] != slug:
        raise NotFound(_("This invitation is not for this campaign."))
    if nonce != row["nonce"]:
        raise InvalidInvitation(_("This invitation link is no longer valid."))
    if row["status"] == "signed":
        raise AlreadySigned(_("You have already signed from this invitation. Thank you."))
    details = row["details"]
    return json.loads(details) if isinstance(details, str) else dict(details)


def _check_open(campaign: Campaign, now: datetime | None) -> None:
    if not campaign.accepts_signatures(now):
        raise InvitationCampaignClosed(_("This campaign is no longer taking signatures."))


async def open_invitation(db: Database, slug: str, token: str, *, now: datetime) -> OpenInvitation:
    """The invitation a link points at, for its page; records only that it was opened."""
    invitation_id, nonce = read_invite_token(token, now=_timestamp(now))
    row = await db.fetch_one(_WITH_SLUG.where(invitations.c.id == invitation_id))
    details = _check(row, slug, nonce)
    campaign = await get_campaign(db, slug, public=True)
    _check_open(campaign, now)
    await record_opened(db, invitation_id)
    return OpenInvitation(id=invitation_id, email=row["email"], details=details, campaign=campaign)


def _timestamp(now: datetime | None) -> float | None:
    return now.timestamp() if now else None


async def sign_invitation(
    db: Database, slug: str, token: str, data: Mapping[str, object], *, now: datetime | None
) -> int:
    """Sign from the invitation: the signature is confirmed, then evaluated. Returns its id.

    ValidationFailed for bad fields (nothing written); AlreadySigned when this address has
    already signed this campaign, from the invitation or the public form."""
    invitation_id, nonce = read_invite_token(token, now=_timestamp(now))
    async with db.transaction():
        row = await db.fetch_one(
            _WITH_SLUG.where(invitations.c.id == invitation_id).with_for_update(of=invitations)
        )
        _check(row, slug, nonce)
        campaign = await get_campaign(db, slug, public=True)
        _check_open(campaign, now)
        fields = parse_signature({**data, "email": row["email"]}, campaign.allowed_levels)
        signature_id = await _confirmed_signature(db, campaign, fields)
        await db.execute(
            invitations.update()
            .where(invitations.c.id == invitation_id)
            .values(status="signed", signature_id=signature_id, signed_at=sa.func.now())
        )
        # The evidence includes "signed from an invitation" (invitations/submitters.py).
        await evaluate_signature(db, signature_id, now=now)
    return signature_id


async def _confirmed_signature(db: Database, campaign: Campaign, fields: SignatureFields) -> int:
    """A confirmed signature for these fields: new, or the address's unconfirmed or
    withdrawn one brought up to date (one row per campaign and email, SPEC section 2)."""
    existing = await db.fetch_one(
        sa.select(signatures.c.id, signatures.c.status)
        .where(signatures.c.campaign_id == campaign.id, signatures.c.email == fields.email)
        .with_for_update()
    )
    if existing is not None and existing["status"] not in ("unconfirmed", "withdrawn"):
        raise AlreadySigned(_("This address has already signed this campaign. Thank you."))
    values = {
        **{name: getattr(fields, name) for name in _DETAILS},
        "organization": fields.organization,
        "status": "confirmed",
        "text_version": campaign.text_version,
        "pending_change": None,
        "token_nonce": new_nonce(),
        "withdraw_nonce": new_nonce(),
        "confirmed_at": sa.func.now(),
        "updated_at": sa.func.now(),
        "withdrawn_at": None,
    }
    if existing is None:
        signature_id = await db.fetch_val(
            signatures.insert()
            .values(campaign_id=campaign.id, email=fields.email, **values)
            .returning(signatures.c.id)
        )
    else:
        signature_id = existing["id"]
        await db.execute(signatures.update().where(signatures.c.id == signature_id).values(values))
    await record_audit(
        db,
        SIGNER,
        "signature.sign_from_invitation",
        "signature",
        signature_id,
        campaign_id=campaign.id,
        before={"status": existing["status"]} if existing else None,
        after={"status": "confirmed"},
    )
    return signature_id
