"""What the public sees of a campaign's numbers: the verified count, the count by state,
the delivery facts, and the reads that keep public pages cheap.

Counts come from campaign_counts, which a trigger (migration 0003) keeps equal to the
verified signatures per (campaign, state) in the same transaction as every change; reading
a count never scans signatures. One query per request gives a campaign's summary (its
fields, its counts and the stamps that say whether anything changed); heavier things (the
Campaign with its text, the signatory list) are cached in the app's ProcessState
(signon/state.py) under those stamps, and never kept longer than the 2 seconds SPEC section 4
allows (state.MAX_AGE_SECONDS).

Hot path: the queries go through asyncpg itself, taken from the `databases` pool (STYLE 6).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from databases import Database

from signon import campaign_rules, campaigns
from signon.campaigns import Campaign
from signon.errors import CampaignNotFound
from signon.vocabulary import CampaignStatus

if TYPE_CHECKING:
    from signon.state import ProcessState


@dataclass(frozen=True)
class Counts:
    """Verified signatures: the total, by state (codes with at least one), and the stamp."""

    verified: int
    by_state: tuple[tuple[str, int], ...]
    updated_at: datetime | None
    # Every counts row as (state, verified, updated_at): it changes with every committed
    # change of a verified signature, so caches of the signatory list key on it.
    fingerprint: tuple[tuple[str, int, datetime], ...] = ()

    def state_dict(self) -> dict[str, int]:
        return dict(self.by_state)


@dataclass(frozen=True)
class CampaignSummary:
    """A public campaign's headline facts, read in one query."""

    id: int
    slug: str
    title: str
    kind: str
    status: str
    goal: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    created_at: datetime
    campaign_updated_at: datetime
    text_version: int
    delivered_at: datetime | None
    delivered_sha256: str | None
    # From the deliveries row: how many signatures the delivered PDF carries.
    delivered_count: int | None
    # Signers on the delivered letter who withdrew afterwards (SPEC section 2).
    withdrawn_after_delivery: int
    counts: Counts

    @property
    def updated_at(self) -> datetime:
        """When anything public about the campaign last changed (text, status or counts)."""
        stamps = [self.campaign_updated_at, self.counts.updated_at]
        return max(stamp for stamp in stamps if stamp is not None)

    def last_changed(self, now: datetime) -> datetime:
        """updated_at, or the closing date once it has passed: the public status then
        changes with no write (see public_status)."""
        if self.closes_at is not None and self.closes_at <= now:
            return max(self.updated_at, self.closes_at)
        return self.updated_at

    @property
    def version(self) -> tuple[Hashable, ...]:
        """Changes whenever the campaign row changes (caches of the Campaign key on it)."""
        return (
            self.id,
            self.created_at,
            self.campaign_updated_at,
            self.status,
            self.text_version,
            self.delivered_at,
            self.delivered_sha256,
        )

    def public_status(self, now: datetime) -> str:
        """The status, except that an open campaign past its closing date reads as closed."""
        if (
            self.status == CampaignStatus.OPEN
            and self.closes_at is not None
            and now >= self.closes_at
        ):
            return CampaignStatus.CLOSED
        return self.status

    def accepts_signatures(self, now: datetime) -> bool:
        if self.public_status(now) != CampaignStatus.OPEN:
            return False
        return not (self.opens_at and now < self.opens_at)


