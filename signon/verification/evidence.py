"""Evidence for a claimed office, from the imported public datasets (SPEC section 5).

`gather_evidence` resolves the claimed office, loads the facts that claim needs
(signon/verification/facts.py) and judges them (signon/verification/judgement.py, the
same pure judgement the whole-roster tests run in memory), then adds what only the
signatures table knows: an earlier staff verification. It decides nothing:
signon/verification/policy.py combines the signals under a campaign's policy.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from databases import Database

from signon.tables import campaigns, govt_domains, signatures, staff
from signon.verification.facts import RosterRole, facts_for_claim
from signon.verification.judgement import Claim, Signal, claimed_seat_roles, judge
from signon.verification.jurisdictions import Resolution, resolve_office
from signon.verification.places import read_place
from signon.vocabulary import SignatureStatus, Strength

__all__ = ["Claim", "Signal", "gather_evidence"]


async def gather_evidence(
    db: Database, claim: Claim, *, now: datetime, signature_id: int | None = None
) -> tuple[Resolution, list[Signal]]:
    resolution = await resolve_office(
        db,
        office_level=claim.office_level,
        jurisdiction=claim.jurisdiction,
        state=claim.state,
        title=claim.title,
        district=claim.district,
        chosen=claim.division_id,
    )
    facts = await facts_for_claim(db, claim, resolution)
    today = now.date().isoformat()
    signals = judge(claim, resolution, facts, today)
    seat_roles = claimed_seat_roles(claim, resolution, facts)
    # The GSA list is read here, not by the judgement: a weak signal that can never verify
    # on its own (signon/verification/policy.py), for local officials only.
    signals += await _govt_url_signals(db, claim, facts.imported)
    signals += await _prior_signals(db, claim, signature_id, seat_roles, today)
    return resolution, signals


def _email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


GOVT_URL_TYPES = {"municipal": "Local", "county": "County"}


async def _govt_url_signals(
    db: Database, claim: Claim, imported: dict[str, datetime]
) -> list[Signal]:
    """An email at a domain the GSA list gives for the claimed government (a2gov.org, City
    of Ann Arbor) is weak evidence: the list is not kept current and domains lapse."""
    wanted = GOVT_URL_TYPES.get(claim.office_level)
    labels = _email_domain(claim.email).split(".")
    if wanted is None or len(labels) < 2:
        return []
    rows = await db.fetch_all(
        sa.select(govt_domains).where(
            govt_domains.c.domain.in_([".".join(labels[i:]) for i in range(len(labels) - 1)]),
            govt_domains.c.path.is_(None),  # a page on a shared host is no one's mailbox
        )
    )
    claimed = read_place(claim.jurisdiction)
    for row in rows:
        listed = read_place(row["government"] or "")
        kinds = {claimed.kind, listed.kind} - {None}
        if (
            row["government_type"] == wanted
            and row["state"] == claim.state
            and listed.key == claimed.key != ""
            and len(kinds) <= 1
        ):
            detail = (
                f"The GSA's list of government domains outside .gov gives {row['address']} "
                f"for {row['government']} ({row['state']}), the claimed jurisdiction "
                f"(listed {row['date_added'] or 'on an unknown date'}; such domains can lapse)."
            )
            return [
                Signal(
                    "govt_url_jurisdiction",
                    Strength.WEAK,
                    detail,
                    "govturls",
                    imported.get("govturls"),
                )
            ]
    return []


async def _prior_signals(
    db: Database, claim: Claim, signature_id: int | None, seat_roles: list[RosterRole], today: str
) -> list[Signal]:
    """A staff verification of this email for the same office on an earlier campaign counts,
    until the roster says the role ended."""
    query = (
        sa.select(signatures.c.verified_at, staff.c.name, campaigns.c.slug, campaigns.c.id)
        .select_from(
            signatures.join(staff, staff.c.id == signatures.c.verified_by).join(
                campaigns, campaigns.c.id == signatures.c.campaign_id
            )
        )
        .where(
            signatures.c.email == claim.email,
            signatures.c.status == SignatureStatus.VERIFIED,
            signatures.c.office_level == claim.office_level,
            signatures.c.state == claim.state,
            sa.func.lower(signatures.c.jurisdiction) == claim.jurisdiction.lower(),
            sa.func.coalesce(signatures.c.district, "") == (claim.district or ""),
        )
        .order_by(signatures.c.verified_at.desc())
        .limit(1)
    )
    if signature_id is not None:
        query = query.where(signatures.c.id != signature_id)
    row = await db.fetch_one(query)
    if row is None:
        return []
    ended = [
        r.end_date
        for r in seat_roles
        if claim.email in r.emails and r.end_date and r.end_date <= today
    ]
    if ended:
        return [
            Signal(
                "prior_verification_expired",
                Strength.NONE,
                f"Verified by {row['name']} for {row['slug']}, but the role ended on {max(ended)}.",
            )
        ]
    when = row["verified_at"].date().isoformat()
    return [
        Signal(
            "prior_verification",
            Strength.STRONG,
            f"Verified by {row['name']} on {when} for the campaign {row['slug']}.",
        )
    ]
