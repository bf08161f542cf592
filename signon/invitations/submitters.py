"""What reviewers are shown of a signature submitted by the official's staff (read by the
evidence step in verification/policy.py, so it imports nothing of signing's)."""

from __future__ import annotations

import sqlalchemy as sa
from databases import Database

from signon.tables import staff_submissions
from signon.verification.evidence import Signal
from signon.vocabulary import Strength

STAFF_SUBMITTED = "submitted_by_staff"


async def staff_submission_signals(db: Database, signature_id: int) -> list[Signal]:
    """A mark for reviewers when the confirmation went to the submitter, not to a roster
    address: that inbox proves the staff member's address, not the official's."""
    row = await db.fetch_one(
        sa.select(staff_submissions).where(staff_submissions.c.signature_id == signature_id)
    )
    if row is None or row["confirmation_to"] != "submitter":
        return []
    detail = (
        f"Submitted by the official's staff: {row['submitter_name']} <{row['submitter_email']}>;"
        f" confirmed from the submitter's address (the official's, as typed:"
        f" {row['official_email']})."
    )
    return [Signal(kind=STAFF_SUBMITTED, strength=Strength.NONE, detail=detail)]


def blocks_auto_verification(signals: list[Signal] | tuple[Signal, ...]) -> bool:
    """A staff member's inbox is not the official's: a person decides (precision first)."""
    return any(signal.kind == STAFF_SUBMITTED for signal in signals)
