"""`signon import govturls FILE.csv`: the GSA's list of government domains outside .gov
(GSA/govt-urls 1_govt_urls_full.csv).

Table govt_domains, one row per listed address:
- address: as listed, lower-cased ("a2gov.org"; some carry a path: "bowmannd.com/city",
  "174.132.145.94/~hope"); domain and path are its two parts. A domain with a path names
  a page on a host others share, never a mailbox: verification reads only pathless rows.
- government: the government the domain belongs to, which the list gives only in the
  free-text `Comments` ("City of Ann Arbor, MI -- Note added 8/31/16 16:38" -> "City of
  Ann Arbor"); NULL when the comment names none in that form. comments keeps the text.
- government_type: `Type of government` as published (Local, County, State, Federal,
  Quasigovernmental, Native Sovereign Nation / Tribal, Regional, ...).
- state: the USPS code of the `State` column's full name ("Michigan" -> MI); when that
  is blank or names several states, the comment's own (", MI"); else NULL.
- date_added: `Date Added` as published ("6/6/13 18:09").
The file starts with a byte-order mark; the list was last changed in 2023, so a domain
may have lapsed since: it is a weak signal only (SPEC 5).
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
from signon.offices import STATES
from signon.tables import govt_domains

COLUMNS = (
    "address",
    "domain",
    "path",
    "government",
    "government_type",
    "state",
    "comments",
    "date_added",
)
HEADER = ("Domain name", "Type of government", "State", "Comments", "Date Added")
LIMITS = column_limits(govt_domains)
HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
CODES = {name.lower(): code for code, name in STATES.items()} | {"virgin islands": "VI"}
WEBSITE = re.compile(r"^official |\s+website\.?$", re.IGNORECASE)


def government_of(comments: str) -> tuple[str | None, str | None]:
    """(government, USPS code) named by a Comments text, or (None, None): "City of Ann
    Arbor, MI -- Note added ...", "trenton, mi", "Dunn Township, Otter Tail County, MN",
    "Gloucester Township, New Jersey". "Rockford, IL Board of Elections" names none."""
    text = comments.split(" -- Note added")[0].strip()
    parts = [WEBSITE.sub("", part).strip() for part in text.split(",")]
    for part in parts[1:]:
        code = part.upper() if part.upper() in STATES else CODES.get(part.lower())
        if code:
            return parts[0] or None, code
    return None, None


def govt_record(values: list[str]) -> tuple[str | None, ...]:
    """One listed row (the HEADER columns' values) as a govt_domains record."""
    listed = check_text(values[0], "domain name", LIMITS["address"], required=True) or ""
    address = listed.lower().removeprefix("http://").removeprefix("https://").rstrip("/")
    domain, _, path = address.partition("/")
    if not HOST.fullmatch(domain):
        raise BadRecord(f"{listed!r} is not a domain name")
    # Rows for several states ("Ohio, Pennsylvania, West Virginia") or a freely
    # associated state (Palau) are kept, with no state.
    state_name = (check_text(values[2], "state", None) or "").lower()
    comments = check_text(values[3], "comments", LIMITS["comments"])
    government, comment_state = government_of(comments or "")
    return (
        address,
        domain,
        path or None,
        government[: LIMITS["government"] or 300] if government else None,
        check_text(values[1], "type of government", LIMITS["government_type"], required=True),
        CODES.get(state_name) or comment_state,
        comments,
        _date_added(values[4]),
    )


def _date_added(value: str) -> str | None:
    """As published ("6/6/13 18:09"); a cell that holds something else is not a date."""
    text = value.strip()
    return text if text and len(text) <= (LIMITS["date_added"] or 20) else None


async def import_govturls(
    db: Database, path: Path, *, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Replace the GSA list with the rows of `path` (1_govt_urls_full.csv)."""
    started = time.perf_counter()
    # Read and hashed in a thread: the file is parsed whole before the transaction.
    reader = await asyncio.to_thread(KeyedRecords, path, HEADER, progress, govt_record)
    return await replace_dataset(
        db,
        "govturls",
        reader.source,
        clear=[govt_domains],
        copies=[Copy(govt_domains, COLUMNS, reader.records)],
        summarize=reader.summary,
        now=now,
        started=started,
    )
