"""The evidence judgement: which signals of SPEC section 5 a claim gets, from the facts of
the imported datasets (pure: no I/O, the day passed in).

The facts are loaded by signon/verification/facts.py: the slice a claim needs, inside the
confirmation's transaction, or the whole roster once (the whole-roster tests, the bench).
Either way this one function judges. It decides nothing: signon/verification/policy.py
combines the signals under a campaign's policy.

A seat is its chamber and its district (SPEC 5): a role holds the claimed seat when it is
at one of the resolved divisions, of the claimed chamber, and its district is the claimed
one (signon/importing/seats.py's districts_fit), so a Senator never holds a House seat
that OCD marks as the same division. A roster email counts for its person only: the
email and the name must both fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from signon.importing.seats import districts_fit
from signon.offices import Office
from signon.verification.divisions import name_key
from signon.verification.jurisdictions import Resolution, base_place_name, chamber_of
from signon.verification.names import names_match, same_written_name
from signon.vocabulary import Strength

if TYPE_CHECKING:
    from signon.verification.facts import Facts, Registered, RosterRole

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
# The words a title must hold for a local role to be the claimed office.
LOCAL_TITLES = {"mayor": ("mayor", "alcalde", "alcaldesa")}


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


def judge(claim: Claim, resolution: Resolution, facts: Facts, today: str) -> list[Signal]:
    """Every signal of the SPEC table that the facts give this claim (prior staff
    verifications aside: signon/verification/evidence.py adds those)."""
    signals = [_signal(facts, *_jurisdiction(resolution), "ocd")]
    seat_roles = claimed_seat_roles(claim, resolution, facts)
    email_roles = list(facts.roles_by_email.get(claim.email, ()))
    signals += roster_signals(claim, resolution, seat_roles, email_roles, today, facts)
    current = [role for role in seat_roles if role.is_current(today)]
    signals += vacancy_signals(claim, current, today, facts)
    holder_emails = {e for role in current for e in role.emails}
    signals += domain_signals(claim, holder_emails, facts)
    return signals


def claimed_seat_roles(claim: Claim, resolution: Resolution, facts: Facts) -> list[RosterRole]:
    """Every role, current or not, of the claimed office at the resolved divisions."""
    return [
        role
        for division_id in resolution.candidates
        for role in facts.roles_at.get(division_id, ())
        if holds_claimed_office(role, claim)
    ]


def _jurisdiction(resolution: Resolution) -> tuple[str, str, str]:
    kind = "jurisdiction_found" if resolution.found else "jurisdiction_not_found"
    if resolution.ambiguous:
        kind = "jurisdiction_ambiguous"  # several divisions fit: staff choose in Edit office
    return kind, Strength.NONE, resolution.detail


def _signal(facts: Facts, kind: str, strength: str, detail: str, dataset: str | None) -> Signal:
    return Signal(kind, strength, detail, dataset, facts.imported.get(dataset or ""))


def claimed_chamber(claim: Claim) -> str | None:
    return chamber_of(claim.title, claim.state)


def holds_claimed_office(role: RosterRole, claim: Claim) -> bool:
    """Is this role (at a resolved division) the office the claim names? Chamber and
    district for a legislator, the title's office for a mayor."""
    if claim.office_level == "state_legislature":
        return role.type == claimed_chamber(claim) and districts_fit(role.district, claim.district)
    if role.type in LEGISLATIVE_ROLE_TYPES:
        return False
    words = LOCAL_TITLES.get(role.type)
    return words is None or any(word in name_key(claim.title).split() for word in words)


def roster_signals(
    claim: Claim,
    resolution: Resolution,
    seat_roles: list[RosterRole],
    email_roles: list[RosterRole],
    today: str,
    facts: Facts,
) -> list[Signal]:
    found: list[Signal] = []
    current = [role for role in seat_roles if role.is_current(today)]
    for role in current:
        found += _holder_signals(claim, role, facts)
    strong = any(signal.kind == "roster_email" for signal in found)
    found += former_signals(claim, seat_roles, email_roles, today, facts, strong=strong)
    seat = set(seat_roles)
    for role in email_roles:
        if role.is_current(today) and role not in seat and claim.email in role.emails:
            found.append(_other_office(claim, role, resolution, facts))
    return found


