"""Staff decisions on signatures: verify or reject, one by one or in bulk (SPEC section 2).

Only confirmed signatures are decided; staff may also reverse a decision (a verified
signature rejected, or a rejected one verified). Every decision is audited; the public
counts follow through the campaign_counts trigger in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from databases import Database

from signon.audit import Actor, changed_fields, record_audit
from signon.errors import (
    DeliveredListFrozen,
    NotDecidable,
    SignatureNotInCampaign,
    ValidationFailed,
)
from signon.i18n import gettext_ as _
from signon.offices import OFFICE_FIELDS, OFFICE_LEVELS, Office
from signon.signing.rules import FIELDS, SignatureFields, parse_signature
from signon.tables import campaigns, signatures
from signon.verification.divisions import Division
from signon.verification.evidence import Signal
from signon.verification.jurisdictions import check_choice, division_choices
from signon.verification.policy import evaluate_signature, list_evidence, rank
from signon.vocabulary import CampaignStatus, SignatureStatus, Strength

MAX_REASON = 1000
# Which states each decision may start from.
DECIDABLE = {
    SignatureStatus.VERIFIED: (SignatureStatus.CONFIRMED, SignatureStatus.REJECTED),
    SignatureStatus.REJECTED: (SignatureStatus.CONFIRMED, SignatureStatus.VERIFIED),
}
ACTIONS = {
    SignatureStatus.VERIFIED: "signature.verify",
    SignatureStatus.REJECTED: "signature.reject",
}


@dataclass(frozen=True)
class Decision:
    decided: int
    skipped: int


async def verify_signatures(
    db: Database, actor: Actor, campaign_id: int, ids: Sequence[int], *, reason: str = ""
) -> Decision:
    """Mark confirmed (or rejected) signatures verified: they count and are listed."""
    return await _decide(db, actor, campaign_id, ids, SignatureStatus.VERIFIED, reason.strip())


async def reject_signatures(
    db: Database, actor: Actor, campaign_id: int, ids: Sequence[int], *, reason: str
) -> Decision:
    """Reject signatures; a reason is required and kept with each."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Give a reason for rejecting.")]})
    return await _decide(db, actor, campaign_id, ids, SignatureStatus.REJECTED, reason)


async def _decide(
    db: Database, actor: Actor, campaign_id: int, ids: Sequence[int], status: str, reason: str
) -> Decision:
    if len(reason) > MAX_REASON:
        message = _("Use at most %(limit)d characters.") % {"limit": MAX_REASON}
        raise ValidationFailed({"reason": [message]})
    if not ids:
        raise ValidationFailed({"ids": [_("Choose at least one signature.")]})
    decided = 0
    async with db.transaction():
        await _refuse_if_delivered(db, campaign_id)
        rows = await db.fetch_all(
            sa.select(signatures.c.id, signatures.c.status)
            .where(signatures.c.campaign_id == campaign_id, signatures.c.id.in_(list(ids)))
            .order_by(signatures.c.id)
            .with_for_update()
        )
        for row in rows:
            if row["status"] not in DECIDABLE[status]:
                continue
            await db.execute(
                signatures.update()
                .where(signatures.c.id == row["id"])
                .values(
                    status=status,
                    verified_at=sa.func.now() if status == SignatureStatus.VERIFIED else None,
                    verified_by=actor.staff_id if status == SignatureStatus.VERIFIED else None,
                    decision_reason=reason or None,
                    updated_at=sa.func.now(),
                )
            )
            await record_audit(
                db,
                actor,
                ACTIONS[status],
                "signature",
                row["id"],
                campaign_id=campaign_id,
                before={"status": row["status"]},
                after={"status": status, "reason": reason},
            )
            decided += 1
    if decided == 0 and len(ids) == 1:
        raise NotDecidable()
    return Decision(decided=decided, skipped=len(ids) - decided)


async def _refuse_if_delivered(db: Database, campaign_id: int) -> None:
    """After delivery nothing staff do changes the delivered list (SPEC section 2): no
    decision, no edit. The campaign row is locked (shared) so that a delivery in progress
    is waited for, not raced."""
    status = await db.fetch_val(
        sa.select(campaigns.c.status)
        .where(campaigns.c.id == campaign_id)
        .with_for_update(read=True)
    )
    if status == CampaignStatus.DELIVERED:
        raise DeliveredListFrozen()


