"""What every importer shares: the report, skipped rows, field checks, hashing, the
atomic replacement of a dataset, and the staleness rule staff see on /staff/datasets.

One import is one transaction: it takes an advisory lock for the dataset (two imports of
the same dataset run one after the other), deletes that dataset's rows, streams the new
rows in with COPY on the pool's own asyncpg connection, then upserts the `datasets` row and
writes an audit entry. Rows are parsed while COPY consumes them, so anything that raises
part-way (an unreadable file, a failing progress callback) rolls the whole import back
and leaves the previous data as it was. Rows that cannot be read are not failures: they
are skipped and reported with their line number (or file path) and the reason.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from databases import Database
from sqlalchemy.dialects.postgresql import insert

from signon.audit import CLI, Actor, record_audit
from signon.errors import ImportRefused
from signon.tables import DATASET_NAMES, datasets

# libyaml's parser when PyYAML was built with it: several times faster on 1,000s of files.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# How old a dataset may get before staff are warned (issue 4). OCD ids and Congress change
# rarely and only with elections; the registry and the rosters change every week. The GSA
# list changes seldom upstream, but a copy older than a quarter misses its corrections.
STALE_AFTER = {
    "dotgov": timedelta(days=14),
    "openstates": timedelta(days=30),
    "govturls": timedelta(days=90),
}
COMMANDS = {
    "dotgov": "signon import dotgov current-full.csv",
    "ocd": "signon import ocd country-us.csv",
    "openstates": "signon import openstates PEOPLE_REPO_DIR",
    "congress": "signon import congress legislators-current.yaml",
    "govturls": "signon import govturls 1_govt_urls_full.csv",
}
TITLES = {
    "dotgov": ".gov registry (cisagov/dotgov-data)",
    "ocd": "OCD division ids (opencivicdata/ocd-division-ids)",
    "openstates": "State legislators and mayors (openstates/people)",
    "congress": "Members of Congress (unitedstates/congress-legislators)",
    "govturls": "Government domains outside .gov (GSA/govt-urls)",
}
# Calls to a progress callback are spaced this many rows apart: cheap, yet smooth.
PROGRESS_EVERY = 2000
# (done, total) in the importer's own unit: characters of a CSV, files, members.
Progress = Callable[[int, int], None]
ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
UNSTORABLE = re.compile("[\x00\udc80-\udcff]")  # NUL, and bytes that were not UTF-8


class BadRecord(Exception):
    """One row or file that cannot be read; the importer skips it and says why."""


@dataclass(frozen=True)
class Skipped:
    where: str  # "line 12", or a file path (with its line when YAML says where)
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class FirstLines:
    """The line each key was first read on: a key listed again is a row that cannot be
    read, and the reason says where the first one is."""

    def __init__(self) -> None:
        self._lines: dict[str, int] = {}

    def check(self, key: str, line: int) -> None:
        """Remember `key` at `line`, or raise BadRecord if an earlier line had it."""
        first = self._lines.setdefault(key, line)
        if first != line:
            raise BadRecord(f"{key} is listed again (first on line {first})")


@dataclass
class SkipLog:
    """Collects skipped rows while a file is read (mutable; the report freezes it)."""

    items: list[Skipped] = field(default_factory=list)

    def add(self, where: str, reason: str) -> None:
        self.items.append(Skipped(where, reason))


@dataclass(frozen=True)
class Summary:
    """What a reader knows once every row has gone through: the datasets row's facts."""

    sha256: str
    rows: int
    skipped: tuple[Skipped, ...]
    counts: tuple[tuple[str, int], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    dataset: str
    source: str
    sha256: str
    rows: int
    skipped: tuple[Skipped, ...]
    seconds: float
    imported_at: datetime
    # Rows per table when a dataset fills several (Open States: people, roles, vacancies).
    counts: tuple[tuple[str, int], ...] = ()
    # Things worth knowing that are not bad rows (e.g. "import ocd first").
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Copy:
    """Rows for one table: `records` is called inside the transaction, when its turn comes,
    and may be a generator that reads the file as COPY consumes it."""

    table: sa.Table
    columns: tuple[str, ...]
    records: Callable[[], Iterable[tuple[Any, ...]]]


def check_text(value: Any, what: str, limit: int | None, *, required: bool = False) -> str | None:
    """A stripped string that fits its column, None when empty; BadRecord otherwise."""
    if value is None or value == "":
        if required:
            raise BadRecord(f"no {what}")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadRecord(f"{what} is not text: {value!r}"[:200])
    text = str(value).strip()
    if not text:
        if required:
            raise BadRecord(f"no {what}")
        return None
    if UNSTORABLE.search(text):
        raise BadRecord(f"{what} holds a NUL or bytes that are not UTF-8")
    if limit is not None and len(text) > limit:
        raise BadRecord(f"{what} is longer than {limit} characters")
    return text


def iso_date(value: Any, what: str) -> str | None:
    """A YAML date, datetime or ISO string ("2025", "2025-01", "2025-01-06") as ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip() if isinstance(value, str) else ""
    if ISO_DATE.fullmatch(text):
        padded = text + "-01-01"[len(text) - 4 :] if len(text) < 10 else text
        try:
            date.fromisoformat(padded)
            return text
        except ValueError:
            pass
    raise BadRecord(f"{what} is not a date: {value!r}"[:200])


def column_limits(table: sa.Table) -> dict[str, int | None]:
    """Each column's varchar length, so rows are checked before PostgreSQL refuses them."""
    return {column.name: getattr(column.type, "length", None) for column in table.columns}


def read_hashed(path: Path) -> tuple[bytes, str]:
    """The file's bytes and their SHA-256, computed in the same pass."""
    digest = hashlib.sha256()
    chunks = []
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            chunks.append(chunk)
    return b"".join(chunks), digest.hexdigest()


def decode(data: bytes) -> tuple[str, bool]:
    """(text, clean). A file that is not all UTF-8 still decodes, its bad bytes kept as
    surrogates, so the rows that hold them are skipped one by one (check_text)."""
    try:
        text, clean = data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        text, clean = data.decode("utf-8-sig", errors="surrogateescape"), False
    return text, clean and "\x00" not in text


async def replace_dataset(
    db: Database,
    name: str,
    source: str,
    *,
    clear: Sequence[sa.Table],
    copies: Sequence[Copy],
    summarize: Callable[[], Summary],
    prepare: Callable[[Any], Awaitable[None]] | None = None,
    now: datetime,
    started: float | None = None,
    actor: Actor = CLI,
) -> ImportReport:
    """Replace one dataset's rows in one transaction (see the module docstring).

    `prepare(raw_connection)` runs first inside the transaction (Open States loads the
    divisions it resolves seats against); `summarize()` runs after the last COPY.
    `started` (time.perf_counter()) is when the importer began reading its file.
    """
    started = time.perf_counter() if started is None else started
    imported_at = now
    async with db.transaction(), db.connection() as connection:
        raw = connection.raw_connection
        await raw.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"signon-import:{name}")
        if prepare is not None:
            await prepare(raw)
        for table in clear:
            await db.execute(table.delete())
        for copy in copies:
            await raw.copy_records_to_table(
                copy.table.name, columns=list(copy.columns), records=copy.records()
            )
        summary = summarize()
        if summary.rows == 0:  # the wrong file, or an empty one: keep what is there
            problems = "; ".join(str(skipped) for skipped in summary.skipped[:3])
            raise ImportRefused(
                f"{source}: no row could be imported{f' ({problems})' if problems else ''}. "
                "The previous data is kept."
            )
        report = ImportReport(
            dataset=name,
            source=source[:500],
            sha256=summary.sha256,
            rows=summary.rows,
            skipped=summary.skipped,
            seconds=round(time.perf_counter() - started, 3),
            imported_at=imported_at,
            counts=summary.counts,
            notes=summary.notes,
        )
        await _record(db, report, actor)
    return report


