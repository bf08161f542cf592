"""`signon import ocd FILE.csv`: Open Civic Data division ids (the compiled
identifiers/country-us.csv of opencivicdata/ocd-division-ids).

Table divisions, one row per id:
- id: as published, lower-case ("ocd-division/country:us/state:wi/sldl:15").
- name, name_key (signon.verification.divisions.name_key: lower-cased, accents removed).
- state (USPS code, upper-case; NULL for nationwide rows) and type (the last part's
  kind: state, place, county, sldu, sldl, cd, school_district, ...), from
  signon.verification.divisions.parse_division_id.
- same_as: set on alias rows; the canonical id is same_as (every NE sldl:N is an alias of
  sldu:N). Aliases are never an answer by themselves: follow them.
- valid_through: set on historical rows (old district plans); current means NULL.
- census_geoid: census_geoid, else census_geoid_14, else census_geoid_12 (place-SSPPPPP,
  cd-SSDD, sldl-55015, or a bare NCES LEAID for school districts).
- openstates_district: Open States' name for the seat ("wi-lower-15") where upstream
  gives one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from databases import Database

from signon.importing.csvfile import CsvFile
from signon.importing.records import (
    BadRecord,
    Copy,
    FirstLines,
    ImportReport,
    Progress,
    Summary,
    check_text,
    column_limits,
    replace_dataset,
)
from signon.tables import divisions
from signon.verification.divisions import name_key, parse_division_id

COLUMNS = (
    "id",
    "name",
    "name_key",
    "state",
    "type",
    "same_as",
    "valid_through",
    "census_geoid",
    "openstates_district",
)
REQUIRED = ("id", "name", "sameAs", "validThrough", "census_geoid", "openstates_district")
GEOID_COLUMNS = ("census_geoid", "census_geoid_14", "census_geoid_12")
LIMITS = column_limits(divisions)


class OcdReader:
    def __init__(self, path: Path, progress: Progress | None) -> None:
        self.source = str(path.resolve())
        self.file = CsvFile(path, REQUIRED, progress)
        self.rows = 0

    def _value(self, row: list[str], name: str) -> str:
        position = self.file.index.get(name)
        return row[position] if position is not None else ""

    def division_record(self, row: list[str]) -> tuple[str | None, ...]:
        division_id = check_text(self._value(row, "id"), "id", LIMITS["id"], required=True)
        assert division_id is not None
        if not division_id.startswith("ocd-division/"):
            raise BadRecord(f"{division_id[:80]!r} is not an OCD division id")
        name = check_text(self._value(row, "name"), "name", LIMITS["name"], required=True)
        assert name is not None
        state, kind = parse_division_id(division_id)
        geoid = next((g for g in (self._value(row, c) for c in GEOID_COLUMNS) if g), "")
        return (
            division_id,
            name,
            name_key(name)[: LIMITS["name_key"]],
            state,
            kind[: LIMITS["type"]],
            check_text(self._value(row, "sameAs"), "sameAs", LIMITS["same_as"]),
            check_text(self._value(row, "validThrough"), "validThrough", LIMITS["valid_through"]),
            check_text(geoid, "census_geoid", LIMITS["census_geoid"]),
            check_text(
                self._value(row, "openstates_district"),
                "openstates_district",
                LIMITS["openstates_district"],
            ),
        )

    def records(self) -> Iterator[tuple[str | None, ...]]:
        seen = FirstLines()
        for line, row in self.file.rows():
            try:
                record = self.division_record(row)
                seen.check(record[0] or "", line)
            except BadRecord as exc:
                self.file.skipped.add(f"line {line}", str(exc))
                continue
            self.rows += 1
            yield record

    def summary(self) -> Summary:
        return Summary(self.file.sha256, self.rows, tuple(self.file.skipped.items))


async def import_ocd(
    db: Database, path: Path, *, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Replace the OCD divisions with the rows of `path` (country-us.csv or its sample).

    Import it before Open States: roster seats are resolved against these divisions.
    """
    started = time.perf_counter()
    reader = await asyncio.to_thread(OcdReader, path, progress)  # reads and hashes the file
    return await replace_dataset(
        db,
        "ocd",
        reader.source,
        clear=[divisions],
        copies=[Copy(divisions, COLUMNS, reader.records)],
        summarize=reader.summary,
        now=now,
        started=started,
    )
