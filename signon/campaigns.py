"""Campaigns: writing a letter or statement, its text versions, sponsors and lifecycle.

Lifecycle (SPEC section 2): draft -> open -> closed -> delivered. Editing the text of a
campaign that has been open creates a new text version and keeps the old ones, so each
signature can record the wording its signer saw.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from databases import Database

from signon.audit import Actor, changed_fields, record_audit
from signon.campaign_rules import LIMITS, SLUG_RE, CampaignFields
from signon.errors import (
    CampaignFrozen,
    CampaignNotFound,
    CannotClose,
    CannotOpen,
    TransitionRefused,
    ValidationFailed,
)
from signon.i18n import gettext_ as _
from signon.markdown import render_markdown
from signon.tables import (
    campaign_sponsors,
    campaign_texts,
    campaigns,
)
from signon.vocabulary import CampaignStatus

if TYPE_CHECKING:
    from signon.state import ProcessState

# Fields whose change is a change of the letter's wording (a new text version).
TEXT_FIELDS = ("title", "body_markdown", "addressee", "salutation", "sign_off")
# Which lifecycle moves are legal, by action.
TRANSITIONS = {"open": (CampaignStatus.DRAFT,), "close": (CampaignStatus.OPEN,)}
REFUSED: dict[str, type[TransitionRefused]] = {"open": CannotOpen, "close": CannotClose}


@dataclass(frozen=True)
class Sponsor:
    id: int
    name: str


@dataclass(frozen=True)
class Campaign:
    id: int
    slug: str
    kind: str
    status: str
    summary: str
    goal: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    allowed_levels: tuple[str, ...]
    auto_verify: str
    text_version: int
    title: str
    body_markdown: str
    body_html: str
    addressee: str
    salutation: str
    sign_off: str
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    delivered_at: datetime | None
    delivered_sha256: str | None
    sponsors: tuple[Sponsor, ...] = ()

    @property
    def is_public(self) -> bool:
        return self.status != CampaignStatus.DRAFT

    def accepts_signatures(self, now: datetime) -> bool:
        """Open, and within its dates: a passed closing date closes it (SPEC section 2)."""
        if self.status != CampaignStatus.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def fields(self) -> CampaignFields:
        return CampaignFields(
            slug=self.slug,
            title=self.title,
            body_markdown=self.body_markdown,
            kind=self.kind,
            summary=self.summary,
            addressee=self.addressee,
            salutation=self.salutation,
            sign_off=self.sign_off,
            goal=self.goal,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            allowed_levels=self.allowed_levels,
            auto_verify=self.auto_verify,
            sponsors=tuple(s.name for s in self.sponsors),
        )


def _campaign(row: Any) -> Campaign:
    """A row of _CAMPAIGN_SQL as a Campaign."""
    names = [column.name for column in campaigns.c] + [
        "title",
        "body_markdown",
        "body_html",
        "addressee",
        "salutation",
        "sign_off",
    ]
    values = {name: row[name] for name in names if name != "created_by"}
    values["allowed_levels"] = tuple(values["allowed_levels"])
    ids, names = row["sponsor_ids"] or [], row["sponsor_names"] or []
    sponsors = tuple(Sponsor(id=i, name=n) for i, n in zip(ids, names, strict=True))
    return Campaign(**values, sponsors=sponsors)


# A campaign joined to its current text: written once, here (public/counts.py reads its
# summaries through it too).
CURRENT_TEXT_JOIN = (
    "campaigns c JOIN campaign_texts t ON t.campaign_id = c.id AND t.version = c.text_version"
)
# The campaign, its current text and its sponsors (as arrays), in one query written once:
# building and compiling a Core select (and the sponsors' second one) cost about 1.5 ms
# of CPU a call, ten times the query itself, and every sign POST reads its campaign
# (bench/load_bench.py; STYLE point 6). asyncpg itself, on the pool's connection,
# prepares it once per connection.
_CAMPAIGN_SQL = """
SELECT {columns},
       t.title, t.body_markdown, t.body_html, t.addressee, t.salutation, t.sign_off,
       s.ids AS sponsor_ids, s.names AS sponsor_names
