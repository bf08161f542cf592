"""`signon import openstates DIR`: people from a clone of openstates/people (DIR holds
data/<state>/{legislature,executive,municipalities,retired}/*.yml and settings.yml; the
data/ folder itself is accepted too). data/us/ (Congress) is not read: Congress comes from
`signon import congress`. Import OCD divisions first: seats are resolved against them.

Tables (semantics the evidence engine relies on):
- roster_people, one row per person file: id (ocd-person/…), name, given_name,
  family_name, other_names; `emails`: the person's own addresses, lower-cased, from
  `email`, `offices[].email` and the extras that name the person's own address
  (state/work/home/personal email); `staff_emails`: every other address found anywhere
  under `extras` (aides, legislative assistants), lower-cased, never one of `emails`;
  state (from the folder); `retired`: filed under retired/; source: the file's path.
  Placeholders such as "Janesville City Council" are kept as published: see
  looks_like_placeholder().
- roster_roles, one row per role: type (upper, lower, legislature, mayor, governor,
  ...), district as the legislature names it, jurisdiction (the ocd-jurisdiction id),
  division_id (the seat's division: see signon/importing/seats.py), title when the role
  gives one, start_date and end_date as ISO text ("2025-01-06", or "2025" when upstream
  gives only a year). A role is current when the person is not retired, start_date is
  empty or not after today, and end_date is empty or after today: mayors' roles carry
  their term's end_date, legislators' current roles none (see is_current_role()).
- roster_vacancies: settings.yml's vacancies of every state: state (upper-case),
  chamber (upper, lower, legislature), district, vacant_until.
A person file that cannot be parsed, or holds a bad value (a date that is not a date, a
role without a type), is skipped whole and reported with its path.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Iterable, Iterator
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
from signon.importing.seats import DivisionIndex
from signon.tables import roster_people, roster_roles, roster_vacancies

FOLDERS = ("legislature", "executive", "municipalities", "retired")
PEOPLE_COLUMNS = (
    "id",
    "name",
    "given_name",
    "family_name",
    "other_names",
    "emails",
    "staff_emails",
    "state",
    "retired",
    "source",
)
ROLE_COLUMNS = (
    "person_id",
    "type",
    "district",
    "jurisdiction",
    "division_id",
    "title",
    "start_date",
    "end_date",
)
VACANCY_COLUMNS = ("state", "chamber", "district", "vacant_until")
PEOPLE, ROLES = column_limits(roster_people), column_limits(roster_roles)
VACANCIES = column_limits(roster_vacancies)
EMAIL = re.compile(r"[A-Za-z0-9._%+'&-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
# extras keys that give the member's own address, not an aide's (VT lists "state email").
OWN_EMAIL_KEYS = re.compile(r"^(state|work|home|personal|capitol|official)?[ _]?e-?mail$")
# The top-level keys of a person file that person_record reads.
READ_SECTIONS = frozenset(
    {b"id", b"name", b"given_name", b"family_name", b"other_names", b"roles", b"email"}
    | {b"offices", b"extras"}
)
TOP_KEY = re.compile(rb"([A-Za-z_][\w-]*):(\s|$)")
PLACEHOLDER_WORDS = re.compile(
    r"\b(council|board|commission|committee|office|department|city hall|mayor's)\b", re.I
)


def looks_like_placeholder(name: str) -> bool:
    """A record that names an office, not a person ("Janesville City Council")."""
    return bool(PLACEHOLDER_WORDS.search(name)) or not name.strip()


def is_current_role(start_date: str | None, end_date: str | None, today: str) -> bool:
    """Held on `today` (ISO): started (or no start given) and not yet ended."""
    return (not start_date or start_date <= today) and (not end_date or end_date > today)


def find_data_dir(root: Path) -> tuple[Path, Path]:
    """(data/ folder, settings.yml path) of an openstates/people clone, or refuse."""
    for data, settings_file in (
        (root / "data", root / "settings.yml"),
        (root, root.parent / "settings.yml"),
    ):
        if data.is_dir() and any((data / s / f).is_dir() for s in _states(data) for f in FOLDERS):
            return data, settings_file
    raise ImportRefused(
        f"{root} holds no data/<state>/legislature (or executive, municipalities, retired) "
        "folders: give the root of a clone of openstates/people."
    )


def _states(data: Path, only: frozenset[str] | None = None) -> list[str]:
    """The state folders under data/ (never us/), or those of `only` among them."""
    return sorted(
        p.name
        for p in data.iterdir()
        if re.fullmatch(r"[a-z]{2}", p.name)
        and p.name != "us"
        and p.is_dir()
        and (only is None or p.name in only)
    )


def _addresses(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from (found.group(0).lower() for found in EMAIL.finditer(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _addresses(item)
    elif isinstance(value, list):
        for item in value:
            yield from _addresses(item)


def person_emails(doc: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(own addresses, staff addresses), lower-cased, each listed once, in file order."""
    own = [
        *_addresses(doc.get("email")),
        *(
            a
            for o in doc.get("offices") or []
            if isinstance(o, dict)
            for a in _addresses(o.get("email"))
        ),
    ]
    extras = doc.get("extras") if isinstance(doc.get("extras"), dict) else {}
    for key, value in extras.items():
        if OWN_EMAIL_KEYS.match(str(key).strip().lower()):
            own.extend(_addresses(value))
    own = list(dict.fromkeys(a for a in own if len(a) <= 254))
    staff = [a for a in dict.fromkeys(_addresses(extras)) if a not in own and len(a) <= 254]
    return own, staff


