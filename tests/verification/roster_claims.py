"""Claims over the whole roster, as officials and impostors would make them (a support
module: tests/verification/test_whole_roster.py and bench/verification_bench.py).

Each case is a claim and whether it is true: the claimant holds the claimed office. The
honest claims are every current legislator's and mayor's, with their first roster email;
the perturbed ones are the defect classes of issue 12.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

from signon.importing.openstates import looks_like_placeholder
from signon.importing.seats import districts_fit, seat_key
from signon.offices import normalize_district
from signon.verification.facts import Facts, RosterRole
from signon.verification.judgement import LEGISLATIVE_ROLE_TYPES, Claim
from signon.verification.names import same_written_name

CENSUS_WORD = re.compile(r" (city|town|village|borough|township|CDP|municipality)$")
TITLES = {"upper": "State Senator", "lower": "State Representative"}
OTHER_CHAMBER = {"upper": "lower", "lower": "upper"}


@dataclass(frozen=True)
class Case:
    kind: str
    claim: Claim
    true: bool
    role: RosterRole


def title_of(role: RosterRole, state: str) -> str:
    if role.type == "legislature":
        return "Councilmember" if state == "DC" else "State Senator"
    return TITLES[role.type]


def state_of(role: RosterRole) -> str:
    return role.state


def _people(facts: Facts) -> dict[str, list[RosterRole]]:
    people: dict[str, list[RosterRole]] = defaultdict(list)
    for roles in facts.roles_at.values():
        for role in roles:
            people[role.person_id].append(role)
    return people


def legislator_claim(role: RosterRole, email: str, name: str) -> Claim:
    state = state_of(role)
    return Claim(
        email=email,
        full_name=name,
        title=title_of(role, state),
        office_level="state_legislature",
        jurisdiction="",
        state=state,
        district=normalize_district(role.district or ""),
    )


def _every_role(facts: Facts) -> set[RosterRole]:
    """Every role of the facts, those whose seat did not resolve (no division) too."""
    return {
        role
        for index in (facts.roles_at, facts.roles_by_email)
        for roles in index.values()
        for role in roles
    }


def current_legislators(facts: Facts, today: str) -> list[RosterRole]:
    """Every current legislator with a roster email, seat resolved or not (one that did
    not resolve counts as a miss)."""
    return sorted(
        (
            role
            for role in _every_role(facts)
            if role.type in LEGISLATIVE_ROLE_TYPES
            and role.is_current(today)
            and role.emails
            and role.district
        ),
        key=lambda role: (role.division_id or "", role.person_id),
    )


def current_mayors(facts: Facts, today: str) -> list[RosterRole]:
    return sorted(
        (
            role
            for role in _every_role(facts)
            if role.type == "mayor"
            and role.is_current(today)
            and role.emails
            and not looks_like_placeholder(role.name)
        ),
        key=lambda role: (role.division_id or "", role.person_id),
    )


def typo(name: str) -> str:
    """A typed form of the same name: accents dropped, capitals, a doubled letter in a
    given name of four letters or more, a middle initial."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    given, _, family = plain.rpartition(" ")
    if len(given) >= 4 and given.isalpha():
        given = given[:2] + given[1] + given[2:]
    return f"{given} Q. {family}".upper() if given else plain.upper()


def legislator_cases(facts: Facts, today: str) -> Iterator[Case]:
    members = current_legislators(facts, today)
    by_seat = defaultdict(list)
    by_key = defaultdict(list)  # (chamber, district) in every state
    for role in members:
        by_seat[(state_of(role), role.type)].append(role)
        by_key[(role.type, seat_key(normalize_district(role.district or "")))].append(role)
    people = _people(facts)
    for number, role in enumerate(members):
        honest = legislator_claim(role, role.emails[0], role.name)
        yield Case("honest", honest, True, role)
        yield Case("typo", replace(honest, full_name=typo(role.name)), True, role)
        yield from _seat_perturbations(role, honest, by_seat, by_key, members, number)
        for staff_email in role.staff_emails[:1]:
            yield Case("staffer", replace(honest, email=staff_email), False, role)
        yield from _former_seats(role, people[role.person_id], today)


