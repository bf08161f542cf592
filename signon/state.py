"""What a process keeps between requests, all in one place: every cache with its bound and
its lifetime, the signing write groups, the PDF rendering processes.

`create_app` builds one ProcessState per app (kept on `app.state.process`) and closes it in
its lifespan; a CLI command that needs one builds its own the same way (`build`). Domain
functions that use it take it as their second argument, after the database, so two apps
in one process (tests build several) never share a cache, and no cache is keyed by `id()`.

Nothing here outlives the process, and nothing here is needed for correctness across
processes: each web process has its own, and what they must agree on is in PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from anyio import to_thread
from databases import Database

from signon.coalescing import SingleFlight
from signon.letter.pdf import RenderPool

if TYPE_CHECKING:
    from signon.campaigns import Campaign
    from signon.public.signatories import SignatoryList
    from signon.signing.new_signatures import SignatureWrites

# SPEC section 4: public numbers may be up to 2 seconds old.
MAX_AGE_SECONDS = 2.0
T = TypeVar("T")


class VersionedCache(Generic[T]):
    """Values by key, each valid while its version is unchanged and for at most max_age
    seconds (a bound for changes that no version catches). Bounded; oldest entry goes."""

    def __init__(self, max_age: float = MAX_AGE_SECONDS, max_entries: int = 256) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, T]] = OrderedDict()

    def get(
        self,
        key: Hashable,
        version: Hashable,
        now: float | None = None,
        *,
        max_age: float | None = None,
    ) -> T | None:
        """The value, if stored under `version` at most max_age seconds ago (the smaller of
        the cache's and the caller's)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_version, stored_at, value = entry
        now = time.monotonic() if now is None else now
        limit = self.max_age if max_age is None else min(max_age, self.max_age)
        if stored_version != version or now - stored_at > limit:
            return None
        return value

    def peek(self, key: Hashable) -> T | None:
        """The value kept for key, whatever its version and age."""
        entry = self._entries.get(key)
        return entry[2] if entry else None

    def put(self, key: Hashable, version: Hashable, value: T, now: float | None = None) -> T:
        self._entries.pop(key, None)
        self._entries[key] = (version, time.monotonic() if now is None else now, value)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return value

    def pop(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True, eq=False)
class ProcessState:
    """One app's per-process state. Each field says what it holds, its bound and how long
    an entry lives. The fields never change; their contents do."""

    # campaigns.get_campaign_to_sign: a sign request's campaign read, shared by the sign
    # requests that arrive while it runs. Lives as long as that one query.
    sign_reads: SingleFlight
    # campaigns.get_campaign_to_sign(max_age=...): open campaigns as read for sign requests,
    # by slug. 256 entries, each at most RECENT_SECONDS (2 s) old; the insert checks the
    # campaign is unchanged, so an old copy never signs a changed campaign.
    recent_campaigns: VersionedCache[Campaign]
    # public/counts.py: a summary (or the list) read, shared while in flight. One query.
    summary_reads: SingleFlight
    # public/counts.get_public_campaign: the Campaign with its text, by campaign id, under
    # its summary's version. 256 entries, 2 s.
    public_campaigns: VersionedCache[Campaign]
    # public/signatories.py: the verified signatories, by campaign id, under the counts'
    # fingerprint; what pages derive from a list lives with it. 256 entries, 2 s.
    signatory_lists: VersionedCache[SignatoryList]
    # public/signatories.py: a list read again, shared while in flight. One query.
    signatory_reads: SingleFlight
    # views/public.og_image: sharing cards (PNG) by their content. 64 entries, 1 hour.
    cards: VersionedCache[bytes]
    # signing/new_signatures.py: the sign requests waiting to be written together, and the
    # lanes writing them (at most three groups, three pooled connections). Nothing waits
    # longer than its own group's write.
    signature_writes: SignatureWrites
    # mail.confirmation_email: the confirmation email pre-rendered per (language, campaign
    # version, which details are empty). 64 entries, until evicted: the key is the version.
    email_skeletons: OrderedDict[Hashable, Any]
    # views/signing.AppLinks: each email link's URL up to its token, per route and campaign
    # slug. 1,000 entries, then emptied: a route table never changes while the app runs.
    link_prefixes: dict[tuple[str, str], str]
    # letter/renders.py: the PDF rendering processes, started on first use, stopped by close().
    pdf_pool: RenderPool
    # letter/renders.py: renders running in the background (a long letter answered 202);
    # each lives until its PDF is stored. close() waits for them.
    background_renders: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    def build(cls, db: Database) -> ProcessState:
        from signon.signing.new_signatures import SignatureWrites  # it imports campaigns

        skeletons: OrderedDict[Hashable, Any] = OrderedDict()
        return cls(
            sign_reads=SingleFlight(),
            recent_campaigns=VersionedCache(max_age=MAX_AGE_SECONDS, max_entries=256),
            summary_reads=SingleFlight(),
            public_campaigns=VersionedCache(max_age=MAX_AGE_SECONDS, max_entries=256),
            signatory_lists=VersionedCache(max_age=MAX_AGE_SECONDS, max_entries=256),
            signatory_reads=SingleFlight(),
            cards=VersionedCache(max_age=3600, max_entries=64),
            signature_writes=SignatureWrites(db, skeletons),
            email_skeletons=skeletons,
            link_prefixes={},
            pdf_pool=RenderPool(),
        )

    async def wait_for_background(self) -> None:
        """Let background renders finish (tests; a clean shutdown)."""
        while self.background_renders:
            await asyncio.gather(*list(self.background_renders), return_exceptions=True)

    async def close(self) -> None:
        """At shutdown: background renders finish, then the rendering processes stop."""
        await self.wait_for_background()
        await to_thread.run_sync(self.pdf_pool.shutdown)
