"""What staff may type into a campaign: the fields, their limits and their rules.

Pure functions, no I/O: the staff form, the CLI and the demo validate through
`parse_campaign_fields`, then hand the result to signon/campaigns.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from signon.errors import ValidationFailed
from signon.i18n import gettext_ as _
from signon.offices import OFFICE_LEVELS
from signon.tables import AUTO_VERIFY_POLICIES, CAMPAIGN_KINDS
from signon.vocabulary import AutoVerify, CampaignKind

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
# Printed on one line, and the title is the confirmation email's Subject header: a pasted
# line break there (CR, LF, U+2028 from a word processor) made every email fail to build.
SINGLE_LINE = ("title", "summary", "addressee", "salutation", "sign_off")
# Zero-width (non-)joiners are format characters that some scripts need in names.
_ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
MAX_SPONSORS = 30
MAX_GOAL = 1_000_000


@dataclass(frozen=True)
class CampaignFields:
    """A campaign's editable fields, validated."""

    slug: str
    title: str
    body_markdown: str
    kind: str = CampaignKind.LETTER
    summary: str = ""
    addressee: str = ""
    salutation: str = ""
    sign_off: str = ""
    goal: int | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    allowed_levels: tuple[str, ...] = OFFICE_LEVELS
    auto_verify: str = AutoVerify.STRONG
    sponsors: tuple[str, ...] = field(default_factory=tuple)


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
        if name in SINGLE_LINE and breaks_a_line(value):
            errors.setdefault(name, []).append(_one_line_message())
        elif "\x00" in value:
            errors.setdefault(name, []).append("Remove the invisible control characters.")
        return value

    slug = text("slug", True, "a short address, like eats-act-2026").lower()
    if slug and not SLUG_RE.fullmatch(slug) and "slug" not in errors:
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
    kind = str(data.get("kind") or CampaignKind.LETTER)
    if kind not in CAMPAIGN_KINDS:
        errors["kind"] = ["Choose letter or statement."]
    auto_verify = str(data.get("auto_verify") or AutoVerify.STRONG)
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


def _one_line_message() -> str:
    return _("Keep this on one line: remove line breaks and invisible control characters.")


def breaks_a_line(value: str) -> bool:
    """Whether `value` holds a control, format or line-separator character (but the
    zero-width joiners): any of them can end a header line or hide text."""
    return any(
        unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")
        and char not in _ALLOWED_FORMAT_CHARACTERS
        for char in value
    )


def _parse_goal(raw: str, errors: dict[str, list[str]]) -> int | None:
    if not raw:
        return None
    # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts; and no
    # more of them than the largest goal has (int() refuses 5,000 digits outright).
    if not (raw.isdecimal() and len(raw) <= 7) or not 0 < int(raw) <= MAX_GOAL:
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
    if any(breaks_a_line(name) for name in names):
        errors["sponsors"] = [
            _("Write one sponsor per line, without invisible control characters.")
        ]
    elif any(len(name) > LIMITS["sponsor"] for name in names):
        errors["sponsors"] = [
            f"Each sponsor's name may have at most {LIMITS['sponsor']} characters."
        ]
    elif len(names) > MAX_SPONSORS:
        errors["sponsors"] = [f"List at most {MAX_SPONSORS} sponsors."]
    return tuple(names)
