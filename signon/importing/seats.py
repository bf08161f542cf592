"""Which OCD division an Open States role holds: the seat's division id.

Legislative roles (type upper, lower or legislature) name a district as the legislature
does ("15", "Chittenden-19", "10th Bristol"). They resolve, in this order, against the
imported divisions of the state, historical rows (validThrough) excluded and aliases
(sameAs) followed to their canonical id:
1. the division whose openstates_district is "<st>-<chamber>-<district>"
   (lower-cased, spaces as hyphens: "ma-lower-10th-bristol");
2. the id built as OCD builds it, "<state division>/sldu:<district>" for upper and
   "/sldl:<district>" for lower (lower-cased, spaces as underscores: "sldl:10th_bristol");
   a unicameral legislature (Nebraska) tries sldu, then sldl;
3. the one division of that kind whose id spells the district with the same letters and
   digits once punctuation, "and" and ordinal words are dropped ("Chittenden Central" =
   "chittenden-central", "Second Essex and Middlesex" = "2nd_essex_and_middlesex"), when
   no other current division of that kind spells the same.
Each rule is tried with the district as written, then with its other spellings: a ward
without the word ("Ward 1" -> "1", DC's wards are "dc-upper-1"), and a lettered seat
without its letter ("1A" -> "1": Idaho's House seats, where OCD has only sldl:1). An
at-large seat ("At-Large", DC's "Chairman") is the jurisdiction's own division (DC, PR).
The same rules resolve a claimed seat (`claimed_seat`), so a signer's district is read as
the roster writes it.
Every other role (mayor, governor, ...) holds the division of its jurisdiction:
ocd-jurisdiction/country:us/state:wi/place:milwaukee/government ->
ocd-division/country:us/state:wi/place:milwaukee, checked the same way (rule 3 too:
Open States writes place:winston_salem where OCD has place:winston-salem).

A seat that does not resolve gets division_id NULL. When no divisions are imported at
all, nothing can be checked: the ids are built by rules 2 and the jurisdiction alone, and
the import report says so (import ocd first, then openstates again).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

LEGISLATIVE = {"upper": ("sldu",), "lower": ("sldl",), "legislature": ("sldu", "sldl", "ward")}
OPENSTATES_CHAMBERS = {
    "upper": ("upper",),
    "lower": ("lower",),
    "legislature": ("upper", "legislature"),
}


US = "ocd-division/country:us"
# USPS codes whose OCD division is not a state:xx.
TERRITORIES = frozenset({"AS", "GU", "MP", "PR", "VI"})
AT_LARGE = frozenset({"atlarge", "chairman", "chair", "chairperson"})
# Kept five to a line (fmt: skip): a table of twenty reads better than a column.
ORDINALS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
    "eleventh": "11th", "twelfth": "12th", "thirteenth": "13th", "fourteenth": "14th",
    "fifteenth": "15th", "sixteenth": "16th", "seventeenth": "17th", "eighteenth": "18th",
    "nineteenth": "19th", "twentieth": "20th",
}  # fmt: skip
_WARD = re.compile(r"^ward[\s\-#:]*(?=\d)", re.IGNORECASE)
_LETTERED = re.compile(r"^(\d+)[a-z]$", re.IGNORECASE)


def state_division(state: str) -> str:
    """The division of a USPS code: state:wi, district:dc, territory:pr."""
    code = state.lower()
    if state == "DC":
        return f"{US}/district:dc"
    return f"{US}/{'territory' if state in TERRITORIES else 'state'}:{code}"


def state_jurisdiction(state: str) -> str:
    """The Open States jurisdiction of a USPS code (its legislature's)."""
    return state_division(state).replace("ocd-division/", "ocd-jurisdiction/") + "/government"


def district_slug(district: str) -> str:
    """How OCD spells a district in an id: "10th Bristol" -> "10th_bristol"."""
    return re.sub(r"\s+", "_", district.strip().lower())


@lru_cache(maxsize=1 << 16)  # pure, and called for every role of a claimed seat
def seat_key(district: str) -> str:
    """A district's letters and digits, ordinals as numbers and "and" dropped: "Second
    Essex and Middlesex", "2nd Essex & Middlesex" and "2nd_essex_and_middlesex" agree."""
    words = re.split(r"[^a-z0-9]+", district.lower())
    return "".join(ORDINALS.get(word, word) for word in words if word and word != "and")


@lru_cache(maxsize=1 << 16)
def district_spellings(district: str) -> tuple[str, ...]:
    """The district as written, then its other spellings (module docstring), once each."""
    text = " ".join(district.split())
    spellings = [text, _WARD.sub("", text)]
    lettered = _LETTERED.match(text)
    if lettered:
        spellings.append(lettered.group(1))
    return tuple(dict.fromkeys(spellings))


def is_at_large(district: str) -> bool:
    return seat_key(district) in AT_LARGE


def districts_fit(held: str | None, claimed: str | None) -> bool:
    """Does a claimed district name the district a role holds? "Ward 1" and "1" do, "1A"
    and "1" do (the claim names the whole district), "1A" and "1B" do not."""
    if held is None or claimed is None:
        return held is None and claimed is None
    held_keys = {seat_key(spelling) for spelling in district_spellings(held)}
    return seat_key(claimed) in held_keys or seat_key(_WARD.sub("", claimed)) in held_keys


def openstates_slug(district: str) -> str:
    """How OCD's openstates_district column spells it: "10th Bristol" -> "10th-bristol"."""
    return re.sub(r"[\s_]+", "-", district.strip().lower())


def compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _letters_key(division_id: str) -> tuple[str, str]:
    """("…/state:nc/place", "winstonsalem") for …/state:nc/place:winston-salem."""
    parent, _, last = division_id.rpartition("/")
    kind, _, code = last.partition(":")
    return f"{parent}/{kind}", seat_key(code)


def jurisdiction_division(jurisdiction: str) -> str | None:
    """ocd-jurisdiction/…/place:milwaukee/government -> ocd-division/…/place:milwaukee."""
    if not jurisdiction.startswith("ocd-jurisdiction/"):
        return None
    parts = jurisdiction.removeprefix("ocd-jurisdiction/").split("/")
    while parts and ":" not in parts[-1]:
        parts.pop()  # the jurisdiction's own kind: "government", "legislature"
    return "ocd-division/" + "/".join(parts) if parts else None


def _parent_kind_letters(division_id: str) -> tuple[str, str, str]:
    parent, _, last = division_id.rpartition("/")
    kind, _, code = last.partition(":")
    return parent, kind, seat_key(code)


def _nested_key(division_id: str) -> tuple[str, str] | None:
    """(state division/kind, letters) of a place filed under a county, else None."""
    parts = division_id.split("/")
    if len(parts) != 5 or not parts[3].startswith("county:"):
        return None
    kind, _, code = parts[4].partition(":")
    return f"{'/'.join(parts[:3])}/{kind}", seat_key(code)


@dataclass
class DivisionIndex:
    """The current divisions of the states being imported, for resolving seats."""

    canonical: dict[str, str] = field(default_factory=dict)  # current id -> canonical id
    by_openstates: dict[str, str] = field(default_factory=dict)
    by_letters: dict[tuple[str, str], str | None] = field(default_factory=dict)
    # (state division, kind, letters) of places filed under a county (NJ townships).
    nested: dict[tuple[str, str], str | None] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> DivisionIndex:
        """Rows of (id, same_as, valid_through, openstates_district)."""
        index = cls()
        for division_id, same_as, valid_through, openstates in rows:
            if valid_through:
                continue  # historical: never the seat of a role
            index.canonical[division_id] = same_as or division_id
            if openstates:
                index.by_openstates.setdefault(openstates, division_id)
            key = _letters_key(division_id)
            seen = index.by_letters.get(key, division_id)
            index.by_letters[key] = division_id if seen == division_id else None  # ambiguous
            nested = _nested_key(division_id)
            if nested:
                seen = index.nested.get(nested, division_id)
                index.nested[nested] = division_id if seen == division_id else None
        return index

    @property
    def empty(self) -> bool:
        return not self.canonical

    def current(self, division_id: str | None) -> str | None:
        """The canonical id of a current division (aliases followed), or None."""
        if self.empty or division_id is None:
            return division_id
        found = division_id
        for _ in range(4):  # an alias of an alias: follow a few hops, never loop
            target = self.canonical.get(found)
            if target is None or target == found:
                return target
            found = target
        return None

    def seat(self, role_type: str, jurisdiction: str, district: str | None) -> str | None:
        """The division id of a role's seat (module docstring), or None."""
        base = jurisdiction_division(jurisdiction)
        if base is None:
            return None
        if role_type not in LEGISLATIVE:
            return (
                self.current(base)
                or self.current(self.by_letters.get(_letters_key(base)))
                or self._nested(base)
            )
        if not district:
            return None  # a legislator without a district: the seat is unknown
        if self.empty:
            return f"{base}/{LEGISLATIVE[role_type][0]}:{district_slug(district)}"
        if is_at_large(district):
            return self.current(base)
        for spelling in district_spellings(district):
            found = self._district(role_type, base, spelling)
            if found:
                return found
        return None

    def _nested(self, base: str) -> str | None:
        """…/state:nj/place:edison -> …/state:nj/county:middlesex/place:edison, when one
        county has it; "jefferson_township" is also tried as "jefferson"."""
        parent, kind, key = _parent_kind_letters(base)
        for letters in dict.fromkeys((key, key.removesuffix("township"))):
            found = self.current(self.nested.get((f"{parent}/{kind}", letters)))
            if found:
                return found
        return None

    def claimed_seat(self, state: str, chamber: str, district: str) -> str | None:
        """The seat a signer claims (chamber upper, lower or legislature), by the rules
        that resolve the roster's own seats."""
        return self.seat(chamber, state_jurisdiction(state), district)

    def _district(self, role_type: str, base: str, district: str) -> str | None:
        kinds = LEGISLATIVE[role_type]
        state = base.rpartition(":")[2]
        for chamber in OPENSTATES_CHAMBERS[role_type]:
            key = f"{state}-{chamber}-{openstates_slug(district)}"
            found = self.current(self.by_openstates.get(key))
            if found and found.startswith(base + "/"):
                return found
        for kind in kinds:
            found = self.current(f"{base}/{kind}:{district_slug(district)}")
            if found:
                return found
        for kind in kinds:
            found = self.current(self.by_letters.get((f"{base}/{kind}", seat_key(district))))
            if found:
                return found
        return None
