"""Campaigns: writing a letter or statement, its text versions, sponsors and lifecycle.

Lifecycle (SPEC section 2): draft -> open -> closed -> delivered. Editing the text of a
campaign that has been open creates a new text version and keeps the old ones, so each
signature can record the wording its signer saw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from databases import Database

from signon.audit import Actor, changed_fields, record_audit
from signon.errors import Conflict, NotFound, ValidationFailed
from signon.i18n import gettext_ as _
from signon.markdown import render_markdown
from signon.offices import OFFICE_LEVELS
from signon.tables import (
    AUTO_VERIFY_POLICIES,
    CAMPAIGN_KINDS,
    campaign_sponsors,
    campaign_texts,
    campaigns,
    organizations,
)

# Dates on the staff form are read as US Eastern time, the time Congress keeps.
FORM_TIMEZONE = ZoneInfo("America/New_York")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LIMITS = {
    "slug": 80,
    "title": 200,
    "summary": 1000,
    "body_markdown": 100_000,
    "addressee": 500,
    "salutation": 200,
    "sign_off": 200,
    "sponsor": 200,
}
MAX_SPONSORS = 30
MAX_GOAL = 1_000_000
# Fields whose change is a change of the letter's wording (a new text version).
TEXT_FIELDS = ("title", "body_markdown", "addressee", "salutation", "sign_off")
# Which lifecycle moves are legal, by action.
TRANSITIONS = {"open": ("draft",), "close": ("open",)}
PAST_TENSE = {"open": "opened", "close": "closed"}


@dataclass(frozen=True)
class Sponsor:
    id: int
    name: str


@dataclass(frozen=True)
class CampaignFields:
    """A campaign's editable fields, validated."""

    slug: str
    title: str
    body_markdown: str
    kind: str = "letter"
    summary: str = ""
    addressee: str = ""
    salutation: str = ""
    sign_off: str = ""
    goal: int | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    allowed_levels: tuple[str, ...] = OFFICE_LEVELS
    auto_verify: str = "strong"
    sponsors: tuple[str, ...] = field(default_factory=tuple)


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
        return self.status != "draft"

    def accepts_signatures(self, now: datetime) -> bool:
        """Open, and within its dates: a passed closing date closes it (SPEC section 2)."""
        if self.status != "open":
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


def parse_campaign_fields(data: Mapping[str, Any]) -> CampaignFields:
    """Validate a campaign form (or CLI input). Raises ValidationFailed with every error.

    `data` holds strings as typed; `allowed_levels` is a list; `sponsors` is one name per
    line; dates are "YYYY-MM-DDTHH:MM" in US Eastern time, or empty.
    """
    errors: dict[str, list[str]] = {}

    def text(name: str, required: bool = False, label: str = "") -> str:
        value = str(data.get(name) or "").strip()
        if required and not value:
            errors.setdefault(name, []).append(f"Enter {label or 'a value'}.")
        elif len(value) > LIMITS[name]:
            errors.setdefault(name, []).append(f"Use at most {LIMITS[name]:,} characters.")
        if "\x00" in value:
            errors.setdefault(name, []).append("Remove the invisible control characters.")
        return value

    slug = text("slug", True, "a short address, like eats-act-2026").lower()
    if slug and not SLUG_RE.match(slug) and "slug" not in errors:
        errors["slug"] = ["Use lower-case letters, digits and single hyphens, like eats-act-2026."]
    values = {
        "slug": slug,
        "title": text("title", True, "a title"),
        "body_markdown": text("body_markdown", True, "the text of the letter"),
        "summary": text("summary"),
        "addressee": text("addressee"),
        "salutation": text("salutation"),
        "sign_off": text("sign_off"),
    }
    kind = str(data.get("kind") or "letter")
    if kind not in CAMPAIGN_KINDS:
        errors["kind"] = ["Choose letter or statement."]
    auto_verify = str(data.get("auto_verify") or "strong")
    if auto_verify not in AUTO_VERIFY_POLICIES:
        errors["auto_verify"] = ["Choose off, strong evidence only, or strong or medium."]
    goal = _parse_goal(str(data.get("goal") or "").strip(), errors)
    opens_at = _parse_datetime(str(data.get("opens_at") or ""), "opens_at", errors)
    closes_at = _parse_datetime(str(data.get("closes_at") or ""), "closes_at", errors)
    if opens_at and closes_at and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append("The closing time must be after the opening.")
    levels = _parse_levels(data.get("allowed_levels"), errors)
    sponsors = _parse_sponsors(str(data.get("sponsors") or ""), errors)
    if errors:
        raise ValidationFailed(errors)
    return CampaignFields(
        kind=kind,
        goal=goal,
        opens_at=opens_at,
        closes_at=closes_at,
        allowed_levels=levels,
        auto_verify=auto_verify,
        sponsors=sponsors,
        **values,
    )


def _parse_goal(raw: str, errors: dict[str, list[str]]) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_GOAL:
        errors["goal"] = [f"Enter a whole number from 1 to {MAX_GOAL:,}, or leave it empty."]
        return None
    return int(raw)


def _parse_datetime(raw: str, name: str, errors: dict[str, list[str]]) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = ["Enter a date and time like 2026-12-01T09:00."]
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=FORM_TIMEZONE)
    if not 2000 <= parsed.year <= 2100:
        errors[name] = ["Enter a date between the years 2000 and 2100."]
        return None
    return parsed


