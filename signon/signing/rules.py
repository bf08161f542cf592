"""What a signer may type: the sign form's fields and their rules (pure, no I/O).

Used by the HTML form and the JSON API alike. Messages are translated for the signer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from email_validator import EmailNotValidError, validate_email

from signon.errors import ValidationFailed
from signon.i18n import gettext_ as _
from signon.offices import (
    OFFICE_FIELDS,
    OFFICE_LEVELS,
    STATES,
    Office,
    OfficeLevel,
    normalize_district,
)

# In the order of the sign form, so the error summary lists problems in that order too.
FIELDS = (
    "full_name",
    "title",
    "office_level",
    "state",
    "jurisdiction",
    "district",
    "email",
    "phone",
    "organization",
)
LIMITS = {
    "full_name": 200,
    "title": 200,
    "office_level": 30,
    "jurisdiction": 200,
    "state": 2,
    "district": 100,
    "email": 254,
    "phone": 40,
    "organization": 200,
}
REQUIRED = ("full_name", "title", "office_level", "jurisdiction", "state", "email")
# The fields whose change is a change of who signed or for which office.
IDENTITY_FIELDS = ("full_name", *OFFICE_FIELDS)

_URL_RE = re.compile(r"(https?:|ftp:|www\.|//)", re.IGNORECASE)
# Names, titles and places are printed in the organisation's emails and on its letter, so
# link-like text there carries a stranger's chosen address to anyone (`bit.ly/abc`,
# `t.me/x`, `evil.co`). A domain is a label, a dot and a top-level domain: any two letters
# (every country's code, and `.co`, `.ly`, `.me`) or one of the common longer ones, ending
# there. Place names keep their dots ("St. Paul", "Ph.D.", "J.R.R."): a space, one letter
# or a longer word after the dot ("St.Paul") is no domain.
_LONG_TLDS = (
    "com|net|org|info|biz|xyz|top|gov|edu|mil|int|app|dev|site|online|shop|store|link|club|"
    "live|tech|click|space|fun|icu|vip|win|bid|pro|mobi|name|page|blog|news|one|art|lol|"
    "website|email|cloud|work|today|life|world|zip|mov"
)
_DOMAIN_RE = re.compile(
    rf"[^\W_](?:[\w-]*[^\W_])?\.(?:[^\W\d_]{{2}}|{_LONG_TLDS})(?![^\W_])", re.IGNORECASE
)
# Characters that browsers and mail readers take for the dot of an address. NFKC makes
# full-width letters and the full-width dot plain; these it leaves as they are.
_DOTS = str.maketrans(dict.fromkeys("\u3002\uff61\ufe52\u2024\u0701\u0702\u2e3c", "."))
_LINE_BREAK_RE = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_PHONE_RE = re.compile(r"^[0-9+().\-\s/x]*(ext\.?\s*\d+)?$", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class SignatureFields(Office):
    full_name: str
    email: str
    phone: str | None = None
    organization: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def identity(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in IDENTITY_FIELDS}


# Zero-width (non-)joiners are format characters that some scripts need in names.
_ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


def _has_control_characters(value: str) -> bool:
    if value.isascii():
        # The only ASCII characters of those categories are Cc, the ones isprintable()
        # refuses: the same answer without a lookup per character, which cost a sign POST
        # ~40 µs for its nine fields (bench/load_bench.py).
        return not value.isprintable()
    return any(
        unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")
        and char not in _ALLOWED_FORMAT_CHARACTERS
        for char in value
    )


def _clean(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def parse_signature(data: Mapping[str, object], allowed_levels: Iterable[str]) -> SignatureFields:
    """Validate a submission. Raises ValidationFailed with a message for every bad field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    data = _with_state_as_jurisdiction(data)
    for name in FIELDS:
        raw = data.get(name)
        if raw is not None and not isinstance(raw, str):
            errors[name] = [_("Enter text.")]
            continue
        value = _clean(raw)
        if name in REQUIRED and not value:
            errors[name] = [_required_message(name)]
        elif len(value) > LIMITS[name]:
            errors[name] = [_("Use at most %(limit)d characters.") % {"limit": LIMITS[name]}]
        elif raw and _has_control_characters(raw.replace("\t", " ")):
            # Checked as sent, before spaces are tidied: a line break (CR, LF, U+2028,
            # U+0085) is refused, not quietly joined, since these fields are one line
            # in the letter and in the confirmation email. A tab is only a wide space.
            errors[name] = [
                _("Keep this on one line: remove line breaks and invisible control characters.")
                if _LINE_BREAK_RE.search(raw)
                else _("Remove the invisible control characters.")
            ]
        values[name] = value
    _check_people_text(values, errors)
    levels = [level for level in OFFICE_LEVELS if level in set(allowed_levels)]
    if values.get("office_level") and values["office_level"] not in levels:
        errors["office_level"] = [_("Choose one of the office levels this campaign accepts.")]
    state = values.get("state", "").upper()
    if state and state not in STATES:
        errors["state"] = [_("Choose a state.")]
    email = _parse_email(values.get("email", ""), errors)
    phone = values.get("phone", "")
    if phone and "phone" not in errors and not _PHONE_RE.match(phone):
        errors["phone"] = [_("Enter a phone number with digits, like 608-555-0142.")]
    if errors:
        raise ValidationFailed({name: errors[name] for name in FIELDS if name in errors})
    district = normalize_district(values["district"]) if values.get("district") else None
    return SignatureFields(
        full_name=values["full_name"],
        title=values["title"],
        office_level=values["office_level"],
        jurisdiction=values["jurisdiction"],
        state=state,
        email=email,
        district=district,
        phone=phone or None,
        organization=values.get("organization") or None,
    )


