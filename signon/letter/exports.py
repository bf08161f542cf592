"""The staff CSV export: one row per signature, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator

import sqlalchemy as sa
from databases import Database

from signon.offices import OFFICE_FIELDS
from signon.tables import signatures
from signon.verification.policy import list_evidence

COLUMNS = (
    "full_name",
    *OFFICE_FIELDS,
    "email",
    "phone",
    "organization",
    "status",
    "evidence",
    "division_id",
    "text_version",
    "signed_at",
    "confirmed_at",
    "verified_at",
    "decision_reason",
)
# A cell starting with one of these can run as a formula in Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A spreadsheet that splits cells on another separator (";" in much of Europe, a tab, a
# pipe) makes a new cell after each: `a;=1+1` holds the formula `=1+1`. So a formula start
# after any separator (spaces between, which an import may trim) is neutralised too.
_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n][ \t\r\n]*)([=+\-@])")
BATCH = 1000


def csv_safe(value: object) -> str:
    """The cell's text, with an apostrophe wherever a formula could start: at its start
    (after any spaces) and after each character a spreadsheet may split cells on."""
    text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = _AFTER_SEPARATOR.sub(r"\1'\2", text)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


async def export_rows(db: Database, campaign_id: int) -> AsyncIterator[list[str]]:
    """The header, then every signature of the campaign in signing order, in batches."""
    yield list(COLUMNS)
    last_id = 0
    while True:
        rows = await db.fetch_all(
            sa.select(signatures)
            .where(signatures.c.campaign_id == campaign_id, signatures.c.id > last_id)
            .order_by(signatures.c.id)
            .limit(BATCH)
        )
        if not rows:
            return
        found = await list_evidence(db, [row["id"] for row in rows])
        for row in rows:
            evidence = "; ".join(
                f"{signal.strength}: {signal.detail}" for signal in found.get(row["id"], [])
            )
            values = {**dict(row._mapping), "evidence": evidence}
            yield [csv_safe(values[column]) for column in COLUMNS]
        last_id = rows[-1]["id"]


async def csv_chunks(db: Database, campaign_id: int) -> AsyncIterator[str]:
    """The export as CSV text, a batch of lines at a time (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    async for values in export_rows(db, campaign_id):
        writer.writerow(values)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
