"""Resolving a claimed office to an Open Civic Data division, and the words of place
names (pure helpers plus one query).

"Saint Paul" (municipal, MN) -> ocd-division/country:us/state:mn/place:saint_paul;
state legislator, Wisconsin, "Representative", district 15 -> .../state:wi/sldl:15.
Historical (validThrough) and alias (sameAs) rows are never the answer: an alias is
followed to its canonical id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from databases import Database

from signon.importing.seats import DivisionIndex, state_division
from signon.tables import divisions
from signon.verification.divisions import name_key

# Which OCD division types fit each office level.
LEVEL_TYPES: dict[str, tuple[str, ...]] = {
    "municipal": ("place", "town", "township", "village", "borough", "city"),
    "county": ("county", "parish", "borough"),
    "school_board": ("school_district",),
    "statewide": ("state", "district", "territory"),
    "state_legislature": ("sldu", "sldl"),
}
_PREFIXES = re.compile(
    r"^(the |city and county of |consolidated government of |city of |town of |village of |"
    r"borough of |township of |county of |charter township of |state of |commonwealth of )+"
)
_SUFFIXES = re.compile(
    r"( (city|town|village|township|borough|county|parish|cdp|charter township|"
    r"municipality|school district|public schools|unified school district))+$"
)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
UPPER_TITLES = ("senator", "senate", "senador", "senadora")
# One chamber: Nebraska's legislature, DC's council (whatever the title says).
UNICAMERAL = ("NE", "DC")
LOWER_TITLES = (
    "representante",
    "camara",
    "representative",
    "assembly",
    "delegate",
    "house",
    "assemblyman",
    "assemblywoman",
    "assemblymember",
)


def base_place_name(name: str) -> str:
    """The bare place name: "City of St. Paul" and "Saint Paul city" -> "saint paul"."""
    key = name_key(re.sub(r"[.,]", " ", name))
    key = _PREFIXES.sub("", key)
    key = _SUFFIXES.sub("", key)
    words = [_ABBREVIATIONS.get(word, word) for word in key.split()]
    return " ".join(words).strip()


def ocd_slug(name: str) -> str:
    """How OCD spells a name in an id: "saint paul" -> "saint_paul"."""
    return re.sub(r"[^a-z0-9~\-]+", "_", base_place_name(name)).strip("_")


@lru_cache(maxsize=1 << 12)
def chamber_of(title: str, state: str) -> str | None:
    """upper, lower or None, from the title (SPEC 1); Nebraska's and DC's one chamber is
    `legislature`, as the roster types their roles."""
    if state in UNICAMERAL:
        return "legislature"
    words = name_key(title)
    if any(word in words for word in UPPER_TITLES):
        return "upper"
    if any(word in words for word in LOWER_TITLES):
        return "lower"
    return None


@dataclass(frozen=True)
class Resolution:
    """What a claimed jurisdiction resolved to. `division_id` is set when it is unique."""

    found: bool
    division_id: str | None
    candidates: tuple[str, ...]
    detail: str


async def resolve_office(
    db: Database,
    *,
    office_level: str,
    jurisdiction: str,
    state: str,
    title: str,
    district: str | None,
) -> Resolution:
    state_id = state_division(state)
    if office_level == "state_legislature":
        return await _resolve_seat(db, state, title, district)
    if office_level == "statewide":
        return await _by_ids(db, [state_id], "the state")
    types = LEVEL_TYPES.get(office_level)
    slug, base = ocd_slug(jurisdiction), base_place_name(jurisdiction)
    if not slug:
        return Resolution(False, None, (), "No jurisdiction was given.")
    query = sa.select(divisions.c.id, divisions.c.name, divisions.c.type).where(
        divisions.c.state == state,
        divisions.c.valid_through.is_(None),
        divisions.c.same_as.is_(None),
        sa.or_(*[divisions.c.name_key.like(prefix + "%") for prefix in _first_words(base)]),
    )
    if types:
        query = query.where(divisions.c.type.in_(types))
    rows = await db.fetch_all(query)
    matches = tuple(
        sorted(
            row["id"]
            for row in rows
            if row["id"].endswith(f"/{row['type']}:{slug}") or base_place_name(row["name"]) == base
        )
    )
    return resolution_of(matches, f"{jurisdiction} ({state})")


def _first_words(base: str) -> set[str]:
    """How a division's name may start: "saint paul" may be filed as "st. paul"."""
    first = base.split()[0] if base else ""
    reverse = {full: short for short, full in _ABBREVIATIONS.items()}
    return {first, *([reverse[first]] if first in reverse else [])}


async def _resolve_seat(db: Database, state: str, title: str, district: str | None) -> Resolution:
    """The claimed seat, by the rules the roster import resolves its own seats with."""
    rows = await db.fetch_all(
        sa.select(
            divisions.c.id,
            divisions.c.same_as,
            divisions.c.valid_through,
            divisions.c.openstates_district,
        ).where(
            divisions.c.state == state,
            divisions.c.type.in_(("sldu", "sldl", "ward", "state", "district", "territory")),
        )
    )
    index = DivisionIndex.from_rows(
        (row["id"], row["same_as"], row["valid_through"], row["openstates_district"])
        for row in rows
    )
    return seat_resolution(index, state, title, district)


def seat_resolution(
    index: DivisionIndex, state: str, title: str, district: str | None
) -> Resolution:
    """A claimed legislative seat against the state's divisions (pure)."""
    chamber = chamber_of(title, state)
    if not district:
        return Resolution(False, None, (), "A state legislator's district was not given.")
    if chamber is None:
        return Resolution(
            False,
            None,
            (),
            f"The title “{title}” does not say which chamber (Senator or Representative).",
        )
    found = None if index.empty else index.claimed_seat(state, chamber, district)
    return resolution_of((found,) if found else (), f"{state} {chamber} district {district}")


async def _by_ids(db: Database, ids: list[str], label: str) -> Resolution:
    rows = await db.fetch_all(
        sa.select(divisions.c.id, divisions.c.same_as, divisions.c.valid_through).where(
            divisions.c.id.in_(ids)
        )
    )
    current = [row for row in rows if row["valid_through"] is None]
    matches = tuple(sorted({row["same_as"] or row["id"] for row in current}))
    return resolution_of(matches, label)


def resolution_of(matches: tuple[str, ...], label: str) -> Resolution:
    if not matches:
        return Resolution(False, None, (), f"No current OCD division was found for {label}.")
    if len(matches) == 1:
        return Resolution(True, matches[0], matches, f"{label} is {matches[0]}.")
    listed = ", ".join(matches[:5])
    return Resolution(True, None, matches, f"{label} matches {len(matches)} divisions: {listed}.")
