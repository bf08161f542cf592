"""Open Civic Data divisions: parsing an id, and jurisdiction suggestions for the form."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from databases import Database

from signon.tables import divisions

MAX_SUGGESTIONS = 20
# Suggestions list the kinds of place a signer most likely means first.
TYPE_ORDER = (
    "state",
    "district",
    "territory",
    "place",
    "county",
    "sldu",
    "sldl",
    "school_district",
    "council_district",
    "ward",
)


@dataclass(frozen=True)
class Division:
    id: str
    name: str
    type: str


def name_key(name: str) -> str:
    """Lower-cased, accents removed, spaces collapsed: "Cañon City" -> "canon city"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.lower().split())


def parse_division_id(division_id: str) -> tuple[str | None, str]:
    """(USPS state code or None, type of the last part) of an OCD id.

    "ocd-division/country:us/state:wi/place:milwaukee" -> ("WI", "place");
    "ocd-division/country:us/district:dc" -> ("DC", "district").
    """
    parts = division_id.split("/")[1:]
    state = None
    for part in parts[1:2]:
        kind, _, code = part.partition(":")
        if kind in ("state", "district", "territory") and len(code) == 2:
            state = code.upper()
    last_type = parts[-1].partition(":")[0] if parts else ""
    return state, last_type


async def search_divisions(db: Database, state: str, query: str) -> list[Division]:
    """Current (not historical, not alias) divisions of a state whose name starts with query."""
    key = name_key(query)[:100]
    if not key or len(state) != 2:
        return []
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # Positions are this module's own integers, inlined so PostgreSQL types them as such.
    rank = sa.case(
        *[
            (divisions.c.type == kind, sa.literal_column(str(position)))
            for position, kind in enumerate(TYPE_ORDER)
        ],
        else_=sa.literal_column(str(len(TYPE_ORDER))),
    )
    rows = await db.fetch_all(
        sa.select(divisions.c.id, divisions.c.name, divisions.c.type)
        .where(
            divisions.c.state == state.upper(),
            divisions.c.name_key.like(escaped + "%", escape="\\"),
            divisions.c.same_as.is_(None),
            divisions.c.valid_through.is_(None),
        )
        .order_by(rank, divisions.c.name)
        .limit(MAX_SUGGESTIONS)
    )
    return [Division(id=row["id"], name=row["name"], type=row["type"]) for row in rows]
