"""Evidence for a claimed office, from the imported public datasets (SPEC section 5).

`gather_evidence` returns every signal of the SPEC table that applies, each with its
strength, a sentence for reviewers and the dataset it came from. It decides nothing:
signon/verification/policy.py combines the signals under a campaign's policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from databases import Database

from signon.offices import Office
from signon.tables import (
    campaigns,
    datasets,
    dotgov_domains,
    govt_domains,
    roster_people,
    roster_roles,
    roster_vacancies,
    signatures,
    staff,
)
from signon.verification.jurisdictions import (
    Resolution,
    base_place_name,
    chamber_of,
    resolve_office,
)
from signon.verification.names import names_match
from signon.verification.places import read_place

# Registry domain types that belong to each office level's jurisdiction.
DOMAIN_TYPES = {
    "municipal": ("City",),
    "county": ("County",),
    "school_board": ("School district",),
    "tribal": ("Tribal",),
    "statewide": ("State or territory",),
    "state_legislature": ("State or territory",),
}
STATE_LEVELS = ("state_legislature", "statewide")
LEGISLATIVE_ROLE_TYPES = ("upper", "lower", "legislature")


@dataclass(frozen=True, kw_only=True)
class Claim(Office):
    email: str
    full_name: str
    # The division staff chose in "Edit office", which stands instead of the typed place.
    division_id: str | None = None


@dataclass(frozen=True)
class Signal:
    kind: str
    strength: str
    detail: str
    dataset: str | None = None
    dataset_imported_at: datetime | None = None


@dataclass(frozen=True)
class RosterRole:
    person_id: str
    name: str
    other_names: tuple[str, ...]
    emails: tuple[str, ...]
    staff_emails: tuple[str, ...]
    retired: bool
    type: str
    division_id: str | None
    start_date: str | None
    end_date: str | None

    def is_current(self, today: str) -> bool:
        """Holds the role today: not retired, started, and not ended (ISO dates compare)."""
        if self.retired or (self.start_date and self.start_date > today):
            return False
        return not (self.end_date and self.end_date <= today)

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)


async def gather_evidence(
    db: Database, claim: Claim, *, now: datetime, signature_id: int | None = None
) -> tuple[Resolution, list[Signal]]:
    imported = await _import_dates(db)
    resolution = await resolve_office(
        db,
        office_level=claim.office_level,
        jurisdiction=claim.jurisdiction,
        state=claim.state,
        title=claim.title,
        district=claim.district,
        chosen=claim.division_id,
    )
    signals = [_jurisdiction_signal(resolution, imported)]
    today = now.date().isoformat()
    seat_roles = await _roles_at(db, resolution, claim)
    email_roles = await _roles_with_email(db, claim.email)
    signals += _roster_signals(claim, seat_roles, email_roles, today, imported)
    signals += await _vacancy_signals(db, claim, today, imported)
    holder_emails = {e for role in seat_roles if role.is_current(today) for e in role.emails}
    signals += await _domain_signals(db, claim, holder_emails, imported)
    signals += await _govt_url_signals(db, claim, imported)
    signals += await _prior_signals(db, claim, signature_id, seat_roles, today)
    return resolution, signals


async def _import_dates(db: Database) -> dict[str, datetime]:
    rows = await db.fetch_all(sa.select(datasets.c.name, datasets.c.imported_at))
    return {row["name"]: row["imported_at"] for row in rows}


def _signal(
    kind: str, strength: str, detail: str, dataset: str | None, imported: dict[str, datetime]
) -> Signal:
    return Signal(kind, strength, detail, dataset, imported.get(dataset) if dataset else None)


def _jurisdiction_signal(resolution: Resolution, imported: dict[str, datetime]) -> Signal:
    kind = "jurisdiction_found" if resolution.found else "jurisdiction_not_found"
    if resolution.ambiguous:
        kind = "jurisdiction_ambiguous"
    return _signal(kind, "none", resolution.detail, "ocd", imported)


def _role(row: Any) -> RosterRole:
    return RosterRole(
        person_id=row["person_id"],
        name=row["name"],
        other_names=tuple(row["other_names"]),
        emails=tuple(row["emails"]),
        staff_emails=tuple(row["staff_emails"]),
        retired=row["retired"],
        type=row["type"],
        division_id=row["division_id"],
        start_date=row["start_date"],
        end_date=row["end_date"],
    )


_ROLES = sa.select(
    roster_roles.c.person_id,
    roster_roles.c.type,
    roster_roles.c.division_id,
    roster_roles.c.start_date,
    roster_roles.c.end_date,
    roster_people.c.name,
    roster_people.c.other_names,
    roster_people.c.emails,
    roster_people.c.staff_emails,
    roster_people.c.retired,
).select_from(roster_roles.join(roster_people))


async def _roles_at(db: Database, resolution: Resolution, claim: Claim) -> list[RosterRole]:
    """Every role the roster records for the claimed seat, current or not."""
    if not resolution.candidates:
        return []
    query = _ROLES.where(roster_roles.c.division_id.in_(resolution.candidates))
    if claim.office_level == "state_legislature":
        query = query.where(roster_roles.c.type.in_(LEGISLATIVE_ROLE_TYPES))
    return [_role(row) for row in await db.fetch_all(query)]


async def _roles_with_email(db: Database, email: str) -> list[RosterRole]:
    """Roles of the people whose own or staff addresses include this email."""
    listed = sa.literal([email], type_=roster_people.c.emails.type)
    query = _ROLES.where(
        sa.or_(
            roster_people.c.emails.contains(listed), roster_people.c.staff_emails.contains(listed)
        )
    )
    return [_role(row) for row in await db.fetch_all(query)]


def _roster_signals(
    claim: Claim,
    seat_roles: list[RosterRole],
    email_roles: list[RosterRole],
    today: str,
    imported: dict[str, datetime],
) -> list[Signal]:
    found: list[Signal] = []

    def add(kind: str, strength: str, detail: str) -> None:
        found.append(_signal(kind, strength, detail, "openstates", imported))

    current = [role for role in seat_roles if role.is_current(today)]
    seat_ids = {role.division_id for role in seat_roles}
    for role in current:
        if claim.email in role.emails:
            add(
                "roster_email",
                "strong",
                f"The roster lists {claim.email} for {role.name}, who holds this seat.",
            )
        elif claim.email in role.staff_emails:
            add(
                "roster_staff_email",
                "strong_negative",
                f"The roster lists {claim.email} among {role.name}'s staff (extras), "
                "not as the member's own address.",
            )
        elif names_match(claim.full_name, role.names()):
            add(
                "roster_name",
                "weak",
                f"{role.name} holds this seat, but the roster lists another email.",
            )
    if not any(s.kind in ("roster_email", "roster_name") for s in found):
        found += _former_signals(claim, seat_roles, email_roles, today, imported)
    for role in email_roles:
        if (
            role.is_current(today)
            and role.division_id not in seat_ids
            and claim.email in role.emails
        ):
            add(
                "roster_other_seat",
                "strong_negative",
                f"The roster lists {claim.email} for {role.name}, who holds a different "
                f"office ({role.type} {role.division_id or ''}).",
            )
    return found


def _former_signals(
    claim: Claim,
    seat_roles: list[RosterRole],
    email_roles: list[RosterRole],
    today: str,
    imported: dict[str, datetime],
) -> list[Signal]:
    """A retired member, or one whose role has ended, never counts in favour."""
    for role in [*seat_roles, *email_roles]:
        if role.is_current(today):
            continue
        by_email = claim.email in role.emails
        if by_email or (role in seat_roles and names_match(claim.full_name, role.names())):
            if role.retired:
                why = "is listed only among retired members"
            elif role.start_date and role.start_date > today:
                why = f"does not start this role until {role.start_date}"
            else:
                why = f"held this role until {role.end_date}"
            return [
                _signal(
                    "roster_former",
                    "strong_negative",
                    f"{role.name} {why} (matched by {'email' if by_email else 'name'}).",
                    "openstates",
                    imported,
                )
            ]
    return []


async def _vacancy_signals(
    db: Database, claim: Claim, today: str, imported: dict[str, datetime]
) -> list[Signal]:
    if claim.office_level != "state_legislature" or not claim.district:
        return []
    chamber = chamber_of(claim.title, claim.state)
    rows = await db.fetch_all(
        sa.select(roster_vacancies).where(
            roster_vacancies.c.state == claim.state,
            roster_vacancies.c.district == claim.district,
            roster_vacancies.c.chamber.in_([chamber or "", "legislature"]),
        )
    )
    for row in rows:
        if not row["vacant_until"] or row["vacant_until"] > today:
            seat = f"{claim.state} {row['chamber']} district {claim.district}"
            until = f" until {row['vacant_until']}" if row["vacant_until"] else ""
            detail = f"The roster lists {seat} as vacant{until}."
            return [_signal("seat_vacant", "strong_negative", detail, "openstates", imported)]
    return []


def _email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


async def _registered(db: Database, domain: str) -> Any:
    """The registry row for the domain or its nearest registered parent (a.b.gov -> b.gov)."""
    labels = domain.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = await db.fetch_all(
        sa.select(dotgov_domains).where(dotgov_domains.c.domain.in_(candidates))
    )
    return max(rows, key=lambda row: len(row["domain"]), default=None)


async def _domain_signals(
    db: Database, claim: Claim, holder_emails: set[str], imported: dict[str, datetime]
) -> list[Signal]:
    domain = _email_domain(claim.email)
    if domain.endswith(".us"):
        return _old_style_signal(claim, domain, imported)
    if not domain.endswith(".gov"):
        return []
    row = await _registered(db, domain)
    if row is None:
        return [
            _signal(
                "dotgov_unregistered",
                "none",
                f"{domain} is not in the .gov registry.",
                "dotgov",
                imported,
            )
        ]
    registered, kind, org = row["domain"], row["domain_type"], row["organization"]
    where = f"{registered} is registered to {org} ({kind}, {row['state'] or 'no state'})"
    if kind.startswith("Federal") or kind == "Interstate":
        return [_signal("dotgov_other", "none", where + ".", "dotgov", imported)]
    if row["state"] and row["state"] != claim.state:
        return [
            _signal(
                "dotgov_other_state",
                "strong_negative",
                f"{where}: another state than {claim.state}.",
                "dotgov",
                imported,
            )
        ]
    fits = kind in DOMAIN_TYPES.get(claim.office_level, ())
    if kind == "State or territory" and row["state"] == claim.state:
        return _state_domain_signals(claim, domain, registered, where, holder_emails, imported)
    if fits and base_place_name(org) == base_place_name(claim.jurisdiction):
        return [
            _signal(
                "dotgov_jurisdiction",
                "medium",
                f"{where}: the claimed jurisdiction.",
                "dotgov",
                imported,
            )
        ]
    return [
        _signal(
            "dotgov_mismatch",
            "none",
            f"{where}, which is not the claimed {claim.jurisdiction}.",
            "dotgov",
            imported,
        )
    ]


def _state_domain_signals(
    claim: Claim,
    domain: str,
    registered: str,
    where: str,
    holder_emails: set[str],
    imported: dict[str, datetime],
) -> list[Signal]:
    if claim.office_level in STATE_LEVELS:
        # Medium only when the roster has no address for the seat's holder (SPEC 5).
        strength = "weak" if holder_emails else "medium"
        note = " The roster lists another address for the seat." if holder_emails else ""
        return [
            _signal(
                "dotgov_state", strength, f"{where}: the claimed state.{note}", "dotgov", imported
            )
        ]
    label = domain[: -len(registered) - 1].split(".")[-1] if domain != registered else ""
    if label and label.replace("-", " ") == base_place_name(claim.jurisdiction):
        return [
            _signal(
                "state_subdomain",
                "weak",
                f"{domain} is a state-run subdomain ({where}) named for {claim.jurisdiction}.",
                "dotgov",
                imported,
            )
        ]
    return [_signal("dotgov_mismatch", "none", f"{where}: a state domain.", "dotgov", imported)]


def _old_style_signal(claim: Claim, domain: str, imported: dict[str, datetime]) -> list[Signal]:
    """ci.<city>.<st>.us (and co.<county>.<st>.us): an old-style locality domain."""
    labels = domain.split(".")
    if (
        len(labels) >= 4
        and labels[-2] == claim.state.lower()
        and labels[-4] in ("ci", "co", "town", "vil")
    ):
        if labels[-3].replace("-", " ") == base_place_name(claim.jurisdiction).replace(" ", ""):
            return [
                _signal(
                    "old_style_domain",
                    "weak",
                    f"{domain} is an old-style locality domain for {claim.jurisdiction}.",
                    None,
                    imported,
                )
            ]
    return []


# The GSA list's types of government that can be each local level's jurisdiction.
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
            return [_signal("govt_url_jurisdiction", "weak", detail, "govturls", imported)]
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
            signatures.c.status == "verified",
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
                "none",
                f"Verified by {row['name']} for {row['slug']}, but the role ended on {max(ended)}.",
            )
        ]
    when = row["verified_at"].date().isoformat()
    return [
        Signal(
            "prior_verification",
            "strong",
            f"Verified by {row['name']} on {when} for the campaign {row['slug']}.",
        )
    ]
