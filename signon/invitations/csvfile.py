"""Reading an invitee list as staff upload it (pure, no I/O).

Headers are the signature field names (`email` required) and optionally `language`.
Excel's ways are read: UTF-8 with or without a byte-order mark, CRLF line endings, quoted
fields, and `;` as the separator (Excel's CSV in locales whose decimal mark is a comma),
chosen only when the header row splits into known names by `;` and not by `,`. A file that
is not UTF-8 is refused whole, naming the first line that is not: a guess at its encoding
would store mangled names on the letter. Bad rows are listed with their line number and
reason; the good ones are kept.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from signon.errors import ValidationFailed
from signon.i18n import LOCALES
from signon.i18n import gettext_ as _
from signon.offices import OFFICE_LEVELS, STATES, normalize_district
from signon.signing.rules import FIELDS, LIMITS

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
LANGUAGES = {
    "en": "en",
    "english": "en",
    "inglés": "en",
    "ingles": "en",
    "es": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
}
COLUMNS = (*FIELDS, "language")


@dataclass(frozen=True)
class Invitee:
    line: int
    email: str
    locale: str | None
    details: dict[str, str]


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class InviteeList:
    invitees: list[Invitee] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


def decode(data: bytes) -> str:
    """The file's text, or ValidationFailed naming the first line that is not UTF-8."""
    if len(data) > MAX_BYTES:
        raise refuse(_("The file is larger than 10 MB. Split it into smaller files."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise refuse(
            _(
                "The file is not UTF-8 text (line %(line)d is not). In Excel, save it as "
                "“CSV UTF-8 (Comma delimited)” and upload it again."
            )
            % {"line": line}
        ) from exc


def _header_name(raw: str) -> str:
    return "_".join(raw.strip().lower().replace("-", " ").split())


def _separator(first_line: str) -> str:
    def names(separator: str) -> set[str]:
        return {_header_name(cell) for cell in first_line.split(separator)}

    if "email" not in names(",") and "email" in names(";"):
        return ";"
    return ","


def read_invitees(data: bytes) -> InviteeList:
    """The invitees of an uploaded CSV and its bad rows; ValidationFailed if the file as a
    whole cannot be used (not UTF-8, no header, no `email` column, unknown columns)."""
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(first_line))
    header = [_header_name(cell) for cell in next(reader, [])]
    if not any(header):
        raise refuse(_("The file is empty: a header row with an “email” column was expected."))
    unknown = [name for name in header if name and name not in COLUMNS]
    if "email" not in header or unknown:
        raise refuse(
            _("The header row must name an “email” column and only these: %(names)s.")
            % {"names": ", ".join(COLUMNS)}
            + (
                " " + _("Unknown: %(unknown)s.") % {"unknown": ", ".join(unknown)}
                if unknown
                else ""
            )
        )
    found = InviteeList()
    first_seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1  # where the row starts: a quoted field may span lines
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            found.bad_rows.append(BadRow(line, _("This row cannot be read as CSV: %s") % exc))
            break  # the reader cannot go on past a malformed row
        if not any(cell.strip() for cell in row):
            continue  # Excel leaves empty rows at the end
        if len(found.invitees) + len(found.bad_rows) >= MAX_ROWS:
            raise refuse(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
        try:
            invitee = _invitee(line, header, row)
        except ValueError as exc:
            found.bad_rows.append(BadRow(line, str(exc)))
            continue
        if invitee.email in first_seen:
            reason = _("This address is already on line %(line)d.")
            found.bad_rows.append(BadRow(line, reason % {"line": first_seen[invitee.email]}))
            continue
        first_seen[invitee.email] = line
        found.invitees.append(invitee)
    return found


def _invitee(line: int, header: list[str], row: list[str]) -> Invitee:
    if len(row) > len(header):
        raise ValueError(_("This row has more cells than the header row has names."))
    values = {name: " ".join(cell.split()) for name, cell in zip(header, row, strict=False)}
    for name, value in values.items():
        if any(unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs") for char in value):
            raise ValueError(_("“%(name)s” holds invisible control characters.") % {"name": name})
        if name in LIMITS and len(value) > LIMITS[name]:
            message = _("“%(name)s” is longer than %(limit)d characters.")
            raise ValueError(message % {"name": name, "limit": LIMITS[name]})
    email = _email(values.get("email", ""))
    details = {name: values[name] for name in FIELDS if values.get(name) and name != "email"}
    _check_office(details)
    language = values.get("language", "").lower()
    if language and language not in LANGUAGES:
        raise ValueError(_("“language” must be en or es."))
    locale = LANGUAGES.get(language)
    assert locale is None or locale in LOCALES
    return Invitee(line=line, email=email, locale=locale, details=details)


def _email(raw: str) -> str:
    if not raw:
        raise ValueError(_("The email address is missing."))
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(_("“%(email)s” is not an email address.") % {"email": raw}) from exc


def _check_office(details: dict[str, Any]) -> None:
    if "state" in details:
        details["state"] = details["state"].upper()
        if details["state"] not in STATES:
            raise ValueError(_("“state” must be a two-letter USPS code, like WI."))
    if "office_level" in details and details["office_level"] not in OFFICE_LEVELS:
        raise ValueError(
            _("“office_level” must be one of: %(levels)s.") % {"levels": ", ".join(OFFICE_LEVELS)}
        )
    if "district" in details:
        details["district"] = normalize_district(details["district"]) or details["district"]
