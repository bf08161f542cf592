"""`signon import dotgov FILE.csv`: the .gov registry (cisagov/dotgov-data current-full.csv).

Table dotgov_domains, one row per registered domain:
- domain: lower-cased ("milwaukee.gov"); the registry lists second-level names only.
- domain_type: as published: "City" (also towns, villages, townships, municipal courts),
  "County", "State or territory", "Special district", "School district", "Tribal",
  "Interstate", "Federal - Executive|Legislative|Judicial", "Federal", and the
  "… - Election" variants.
- organization, suborganization: the registrant ("City of Milwaukee").
- city, state: the registrant's mailing address, NOT the jurisdiction (ca.gov lists
  Rancho Cordova); state is NULL for the few rows that give none.
The security contact email is not kept: verification never needs it. The literal
"(blank)" the registry writes for an empty field is read as empty.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime
from pathlib import Path

from databases import Database

from signon.importing.csvfile import KeyedRecords
from signon.importing.records import (
    BadRecord,
    Copy,
    ImportReport,
    Progress,
    check_text,
    column_limits,
    replace_dataset,
)
from signon.tables import dotgov_domains

COLUMNS = ("domain", "domain_type", "organization", "suborganization", "city", "state")
HEADER = (
    "Domain name",
    "Domain type",
    "Organization name",
    "Suborganization name",
    "City",
    "State",
)
LIMITS = column_limits(dotgov_domains)
DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
STATE = re.compile(r"[A-Z]{2}")


def domain_record(values: list[str]) -> tuple[str | None, ...]:
    """One registry row (the HEADER columns' values) as a dotgov_domains record."""
    values = ["" if value.strip() == "(blank)" else value for value in values]
    domain = (check_text(values[0], "domain name", LIMITS["domain"], required=True) or "").lower()
    if not DOMAIN.fullmatch(domain):
        raise BadRecord(f"{domain!r} is not a domain name")
    state = check_text(values[5], "state", None)
    if state is not None and not STATE.fullmatch(state.upper()):
        raise BadRecord(f"state {state!r} is not a two-letter code")
    return (
        domain,
        check_text(values[1], "domain type", LIMITS["domain_type"], required=True),
        check_text(values[2], "organization name", LIMITS["organization"], required=True),
        check_text(values[3], "suborganization name", LIMITS["suborganization"]),
        check_text(values[4], "city", LIMITS["city"]),
        state.upper() if state else None,
    )


async def import_dotgov(
    db: Database, path: Path, *, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Replace the .gov registry with the rows of `path` (current-full.csv)."""
    started = time.perf_counter()
    # Read and hashed in a thread: the file is parsed whole before the transaction.
    reader = await asyncio.to_thread(KeyedRecords, path, HEADER, progress, domain_record)
    return await replace_dataset(
        db,
        "dotgov",
        reader.source,
        clear=[dotgov_domains],
        copies=[Copy(dotgov_domains, COLUMNS, reader.records)],
        summarize=reader.summary,
        now=now,
        started=started,
    )