async def _record(db: Database, report: ImportReport, actor: Actor) -> None:
    values = {
        "source": report.source,
        "sha256": report.sha256,
        "row_count": report.rows,
        "skipped_count": len(report.skipped),
        "imported_at": report.imported_at,
        "seconds": report.seconds,
    }
    statement = insert(datasets).values(name=report.dataset, **values)
    await db.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))
    after = {key: value for key, value in values.items() if key != "imported_at"}
    await record_audit(db, actor, "dataset.import", "dataset", report.dataset, after=after)


@dataclass(frozen=True)
class DatasetStatus:
    """One dataset as staff see it: what was imported, how old it is, whether it is stale."""

    name: str
    title: str
    command: str
    source: str | None
    sha256: str | None
    row_count: int | None
    skipped_count: int | None
    imported_at: datetime | None
    seconds: float | None
    age: timedelta | None
    stale_after: timedelta | None

    @property
    def imported(self) -> bool:
        return self.imported_at is not None

    @property
    def stale(self) -> bool:
        return is_stale(self.age, self.stale_after)

    @property
    def age_text(self) -> str:
        return describe_age(self.age) if self.age is not None else "never imported"


def is_stale(age: timedelta | None, stale_after: timedelta | None) -> bool:
    """Never imported, or older than its limit (datasets without a limit never go stale)."""
    if age is None:
        return True
    return stale_after is not None and age > stale_after


def describe_age(age: timedelta) -> str:
    """'just now', '5 minutes', '3 hours', '16 days': whole units, rounded down."""
    seconds = max(int(age.total_seconds()), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


async def list_datasets(db: Database, now: datetime) -> list[DatasetStatus]:
    """Every dataset Signon knows, imported or not, in DATASET_NAMES order."""
    rows = {row["name"]: row for row in await db.fetch_all(sa.select(datasets))}
    listed = []
    for name in DATASET_NAMES:
        row = rows.get(name)
        imported_at = row["imported_at"] if row else None
        listed.append(
            DatasetStatus(
                name=name,
                title=TITLES[name],
                command=COMMANDS[name],
                source=row["source"] if row else None,
                sha256=row["sha256"] if row else None,
                row_count=row["row_count"] if row else None,
                skipped_count=row["skipped_count"] if row else None,
                imported_at=imported_at,
                seconds=row["seconds"] if row else None,
                age=max(now - imported_at, timedelta(0)) if imported_at else None,
                stale_after=STALE_AFTER.get(name),
            )
        )
    return listed
