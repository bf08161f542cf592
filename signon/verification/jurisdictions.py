"""Resolving a claimed office to an Open Civic Data division, and the words of place
names (pure helpers plus one query).

"Saint Paul" (municipal, MN) -> ocd-division/country:us/state:mn/place:saint_paul;
state legislator, Wisconsin, "Representative", district 15 -> .../state:wi/sldl:15.
Historical (validThrough) and alias (sameAs) rows are never the answer: an alias is
followed to its canonical id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from databases import Database

from signon.importing.seats import DivisionIndex, state_division
from signon.tables import divisions
from signon.verification.divisions import (
    MAX_SUGGESTIONS,
    Division,
    name_key,
    search_divisions,
)
from signon.verification.places import (
    DC_NAMES,
    LOCAL_TYPES,
    NYC_BOROUGHS,
    DivisionRow,
    TypedPlace,
    choose_places,
    choose_school_districts,
    lookup_prefixes,
    read_place,
    read_school_district,
)

# Which OCD division types fit each office level.
LEVEL_TYPES: dict[str, tuple[str, ...]] = {
    "municipal": ("place", "town", "township", "village", "borough", "city"),
    "county": ("county", "parish", "borough"),
    "school_board": ("school_district",),
    "statewide": ("state", "district", "territory"),
    "state_legislature": ("sldu", "sldl"),
}
TERRITORIES = ("PR", "GU", "VI", "AS", "MP")
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
    """What a claimed jurisdiction resolved to. `found`: the jurisdiction check is met (one
    division that fits the level). `division_id` is set when it is unique, and for a
    legislator without a district it is the state (found is then False)."""

    found: bool
    division_id: str | None
    candidates: tuple[str, ...]
    detail: str

    @property
    def ambiguous(self) -> bool:
        return self.division_id is None and len(self.candidates) > 1


async def resolve_office(
    db: Database,
    *,
    office_level: str,
    jurisdiction: str,
    state: str,
    title: str,
    district: str | None,
    chosen: str | None = None,
) -> Resolution:
    """The division a claimed office names. `chosen` is the division staff picked in
    "Edit office": it stands while it is current and fits the state and the level."""
    state_id = state_division(state)
    if chosen:
        return await _resolve_chosen(db, chosen, office_level, state)
    if office_level == "state_legislature":
        if not district:
            return state_only(state_id, jurisdiction)
        return await _resolve_seat(db, state, title, district)
    if office_level == "statewide" or (state == "DC" and office_level in ("municipal", "county")):
        return await _resolve_state_wide(db, state, state_id, jurisdiction, district)
    if office_level not in LOCAL_TYPES:
        return Resolution(False, None, (), "No OCD division is looked up for this office level.")
    place = typed_place(office_level, title, jurisdiction)
    if place.empty:
        return Resolution(False, None, (), "No jurisdiction was given.")
    if state == "NY" and place.key in NYC_BOROUGHS:
        return await _resolve_borough(db, office_level, place.key, jurisdiction)
    rows = await _division_rows(db, state, place)
    return place_resolution(rows, office_level, place, title, f"{jurisdiction} ({state})")


def typed_place(office_level: str, title: str, jurisdiction: str) -> TypedPlace:
    """The place a local office's words name (a school board's may be in its title)."""
    if office_level == "school_board":
        return read_school_district(title, jurisdiction)
    return read_place(jurisdiction)


def place_resolution(
    rows: Sequence[DivisionRow], office_level: str, place: TypedPlace, title: str, label: str
) -> Resolution:
    """The division a local office names among the state's divisions that may fit (pure:
    the database path and the whole-roster tests' in-memory path both decide here)."""
    if office_level == "school_board":
        matches = choose_school_districts(rows, place)
    else:
        matches = choose_places(rows, office_level, place, title)
    return resolution_of(matches, label)


def query_prefixes(place: TypedPlace) -> list[str]:
    """The name prefixes a division that may fit starts with (in its name_key or its id)."""
    return [p for p in lookup_prefixes(place) if p.isalnum()]


def rows_that_may_fit(
    keyed_rows: Iterable[tuple[str, DivisionRow]], place: TypedPlace
) -> list[DivisionRow]:
    """The filter _division_rows applies in SQL, for divisions held in memory with their
    name_key."""
    prefixes = query_prefixes(place)
    return [
        row
        for key, row in keyed_rows
        if any(key.startswith(p) or f":{p}" in row.id for p in prefixes)
    ]


def state_only(state_id: str, jurisdiction: str) -> Resolution:
    """A legislator who gives a home city and no district is read as serving the state,
    never the city; without the seat the jurisdiction check is not met."""
    where = f" (“{jurisdiction}” is read as home, not as the seat)" if jurisdiction else ""
    return Resolution(
        False,
        state_id,
        (),
        f"A state legislator's district was not given{where}: the state is {state_id}; "
        "the seat is unknown.",
    )


async def _resolve_state_wide(
    db: Database, state: str, state_id: str, jurisdiction: str, district: str | None
) -> Resolution:
    """Statewide officials (a blank jurisdiction is the state), and DC's mayor and
    council: "Washington, D.C." is the District, "Ward 3" its ward."""
    target = state_wide_target(state, state_id, jurisdiction, district)
    if target is None:
        return Resolution(False, None, (), f"“{jurisdiction}” is not a place of DC.")
    return await _by_ids(db, [target[0]], target[1])


