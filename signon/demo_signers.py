"""Fictional signers for the demo letter, spread over many states and every lifecycle
state, most of them verified, each with evidence like a real signer's.

The people are invented; the places are real US cities and counties. Their evidence is
labelled as demo data (dataset "demo"), so nobody mistakes it for a registry lookup.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from databases import Database

from signon.campaigns import Campaign
from signon.offices import STATES
from signon.tables import evidence, signatures
from signon.vocabulary import SignatureStatus

FIRST = (
    "Ana",
    "Marcus",
    "Li",
    "Priya",
    "José",
    "Aisha",
    "Tomás",
    "Grace",
    "Dmitri",
    "Nguyễn Thị",
    "Kwame",
    "Siobhan",
    "Rafael",
    "Mei",
    "Olusegun",
    "Chloé",
    "Hamid",
    "Ingrid",
    "Darnell",
    "Yasmin",
    "Björn",
    "Lucía",
    "Kenji",
    "Fatima",
    "Owen",
)
LAST = (
    "Díaz",
    "Okafor",
    "Chen",
    "Patel",
    "O'Brien",
    "Haddad",
    "Nowak",
    "Fernández",
    "Kowalczyk",
    "Tran",
    "Mensah",
    "Müller",
    "Rivera",
    "Park",
    "Adeyemi",
    "Lefèvre",
    "Johansson",
    "Washington",
    "Castillo",
    "Sørensen",
    "Yamamoto",
    "Abdi",
    "Murphy",
    "Đặng",
    "García-López",
)
# (state, city, county) for 24 states: enough for a map with colour in most regions.
PLACES = (
    ("MN", "Saint Paul", "Ramsey"),
    ("WI", "Madison", "Dane"),
    ("IL", "Evanston", "Cook"),
    ("NY", "Ithaca", "Tompkins"),
    ("CA", "Oakland", "Alameda"),
    ("TX", "Austin", "Travis"),
    ("NC", "Durham", "Durham"),
    ("GA", "Decatur", "DeKalb"),
    ("PA", "Pittsburgh", "Allegheny"),
    ("OH", "Columbus", "Franklin"),
    ("MI", "Ann Arbor", "Washtenaw"),
    ("WA", "Tacoma", "Pierce"),
    ("OR", "Eugene", "Lane"),
    ("CO", "Boulder", "Boulder"),
    ("AZ", "Tucson", "Pima"),
    ("NM", "Las Cruces", "Doña Ana"),
    ("MA", "Somerville", "Middlesex"),
    ("VT", "Burlington", "Chittenden"),
    ("ME", "Portland", "Cumberland"),
    ("VA", "Richmond", "Henrico"),
    ("MD", "Baltimore", "Baltimore"),
    ("NE", "Lincoln", "Lancaster"),
    ("IA", "Iowa City", "Johnson"),
    ("NV", "Reno", "Washoe"),
)
# Most demo signers are verified; every other lifecycle state appears too.
STATUS_WEIGHTS = (
    (SignatureStatus.VERIFIED, 70),
    (SignatureStatus.CONFIRMED, 12),
    (SignatureStatus.UNCONFIRMED, 8),
    (SignatureStatus.REJECTED, 5),
    (SignatureStatus.WITHDRAWN, 5),
)
EVIDENCE = {
    "strong": ("roster_email", "Demo evidence: the roster lists this email for the seat's holder."),
    "medium": (
        "dotgov_jurisdiction",
        "Demo evidence: the email's .gov domain is registered to the claimed jurisdiction.",
    ),
    "weak": (
        "roster_name",
        "Demo evidence: the name matches the seat's holder, the email does not.",
    ),
    "strong_negative": (
        "roster_former",
        "Demo evidence: the roster lists this person among former members.",
    ),
}


def _office(rng: random.Random, state: str, city: str, county: str) -> dict[str, str | None]:
    kind = rng.choice(("council", "mayor", "county", "school", "senate", "house"))
    if kind in ("senate", "house"):
        title = "State Senator" if kind == "senate" else "State Representative"
        return {
            "title": title,
            "office_level": "state_legislature",
            "jurisdiction": STATES[state],
            "district": str(rng.randint(1, 60)),
        }
    return {
        "council": {
            "title": "City Council Member",
            "office_level": "municipal",
            "jurisdiction": city,
            "district": str(rng.randint(1, 9)),
        },
        "mayor": {
            "title": "Mayor",
            "office_level": "municipal",
            "jurisdiction": city,
            "district": None,
        },
        "county": {
            "title": "County Commissioner",
            "office_level": "county",
            "jurisdiction": f"{county} County",
            "district": str(rng.randint(1, 7)),
        },
        "school": {
            "title": "School Board Member",
            "office_level": "school_board",
            "jurisdiction": f"{city} Public Schools",
            "district": None,
        },
    }[kind]


def _strengths(status: str, rng: random.Random) -> list[str]:
    if status in (SignatureStatus.REJECTED,):
        return ["strong_negative", "weak"]
    if status == SignatureStatus.CONFIRMED:
        return [rng.choice(("weak", "medium"))]
    return [rng.choice(("strong", "strong", "medium"))]


async def add_demo_signers(
    db: Database, campaign: Campaign, count: int, *, now: datetime, seed: int = 2026
) -> int:
    """Insert `count` fictional signers with evidence. Call inside the demo's transaction."""
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not a secret
    moment = now
    statuses = [s for s, weight in STATUS_WEIGHTS for _ in range(weight)]
    for n in range(count):
        state, city, county = PLACES[n % len(PLACES)]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        status = SignatureStatus.VERIFIED if n < len(PLACES) else rng.choice(statuses)
        signed = moment - timedelta(hours=rng.randint(1, 24 * 20))
        row_id = await db.fetch_val(
            signatures.insert()
            .values(
                campaign_id=campaign.id,
                email=f"signer{n}@demo.signon.example",
                full_name=f"{first} {last}",
                state=state,
                status=status,
                text_version=campaign.text_version,
                token_nonce=secrets.token_urlsafe(16),
                withdraw_nonce=secrets.token_urlsafe(16),
                signed_at=signed,
                confirmed_at=None
                if status == SignatureStatus.UNCONFIRMED
                else signed + timedelta(minutes=9),
                verified_at=signed + timedelta(hours=2)
                if status == SignatureStatus.VERIFIED
                else None,
                withdrawn_at=moment if status == SignatureStatus.WITHDRAWN else None,
                decision_reason="Demo: not an elected official"
                if status == SignatureStatus.REJECTED
                else None,
                **_office(rng, state, city, county),
            )
            .returning(signatures.c.id)
        )
        if status != SignatureStatus.UNCONFIRMED:
            await db.execute_many(
                evidence.insert(),
                [
                    {
                        "signature_id": row_id,
                        "kind": EVIDENCE[s][0],
                        "strength": s,
                        "detail": EVIDENCE[s][1],
                        "dataset": "demo",
                    }
                    for s in _strengths(status, rng)
                ],
            )
    return count