def role_record(role: Any, number: int, index: DivisionIndex) -> tuple[Any, ...]:
    """(type, district, jurisdiction, division_id, title, start_date, end_date) of a role."""
    try:
        if not isinstance(role, dict):
            raise BadRecord("not a mapping")
        kind = check_text(role.get("type"), "type", ROLES["type"], required=True) or ""
        jurisdiction = (
            check_text(
                role.get("jurisdiction"), "jurisdiction", ROLES["jurisdiction"], required=True
            )
            or ""
        )
        district = check_text(role.get("district"), "district", ROLES["district"])
        return (
            kind,
            district,
            jurisdiction,
            index.seat(kind, jurisdiction, district),
            check_text(role.get("title"), "title", ROLES["title"]),
            iso_date(role.get("start_date"), "start_date"),
            iso_date(role.get("end_date"), "end_date"),
        )
    except BadRecord as exc:
        raise BadRecord(f"role {number}: {exc}") from exc


def person_record(
    doc: Any, state: str, retired: bool, source: str, index: DivisionIndex
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """(roster_people record, roster_roles records) of one person file."""
    if not isinstance(doc, dict):
        raise BadRecord("not a person: a YAML mapping was expected")
    person_id = check_text(doc.get("id"), "id", PEOPLE["id"], required=True) or ""
    if not person_id.startswith("ocd-person/"):
        raise BadRecord(f"id {person_id[:80]!r} is not an ocd-person id")
    others = [o.get("name") if isinstance(o, dict) else o for o in doc.get("other_names") or []]
    roles = doc.get("roles") or []
    if not isinstance(roles, list):
        raise BadRecord("roles is not a list")
    own, staff = person_emails(doc)
    person = (
        person_id,
        check_text(doc.get("name"), "name", PEOPLE["name"], required=True),
        check_text(doc.get("given_name"), "given_name", PEOPLE["given_name"]),
        check_text(doc.get("family_name"), "family_name", PEOPLE["family_name"]),
        [name for name in (check_text(o, "other name", 300) for o in others) if name],
        own,
        staff,
        state,
        retired,
        source[: PEOPLE["source"]],
    )
    records = [role_record(role, n, index) for n, role in enumerate(roles, start=1)]
    return person, [(person_id, *record) for record in records]


def vacancy_record(state: Any, vacancy: Any) -> tuple[Any, ...]:
    if not isinstance(vacancy, dict) or not re.fullmatch(r"[a-z]{2}", str(state)):
        raise BadRecord("not a vacancy of a state")
    return (
        str(state).upper(),
        check_text(vacancy.get("chamber"), "chamber", VACANCIES["chamber"], required=True),
        check_text(vacancy.get("district"), "district", VACANCIES["district"], required=True),
        iso_date(vacancy.get("vacant_until"), "vacant_until"),
    )


def vacancy_records(doc: Any, skipped: SkipLog) -> list[tuple[Any, ...]]:
    """settings.yml's `<state>: vacancies: [{chamber, district, vacant_until}]`."""
    records = []
    for state, entry in doc.items() if isinstance(doc, dict) else []:
        vacancies = entry.get("vacancies") if isinstance(entry, dict) else None
        for number, vacancy in enumerate(vacancies or [], start=1):
            try:
                records.append(vacancy_record(state, vacancy))
            except BadRecord as exc:
                skipped.add(f"settings.yml: {state} vacancy {number}", str(exc))
    return records


def read_sections(data: bytes) -> bytes | None:
    """The file with the top-level sections person_record does not read blanked, line
    numbers kept; None when the file is not plain block-style YAML (then it is parsed
    whole). The sections left out (links, sources, ids, ...) are most of a file's bytes,
    and building their Python objects was half the import's time."""
    kept = []
    keep = False
    for line in data.splitlines(keepends=True):
        first = line[:1]
        if first and first not in b" \t\r\n#-":
            key = TOP_KEY.match(line)
            if key is None:
                return None  # a quoted key, a flow collection's continuation, ...
            keep = key.group(1) in READ_SECTIONS
        elif line.startswith((b"---", b"...")):
            return None  # several documents, or an explicit one
        kept.append(line if keep else b"\n")
    return b"".join(kept)


def load_yaml(data: bytes, where: str, *, sections: bool = False) -> Any:
    """Parse one file; BadRecord (with the line, when YAML knows it) if it cannot be read.
    With `sections`, only what a person record reads is parsed (read_sections); a file
    that fails so is parsed whole, so its error is reported as it always was."""
    text = read_sections(data) if sections else None
    if text is not None:
        try:
            return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            pass
    try:
        return yaml.load(data, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BadRecord(f"{line}unreadable YAML ({problem})") from exc
    except (ValueError, TypeError, OverflowError) as exc:  # a timestamp like 2025-13-45
        raise BadRecord(f"unreadable YAML value ({exc})") from exc


class OpenStatesReader:
    """Reads every person file once, while COPY takes the people; roles wait in memory
    (they need their person's row first)."""

    # Parse only the sections a record reads (read_sections); bench/ compares the two.
    sections = True

    def __init__(
        self, root: Path, progress: Progress | None, states: frozenset[str] | None = None
    ) -> None:
        self.source = str(root.resolve())
        self.root = root
        self.data, self.settings_file = find_data_dir(root)
        self.states = _states(self.data, states)
        if states is not None and len(self.states) < len(states):
            missing = ", ".join(sorted(states - set(self.states)))
            raise ImportRefused(f"{root} has no data/ folder for: {missing}")
        self.files = [
            (state, folder, path)
            for state in self.states
            for folder in FOLDERS
            for path in sorted((self.data / state / folder).glob("*.yml"))
        ]
        self.progress = progress
        self.skipped = SkipLog()
        self.hashes: list[tuple[str, str]] = []
        self.roles: list[tuple[Any, ...]] = []
        self.people = 0
        self.vacancies: list[tuple[Any, ...]] = []
        self.index = DivisionIndex()

    async def load_divisions(self, raw: Any) -> None:
        states = [state.upper() for state in self.states]
        # No role's seat is a precinct: they are over half of the OCD file's rows.
        rows = await raw.fetch(
            "SELECT id, same_as, valid_through, openstates_district FROM divisions "
            "WHERE state = ANY($1::varchar[]) AND type <> 'precinct'",
            states,
        )
        self.index = DivisionIndex.from_rows(tuple(row) for row in rows)

    def _read(self, path: Path) -> tuple[bytes, str]:
        data = path.read_bytes()  # an I/O error here fails the whole import: not a bad row
        relative = path.relative_to(self.data.parent).as_posix()
        self.hashes.append((relative, hashlib.sha256(data).hexdigest()))
        return data, relative

    def people_records(self) -> Iterator[tuple[Any, ...]]:
        seen: dict[str, str] = {}
        for done, (state, folder, path) in enumerate(self.files):
            if self.progress and done % (PROGRESS_EVERY // 20) == 0:
                self.progress(done, len(self.files))
            data, relative = self._read(path)
            try:
                doc = load_yaml(data, relative, sections=self.sections)
                person, roles = person_record(
                    doc, state.upper(), folder == "retired", relative, self.index
                )
                if person[0] in seen:
                    raise BadRecord(f"{person[0]} is also in {seen[person[0]]}")
            except BadRecord as exc:
                self.skipped.add(relative, str(exc))
                continue
            seen[person[0]] = relative
            self.people += 1
            self.roles.extend(roles)
            yield person
        if self.progress:
            self.progress(len(self.files), len(self.files))

    def vacancy_records(self) -> list[tuple[Any, ...]]:
        if self.settings_file.is_file():
            data, relative = self._read(self.settings_file)
            try:
                vacancies = vacancy_records(load_yaml(data, relative), self.skipped)
                imported = {state.upper() for state in self.states}
                self.vacancies = [row for row in vacancies if row[0] in imported]
            except BadRecord as exc:
                self.skipped.add(relative, str(exc))
        return self.vacancies

    def summary(self) -> Summary:
        # The directory's hash: one line per file read, "path NUL sha256 LF", in path order.
        digest = hashlib.sha256()
        for relative, file_hash in sorted(self.hashes):
            digest.update(f"{relative}\0{file_hash}\n".encode())
        notes = []
        if self.index.empty:
            notes.append(
                "No OCD divisions are imported: seats were not checked. "
                "Run `signon import ocd`, then import Open States again."
            )
        if not self.settings_file.is_file():
            notes.append(f"{self.settings_file} is absent: no vacancies were imported.")
        unresolved = sum(1 for role in self.roles if role[4] is None)
        if unresolved:
            notes.append(f"{unresolved} roles have no current OCD division (division_id NULL).")
        counts = (
            ("people", self.people),
            ("roles", len(self.roles)),
            ("vacancies", len(self.vacancies)),
        )
        return Summary(
            digest.hexdigest(), self.people, tuple(self.skipped.items), counts, tuple(notes)
        )


async def import_openstates(
    db: Database,
    root: Path,
    *,
    now: datetime,
    progress: Progress | None = None,
    states: Iterable[str] | None = None,
) -> ImportReport:
    """Replace the roster (people, roles, vacancies) with the files under `root`; with
    `states` (USPS codes), only those states' folders are read (tests, or a network that
    works in a few states)."""
    started = time.perf_counter()
    only = None if states is None else frozenset(state.lower() for state in states)
    reader = await asyncio.to_thread(OpenStatesReader, root, progress, only)
    report = await replace_dataset(
        db,
        "openstates",
        reader.source,
        clear=[roster_roles, roster_people, roster_vacancies],
        copies=[
            Copy(roster_people, PEOPLE_COLUMNS, reader.people_records),
            Copy(roster_roles, ROLE_COLUMNS, lambda: reader.roles),
            Copy(roster_vacancies, VACANCY_COLUMNS, reader.vacancy_records),
        ],
        summarize=reader.summary,
        prepare=reader.load_divisions,
        now=now,
        started=started,
    )
    # Fresh statistics, or the planner scans every person for each confirmation's email
    # (48 ms) instead of using the GIN indexes (under 2 ms).
    await db.execute("ANALYZE roster_people, roster_roles, roster_vacancies")
    return report
