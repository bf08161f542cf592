"""Verification: evidence stored with each signature, and the campaign's auto-verify policy.

Rules (SPEC section 5): any strong negative keeps a signature from automatic verification
and is shown first; otherwise the policy `strong` auto-verifies on a strong signal and
`strong_or_medium` on a strong or a medium one, both only when the claimed jurisdiction
was found; the policy `off` auto-verifies nothing. Everything else waits for staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from databases import Database

from signon.audit import SYSTEM, Actor, record_audit
from signon.invitations.submitters import (
    blocks_auto_verification,
    invitation_signals,
    staff_submission_signals,
)
from signon.offices import OFFICE_FIELDS
from signon.tables import campaigns, evidence, signatures
from signon.verification.evidence import Claim, Signal, gather_evidence
from signon.vocabulary import AutoVerify, SignatureStatus, Strength

STRENGTH_ORDER = (
    Strength.STRONG_NEGATIVE,
    Strength.STRONG,
    Strength.MEDIUM,
    Strength.WEAK,
    Strength.NONE,
)
POLICY_STRENGTHS = {
    AutoVerify.OFF: (),
    AutoVerify.STRONG: (Strength.STRONG,),
    AutoVerify.STRONG_OR_MEDIUM: (Strength.STRONG, Strength.MEDIUM),
}


@dataclass(frozen=True)
class Evaluation:
    signals: tuple[Signal, ...]
    division_id: str | None
    auto_verified: bool
    reason: str | None


def rank(strength: str) -> int:
    return STRENGTH_ORDER.index(strength)


def sort_signals(signals: Iterable[Signal]) -> list[Signal]:
    """Strong negatives first, then the strongest in favour (stable for equal strengths)."""
    return sorted(signals, key=lambda signal: rank(signal.strength))


def auto_verify_reason(signals: Sequence[Signal], policy: str) -> str | None:
    """Why the policy verifies these signals automatically, or None (pure)."""
    accepted = POLICY_STRENGTHS.get(policy, ())
    if not accepted or any(signal.strength == Strength.STRONG_NEGATIVE for signal in signals):
        return None
    if blocks_auto_verification(signals):
        return None
    if not any(signal.kind == "jurisdiction_found" for signal in signals):
        return None
    best = next((s for s in sort_signals(signals) if s.strength in accepted), None)
    if best is None:
        return None
    return f"Automatically verified ({policy} policy): {best.detail}"


async def evaluate_signature(
    db: Database, signature_id: int, *, now: datetime, apply_policy: bool = True
) -> Evaluation:
    """Gather and store the evidence for a signature; under its campaign's policy, verify a
    confirmed one whose evidence is clear. Runs in its own (possibly nested) transaction."""
    moment = now
    async with db.transaction():
        row = await db.fetch_one(
            sa.select(signatures, campaigns.c.auto_verify)
            .select_from(signatures.join(campaigns))
            .where(signatures.c.id == signature_id)
            .with_for_update(of=signatures)
        )
        claim = Claim(
            email=row["email"],
            full_name=row["full_name"],
            **{name: row[name] for name in OFFICE_FIELDS},
            division_id=row["chosen_division_id"],
        )
        resolution, signals = await gather_evidence(
            db, claim, now=moment, signature_id=signature_id
        )
        signals += await staff_submission_signals(db, signature_id)
        signals += await invitation_signals(db, signature_id)
        await _store(db, signature_id, signals, resolution.division_id)
        reason = auto_verify_reason(signals, row["auto_verify"]) if apply_policy else None
        verified = bool(reason) and row["status"] == SignatureStatus.CONFIRMED
        if verified:
            await _auto_verify(db, row, reason or "")
    return Evaluation(tuple(sort_signals(signals)), resolution.division_id, verified, reason)


async def _store(
    db: Database, signature_id: int, signals: list[Signal], division_id: str | None
) -> None:
    await db.execute(evidence.delete().where(evidence.c.signature_id == signature_id))
    if signals:
        await db.execute_many(
            evidence.insert(),
            [
                {
                    "signature_id": signature_id,
                    "kind": s.kind,
                    "strength": s.strength,
                    "detail": s.detail[:2000],
                    "dataset": s.dataset,
                    "dataset_imported_at": s.dataset_imported_at,
                }
                for s in signals
            ],
        )
    await db.execute(
        signatures.update().where(signatures.c.id == signature_id).values(division_id=division_id)
    )


async def _auto_verify(db: Database, row: sa.Row, reason: str) -> None:
    await db.execute(
        signatures.update()
        .where(signatures.c.id == row["id"])
        .values(
            status=SignatureStatus.VERIFIED,
            verified_at=sa.func.now(),
            verified_by=None,
            decision_reason=reason[:1000],
            updated_at=sa.func.now(),
        )
    )
    await record_audit(
        db,
        SYSTEM,
        "signature.auto_verify",
        "signature",
        row["id"],
        campaign_id=row["campaign_id"],
        before={"status": row["status"]},
        after={"status": SignatureStatus.VERIFIED, "reason": reason},
    )


async def list_evidence(db: Database, signature_ids: Sequence[int]) -> dict[int, list[Signal]]:
    """Each signature's stored evidence, strong negatives first."""
    if not signature_ids:
        return {}
    rows = await db.fetch_all(
        sa.select(evidence)
        .where(evidence.c.signature_id.in_(list(signature_ids)))
        .order_by(evidence.c.id)
    )
    found: dict[int, list[Signal]] = {}
    for row in rows:
        found.setdefault(row["signature_id"], []).append(
            Signal(
                row["kind"],
                row["strength"],
                row["detail"],
                row["dataset"],
                row["dataset_imported_at"],
            )
        )
    return {key: sort_signals(value) for key, value in found.items()}


async def recompute_campaign(db: Database, actor: Actor, campaign_id: int, *, now: datetime) -> int:
    """Gather evidence again (after a new import) for every confirmed, verified or rejected
    signature; the policy applies to those still waiting. Returns how many were evaluated."""
    ids = [
        row[0]
        for row in await db.fetch_all(
            sa.select(signatures.c.id).where(
                signatures.c.campaign_id == campaign_id,
                signatures.c.status.in_(
                    [SignatureStatus.CONFIRMED, SignatureStatus.VERIFIED, SignatureStatus.REJECTED]
                ),
            )
        )
    ]
    for signature_id in ids:
        await evaluate_signature(db, signature_id, now=now)
    await record_audit(
        db,
        actor,
        "campaign.recompute_evidence",
        "campaign",
        campaign_id,
        campaign_id=campaign_id,
        after={"signatures": len(ids)},
    )
    return len(ids)
