"""`signon import congress FILE.yaml`: current members of Congress
(unitedstates/congress-legislators legislators-current.yaml), for the per-state packets.

Table congress_members, one row per member, from the LAST entry of `terms`:
bioguide (id.bioguide), full_name (name.official_full, else first and last),
first_name, last_name, state (USPS code), chamber (`sen` or `rep`), district (reps only:
0 is at-large, as for delegates; NULL for senators), party, term_start and term_end (ISO).
A member whose entry cannot be read is skipped and reported with the line it starts on.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from databases import Database

from signon.importing.records import (
    PROGRESS_EVERY,
    YAML_LOADER,
    BadRecord,
    Copy,
    FirstLines,
    ImportRefused,
    ImportReport,
    Progress,
    SkipLog,
    Summary,
    check_text,
    column_limits,
    iso_date,
    replace_dataset,
)
from signon.tables import congress_members

COLUMNS = (
    "bioguide",
    "full_name",
    "first_name",
    "last_name",
    "state",
    "chamber",
    "district",
    "party",
    "term_start",
    "term_end",
)
LIMITS = column_limits(congress_members)


def member_record(person: Any) -> tuple[Any, ...]:
    """One congress_members record from one entry of the upstream list."""
    if not isinstance(person, dict):
        raise BadRecord("not a member: a mapping was expected")
    ids, name = person.get("id") or {}, person.get("name") or {}
    terms = person.get("terms")
    if not isinstance(ids, dict) or not isinstance(name, dict):
        raise BadRecord("id and name must be mappings")
    if not isinstance(terms, list) or not terms or not isinstance(terms[-1], dict):
        raise BadRecord("no terms")
    term = terms[-1]
    chamber = term.get("type")
    if chamber not in ("sen", "rep"):
        raise BadRecord(f"last term's type {chamber!r} is neither sen nor rep")
    state = check_text(term.get("state"), "state", LIMITS["state"], required=True) or ""
    if not re.fullmatch(r"[A-Z]{2}", state):
        raise BadRecord(f"state {state!r} is not a two-letter code")
    district = term.get("district") if chamber == "rep" else None
    if district is not None and (not isinstance(district, int) or district < 0):
        raise BadRecord(f"district {district!r} is not a number")
    first = check_text(name.get("first"), "first name", LIMITS["first_name"], required=True)
    last = check_text(name.get("last"), "last name", LIMITS["last_name"], required=True)
    full = check_text(name.get("official_full"), "official_full", LIMITS["full_name"])
    start, end = iso_date(term.get("start"), "start"), iso_date(term.get("end"), "end")
    if not start or not end:
        raise BadRecord("the last term has no start or end")
    return (
        check_text(ids.get("bioguide"), "bioguide id", LIMITS["bioguide"], required=True),
        full or f"{first} {last}"[: LIMITS["full_name"]],
        first,
        last,
        state,
        chamber,
        district,
        check_text(term.get("party"), "party", LIMITS["party"]),
        start,
        end,
    )


class CongressReader:
    def __init__(self, path: Path, progress: Progress | None) -> None:
        self.source = str(path.resolve())
        data = path.read_bytes()
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.progress = progress
        self.skipped = SkipLog()
        self.rows = 0
        # Composed, not loaded: each member keeps its line, and one member's bad value
        # (a date like 2025-13-45) skips that member only.
        self.loader = YAML_LOADER(data)
        try:
            root = self.loader.get_single_node()
        except yaml.YAMLError as exc:
            raise ImportRefused(f"{path} is not readable YAML: {exc}") from exc
        if root is None or not isinstance(root, yaml.SequenceNode):
            raise ImportRefused(f"{path} is not a list of legislators (upstream format).")
        self.nodes: list[yaml.Node] = root.value

    def records(self) -> Iterator[tuple[Any, ...]]:
        seen = FirstLines()
        for done, node in enumerate(self.nodes):
            if self.progress and done % (PROGRESS_EVERY // 20) == 0:
                self.progress(done, len(self.nodes))
            line = node.start_mark.line + 1
            try:
                record = member_record(self.loader.construct_document(node))
                seen.check(record[0], line)
            except BadRecord as exc:
                self.skipped.add(f"line {line}", str(exc))
                continue
            except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:
                self.skipped.add(f"line {line}", f"unreadable value ({exc})")
                self._forget_partial_document()
                continue
            self.rows += 1
            yield record
        if self.progress:
            self.progress(len(self.nodes), len(self.nodes))

    def _forget_partial_document(self) -> None:
        # A failed construct_document leaves its bookkeeping behind; the next one starts clean.
        self.loader.constructed_objects = {}
        self.loader.recursive_objects = {}
        self.loader.state_generators = []

    def summary(self) -> Summary:
        return Summary(self.sha256, self.rows, tuple(self.skipped.items))


async def import_congress(
    db: Database, path: Path, *, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Replace the members of Congress with those of `path` (legislators-current.yaml)."""
    started = time.perf_counter()
    reader = await asyncio.to_thread(CongressReader, path, progress)  # reads and hashes the file
    return await replace_dataset(
        db,
        "congress",
        reader.source,
        clear=[congress_members],
        copies=[Copy(congress_members, COLUMNS, reader.records)],
        summarize=reader.summary,
        now=now,
        started=started,
    )