def _seat_perturbations(
    role: RosterRole,
    honest: Claim,
    by_seat: dict[tuple[str, str], list[RosterRole]],
    by_key: dict[tuple[str, str], list[RosterRole]],
    members: list[RosterRole],
    number: int,
) -> Iterator[Case]:
    state = honest.state
    if role.type in OTHER_CHAMBER:
        other = OTHER_CHAMBER[role.type]
        yield Case("wrong_chamber", replace(honest, title=TITLES[other]), False, role)
    neighbours = by_seat[(state, role.type)]
    wrong = next((r for r in neighbours if not districts_fit(r.district, honest.district)), None)
    if wrong is not None:
        claim = replace(honest, district=normalize_district(wrong.district or ""))
        yield Case("wrong_district", claim, False, role)
    elsewhere = next(
        (
            r
            for r in by_key.get((role.type, seat_key(honest.district or "")), ())
            if state_of(r) != state
        ),
        None,
    )
    if elsewhere is not None:
        claim = replace(honest, state=state_of(elsewhere))
        yield Case("other_state", claim, False, role)
    stranger = members[(number + len(members) // 2) % len(members)]
    if stranger.name.split()[-1] != role.name.split()[-1]:
        yield Case("other_name", replace(honest, full_name=stranger.name), False, role)


def _former_seats(role: RosterRole, roles: list[RosterRole], today: str) -> Iterator[Case]:
    """A member claiming a seat they held before (moved chamber or district)."""
    for old in roles:
        if (
            old.type in LEGISLATIVE_ROLE_TYPES
            and not old.is_current(today)
            and old.district
            and old.division_id
            and (old.type, old.division_id, old.district)
            != (role.type, role.division_id, role.district)
        ):
            claim = legislator_claim(old, role.emails[0], role.name)
            yield Case("moved_seat", claim, False, old)
            return


def _same_person(one: RosterRole, other: RosterRole) -> bool:
    """The same person's file, or another file of theirs (the roster keeps some people
    twice, once under retired/): the same name as written."""
    return one.person_id == other.person_id or any(
        same_written_name(name, other.names()) for name in one.names()
    )


def retired_cases(facts: Facts, today: str) -> Iterator[Case]:
    """Former holders (retired/, or an ended role) claiming their old seat: with their own
    address, and with the seat's current holder's (an inherited mailbox)."""
    for roles in facts.roles_at.values():
        holders = [r for r in roles if r.is_current(today) and r.emails]
        for old in roles:
            if old.type not in LEGISLATIVE_ROLE_TYPES or old.is_current(today) or not old.district:
                continue
            if any(_same_person(h, old) for h in holders):
                continue  # a past term, or an older file, of a current holder of this seat
            if old.emails:
                claim = legislator_claim(old, old.emails[0], old.name)
                yield Case("retired_own_email", claim, False, old)
            for holder in holders:
                if holder.type == old.type and districts_fit(holder.district, old.district):
                    claim = legislator_claim(old, holder.emails[0], old.name)
                    yield Case("retired_seat_mailbox", claim, False, old)
                    break


def place_names(facts: Facts) -> dict[str, str]:
    """Each place's name as its mayor types it: OCD's without the census word ("Kansas
    City city" -> "Kansas City")."""
    return {
        division_id: CENSUS_WORD.sub("", name)
        for places in facts.places.values()
        for division_id, _, _, name in places
    }


def mayor_claim(role: RosterRole, names: dict[str, str], email: str, name: str) -> Claim | None:
    place = names.get(role.division_id or "")
    if place is None:
        return None
    return Claim(
        email=email,
        full_name=name,
        title="Mayor",
        office_level="municipal",
        jurisdiction=place,
        state=state_of(role),
        district=None,
    )


def mayor_cases(facts: Facts, today: str) -> Iterator[Case]:
    mayors = current_mayors(facts, today)
    names = place_names(facts)
    for number, role in enumerate(mayors):
        claim = mayor_claim(role, names, role.emails[0], role.name)
        if claim is None:  # the roster's place did not resolve: counted as a miss
            claim = Claim(
                email=role.emails[0],
                full_name=role.name,
                title="Mayor",
                office_level="municipal",
                jurisdiction="",
                state=role.state,
                district=None,
            )
            yield Case("mayor_honest", claim, True, role)
            continue
        yield Case("mayor_honest", claim, True, role)
        stranger = mayors[(number + len(mayors) // 2) % len(mayors)]
        if stranger.name.split()[-1] != role.name.split()[-1]:
            yield Case("mayor_other_name", replace(claim, full_name=stranger.name), False, role)
        if stranger.division_id != role.division_id:
            other = mayor_claim(stranger, names, role.emails[0], role.name)
            if other is not None:
                yield Case("mayor_other_city", other, False, role)
    for roles in facts.roles_at.values():
        for role in roles:
            if role.type == "mayor" and role.emails and not role.is_current(today):
                claim = mayor_claim(role, names, role.emails[0], role.name)
                if claim is not None and not any(
                    _same_person(r, role) and r.is_current(today) for r in roles
                ):
                    yield Case("mayor_term_ended", claim, False, role)


def all_cases(facts: Facts, today: str) -> list[Case]:
    return [
        *legislator_cases(facts, today),
        *retired_cases(facts, today),
        *mayor_cases(facts, today),
    ]
