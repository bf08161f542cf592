"""Signatures: signing, confirming by email, withdrawing (SPEC section 2).

One row per (campaign, email), enforced by the database. A repeat submission never makes a
second row and changes nothing anyone can see until it is confirmed from that email: its
details wait in `pending_change`, and the emailed link applies them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from databases import Database
from email_validator import EmailNotValidError, validate_email

from signon import settings
from signon.audit import Actor, record_audit
from signon.campaigns import Campaign, forget_campaign_to_sign, get_campaign
from signon.errors import (
    AlreadyWithdrawn,
    CampaignChanged,
    CampaignClosed,
    CampaignClosedToConfirmation,
    LinkUsed,
    SignatureNotFound,
    ValidationFailed,
    WithdrawLinkEnded,
)
from signon.i18n import gettext_ as _
from signon.mail import OutgoingEmail, queue_email, render_email
from signon.offices import OFFICE_FIELDS, Office
from signon.signing.new_signatures import CHANGED, Links, insert_new, queue_confirmation
from signon.signing.rules import IDENTITY_FIELDS, SignatureFields, parse_signature
from signon.signing.tokens import make_token, new_nonce, read_token
from signon.tables import campaigns, email_outbox, evidence, signatures
from signon.verification.policy import evaluate_signature
from signon.vocabulary import CampaignStatus, SignatureStatus

if TYPE_CHECKING:
    from signon.state import ProcessState

SIGNER = Actor(label="signer")
# Confirmation emails for one signature, at most, per hour (re-sends on repeat signing).
MAX_EMAILS_PER_HOUR = 3
DETAIL_FIELDS = (*IDENTITY_FIELDS, "phone", "organization")


@dataclass(frozen=True)
class SignResult:
    signature_id: int
    created: bool
    email_queued: bool


@dataclass(frozen=True, kw_only=True)
class Signature(Office):
    id: int
    campaign_id: int
    campaign_slug: str
    email: str
    full_name: str
    phone: str | None
    organization: str | None
    status: str
    text_version: int
    pending_change: dict[str, Any] | None
    signed_at: datetime
    confirmed_at: datetime | None
    withdrawn_at: datetime | None

    def details(self) -> dict[str, Any]:
        """What the next confirmation applies: the pending change, else the current row."""
        return self.pending_change or {name: getattr(self, name) for name in DETAIL_FIELDS}


def _signature(row: Any) -> Signature:
    pending = row["pending_change"]
    if isinstance(pending, str):  # asyncpg hands jsonb over as text
        pending = json.loads(pending)
    return Signature(
        id=row["id"],
        campaign_id=row["campaign_id"],
        campaign_slug=row["slug"],
        email=row["email"],
        full_name=row["full_name"],
        title=row["title"],
        office_level=row["office_level"],
        jurisdiction=row["jurisdiction"],
        state=row["state"],
        district=row["district"],
        phone=row["phone"],
        organization=row["organization"],
        status=row["status"],
        text_version=row["text_version"],
        pending_change=pending,
        signed_at=row["signed_at"],
        confirmed_at=row["confirmed_at"],
        withdrawn_at=row["withdrawn_at"],
    )


_WITH_SLUG = sa.select(
    signatures, campaigns.c.slug, campaigns.c.status.label("campaign_status")
).select_from(signatures.join(campaigns))


async def sign_campaign(
    db: Database,
    process: ProcessState,
    campaign: Campaign,
    fields: SignatureFields,
    *,
    locale: str,
    links: Links,
    now: datetime,
    unchanged: bool = False,
) -> SignResult:
    """Record a submission and queue its confirmation email: a new signature and its email
    are committed together, a repeat's changes in one transaction.

    The insert checks that the campaign is still open, and with `unchanged` that its row is
    still as `campaign` shows it; else CampaignChanged, and nothing is written.
    """
    if not campaign.accepts_signatures(now):
        raise CampaignClosed()
    new_id = await insert_new(db, process, campaign, fields, locale, links, unchanged=unchanged)
    if new_id == CHANGED:
        raise CampaignChanged()
    if new_id is not None:
        return SignResult(signature_id=int(new_id), created=True, email_queued=True)
    async with db.transaction():
        row = await db.fetch_one(
            _WITH_SLUG.where(
                signatures.c.campaign_id == campaign.id, signatures.c.email == fields.email
            ).with_for_update(of=signatures)
        )
        return await _repeat(db, process, campaign, _signature(row), fields, locale, links)


async def sign_submission(
    db: Database,
    process: ProcessState,
    campaign: Campaign,
    data: Mapping[str, object],
    *,
    locale: str,
    links: Links,
    now: datetime,
) -> SignResult:
    """Validate a submission (the JSON API's) and sign. `campaign` may be a copy up to two
    seconds old (campaigns.get_campaign_to_sign with max_age): the insert checks that the
    campaign is unchanged, and a refusal that depends on the campaign is decided again on
    a fresh read, so the answer is the one a fresh read would have given."""
    try:
        fields = parse_signature(data, campaign.allowed_levels)
        return await sign_campaign(
            db, process, campaign, fields, locale=locale, links=links, now=now, unchanged=True
        )
    except (ValidationFailed, CampaignClosed) as exc:
        if isinstance(exc, ValidationFailed) and "office_level" not in exc.errors:
            raise  # the campaign's eligible levels are the only part of it checked here
    forget_campaign_to_sign(process, campaign.slug)
    campaign = await get_campaign(db, campaign.slug, public=True)
    fields = parse_signature(data, campaign.allowed_levels)
    return await sign_campaign(db, process, campaign, fields, locale=locale, links=links, now=now)


async def _repeat(
    db: Database,
    process: ProcessState,
    campaign: Campaign,
    current: Signature,
    fields: SignatureFields,
    locale: str,
    links: Links,
) -> SignResult:
    submitted = {name: getattr(fields, name) for name in DETAIL_FIELDS}
    same = submitted == {name: getattr(current, name) for name in DETAIL_FIELDS}
    result = SignResult(signature_id=current.id, created=False, email_queued=False)
    capped = await _address_emails_today(db, current.email) >= (
        settings.CONFIRM_EMAILS_PER_ADDRESS_PER_DAY
    )
    if current.status == SignatureStatus.WITHDRAWN:
        await _restart(db, campaign, current, fields, locale)
        if not capped:
            await queue_confirmation(
                db, process, campaign, current.id, submitted, current.email, links
            )
        return SignResult(signature_id=current.id, created=False, email_queued=not capped)
    if same and current.status != SignatureStatus.UNCONFIRMED:
        return result  # already signed as typed: nothing to confirm
    if capped or await _recent_emails(db, current.id) >= MAX_EMAILS_PER_HOUR:
        return result
    await db.execute(
        signatures.update()
        .where(signatures.c.id == current.id)
        .values(
            pending_change=None if same else submitted,
            token_nonce=new_nonce(),
            locale=locale,
            updated_at=sa.func.now(),
        )
    )
    await queue_confirmation(db, process, campaign, current.id, submitted, current.email, links)
    return SignResult(signature_id=current.id, created=False, email_queued=True)


async def _restart(
    db: Database, campaign: Campaign, current: Signature, fields: SignatureFields, locale: str
) -> None:
    """A withdrawn signer who signs again starts over as unconfirmed (SPEC section 2)."""
    await db.execute(evidence.delete().where(evidence.c.signature_id == current.id))
    await db.execute(
        signatures.update()
        .where(signatures.c.id == current.id)
        .values(
            **{name: getattr(fields, name) for name in DETAIL_FIELDS},
            status=SignatureStatus.UNCONFIRMED,
            pending_change=None,
            chosen_division_id=None,
            token_nonce=new_nonce(),
            withdraw_nonce=new_nonce(),
            locale=locale,
            text_version=campaign.text_version,
            signed_at=sa.func.now(),
            updated_at=sa.func.now(),
            confirmed_at=None,
            verified_at=None,
            verified_by=None,
            decision_reason=None,
            withdrawn_at=None,
        )
    )
    await record_audit(
        db,
        SIGNER,
        "signature.resign",
        "signature",
        current.id,
        campaign_id=campaign.id,
        before={"status": SignatureStatus.WITHDRAWN},
        after={"status": SignatureStatus.UNCONFIRMED},
    )


async def _recent_emails(db: Database, signature_id: int) -> int:
    return await db.fetch_val(
        sa.select(sa.func.count())
        .select_from(email_outbox)
        .where(
            email_outbox.c.signature_id == signature_id,
            email_outbox.c.created_at > sa.func.now() - sa.cast(timedelta(hours=1), sa.Interval),
        )
    )


async def _address_emails_today(db: Database, email: str, kind: str = "confirm") -> int:
    """Emails of this kind sent to this address in the last day, over every campaign."""
    return await db.fetch_val(
        sa.select(sa.func.count())
        .select_from(email_outbox)
        .where(
            email_outbox.c.to_address == email,
            email_outbox.c.kind == kind,
            email_outbox.c.created_at > sa.func.now() - sa.cast(timedelta(days=1), sa.Interval),
        )
    )


async def signature_for_link(db: Database, slug: str, token: str, purpose: str) -> Signature:
    """The signature a link points at, if the link is still good (for the GET page)."""
    signature_id, nonce = read_token(token, purpose, max_age_seconds=_max_age(purpose))
    row = await db.fetch_one(_WITH_SLUG.where(signatures.c.id == signature_id))
    _check_link(row, slug, nonce, purpose)
    return _signature(row)


def _max_age(purpose: str) -> int | None:
    # Withdraw links work for as long as the signature exists (SPEC section 2).
    return settings.TOKEN_MAX_AGE_DAYS * 86400 if purpose == "confirm" else None


def _check_link(row: Any, slug: str, nonce: str, purpose: str) -> None:
    if row is None or row["slug"] != slug:
        raise SignatureNotFound()
    expected = row["token_nonce"] if purpose == "confirm" else row["withdraw_nonce"]
    if row["status"] == SignatureStatus.WITHDRAWN and purpose == "withdraw":
        raise AlreadyWithdrawn()
    if (
        nonce != expected
        and purpose == "withdraw"
        and row["campaign_status"] == CampaignStatus.DELIVERED
    ):
        raise WithdrawLinkEnded()
    if nonce != expected:
        raise LinkUsed()


async def confirm_signature(db: Database, slug: str, token: str, *, now: datetime) -> Signature:
    """Apply a confirmation link: the signature (or its pending change) is confirmed."""
    signature_id, nonce = read_token(token, "confirm", max_age_seconds=_max_age("confirm"))
    async with db.transaction():
        row = await db.fetch_one(
            _WITH_SLUG.where(signatures.c.id == signature_id).with_for_update(of=signatures)
        )
        _check_link(row, slug, nonce, "confirm")
        campaign = await get_campaign(db, row["slug"])
        if not campaign.accepts_signatures(now):
            raise CampaignClosedToConfirmation()
        current = _signature(row)
        values = _confirmation_values(current, campaign)
        await db.execute(signatures.update().where(signatures.c.id == current.id).values(**values))
        changed = {
            key: value for key, value in values.items() if key in DETAIL_FIELDS or key == "status"
        }
        await record_audit(
            db,
            SIGNER,
            "signature.confirm",
            "signature",
            current.id,
            campaign_id=campaign.id,
            before={key: getattr(current, key) for key in changed},
            after=changed,
        )
        if values.get("status") == SignatureStatus.CONFIRMED:
            # Evidence, then the campaign's policy, in the same transaction (SPEC 5).
            await evaluate_signature(db, current.id, now=now)
    return await get_signature(db, current.id)


def _confirmation_values(current: Signature, campaign: Campaign) -> dict[str, Any]:
    """The row's new values once its link is used (pure)."""
    values: dict[str, Any] = {
        "token_nonce": new_nonce(),
        "pending_change": None,
        "updated_at": sa.func.now(),
        "text_version": campaign.text_version,
    }
    if current.pending_change:
        values.update(current.pending_change)
    identity_changed = any(
        values.get(name, getattr(current, name)) != getattr(current, name)
        for name in IDENTITY_FIELDS
    )
    if any(
        values.get(name, getattr(current, name)) != getattr(current, name) for name in OFFICE_FIELDS
    ):
        values["chosen_division_id"] = None  # staff chose it for the office as it was
    if current.status == SignatureStatus.UNCONFIRMED:
        values.update(status=SignatureStatus.CONFIRMED, confirmed_at=sa.func.now())
    elif identity_changed and current.status in (
        SignatureStatus.VERIFIED,
        SignatureStatus.REJECTED,
        SignatureStatus.CONFIRMED,
    ):
        # A new name or office goes back through verification (SPEC section 2), and one
        # still waiting for staff gets its evidence gathered again for the new office.
        values.update(
            status=SignatureStatus.CONFIRMED,
            verified_at=None,
            verified_by=None,
            decision_reason=None,
        )
    return values


async def withdraw_signature(db: Database, slug: str, token: str) -> Signature:
    signature_id, nonce = read_token(token, "withdraw", max_age_seconds=None)
    async with db.transaction():
        row = await db.fetch_one(
            _WITH_SLUG.where(signatures.c.id == signature_id).with_for_update(of=signatures)
        )
        _check_link(row, slug, nonce, "withdraw")
        await db.execute(
            signatures.update()
            .where(signatures.c.id == signature_id)
            .values(
                status=SignatureStatus.WITHDRAWN,
                withdrawn_at=sa.func.now(),
                updated_at=sa.func.now(),
                pending_change=None,
                token_nonce=new_nonce(),
                withdraw_nonce=new_nonce(),
            )
        )
        await record_audit(
            db,
            SIGNER,
            "signature.withdraw",
            "signature",
            signature_id,
            campaign_id=row["campaign_id"],
            before={"status": row["status"]},
            after={"status": SignatureStatus.WITHDRAWN},
        )
    return await get_signature(db, signature_id)


async def send_withdraw_link(db: Database, campaign: Campaign, email: str, links: Links) -> None:
    """After delivery, a fresh withdraw link for whoever signed with `email` (SPEC 2).

    The caller says the same whatever happens: whether the address signed is never told.
    A link goes only to a signature not yet withdrawn, within the address's daily cap."""
    try:
        address = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return
    async with db.transaction():
        row = await db.fetch_one(
            _WITH_SLUG.where(
                signatures.c.campaign_id == campaign.id,
                signatures.c.email == address,
                signatures.c.status != SignatureStatus.WITHDRAWN,
            ).with_for_update(of=signatures)
        )
        if row is None or await _address_emails_today(db, address, "withdraw") >= (
            settings.CONFIRM_EMAILS_PER_ADDRESS_PER_DAY
        ):
            return
        nonce = new_nonce()
        await db.execute(
            signatures.update().where(signatures.c.id == row["id"]).values(withdraw_nonce=nonce)
        )
        url = links.withdraw(campaign.slug, make_token(row["id"], nonce, "withdraw"))
        subject, text, html = render_email(
            "withdraw",
            _("Withdraw your signature: %(title)s") % {"title": campaign.title},
            {"campaign": campaign, "withdraw_url": url},
        )
        await queue_email(
            db, OutgoingEmail(address, subject, text, html, "withdraw", signature_id=row["id"])
        )


async def get_signature(db: Database, signature_id: int) -> Signature:
    row = await db.fetch_one(_WITH_SLUG.where(signatures.c.id == signature_id))
    if row is None:
        raise SignatureNotFound()
    return _signature(row)