_SUMMARY_SQL = """
SELECT c.id, c.slug, c.kind, c.status, c.goal, c.opens_at, c.closes_at, c.created_at,
       c.updated_at, c.text_version, c.delivered_at, c.delivered_sha256, t.title,
       k.states, k.verified, k.stamps, d.signer_count AS delivered_count, {withdrawn}
FROM {join}
LEFT JOIN LATERAL (
    SELECT array_agg(cc.state ORDER BY cc.state) AS states,
           array_agg(cc.verified ORDER BY cc.state) AS verified,
           array_agg(cc.updated_at ORDER BY cc.state) AS stamps
    FROM campaign_counts cc WHERE cc.campaign_id = c.id
) k ON true
LEFT JOIN deliveries d ON d.campaign_id = c.id
WHERE c.status <> 'draft' {where}
"""
# Only for a delivered campaign: its signers (verified by delivery time) who withdrew since.
_WITHDRAWN_AFTER = """
CASE WHEN c.delivered_at IS NULL THEN 0 ELSE (
    SELECT count(*) FROM signatures s
    WHERE s.campaign_id = c.id AND s.status = 'withdrawn'
      AND s.withdrawn_at > c.delivered_at AND s.verified_at <= c.delivered_at
) END AS withdrawn_after_delivery
"""
SUMMARY_BY_SLUG = _SUMMARY_SQL.format(
    join=campaigns.CURRENT_TEXT_JOIN, withdrawn=_WITHDRAWN_AFTER, where="AND c.slug = $1"
)
SUMMARY_LIST = (
    _SUMMARY_SQL.format(
        join=campaigns.CURRENT_TEXT_JOIN, withdrawn="0 AS withdrawn_after_delivery", where=""
    )
    + "ORDER BY c.created_at DESC, c.id DESC"
)


def _counts(row: Any) -> Counts:
    states, verified, stamps = row["states"] or [], row["verified"] or [], row["stamps"] or []
    return Counts(
        verified=sum(verified),
        by_state=tuple((state, n) for state, n in zip(states, verified, strict=True) if n > 0),
        updated_at=max(stamps) if stamps else None,
        fingerprint=tuple(zip(states, verified, stamps, strict=True)),
    )


def _summary(row: Any) -> CampaignSummary:
    return CampaignSummary(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        kind=row["kind"],
        status=row["status"],
        goal=row["goal"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        created_at=row["created_at"],
        campaign_updated_at=row["updated_at"],
        text_version=row["text_version"],
        delivered_at=row["delivered_at"],
        delivered_sha256=row["delivered_sha256"],
        delivered_count=row["delivered_count"],
        withdrawn_after_delivery=row["withdrawn_after_delivery"],
        counts=_counts(row),
    )


async def fetch_raw(db: Database, sql: str, *args: Any) -> list[Any]:
    """Rows straight from asyncpg on the pool's connection (prepared and cached by asyncpg)."""
    async with db.connection() as connection:
        return await connection.raw_connection.fetch(sql, *args)


async def get_summary(db: Database, process: ProcessState, slug: str) -> CampaignSummary | None:
    """A public (non-draft) campaign's summary, or None."""
    if not campaign_rules.SLUG_RE.fullmatch(slug) or len(slug) > campaign_rules.LIMITS["slug"]:
        return None  # not an address any campaign can have (and no NUL reaches the driver)

    async def read() -> CampaignSummary | None:
        rows = await fetch_raw(db, SUMMARY_BY_SLUG, slug)
        return _summary(rows[0]) if rows else None

    return await process.summary_reads.run(("summary", slug), read)


async def find_summary(db: Database, process: ProcessState, slug: str) -> CampaignSummary:
    """get_summary, or NotFound: what every public page and JSON answer of a campaign
    starts with."""
    summary = await get_summary(db, process, slug)
    if summary is None:
        raise CampaignNotFound()
    return summary


async def list_summaries(db: Database, process: ProcessState) -> list[CampaignSummary]:
    """Every campaign that is not a draft, newest first (SPEC section 4)."""

    async def read() -> list[CampaignSummary]:
        return [_summary(row) for row in await fetch_raw(db, SUMMARY_LIST)]

    return await process.summary_reads.run(("list",), read)


async def get_public_campaign(
    db: Database, process: ProcessState, summary: CampaignSummary
) -> Campaign:
    """The campaign with its text and sponsors, cached under the summary's version."""
    cache = process.public_campaigns
    found = cache.get(summary.id, summary.version)
    if found is None:
        found = cache.put(
            summary.id, summary.version, await campaigns.get_campaign(db, summary.slug)
        )
    return found