def _other_office(claim: Claim, role: RosterRole, resolution: Resolution, facts: Facts) -> Signal:
    """The email's person holds another office: a strong negative, unless it is a local
    office of the same jurisdiction under another title (a village president signing as
    trustee), which only staff can weigh."""
    office = " ".join(f"{role.type} {role.district or ''} {role.division_id or ''}".split())
    if role.division_id in resolution.candidates and role.type not in LEGISLATIVE_ROLE_TYPES:
        detail = (
            f"The roster lists {claim.email} for {role.name}, who holds {office}, "
            f"not the title given ({claim.title})."
        )
        return _signal(facts, "roster_other_title", Strength.NONE, detail, "openstates")
    detail = (
        f"The roster lists {claim.email} for {role.name}, who holds a different office ({office})."
    )
    return _signal(facts, "roster_other_seat", Strength.STRONG_NEGATIVE, detail, "openstates")


def _holder_signals(claim: Claim, role: RosterRole, facts: Facts) -> list[Signal]:
    """What one current holder of the claimed seat says about the claim."""
    same_name = names_match(claim.full_name, role.names())
    if claim.email in role.emails and same_name:
        kind, strength = "roster_email", Strength.STRONG
        detail = f"The roster lists {claim.email} for {role.name}, who holds this seat."
    elif claim.email in role.emails:
        # A seat's mailbox passes to the next holder, and a roster file may keep a
        # predecessor's address: the email names the seat, the name must name the person.
        kind, strength = "roster_email_other_name", Strength.STRONG_NEGATIVE
        detail = (
            f"The roster lists {claim.email} for {role.name}, who holds this seat; "
            f"the name given, {claim.full_name}, is not theirs."
        )
    elif claim.email in role.staff_emails:
        kind, strength = "roster_staff_email", Strength.STRONG_NEGATIVE
        detail = (
            f"The roster lists {claim.email} among {role.name}'s staff (extras), "
            "not as the member's own address."
        )
    elif same_name:
        kind, strength = "roster_name", Strength.WEAK
        detail = f"{role.name} holds this seat, but the roster lists another email."
    else:
        return []
    return [_signal(facts, kind, strength, detail, "openstates")]


def former_signals(
    claim: Claim,
    seat_roles: list[RosterRole],
    email_roles: list[RosterRole],
    today: str,
    facts: Facts,
    *,
    strong: bool,
) -> list[Signal]:
    """A retired member, or one whose role has ended, never counts in favour: matched by
    name at the seat, or by email anywhere. An email match alone never skips this (a
    seat's mailbox passes on); only a claimant whom the roster names, with this email, as
    a current holder of the seat is not judged by a former record (an inherited
    mailbox's old owner, or the same person's earlier file: many mayors have one)."""
    holders = [role for role in seat_roles if role.is_current(today)]
    holder_ids = {role.person_id for role in holders}
    at_seat = set(seat_roles)
    for role in [*seat_roles, *email_roles]:
        if role.is_current(today) or role.person_id in holder_ids:
            continue
        if strong:
            # Judged by the name as written: a former holder's own name that is no
            # current holder's (a father's, where the son holds the seat) still counts.
            if same_written_name(claim.full_name, role.names()) and not any(
                same_written_name(claim.full_name, holder.names()) for holder in holders
            ):
                return [_former(claim, role, today, facts, "name")]
            continue
        by_email = claim.email in role.emails
        if by_email or (role in at_seat and names_match(claim.full_name, role.names())):
            return [_former(claim, role, today, facts, "email" if by_email else "name")]
    return []


def _former(claim: Claim, role: RosterRole, today: str, facts: Facts, by: str) -> Signal:
    if role.retired:
        why = "is listed only among retired members"
    elif role.start_date and role.start_date > today:
        why = f"does not start this role until {role.start_date}"
    else:
        why = f"held this role until {role.end_date}"
    detail = f"{role.name} {why} (matched by {by})."
    return _signal(facts, "roster_former", Strength.STRONG_NEGATIVE, detail, "openstates")


