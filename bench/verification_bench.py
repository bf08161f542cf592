"""The whole roster: its import, and the evidence judgement over it, against baselines
measured in the same run.

    .venv/bin/python bench/verification_bench.py               # 3 imports, every claim
    .venv/bin/python bench/verification_bench.py --repeat 1 --db-claims 200

Needs PostgreSQL (TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres; a
throwaway database is made and dropped) and ../shared/data. The full OCD file and the
.gov registry are imported first, then:

- import: `signon import openstates` of all 46 jurisdictions (people, roles, vacancies,
  seats resolved), against "COPY": the same rows, already built in memory, written
  with COPY into the same tables in one transaction. Goal: at most 15 s.
- engine: the pure judgement (signon/verification/judgement.py) over every claim of
  tests/verification/roster_claims.py (every current legislator and mayor, and the
  perturbed claims), facts loaded once, against "trivial": a per-claim function that
  only looks the email up in the same facts. Claims per second.
- parse: reading and parsing the person files alone (CPU seconds), only the sections a
  record reads (openstates.read_sections) against whole files.
- database path: gather_evidence (as at confirmation: resolution and facts read per
  claim) on a sample of the same claims, against the same trivial function.
The medians of --repeat runs are printed, wall-clock seconds, with the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from signon import db as database
from signon import settings
from signon.importing import import_dataset
from signon.importing.openstates import (
    PEOPLE_COLUMNS,
    ROLE_COLUMNS,
    VACANCY_COLUMNS,
    OpenStatesReader,
)
from signon.verification.evidence import gather_evidence
from signon.verification.facts import Facts, load_facts, resolve_in_memory
from signon.verification.judgement import judge
from tests.verification.roster_claims import all_cases

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # the tests' clock: mayors' terms as there
TODAY = NOW.date().isoformat()


def _admin_url() -> str:
    return settings.TEST_DATABASE_URL or "postgresql://postgres@127.0.0.1:5432/postgres"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_admin_url())
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    name = f"signon_bench_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = urlunsplit(urlsplit(_admin_url())._replace(path="/" + name))
        database.migrate(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def _timed_cpu(action: Callable[[], Any]) -> tuple[float, float]:
    """(wall-clock seconds, this process's CPU seconds): on a shared machine the second
    shows how much of the first was waiting for a core."""
    started, cpu = time.perf_counter(), time.process_time()
    await action()
    return time.perf_counter() - started, time.process_time() - cpu


async def _copy_baseline(url: str, rows: dict[str, tuple[tuple[str, ...], list[Any]]]) -> None:
    """The same rows, built beforehand, replaced with COPY in one transaction."""
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            await connection.execute("DELETE FROM roster_roles; DELETE FROM roster_people;")
            await connection.execute("DELETE FROM roster_vacancies")
            for table, (columns, records) in rows.items():
                await connection.copy_records_to_table(table, records=records, columns=columns)
    finally:
        await connection.close()


def _roster_rows(db_rows: list[Any]) -> dict[str, tuple[tuple[str, ...], list[Any]]]:
    reader = OpenStatesReader(DATA / "openstates-people", None)
    from signon.importing.seats import DivisionIndex

    reader.index = DivisionIndex.from_rows(tuple(row) for row in db_rows)
    people = list(reader.people_records())
    return {
        "roster_people": (PEOPLE_COLUMNS, people),
        "roster_roles": (ROLE_COLUMNS, reader.roles),
        "roster_vacancies": (VACANCY_COLUMNS, reader.vacancy_records()),
    }


async def bench_import(db: Any, url: str, repeat: int) -> dict[str, float]:
    raw = await asyncpg.connect(url)
    try:
        divisions = await raw.fetch(
            "SELECT id, same_as, valid_through, openstates_district FROM divisions "
            "WHERE type <> 'precinct'"
        )
    finally:
        await raw.close()
    rows = _roster_rows(divisions)
    imports, cpus, copies = [], [], []
    for _ in range(repeat):
        wall, cpu = await _timed_cpu(
            lambda: import_dataset(db, "openstates", DATA / "openstates-people")
        )
        imports.append(wall)
        cpus.append(cpu)
        copies.append(await _timed(lambda: _copy_baseline(url, rows)))
    await import_dataset(db, "openstates", DATA / "openstates-people")  # leave it imported
    return {
        "import_s": statistics.median(imports),
        "import_cpu_s": statistics.median(cpus),
        "copy_s": statistics.median(copies),
        "people": len(rows["roster_people"][1]),
        "roles": len(rows["roster_roles"][1]),
    }


def bench_parse(repeat: int) -> dict[str, float]:
    """Reading and parsing every person file (no database): only the sections a record
    reads, against the whole files."""
    found: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeat):
        for sections in (True, False):
            reader = OpenStatesReader(DATA / "openstates-people", None)
            reader.sections = sections
            started = time.process_time()
            for _record in reader.people_records():
                pass
            found[sections].append(time.process_time() - started)
    return {
        "sections_s": statistics.median(found[True]),
        "whole_s": statistics.median(found[False]),
    }


def bench_engine(facts: Facts, repeat: int) -> dict[str, float]:
    cases = all_cases(facts, TODAY)
    claims = [case.claim for case in cases]

    def engine() -> None:
        for claim in claims:
            judge(claim, resolve_in_memory(facts, claim), facts, TODAY)

    def trivial() -> None:
        for claim in claims:
            facts.roles_by_email.get(claim.email)

    found: dict[str, list[float]] = {"engine": [], "trivial": []}
    for _ in range(repeat):
        for name, run in (("engine", engine), ("trivial", trivial)):
            started = time.perf_counter()
            run()
            found[name].append(time.perf_counter() - started)
    engine_s, trivial_s = (statistics.median(found[name]) for name in ("engine", "trivial"))
    return {
        "claims": len(claims),
        "engine_per_s": len(claims) / engine_s,
        "trivial_per_s": len(claims) / trivial_s,
    }


async def bench_database_path(db: Any, facts: Facts, count: int) -> dict[str, float]:
    cases = all_cases(facts, TODAY)
    step = max(len(cases) // count, 1)
    claims = [case.claim for case in cases[::step]][:count]
    started = time.perf_counter()
    for claim in claims:
        await gather_evidence(db, claim, now=NOW)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    for claim in claims:
        facts.roles_by_email.get(claim.email)
    trivial = max(time.perf_counter() - started, 1e-9)
    return {
        "db_claims": len(claims),
        "db_per_s": len(claims) / seconds,
        "db_trivial_per_s": len(claims) / trivial,
    }


async def run(url: str, args: argparse.Namespace) -> None:
    db = database.make_database(url)
    await db.connect()
    try:
        ocd = await _timed(
            lambda: import_dataset(db, "ocd", DATA / "ocd-division-ids" / "country-us.csv")
        )
        await import_dataset(db, "dotgov", DATA / "dotgov-data" / "current-full.csv")
        print(f"OCD file imported first: {ocd:.1f} s (not part of the roster import)")
        found = await bench_import(db, url, args.repeat)
        ratio = found["import_s"] / found["copy_s"]
        print(
            f"import  openstates, 46 jurisdictions ({found['people']} people, "
            f"{found['roles']} roles): {found['import_s']:.2f} s "
            f"(Python CPU {found['import_cpu_s']:.2f} s); COPY of the same rows "
            f"{found['copy_s']:.2f} s; ratio {ratio:.1f}x; goal 15 s: "
            f"{'met' if found['import_s'] <= 15 else 'NOT met'}"
        )
        parse = bench_parse(args.repeat)
        print(
            f"parse   person files, CPU: {parse['sections_s']:.2f} s reading only the sections "
            f"a record reads; {parse['whole_s']:.2f} s whole; ratio "
            f"{parse['whole_s'] / parse['sections_s']:.2f}x"
        )
        started = time.perf_counter()
        facts = await load_facts(db)
        print(f"facts   loaded whole in {time.perf_counter() - started:.2f} s")
        engine = bench_engine(facts, args.repeat)
        print(
            f"engine  {engine['claims']} claims: {engine['engine_per_s']:,.0f} claims/s; "
            f"trivial {engine['trivial_per_s']:,.0f} claims/s; ratio "
            f"{engine['trivial_per_s'] / engine['engine_per_s']:.0f}x"
        )
        path = await bench_database_path(db, facts, args.db_claims)
        print(
            f"db path {path['db_claims']} claims through gather_evidence: "
            f"{path['db_per_s']:,.0f} claims/s; trivial {path['db_trivial_per_s']:,.0f} "
            f"claims/s (ratio {path['db_trivial_per_s'] / path['db_per_s']:,.0f}x); the "
            f"in-memory engine is {engine['engine_per_s'] / path['db_per_s']:.0f}x faster"
        )
    finally:
        await db.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-claims", type=int, default=500)
    args = parser.parse_args()
    if not (DATA / "openstates-people").is_dir():
        sys.exit(f"{DATA} is absent: the shared datasets are needed")
    with fresh_database() as url:
        asyncio.run(run(url, args))


if __name__ == "__main__":
    main()
