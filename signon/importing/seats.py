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
   digits once punctuation is dropped ("Chittenden Central" = "chittenden-central"), when
   no other current division of that kind spells the same.
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
from typing import Any

LEGISLATIVE = {"upper": ("sldu",), "lower": ("sldl",), "legislature": ("sldu", "sldl")}
OPENSTATES_CHAMBERS = {
    "upper": ("upper",),
    "lower": ("lower",),
    "legislature": ("upper", "legislature"),
}


def district_slug(district: str) -> str:
    """How OCD spells a district in an id: "10th Bristol" -> "10th_bristol"."""
    return re.sub(r"\s+", "_", district.strip().lower())


def openstates_slug(district: str) -> str:
    """How OCD's openstates_district column spells it: "10th Bristol" -> "10th-bristol"."""
    return re.sub(r"[\s_]+", "-", district.strip().lower())


def compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _letters_key(division_id: str) -> tuple[str, str]:
    """("…/state:nc/place", "winstonsalem") for …/state:nc/place:winston-salem."""
    parent, _, last = division_id.rpartition("/")
    kind, _, code = last.partition(":")
    return f"{parent}/{kind}", compact(code)


def jurisdiction_division(jurisdiction: str) -> str | None:
    """ocd-jurisdiction/…/place:milwaukee/government -> ocd-division/…/place:milwaukee."""
    if not jurisdiction.startswith("ocd-jurisdiction/"):
        return None
    parts = jurisdiction.removeprefix("ocd-jurisdiction/").split("/")
    while parts and ":" not in parts[-1]:
        parts.pop()  # the jurisdiction's own kind: "government", "legislature"
    return "ocd-division/" + "/".join(parts) if parts else None


@dataclass
class DivisionIndex:
    """The current divisions of the states being imported, for resolving seats."""

    canonical: dict[str, str] = field(default_factory=dict)  # current id -> canonical id
    by_openstates: dict[str, str] = field(default_factory=dict)
    by_letters: dict[tuple[str, str], str | None] = field(default_factory=dict)

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
            return self.current(base) or self.current(self.by_letters.get(_letters_key(base)))
        if not district:
            return None  # a legislator without a district: the seat is unknown
        kinds = LEGISLATIVE[role_type]
        if self.empty:
            return f"{base}/{kinds[0]}:{district_slug(district)}"
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
            found = self.current(self.by_letters.get((f"{base}/{kind}", compact(district))))
            if found:
                return found
        return None
