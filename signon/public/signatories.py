"""The public list of signatories: verified signatures only, sorted by state then last name,
without any email, phone or address (SPEC sections 2 and 4).

The list is read once and kept in the app's ProcessState (signon/state.py) under the
campaign's counts fingerprint (which changes with every committed change of a verified
signature) and for at most 2 seconds, so pages and the paginated JSON slice it without a query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from databases import Database

from signon.offices import STATES
from signon.public.counts import CampaignSummary, fetch_raw

if TYPE_CHECKING:
    from signon.state import ProcessState

# Generational and professional suffixes: "Jr." is never anyone's last name.
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v", "esq", "phd", "md", "dds", "ret"})
_WORD_EDGE = re.compile(r"^[^\w]+|[^\w]+$")

MAX_DERIVED = 64
T = TypeVar("T")

# In Signatory's field order; by id, so that two reads of an unchanged list compare equal.
SIGNATORIES_SQL = """
SELECT id, full_name, title, jurisdiction, state, district, verified_at
FROM signatures WHERE campaign_id = $1 AND status = 'verified' ORDER BY id
"""


def fold(text: str) -> str:
    """Case- and accent-insensitive form for sorting: "Álvarez" sorts with "alvarez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def last_name(full_name: str) -> str:
    """The last word of a name, ignoring suffixes: "Juan Pérez Jr." -> "Pérez".

    Deliberately simple (the issue's rule): "Ana de la Cruz" sorts under "Cruz".
    """
    words = [_WORD_EDGE.sub("", word) for word in full_name.split()]
    words = [word for word in words if word]
    while len(words) > 1 and fold(words[-1]).rstrip(".") in SUFFIXES:
        words.pop()
    return words[-1] if words else ""


@lru_cache(maxsize=50_000)
def name_sort_key(full_name: str) -> tuple[str, str, str]:
    """Last name, then the whole name, accent- and case-insensitively; then as typed."""
    return (fold(last_name(full_name)), fold(full_name), full_name)


def state_name(code: str) -> str:
    return STATES.get(code, code)


@dataclass(frozen=True)
class Signatory:
    id: int
    full_name: str
    title: str
    jurisdiction: str
    state: str
    district: str | None
    verified_at: datetime | None

    @property
    def line(self) -> str:
        """ "Name, Title, Jurisdiction", as the page and the letter print it (SPEC 6)."""
        return ", ".join(part for part in (self.full_name, self.title, self.jurisdiction) if part)


@dataclass(frozen=True)
class StateGroup:
    code: str
    name: str
    signatories: tuple[Signatory, ...]


@dataclass(frozen=True)
class SignatoryList:
    """Sorted by state code, then last name (the JSON order)."""

    items: tuple[Signatory, ...]
    # The rows as read (by id), to tell cheaply whether a new read changed anything.
    rows: tuple[tuple[Any, ...], ...] = field(default=(), compare=False, repr=False)
    # What callers derive from this list (encoded JSON pages, rendered HTML), kept as long
    # as the list is: see derive().
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def derive(self, key: Hashable, make: Callable[[], T]) -> T:
        """make(), computed once per key for this list; the oldest of MAX_DERIVED go first."""
        if key in self.derived:
            return self.derived[key]
        value = self.derived[key] = make()
        while len(self.derived) > MAX_DERIVED:
            del self.derived[next(iter(self.derived))]
        return value

    @property
    def total(self) -> int:
        return len(self.items)

    def page(self, number: int, per_page: int) -> tuple[Signatory, ...]:
        start = (number - 1) * per_page
        return self.items[start : start + per_page]

    def has_page_after(self, number: int, per_page: int) -> bool:
        return number * per_page < len(self.items)

    def groups(self) -> tuple[StateGroup, ...]:
        """By state, states in the order of their names (the page's headings)."""
        return group_by_state(self.items)


def sort_signatories(found: Iterable[Signatory]) -> tuple[Signatory, ...]:
    """The one order of signatories: by state, then last name (name_sort_key), then
    signing order. The JSON lists them so; the page and the printed letter show them
    under state headings (group_by_state), each state's signers in this order."""
    return tuple(sorted(found, key=lambda s: (s.state, *name_sort_key(s.full_name), s.id)))


def group_by_state(items: Sequence[Signatory]) -> tuple[StateGroup, ...]:
    """Items (in sort_signatories' order) under state headings, states by name: a reader
    looks for "North Carolina", not for "NC"."""
    by_state: dict[str, list[Signatory]] = {}
    for item in items:
        by_state.setdefault(item.state, []).append(item)
    codes = sorted(by_state, key=lambda code: fold(state_name(code)))
    return tuple(StateGroup(code, state_name(code), tuple(by_state[code])) for code in codes)


async def get_signatories(
    db: Database, process: ProcessState, summary: CampaignSummary, *, now: float | None = None
) -> SignatoryList:
    """The campaign's verified signatories, from the cache while its counts are unchanged.

    When the cached list expires under load, one request reads it again; the others wait.
    """
    lists = process.signatory_lists
    # created_at too: campaign ids start again at 1 after TRUNCATE .. RESTART IDENTITY
    # (the tests empty the tables between tests), and a new campaign must not find an old
    # campaign's list under the same id and the same empty fingerprint.
    version = (summary.created_at, summary.counts.fingerprint)
    found = lists.get(summary.id, version, now)
    if found is not None:
        return found

    async def load() -> SignatoryList:
        rows = tuple(tuple(row) for row in await fetch_raw(db, SIGNATORIES_SQL, summary.id))
        previous = lists.peek(summary.id)
        if previous is not None and previous.rows == rows:
            # Unchanged (the usual case when only the age ran out): keep the same object,
            # and with it what was derived from it (encoded pages, rendered HTML).
            return lists.put(summary.id, version, previous, now)
        items = sort_signatories([Signatory(*row) for row in rows])
        return lists.put(summary.id, version, SignatoryList(items, rows), now)

    return await process.signatory_reads.run((summary.id, version), load)
