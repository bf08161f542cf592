"""Staff decisions on signatures: verify or reject, one by one or in bulk (SPEC section 2).

Only confirmed signatures are decided; staff may also reverse a decision (a verified
signature rejected, or a rejected one verified). Every decision is audited; the public
counts follow through the campaign_counts trigger in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from databases import Database

from signon.audit import Actor, record_audit
from signon.errors import Conflict, ValidationFailed
from signon.tables import signatures

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
                db, actor, ACTIONS[status],
                "signature", row["id"], campaign_id=campaign_id,
                before={"status": row["status"]}, after={"status": status, "reason": reason},
            )  # fmt: skip
            decided += 1
    if decided == 0 and len(ids) == 1:
        raise Conflict("That signature cannot be decided now: it is not confirmed.")
    return Decision(decided=decided, skipped=len(ids) - decided)