def _parse_levels(raw: Any, errors: dict[str, list[str]]) -> tuple[str, ...]:
    if raw is None or raw == "":
        return OFFICE_LEVELS
    chosen = [raw] if isinstance(raw, str) else list(raw)
    chosen = [part.strip() for item in chosen for part in str(item).split(",") if part.strip()]
    unknown = [level for level in chosen if level not in OFFICE_LEVELS]
    if unknown or not chosen:
        errors["allowed_levels"] = ["Choose at least one office level from the list."]
        return OFFICE_LEVELS
    return tuple(level for level in OFFICE_LEVELS if level in chosen)


def _parse_sponsors(raw: str, errors: dict[str, list[str]]) -> tuple[str, ...]:
    names: list[str] = []
    for line in raw.splitlines():
        name = " ".join(line.split())
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    if any(len(name) > LIMITS["sponsor"] for name in names):
        errors["sponsors"] = [
            f"Each sponsor's name may have at most {LIMITS['sponsor']} characters."
        ]
    elif len(names) > MAX_SPONSORS:
        errors["sponsors"] = [f"List at most {MAX_SPONSORS} sponsors."]
    return tuple(names)


_CAMPAIGN_COLUMNS = [
    campaigns,
    campaign_texts.c.title,
    campaign_texts.c.body_markdown,
    campaign_texts.c.body_html,
    campaign_texts.c.addressee,
    campaign_texts.c.salutation,
    campaign_texts.c.sign_off,
]
_CAMPAIGN_QUERY = sa.select(*_CAMPAIGN_COLUMNS).select_from(
    campaigns.join(
        campaign_texts,
        sa.and_(
            campaign_texts.c.campaign_id == campaigns.c.id,
            campaign_texts.c.version == campaigns.c.text_version,
        ),
    )
)


async def _sponsors_of(db: Database, campaign_ids: Sequence[int]) -> dict[int, tuple[Sponsor, ...]]:
    if not campaign_ids:
        return {}
    rows = await db.fetch_all(
        sa.select(campaign_sponsors.c.campaign_id, organizations.c.id, organizations.c.name)
        .select_from(campaign_sponsors.join(organizations))
        .where(campaign_sponsors.c.campaign_id.in_(campaign_ids))
        .order_by(campaign_sponsors.c.position)
    )
    found: dict[int, list[Sponsor]] = {}
    for row in rows:
        found.setdefault(row["campaign_id"], []).append(Sponsor(id=row["id"], name=row["name"]))
    return {key: tuple(value) for key, value in found.items()}


def _campaign(row: Any, sponsors: tuple[Sponsor, ...]) -> Campaign:
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
    return Campaign(**values, sponsors=sponsors)


async def _fetch(db: Database, query: sa.Select) -> list[Campaign]:
    rows = await db.fetch_all(query)
    sponsors = await _sponsors_of(db, [row["id"] for row in rows])
    return [_campaign(row, sponsors.get(row["id"], ())) for row in rows]


async def get_campaign(db: Database, slug: str, *, public: bool = False) -> Campaign:
    """The campaign with this slug. For the public, a draft does not exist."""
    if not SLUG_RE.match(slug) or len(slug) > LIMITS["slug"]:
        raise NotFound(_("There is no campaign at this address."))
    found = await _fetch(db, _CAMPAIGN_QUERY.where(campaigns.c.slug == slug))
    if not found or (public and not found[0].is_public):
        raise NotFound(_("There is no campaign at this address."))
    return found[0]


async def list_campaigns(db: Database, *, statuses: Sequence[str] | None = None) -> list[Campaign]:
    """Campaigns, newest first; only those in `statuses` when given."""
    query = _CAMPAIGN_QUERY.order_by(campaigns.c.created_at.desc(), campaigns.c.id.desc())
    if statuses is not None:
        query = query.where(campaigns.c.status.in_(statuses))
    return await _fetch(db, query)


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
            raise ValidationFailed({"slug": ["Another campaign already uses this address."]})
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
        if current.status == "delivered":
            raise Conflict("A delivered campaign is frozen: its text can no longer change.")
        if fields.slug != current.slug:
            if current.status != "draft":
                raise ValidationFailed(
                    {"slug": ["The address cannot change once the campaign has been opened."]}
                )
            taken = await db.fetch_val(
                sa.select(campaigns.c.id).where(campaigns.c.slug == fields.slug)
            )
            if taken:
                raise ValidationFailed({"slug": ["Another campaign already uses this address."]})
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
    if current.status == "draft":
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
        raise NotFound(_("There is no campaign at this address."))
    return await get_campaign(db, slug)


async def open_campaign(db: Database, actor: Actor, slug: str) -> Campaign:
    return await _move(db, actor, slug, "open", "open", opened_at=sa.func.now())


async def close_campaign(db: Database, actor: Actor, slug: str) -> Campaign:
    return await _move(db, actor, slug, "close", "closed", closed_at=sa.func.now())


async def _move(
    db: Database, actor: Actor, slug: str, action: str, status: str, **stamps: Any
) -> Campaign:
    async with db.transaction():
        current = await _locked(db, slug)
        if current.status not in TRANSITIONS[action]:
            raise Conflict(f"A campaign that is {current.status} cannot be {PAST_TENSE[action]}.")
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