@dataclass(frozen=True, kw_only=True)
class QueueItem(Office):
    id: int
    full_name: str
    email: str
    phone: str | None
    organization: str | None
    status: str
    division_id: str | None
    chosen_division_id: str | None
    signed_at: datetime
    confirmed_at: datetime | None
    decision_reason: str | None
    evidence: tuple[Signal, ...]

    @property
    def has_negative(self) -> bool:
        return any(signal.strength == Strength.STRONG_NEGATIVE for signal in self.evidence)

    @property
    def best_rank(self) -> int:
        """The rank of the strongest signal in favour (lower is stronger)."""
        ranks = [rank(s.strength) for s in self.evidence if s.strength != Strength.STRONG_NEGATIVE]
        return min(ranks, default=len(ranks) + 99)


QUEUE_LIMIT = 500


async def list_queue(
    db: Database,
    campaign_id: int,
    *,
    status: str = SignatureStatus.CONFIRMED,
    state: str = "",
    level: str = "",
) -> list[QueueItem]:
    """Signatures waiting for staff (or in another status), strongest evidence first;
    signatures with a strong negative come after the clear ones."""
    query = sa.select(signatures).where(
        signatures.c.campaign_id == campaign_id, signatures.c.status == status
    )
    if state:
        query = query.where(signatures.c.state == state.upper()[:2])
    if level:
        query = query.where(signatures.c.office_level == level[:30])
    rows = await db.fetch_all(query.order_by(signatures.c.signed_at).limit(QUEUE_LIMIT))
    found = await list_evidence(db, [row["id"] for row in rows])
    items = [
        QueueItem(
            **{name: row[name] for name in QueueItem.__dataclass_fields__ if name != "evidence"},
            evidence=tuple(found.get(row["id"], [])),
        )
        for row in rows
    ]
    return sorted(items, key=lambda item: (item.has_negative, item.best_rank))


async def division_choices_for(
    db: Database, items: Sequence[QueueItem]
) -> dict[int, list[Division]]:
    """For "Edit office": the divisions staff may choose for each signature whose typed
    place found no single division (or whose division staff already chose)."""
    choices = {}
    for item in items:
        if item.division_id is None or item.chosen_division_id:
            choices[item.id] = await division_choices(
                db,
                office_level=item.office_level,
                jurisdiction=item.jurisdiction,
                state=item.state,
                title=item.title,
            )
    return choices


# The office as staff edit it: the typed fields, and the division they chose (or "" to let
# the typed jurisdiction be read again).
EDITED_FIELDS = (*OFFICE_FIELDS, "chosen_division_id")


async def edit_office(
    db: Database,
    actor: Actor,
    campaign_id: int,
    signature_id: int,
    data: dict[str, str],
    *,
    now: datetime,
) -> None:
    """Correct a signer's office (a typo in the jurisdiction, say) or choose its division
    among several, audited (who, before, after); the evidence is gathered again, and staff
    decide (no automatic verification after an edit)."""
    async with db.transaction():
        await _refuse_if_delivered(db, campaign_id)
        row = await db.fetch_one(
            sa.select(signatures)
            .where(signatures.c.id == signature_id, signatures.c.campaign_id == campaign_id)
            .with_for_update()
        )
        if row is None:
            raise SignatureNotInCampaign()
        merged = {name: row[name] or "" for name in FIELDS}
        merged.update({name: data.get(name, "") for name in OFFICE_FIELDS})
        merged["email"] = row["email"]
        fields = parse_signature(merged, OFFICE_LEVELS)
        after = {name: getattr(fields, name) for name in OFFICE_FIELDS}
        after["chosen_division_id"] = await _chosen_division(db, data, fields)
        before = {name: row[name] for name in EDITED_FIELDS}
        before, after = changed_fields(before, after)
        if not after:
            return
        await db.execute(
            signatures.update()
            .where(signatures.c.id == signature_id)
            .values(**after, updated_at=sa.func.now())
        )
        await record_audit(
            db,
            actor,
            "signature.edit_office",
            "signature",
            signature_id,
            campaign_id=campaign_id,
            before=before,
            after=after,
        )
        await evaluate_signature(db, signature_id, now=now, apply_policy=False)


async def _chosen_division(
    db: Database, data: dict[str, str], fields: SignatureFields
) -> str | None:
    """The division staff chose, checked against the edited office; None for "read the
    typed jurisdiction"."""
    chosen = data.get("chosen_division_id", "").strip()[:300]
    if not chosen:
        return None
    problem = await check_choice(db, chosen, fields.office_level, fields.state)
    if problem:
        raise ValidationFailed({"chosen_division_id": [problem]})
    return chosen