FROM {join}
LEFT JOIN LATERAL (
    SELECT array_agg(o.id ORDER BY cs.position) AS ids,
           array_agg(o.name ORDER BY cs.position) AS names
    FROM campaign_sponsors cs JOIN organizations o ON o.id = cs.organization_id
    WHERE cs.campaign_id = c.id
) s ON true
"""
_SELECT_SQL = _CAMPAIGN_SQL.format(
    columns=", ".join(f"c.{column.name}" for column in campaigns.c), join=CURRENT_TEXT_JOIN
)
_BY_SLUG_SQL = _SELECT_SQL + "WHERE c.slug = $1"
_LIST_SQL = (
    _SELECT_SQL
    + "WHERE $1::text[] IS NULL OR c.status = ANY($1::text[])"
    + " ORDER BY c.created_at DESC, c.id DESC"
)


async def get_campaign(db: Database, slug: str, *, public: bool = False) -> Campaign:
    """The campaign with this slug. For the public, a draft does not exist."""
    if not SLUG_RE.fullmatch(slug) or len(slug) > LIMITS["slug"]:
        raise CampaignNotFound()
    async with db.connection() as connection:
        row = await connection.raw_connection.fetchrow(_BY_SLUG_SQL, slug)
    if row is None or (public and row["status"] == CampaignStatus.DRAFT):
        raise CampaignNotFound()
    return _campaign(row)


# How old a copy of an open campaign a sign request may use (see get_campaign_to_sign).
RECENT_SECONDS = 2.0


async def get_campaign_to_sign(
    db: Database, process: ProcessState, slug: str, *, max_age: float = 0.0
) -> Campaign:
    """get_campaign(public=True) for a sign request. Concurrent requests for one campaign
    share the query in flight: under load, dozens arrive while it runs.

    With `max_age`, an open campaign read at most that many seconds ago (at most
    RECENT_SECONDS) may be returned; the caller must then have the insert check that the
    campaign is unchanged (signatures.sign_submission does).
    """
    recent = process.recent_campaigns
    found = recent.get(slug, None, max_age=min(max_age, RECENT_SECONDS))
    if found is not None:
        return found
    read_at = time.monotonic()
    campaign = await process.sign_reads.run(slug, lambda: get_campaign(db, slug, public=True))
    if campaign.status == CampaignStatus.OPEN:
        recent.put(slug, None, campaign, now=read_at)  # its age counts from before the read
    return campaign


def forget_campaign_to_sign(process: ProcessState, slug: str) -> None:
    """Drop the recent copy (it turned out to be out of date)."""
    process.recent_campaigns.pop(slug)


async def list_campaigns(db: Database, *, statuses: Sequence[str] | None = None) -> list[Campaign]:
    """Campaigns, newest first; only those in `statuses` when given."""
    wanted = None if statuses is None else list(statuses)
    async with db.connection() as connection:
        rows = await connection.raw_connection.fetch(_LIST_SQL, wanted)
    return [_campaign(row) for row in rows]


@dataclass(frozen=True)
class TextVersion:
    version: int
    title: str
    body_markdown: str
    created_at: datetime


async def list_text_versions(db: Database, campaign_id: int) -> list[TextVersion]:
    rows = await db.fetch_all(
        sa.select(campaign_texts)
        .where(campaign_texts.c.campaign_id == campaign_id)
        .order_by(campaign_texts.c.version.desc())
    )
    return [
        TextVersion(row["version"], row["title"], row["body_markdown"], row["created_at"])
        for row in rows
    ]


def _text_values(fields: CampaignFields) -> dict[str, Any]:
    values = {name: getattr(fields, name) for name in TEXT_FIELDS}
    values["body_html"] = render_markdown(fields.body_markdown)
    return values


def _campaign_values(fields: CampaignFields) -> dict[str, Any]:
    return {
        "slug": fields.slug,
        "kind": fields.kind,
        "summary": fields.summary,
        "goal": fields.goal,
        "opens_at": fields.opens_at,
        "closes_at": fields.closes_at,
        "allowed_levels": list(fields.allowed_levels),
        "auto_verify": fields.auto_verify,
    }


async def _set_sponsors(db: Database, campaign_id: int, names: Sequence[str]) -> None:
    await db.execute(
        campaign_sponsors.delete().where(campaign_sponsors.c.campaign_id == campaign_id)
    )
    for position, name in enumerate(names):
        org_id = await db.fetch_val(
            "INSERT INTO organizations (name) VALUES (:name) "
            "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            {"name": name},
        )
        await db.execute(
            campaign_sponsors.insert().values(
                campaign_id=campaign_id, organization_id=org_id, position=position
            )
        )


async def create_campaign(db: Database, actor: Actor, fields: CampaignFields) -> Campaign:
    async with db.transaction():
        taken = await db.fetch_val(sa.select(campaigns.c.id).where(campaigns.c.slug == fields.slug))
        if taken:
            raise ValidationFailed({"slug": [_("Another campaign already uses this address.")]})
        campaign_id = await db.fetch_val(
            campaigns.insert()
            .values(**_campaign_values(fields), created_by=actor.staff_id)
            .returning(campaigns.c.id)
        )
        await db.execute(
            campaign_texts.insert().values(
                campaign_id=campaign_id,
                version=1,
                created_by=actor.staff_id,
                **_text_values(fields),
            )
        )
        await _set_sponsors(db, campaign_id, fields.sponsors)
        await record_audit(
            db,
            actor,
            "campaign.create",
            "campaign",
            campaign_id,
            campaign_id=campaign_id,
            after=asdict(fields),
        )
    return await get_campaign(db, fields.slug)


async def update_campaign(
    db: Database, actor: Actor, slug: str, fields: CampaignFields
) -> Campaign:
    """Save an edit. Once a campaign has been open, a change of wording is a new version."""
    async with db.transaction():
        current = await _locked(db, slug)
        if current.status == CampaignStatus.DELIVERED:
            raise CampaignFrozen()
        if fields.slug != current.slug:
            if current.status != CampaignStatus.DRAFT:
                raise ValidationFailed(
                    {"slug": [_("The address cannot change once the campaign has been opened.")]}
                )
            taken = await db.fetch_val(
                sa.select(campaigns.c.id).where(campaigns.c.slug == fields.slug)
            )
            if taken:
                raise ValidationFailed({"slug": [_("Another campaign already uses this address.")]})
        before, after = changed_fields(asdict(current.fields()), asdict(fields))
        if not after:
            return current
        version = current.text_version
        if any(name in after for name in TEXT_FIELDS):
            version = await _save_text(db, actor, current, fields)
        await db.execute(
            campaigns.update()
            .where(campaigns.c.id == current.id)
            .values(**_campaign_values(fields), text_version=version, updated_at=sa.func.now())
        )
        if "sponsors" in after:
            await _set_sponsors(db, current.id, fields.sponsors)
        if version != current.text_version:
            after["text_version"] = version
            before["text_version"] = current.text_version
        await record_audit(
            db,
            actor,
            "campaign.update",
            "campaign",
            current.id,
            campaign_id=current.id,
            before=before,
            after=after,
        )
    return await get_campaign(db, fields.slug)


async def _save_text(db: Database, actor: Actor, current: Campaign, fields: CampaignFields) -> int:
    """Store new wording: in place for a draft, as the next version once it was opened."""
    if current.status == CampaignStatus.DRAFT:
        await db.execute(
            campaign_texts.update()
            .where(
                campaign_texts.c.campaign_id == current.id,
                campaign_texts.c.version == current.text_version,
            )
            .values(**_text_values(fields))
        )
        return current.text_version
    version = current.text_version + 1
    await db.execute(
        campaign_texts.insert().values(
            campaign_id=current.id,
            version=version,
            created_by=actor.staff_id,
            **_text_values(fields),
        )
    )
    return version


async def _locked(db: Database, slug: str) -> Campaign:
    """The campaign, with its row locked until the transaction ends."""
    campaign_id = await db.fetch_val(
        sa.select(campaigns.c.id).where(campaigns.c.slug == slug[:100]).with_for_update()
    )
    if campaign_id is None:
        raise CampaignNotFound()
    return await get_campaign(db, slug)


async def open_campaign(db: Database, actor: Actor, slug: str) -> Campaign:
    return await _move(db, actor, slug, "open", CampaignStatus.OPEN, opened_at=sa.func.now())


async def close_campaign(db: Database, actor: Actor, slug: str) -> Campaign:
    return await _move(db, actor, slug, "close", CampaignStatus.CLOSED, closed_at=sa.func.now())


async def _move(
    db: Database, actor: Actor, slug: str, action: str, status: str, **stamps: Any
) -> Campaign:
    async with db.transaction():
        current = await _locked(db, slug)
        if current.status not in TRANSITIONS[action]:
            raise REFUSED[action](status=current.status)
        await db.execute(
            campaigns.update()
            .where(campaigns.c.id == current.id)
            .values(status=status, updated_at=sa.func.now(), **stamps)
        )
        await record_audit(
            db,
            actor,
            f"campaign.{action}",
            "campaign",
            current.id,
            campaign_id=current.id,
            before={"status": current.status},
            after={"status": status},
        )
    return await get_campaign(db, slug)


def now_utc() -> datetime:
    return datetime.now(UTC)
