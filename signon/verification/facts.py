"""The facts the evidence judgement reads (signon/verification/judgement.py), loaded from
the imported datasets: roster roles by seat and by email, vacancies, registry domains and
each dataset's import date.

`facts_for_claim` loads the slice one claim needs (at confirmation, inside its
transaction); `load_facts` loads everything once, for judging many claims in memory
(the whole-roster tests, bench/verification_bench.py). `resolve_in_memory` resolves a
claimed office against loaded facts with the seat rules the database path uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from databases import Database

from signon.importing.seats import DivisionIndex, state_division
from signon.tables import (
    datasets,
    divisions,
    dotgov_domains,
    roster_people,
    roster_roles,
    roster_vacancies,
)
from signon.verification.judgement import Claim, email_domain
from signon.verification.jurisdictions import (
    Resolution,
    base_place_name,
    place_resolution,
    resolution_of,
    rows_that_may_fit,
    seat_resolution,
    state_only,
    state_wide_target,
    typed_place,
)
from signon.verification.places import LOCAL_TYPES, NYC_BOROUGHS, DivisionRow

LEGISLATIVE_KINDS = ("sldu", "sldl", "ward", "state", "district", "territory")


@dataclass(frozen=True)
class RosterRole:
    person_id: str
    name: str
    other_names: tuple[str, ...]
    emails: tuple[str, ...]
    staff_emails: tuple[str, ...]
    retired: bool
    type: str
    district: str | None
    division_id: str | None
    start_date: str | None
    end_date: str | None
    state: str = ""  # the person's folder (USPS code)

    def is_current(self, today: str) -> bool:
        """Holds the role today: not retired, started, and not ended (ISO dates compare)."""
        if self.retired or (self.start_date and self.start_date > today):
            return False
        return not (self.end_date and self.end_date <= today)

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)


@dataclass(frozen=True)
class Vacancy:
    chamber: str
    district: str
    vacant_until: str | None


@dataclass(frozen=True)
class Registered:
    domain: str
    domain_type: str
    organization: str
    state: str | None


@dataclass
class Facts:
    roles_at: dict[str, list[RosterRole]] = field(default_factory=dict)
    roles_by_email: dict[str, list[RosterRole]] = field(default_factory=dict)
    vacancies: dict[str, list[Vacancy]] = field(default_factory=dict)
    domains: dict[str, Registered] = field(default_factory=dict)
    imported: dict[str, datetime] = field(default_factory=dict)
    # Only in facts loaded whole: for resolving claims in memory.
    seats: dict[str, DivisionIndex] = field(default_factory=dict)
    # (id, bare place name, type, name) of each current division that is not a seat.
    places: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    # Every current division of each state, aliases included, as resolve_office reads them.
    # (name_key, row): the key as the divisions table stores it and _division_rows reads it.
    division_rows: dict[str, list[tuple[str, DivisionRow]]] = field(default_factory=dict)
    current_ids: dict[str, str | None] = field(default_factory=dict)


_ROLES = sa.select(
    roster_roles.c.person_id,
    roster_roles.c.type,
    roster_roles.c.district,
    roster_roles.c.division_id,
    roster_roles.c.start_date,
    roster_roles.c.end_date,
    roster_people.c.name,
    roster_people.c.other_names,
    roster_people.c.emails,
    roster_people.c.staff_emails,
    roster_people.c.retired,
    roster_people.c.state,
).select_from(roster_roles.join(roster_people))


def _role(row: Any) -> RosterRole:
    return RosterRole(
        person_id=row["person_id"],
        name=row["name"],
        other_names=tuple(row["other_names"]),
        emails=tuple(row["emails"]),
        staff_emails=tuple(row["staff_emails"]),
        retired=row["retired"],
        type=row["type"],
        district=row["district"],
        division_id=row["division_id"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        state=row["state"],
    )


def _index_roles(
    facts: Facts, seat_roles: Iterable[RosterRole], email_roles: Iterable[RosterRole]
) -> None:
    by_seat: dict[str, list[RosterRole]] = defaultdict(list)
    by_email: dict[str, list[RosterRole]] = defaultdict(list)
    for role in seat_roles:
        if role.division_id:
            by_seat[role.division_id].append(role)
    for role in email_roles:
        for email in dict.fromkeys((*role.emails, *role.staff_emails)):
            by_email[email].append(role)
    facts.roles_at, facts.roles_by_email = dict(by_seat), dict(by_email)


async def _common(db: Database, facts: Facts, state: str | None) -> None:
    rows = await db.fetch_all(sa.select(datasets.c.name, datasets.c.imported_at))
    facts.imported = {row["name"]: row["imported_at"] for row in rows}
    query = sa.select(roster_vacancies)
    if state is not None:
        query = query.where(roster_vacancies.c.state == state)
    found: dict[str, list[Vacancy]] = defaultdict(list)
    for row in await db.fetch_all(query):
        found[row["state"]].append(Vacancy(row["chamber"], row["district"], row["vacant_until"]))
    facts.vacancies = dict(found)


def _registered(rows: Iterable[Any]) -> dict[str, Registered]:
    return {
        row["domain"]: Registered(
            row["domain"], row["domain_type"], row["organization"], row["state"]
        )
        for row in rows
    }


async def facts_for_claim(db: Database, claim: Claim, resolution: Resolution) -> Facts:
    """What judging this one claim reads: the roles at its candidate divisions, the roles
    of the people who list its email, its state's vacancies, its domain's registry rows."""
    facts = Facts()
    await _common(db, facts, claim.state)
    listed = sa.literal([claim.email], type_=roster_people.c.emails.type)
    seats = _ROLES.where(roster_roles.c.division_id.in_(list(resolution.candidates)))
    emails = _ROLES.where(
        sa.or_(
            roster_people.c.emails.contains(listed), roster_people.c.staff_emails.contains(listed)
        )
    )
    at_seats = [_role(row) for row in await db.fetch_all(seats)] if resolution.candidates else []
    _index_roles(facts, at_seats, [_role(row) for row in await db.fetch_all(emails)])
    labels = email_domain(claim.email).split(".")
    parents = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = await db.fetch_all(sa.select(dotgov_domains).where(dotgov_domains.c.domain.in_(parents)))
    facts.domains = _registered(rows)
    return facts


async def load_facts(db: Database) -> Facts:
    """Every fact of every imported dataset, for judging many claims in memory."""
    facts = Facts()
    await _common(db, facts, None)
    roles = [_role(row) for row in await db.fetch_all(_ROLES)]
    _index_roles(facts, roles, roles)
    facts.domains = _registered(await db.fetch_all(sa.select(dotgov_domains)))
    rows = await db.fetch_all(
        sa.select(
            divisions.c.id,
            divisions.c.name,
            divisions.c.name_key,
            divisions.c.state,
            divisions.c.type,
            divisions.c.same_as,
            divisions.c.valid_through,
            divisions.c.openstates_district,
        )
    )
    seat_rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    places: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    division_rows: dict[str, list[tuple[str, DivisionRow]]] = defaultdict(list)
    for row in rows:
        if row["valid_through"] is None:
            facts.current_ids[row["id"]] = row["same_as"]
        if row["state"] is None:
            continue
        if row["valid_through"] is None:
            division = DivisionRow(row["id"], row["name"], row["type"], row["same_as"])
            division_rows[row["state"]].append((row["name_key"], division))
        if row["type"] in LEGISLATIVE_KINDS:
            seat_rows[row["state"]].append(
                (row["id"], row["same_as"], row["valid_through"], row["openstates_district"])
            )
        elif row["same_as"] is None and row["valid_through"] is None:
            place = (row["id"], base_place_name(row["name"]), row["type"], row["name"])
            places[row["state"]].append(place)
    facts.seats = {state: DivisionIndex.from_rows(found) for state, found in seat_rows.items()}
    facts.places = dict(places)
    facts.division_rows = dict(division_rows)
    return facts


def resolve_in_memory(facts: Facts, claim: Claim) -> Resolution:
    """resolve_office over loaded facts, by the very same rules: seats by the importer's,
    places by signon/verification/places.py's (jurisdictions.place_resolution)."""
    state_id = state_division(claim.state)
    level, state = claim.office_level, claim.state
    if level == "state_legislature":
        if not claim.district:
            return state_only(state_id, claim.jurisdiction)
        index = facts.seats.get(state, DivisionIndex())
        return seat_resolution(index, state, claim.title, claim.district)
    if level == "statewide" or (state == "DC" and level in ("municipal", "county")):
        target = state_wide_target(state, state_id, claim.jurisdiction, claim.district)
        if target is None:
            return Resolution(False, None, (), f"“{claim.jurisdiction}” is not a place of DC.")
        return _by_ids_in_memory(facts, [target[0]], target[1])
    if level not in LOCAL_TYPES:
        return Resolution(False, None, (), "No OCD division is looked up for this office level.")
    place = typed_place(level, claim.title, claim.jurisdiction)
    if place.empty:
        return Resolution(False, None, (), "No jurisdiction was given.")
    if state == "NY" and place.key in NYC_BOROUGHS:
        return Resolution(False, None, (), "Boroughs are resolved by the database path only.")
    rows = rows_that_may_fit(facts.division_rows.get(state, ()), place)
    label = f"{claim.jurisdiction} ({state})"
    return place_resolution(rows, level, place, claim.title, label)


def _by_ids_in_memory(facts: Facts, ids: list[str], label: str) -> Resolution:
    found = [facts.current_ids[i] or i for i in ids if i in facts.current_ids]
    return resolution_of(tuple(sorted(set(found))), label)