def _with_state_as_jurisdiction(data: Mapping[str, object]) -> Mapping[str, object]:
    """A state legislator's or a statewide official's (a governor's) jurisdiction is the
    state (SPEC section 1): fill it in if blank.

    Only a missing or blank text value is filled; anything else is validated as sent."""
    state, given = data.get("state"), data.get("jurisdiction")
    blank = given is None or (isinstance(given, str) and not given.strip())
    if (
        data.get("office_level") in (OfficeLevel.STATE_LEGISLATURE, OfficeLevel.STATEWIDE)
        and blank
        and isinstance(state, str)
        and state.strip().upper() in STATES
    ):
        return {**data, "jurisdiction": STATES[state.strip().upper()]}
    return data


def _required_message(name: str) -> str:
    return {
        "full_name": _("Enter your full name."),
        "title": _("Enter your title, like City Council Member."),
        "office_level": _("Choose the level of your office."),
        "jurisdiction": _("Enter the place you serve, like Saint Paul."),
        "state": _("Choose a state."),
        "email": _("Enter your email address."),
    }[name]


def _check_people_text(values: dict[str, str], errors: dict[str, list[str]]) -> None:
    """Names, titles and places are printed on the letter: no links in them."""
    for name in ("full_name", "title", "jurisdiction", "organization", "district"):
        if values.get(name) and name not in errors and looks_like_a_link(values[name]):
            errors[name] = [_("Web addresses are not allowed here.")]


def looks_like_a_link(value: str) -> bool:
    """Whether a reader or a mail program could take part of `value` for an address."""
    plain = unicodedata.normalize("NFKC", value).translate(_DOTS)
    return bool(_URL_RE.search(plain) or _DOMAIN_RE.search(plain))


def _parse_email(raw: str, errors: dict[str, list[str]]) -> str:
    if not raw or "email" in errors:
        return ""
    try:
        # Case-insensitive comparison after email-validator's normalization (SPEC section 2).
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = [_("Enter an email address like name@example.gov.")]
        return ""


def check_as_documented(data: Mapping[str, object], allowed_levels: Iterable[str]) -> None:
    """The JSON API takes the values its OpenAPI document lists exactly: an office level and
    a state as one of their enum values, and no text longer than its maxLength before spaces
    are collapsed. The HTML form stays forgiving (a person types " wi "); a client generated
    from the document sends what the document says.

    Raises ValidationFailed with a message for these fields and for every other bad one."""
    errors: dict[str, list[str]] = {}
    for name, limit in LIMITS.items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors[name] = [_("Use at most %(limit)d characters.") % {"limit": limit}]
    level, state = data.get("office_level"), data.get("state")
    if isinstance(level, str) and level.strip() and level not in OFFICE_LEVELS:
        errors["office_level"] = [_("Use one of the office levels as listed, like municipal.")]
    if isinstance(state, str) and state.strip() and state not in STATES:
        errors["state"] = [_("Use the state's USPS code in capitals, like MN.")]
    if not errors:
        return
    try:
        parse_signature(data, allowed_levels)
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
    raise ValidationFailed({name: errors[name] for name in FIELDS if name in errors})
