"""What reviewers are shown of a signature that came through an invitation or was
submitted by the official's staff (read by the evidence step in verification/policy.py,
so it imports nothing of signing's): gathered with the rest of the evidence, so a
recompute keeps it."""

from __future__ import annotations

import sqlalchemy as sa
from databases import Database

from signon.tables import invitations, staff_submissions
from signon.verification.evidence import Signal
from signon.vocabulary import Strength

STAFF_SUBMITTED = "submitted_by_staff"
INBOX_SIGNAL = "invitation_inbox"


async def invitation_signals(db: Database, signature_id: int) -> list[Signal]:
    """The invitation's link reached that inbox: the signature was confirmed by it."""
    email = await db.fetch_val(
        sa.select(invitations.c.email).where(
            invitations.c.signature_id == signature_id, invitations.c.status == "signed"
        )
    )
    if email is None:
        return []
    detail = f"Signed from an invitation sent to this address ({email})."
    return [Signal(kind=INBOX_SIGNAL, strength=Strength.NONE, detail=detail)]


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