def vacancy_signals(
    claim: Claim, current: list[RosterRole], today: str, facts: Facts
) -> list[Signal]:
    """A vacant seat is a strong negative; in a district of several seats whose other
    members are current, the vacancy is one of theirs and is only noted."""
    if claim.office_level != "state_legislature" or not claim.district:
        return []
    chamber = claimed_chamber(claim)
    for vacancy in facts.vacancies.get(claim.state, ()):
        if vacancy.chamber not in (chamber, "legislature") or not districts_fit(
            vacancy.district, claim.district
        ):
            continue
        if vacancy.vacant_until and vacancy.vacant_until <= today:
            continue
        seat = f"{claim.state} {vacancy.chamber} district {vacancy.district}"
        until = f" until {vacancy.vacant_until}" if vacancy.vacant_until else ""
        if current:
            names = ", ".join(sorted({role.name for role in current}))
            detail = f"The roster lists a seat of {seat} as vacant{until}; {names} hold(s) another."
            return [_signal(facts, "seat_partly_vacant", Strength.NONE, detail, "openstates")]
        detail = f"The roster lists {seat} as vacant{until}."
        return [_signal(facts, "seat_vacant", Strength.STRONG_NEGATIVE, detail, "openstates")]
    return []


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def registered(facts: Facts, domain: str) -> Registered | None:
    """The registry row for the domain or its nearest registered parent (a.b.gov -> b.gov)."""
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        row = facts.domains.get(".".join(labels[i:]))
        if row is not None:
            return row
    return None


def domain_signals(claim: Claim, holder_emails: set[str], facts: Facts) -> list[Signal]:
    domain = email_domain(claim.email)
    if domain.endswith(".us"):
        return _old_style_signal(claim, domain, facts)
    if not domain.endswith(".gov"):
        return []
    row = registered(facts, domain)
    if row is None:
        detail = f"{domain} is not in the .gov registry."
        return [_signal(facts, "dotgov_unregistered", Strength.NONE, detail, "dotgov")]
    kind, org = row.domain_type, row.organization
    where = f"{row.domain} is registered to {org} ({kind}, {row.state or 'no state'})"
    if kind.startswith("Federal") or kind == "Interstate":
        return [_signal(facts, "dotgov_other", Strength.NONE, where + ".", "dotgov")]
    if row.state and row.state != claim.state:
        detail = f"{where}: another state than {claim.state}."
        return [_signal(facts, "dotgov_other_state", Strength.STRONG_NEGATIVE, detail, "dotgov")]
    if kind == "State or territory" and row.state == claim.state:
        return _state_domain_signals(claim, domain, row, where, holder_emails, facts)
    fits = kind in DOMAIN_TYPES.get(claim.office_level, ())
    if fits and base_place_name(org) == base_place_name(claim.jurisdiction):
        detail = f"{where}: the claimed jurisdiction."
        return [_signal(facts, "dotgov_jurisdiction", Strength.MEDIUM, detail, "dotgov")]
    detail = f"{where}, which is not the claimed {claim.jurisdiction}."
    return [_signal(facts, "dotgov_mismatch", Strength.NONE, detail, "dotgov")]


def _state_domain_signals(
    claim: Claim,
    domain: str,
    row: Registered,
    where: str,
    holder_emails: set[str],
    facts: Facts,
) -> list[Signal]:
    if claim.office_level in STATE_LEVELS:
        # Medium only when the roster has no address for the seat's holder (SPEC 5).
        strength = Strength.WEAK if holder_emails else Strength.MEDIUM
        note = " The roster lists another address for the seat." if holder_emails else ""
        detail = f"{where}: the claimed state.{note}"
        return [_signal(facts, "dotgov_state", strength, detail, "dotgov")]
    label = domain[: -len(row.domain) - 1].split(".")[-1] if domain != row.domain else ""
    if label and label.replace("-", " ") == base_place_name(claim.jurisdiction):
        detail = f"{domain} is a state-run subdomain ({where}) named for {claim.jurisdiction}."
        return [_signal(facts, "state_subdomain", Strength.WEAK, detail, "dotgov")]
    return [_signal(facts, "dotgov_mismatch", Strength.NONE, f"{where}: a state domain.", "dotgov")]


def _old_style_signal(claim: Claim, domain: str, facts: Facts) -> list[Signal]:
    """ci.<city>.<st>.us (and co.<county>.<st>.us): an old-style locality domain."""
    labels = domain.split(".")
    if (
        len(labels) >= 4
        and labels[-2] == claim.state.lower()
        and labels[-4] in ("ci", "co", "town", "vil")
        and labels[-3].replace("-", " ") == base_place_name(claim.jurisdiction).replace(" ", "")
    ):
        detail = f"{domain} is an old-style locality domain for {claim.jurisdiction}."
        return [_signal(facts, "old_style_domain", Strength.WEAK, detail, None)]
    return []