def state_wide_target(
    state: str, state_id: str, jurisdiction: str, district: str | None
) -> tuple[str, str] | None:
    """(division id, label) of a statewide or DC office, or None for a DC text that names
    no place of DC (pure)."""
    if state != "DC":
        return state_id, "the state"
    typed = read_place(jurisdiction).key
    ward = re.fullmatch(r"(?:ward )?(\d)", typed) or re.fullmatch(
        r"(?:ward )?(\d)", (district or "").strip().lower()
    )
    if ward:
        number = ward.group(1)
        return f"{state_id}/ward:{number}", f"DC ward {number}"
    if typed in DC_NAMES:
        return state_id, "the District of Columbia"
    return None


async def _resolve_borough(
    db: Database, office_level: str, borough: str, jurisdiction: str
) -> Resolution:
    """A borough is a county of New York City: a county office there is the borough's, a
    municipal one (the council, a borough president) is the city's."""
    if office_level == "county":
        wanted = f"ocd-division/country:us/state:ny/county:{NYC_BOROUGHS[borough]}"
    elif office_level == "municipal":
        wanted = "ocd-division/country:us/state:ny/place:new_york"
    else:
        return Resolution(False, None, (), f"No school district is named by “{jurisdiction}”.")
    return await _by_ids(db, [wanted], f"{jurisdiction} (NY)")


async def _division_rows(db: Database, state: str, place: TypedPlace) -> list[DivisionRow]:
    """The state's current divisions that may fit: those whose name, or id, starts like
    the typed place (aliases included: choose_* follows them)."""
    prefixes = query_prefixes(place)
    query = sa.select(divisions.c.id, divisions.c.name, divisions.c.type, divisions.c.same_as)
    query = query.where(
        divisions.c.state == state,
        divisions.c.valid_through.is_(None),
        sa.or_(
            sa.false(),
            *[divisions.c.name_key.like(prefix + "%") for prefix in prefixes],
            *[divisions.c.id.like(f"%:{prefix}%") for prefix in prefixes],
        ),
    )
    rows = await db.fetch_all(query)
    return [DivisionRow(row["id"], row["name"], row["type"], row["same_as"]) for row in rows]


async def _resolve_chosen(db: Database, chosen: str, office_level: str, state: str) -> Resolution:
    row = await db.fetch_one(
        sa.select(divisions.c.name, divisions.c.type, divisions.c.state).where(
            divisions.c.id == chosen,
            divisions.c.valid_through.is_(None),
            divisions.c.same_as.is_(None),
        )
    )
    if row is None:
        return Resolution(False, None, (), f"The division staff chose, {chosen}, is not current.")
    if row["state"] != state or not await _fits(db, office_level, row["type"], chosen):
        detail = f"The division staff chose, {chosen}, does not fit this office."
        return Resolution(False, None, (), detail)
    return Resolution(True, chosen, (chosen,), f"Staff chose {row['name']} ({chosen}).")


def division_fits(office_level: str, division_type: str) -> bool:
    """Whether a division of this type can be the jurisdiction of this office level (for a
    municipal office a county only when it is a consolidated city-county: see
    _is_consolidated)."""
    if office_level == "municipal":
        return division_type in (*LOCAL_TYPES["municipal"], "county", "parish", "ward")
    if office_level == "school_board":
        return division_type == "school_district"
    return division_type in LEVEL_TYPES.get(office_level, ())


async def _fits(db: Database, office_level: str, division_type: str, division_id: str) -> bool:
    if not division_fits(office_level, division_type):
        return False
    if office_level == "municipal" and division_type in ("county", "parish"):
        return await _is_consolidated(db, division_id)
    return True


async def _is_consolidated(db: Database, division_id: str) -> bool:
    """A county that OCD says a city is (place:san_francisco sameAs county:san_francisco)."""
    query = sa.select(sa.func.count()).where(
        divisions.c.same_as == division_id, divisions.c.type.in_(LOCAL_TYPES["municipal"])
    )
    return bool(await db.fetch_val(query))


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
    # Precision first: nothing tells these apart, so none is chosen (staff pick one).
    listed = ", ".join(matches[:5])
    return Resolution(
        False,
        None,
        matches,
        f"{label} matches {len(matches)} divisions and none is chosen: {listed}. "
        "Staff can choose one in Edit office.",
    )


async def check_choice(db: Database, division_id: str, office_level: str, state: str) -> str:
    """Why staff may not choose this division for the office, or "" when they may."""
    row = await db.fetch_one(
        sa.select(divisions.c.type, divisions.c.state, divisions.c.same_as).where(
            divisions.c.id == division_id, divisions.c.valid_through.is_(None)
        )
    )
    if row is None:
        return "Choose a current division from the list."
    if row["same_as"]:
        return f"That division is an alias: choose {row['same_as']}."
    if row["state"] != state:
        return f"That division is not in {state}."
    if not await _fits(db, office_level, row["type"], division_id):
        return f"A {row['type']} division does not fit this office level."
    return ""


async def division_choices(
    db: Database, *, office_level: str, jurisdiction: str, state: str, title: str
) -> list[Division]:
    """What staff may pick in "Edit office": the divisions the typed place fits (all of
    them when it fits several), then others of the state whose name starts like it."""
    resolution = await resolve_office(
        db,
        office_level=office_level,
        jurisdiction=jurisdiction,
        state=state,
        title=title,
        district=None,
    )
    words = read_place(jurisdiction).key
    found = await search_divisions(db, state, words) if words else []
    ids = [*resolution.candidates, *(d.id for d in found if division_fits(office_level, d.type))]
    ids = list(dict.fromkeys(ids))[:MAX_SUGGESTIONS]
    if not ids:
        return []
    rows = await db.fetch_all(
        sa.select(divisions.c.id, divisions.c.name, divisions.c.type).where(divisions.c.id.in_(ids))
    )
    named = {row["id"]: Division(row["id"], row["name"], row["type"]) for row in rows}
    return [named[i] for i in ids if i in named]
