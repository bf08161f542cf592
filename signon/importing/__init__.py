"""Importers of the public datasets verification reads (`signon import ...`, issue 4).

One module per dataset (dotgov, ocd, openstates, congress, govturls), each documenting the table
it fills; records.py holds what they share (the atomic replacement, the report, the
staleness rule). Every importer takes the database, a path, the time (`now`, recorded as
the import's: the caller's clock, never the wall clock read here) and an optional progress
callback, and returns an ImportReport.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from databases import Database

from signon.importing.congress import import_congress
from signon.importing.dotgov import import_dotgov
from signon.importing.govturls import import_govturls
from signon.importing.ocd import import_ocd
from signon.importing.openstates import import_openstates
from signon.importing.records import ImportRefused, ImportReport, Progress, list_datasets

Importer = Callable[..., Awaitable[ImportReport]]
IMPORTERS: dict[str, Importer] = {
    "dotgov": import_dotgov,
    "ocd": import_ocd,
    "openstates": import_openstates,
    "congress": import_congress,
    "govturls": import_govturls,
}


async def import_dataset(
    db: Database,
    name: str,
    path: Path,
    *,
    now: datetime,
    progress: Progress | None = None,
    **options: object,
) -> ImportReport:
    """Run the importer of dataset `name` on `path` (`options`: that importer's own, such
    as Open States' `states`)."""
    return await IMPORTERS[name](db, path, now=now, progress=progress, **options)


__all__ = ["IMPORTERS", "ImportRefused", "ImportReport", "import_dataset", "list_datasets"]
