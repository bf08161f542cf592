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
from signon.errors import Conflict, NotFound, ValidationFailed
from signon.offices import OFFICE_LEVELS
from signon.signing.rules import FIELDS, parse_signature
from signon.tables import campaigns, signatures
from signon.verification.evidence import Signal
from signon.verification.policy import evaluate_signature, list_evidence, rank

MAX_REASON = 1000
# Which states each decision may start from.
DECIDABLE = {"verified": ("confirmed", "rejected"), "rejected": ("confirmed", "verified")}
ACTIONS = {"verified": "signature.verify", "rejected": "signature.reject"}


@dataclass(frozen=True)
class Decision:
    decided: int
    skipped: int


async def verify_signatures(
    db: Database, actor: Actor, campaign_id: int, ids: Sequence[int], *, reason: str = ""
) -> Decision:
    """Mark confirmed (or rejected) signatures verified: they count and are listed."""
    return await _decide(db, actor, campaign_id, ids, "verified", reason.strip())


async def reject_signatures(
    db: Database, actor: Actor, campaign_id: int, ids: Sequence[int], *, reason: str
) -> Decision:
    """Reject signatures; a reason is required and kept with each."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": ["Give a reason for rejecting."]})
    return await _decide(db, actor, campaign_id, ids, "rejected", reason)


async def _decide(
    db: Database, actor: Actor, campaign_id: int, ids: Sequence[int], status: str, reason: str
) -> Decision:
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": [f"Use at most {MAX_REASON} characters."]})
    if not ids:
        raise ValidationFailed({"ids": ["Choose at least one signature."]})
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
                    verified_at=sa.func.now() if status == "verified" else None,
                    verified_by=actor.staff_id if status == "verified" else None,
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
        raise Conflict("That signature cannot be decided now: it is not confirmed.")
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
    if status == "delivered":
        raise Conflict(
            "This letter has been delivered: its signers can no longer be verified, "
            "rejected or edited. A signer may still withdraw."
        )


@dataclass(frozen=True)
class QueueItem:
    id: int
    full_name: str
    title: str
    office_level: str
    jurisdiction: str
    state: str
    district: str | None
    email: str
    phone: str | None
    organization: str | None
    status: str
    division_id: str | None
    signed_at: datetime
    confirmed_at: datetime | None
    decision_reason: str | None
    evidence: tuple[Signal, ...]

    @property
    def has_negative(self) -> bool:
        return any(signal.strength == "strong_negative" for signal in self.evidence)

    @property
    def best_rank(self) -> int:
        """The rank of the strongest signal in favour (lower is stronger)."""
        ranks = [rank(s.strength) for s in self.evidence if s.strength != "strong_negative"]
        return min(ranks, default=len(ranks) + 99)


QUEUE_LIMIT = 500


async def list_queue(
    db: Database,
    campaign_id: int,
    *,
    status: str = "confirmed",
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


OFFICE_FIELDS = ("title", "office_level", "jurisdiction", "state", "district")


async def edit_office(
    db: Database, actor: Actor, campaign_id: int, signature_id: int, data: dict[str, str]
) -> None:
    """Correct a signer's office (a typo in the jurisdiction, say), audited; the evidence
    is gathered again, and staff decide (no automatic verification after an edit)."""
    async with db.transaction():
        await _refuse_if_delivered(db, campaign_id)
        row = await db.fetch_one(
            sa.select(signatures)
            .where(signatures.c.id == signature_id, signatures.c.campaign_id == campaign_id)
            .with_for_update()
        )
        if row is None:
            raise NotFound("There is no such signature in this campaign.")
        merged = {name: row[name] or "" for name in FIELDS}
        merged.update({name: data.get(name, "") for name in OFFICE_FIELDS})
        merged["email"] = row["email"]
        fields = parse_signature(merged, OFFICE_LEVELS)
        after = {name: getattr(fields, name) for name in OFFICE_FIELDS}
        before = {name: row[name] for name in OFFICE_FIELDS}
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
        await evaluate_signature(db, signature_id, apply_policy=False)
