"""The sign form's rules (signon/signing/rules.py), called directly: no HTTP, no database.

The form and the JSON API reach these through HTTP in tests/signing/test_signatures.py and
tests/web/test_openapi.py; here each rule is pinned down on its own, fast."""

from __future__ import annotations

import contextvars
import unicodedata

import pytest

from signon.errors import ValidationFailed
from signon.i18n import set_locale
from signon.offices import OFFICE_LEVELS, STATES
from signon.signing.rules import (
    _ALLOWED_FORMAT_CHARACTERS,
    FIELDS,
    LIMITS,
    REQUIRED,
    _has_control_characters,
    parse_signature,
)
from tests.factories import OFFICIAL

LONG_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".gov"  # 254


def errors_for(changes: dict[str, object], levels=OFFICE_LEVELS) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        parse_signature({**OFFICIAL, **changes}, levels)
    return refused.value.errors


def _by_category(value: str) -> bool:
    return any(
        unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")
        and char not in _ALLOWED_FORMAT_CHARACTERS
        for char in value
    )


def test_every_ascii_character_gets_the_answer_of_its_category():
    for code in range(128):
        for value in (chr(code), f"Ann{chr(code)} Lee"):
            assert _has_control_characters(value) == _by_category(value), repr(value)
    for value in ("", "José Núñez", "Zoë\u200dX", "bad\u200bzero width", "\ue000"):
        assert _has_control_characters(value) == _by_category(value), repr(value)


def test_a_good_submission_is_cleaned_as_it_will_be_stored():
    fields = parse_signature(
        {
            **OFFICIAL,
            "full_name": "  Ana   María\tDíaz ",
            "state": " mn ",
            "email": " Ana.Diaz@StPaul.GOV ",
            "district": "Ward  3",
        },
        OFFICE_LEVELS,
    )
    assert fields.full_name == "Ana María Díaz"  # spaces trimmed and collapsed
    assert fields.state == "MN"
    assert fields.email == "ana.diaz@stpaul.gov"  # compared without case (SPEC section 2)
    assert fields.district == "3"
    assert fields.phone == "651-555-0142"
    assert fields.organization is None  # empty optional fields are stored as NULL
    assert fields.identity() == {
        "full_name": "Ana María Díaz",
        "title": "City Council Member",
        "office_level": "municipal",
        "jurisdiction": "Saint Paul",
        "state": "MN",
        "district": "3",
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("District 15", "15"),
        ("AD 15", "15"),
        ("HD-15", "15"),
        ("Senate District #7", "7"),
        ("Chittenden-19", "Chittenden-19"),
        ("  Chittenden   Central ", "Chittenden Central"),
    ],
)
def test_districts_are_stored_as_the_legislature_names_them(typed, stored):
    assert parse_signature({**OFFICIAL, "district": typed}, OFFICE_LEVELS).district == stored


def test_each_required_field_says_what_to_enter():
    expected = {
        "full_name": "Enter your full name.",
        "title": "Enter your title, like City Council Member.",
        "office_level": "Choose the level of your office.",
        "jurisdiction": "Enter the place you serve, like Saint Paul.",
        "state": "Choose a state.",
        "email": "Enter your email address.",
    }
    assert set(expected) == set(REQUIRED)
    for name, message in expected.items():
        for blank in (None, "", "  \t "):
            assert errors_for({name: blank}) == {name: [message]}, (name, blank)
    for name in set(FIELDS) - set(REQUIRED):
        assert parse_signature({**OFFICIAL, name: None}, OFFICE_LEVELS)


def test_every_field_has_its_limit_counted_after_spaces_are_collapsed():
    at_limit = {
        "full_name": "A" * 200,
        "title": "T" * 200,
        "jurisdiction": "J" * 200,
        "district": "D" * 100,
        "email": LONG_EMAIL,
        "phone": "1" * 40,
        "organization": "O" * 200,
    }
    assert set(LIMITS) - set(at_limit) == {"office_level", "state"}  # enums, below
    fields = parse_signature({**OFFICIAL, **at_limit}, OFFICE_LEVELS)
    assert len(fields.email) == 254 and len(fields.full_name) == 200
    for name, limit in LIMITS.items():
        too_long = "x" * (limit + 1)
        expected = {
            "office_level": "Choose one of the office levels this campaign accepts.",
            "state": "Choose a state.",
        }.get(name, f"Use at most {limit} characters.")
        assert errors_for({name: too_long}) == {name: [expected]}, name
    # Runs of spaces count as one: what is stored is what is measured.
    assert parse_signature({**OFFICIAL, "full_name": "A " + " " * 300 + "B"}, OFFICE_LEVELS)


def test_a_value_that_is_not_text_is_refused_by_field():
    for value in (7, 1.5, True, ["Ana"], {"first": "Ana"}):
        assert errors_for({"full_name": value}) == {"full_name": ["Enter text."]}
    assert errors_for({"phone": 6085550142}) == {"phone": ["Enter text."]}


def test_control_characters_are_refused_but_the_zero_width_joiners_names_need_are_not():
    for bad in ("Ann\x00Lee", "Ann\x7fLee", "A\u200bB", "A\u202eB", "Ann\ue000", "A\U000f0001"):
        assert errors_for({"full_name": bad}) == {
            "full_name": ["Remove the invisible control characters."]
        }, repr(bad)
    for good in ("Nguyễn Thị\u200dHoa", "می\u200cخواهم", "Zoë O'Neil-Łukasz", "王小明", "Ann 😀"):
        assert parse_signature({**OFFICIAL, "full_name": good}, OFFICE_LEVELS).full_name == good
    # A tab is whitespace, collapsed to one space; a line break is refused (issue 13: these
    # fields are one line in the letter and the email).
    assert parse_signature({**OFFICIAL, "title": "Council\tMember"}, OFFICE_LEVELS).title == (
        "Council Member"
    )
    assert errors_for({"title": "Council\nMember"}) == {
        "title": ["Keep this on one line: remove line breaks and invisible control characters."]
    }


@pytest.mark.parametrize(
    "field", ["full_name", "title", "jurisdiction", "organization", "district"]
)
@pytest.mark.parametrize(
    "link", ["http://x.example", "HTTPS:evil", "ftp:files", "www.shop", "//cdn", "buy.COM now"]
)
def test_printed_fields_refuse_anything_that_looks_like_a_link(field, link):
    assert errors_for({field: f"Ann {link}"}) == {field: ["Web addresses are not allowed here."]}


def test_what_only_resembles_a_link_is_kept():
    for name in ("Dr. Ann Lee", "J.R. Smith Jr.", "Ann Lee-Org", "St. Paul", "comedy.company"):
        assert parse_signature({**OFFICIAL, "full_name": name}, OFFICE_LEVELS).full_name == name
    # The email and the phone are not printed: an address is what the email field is for.
    assert parse_signature({**OFFICIAL, "email": "ann@www.example.com"}, OFFICE_LEVELS)


def test_every_usps_code_in_any_case_and_nothing_else_is_a_state():
    for code in STATES:
        for typed in (code, code.lower(), f" {code.title()} "):
            assert parse_signature({**OFFICIAL, "state": typed}, OFFICE_LEVELS).state == code
    for bad in ("ZZ", "M", "M N", "Minnesota", "M\u200bN"):
        assert errors_for({"state": bad}) == {"state": ["Choose a state."]}, bad


def test_the_office_level_is_one_the_campaign_accepts():
    assert parse_signature(OFFICIAL, ["county", "municipal"]).office_level == "municipal"
    message = "Choose one of the office levels this campaign accepts."
    assert errors_for({}, levels=["county"]) == {"office_level": [message]}
    assert errors_for({"office_level": "mayor"}) == {"office_level": [message]}
    assert errors_for({"office_level": "Municipal"}) == {"office_level": [message]}
    assert errors_for({}, levels=["not-a-level"]) == {"office_level": [message]}


def test_a_state_legislators_jurisdiction_is_the_state_when_left_blank():
    legislator = {**OFFICIAL, "office_level": "state_legislature", "state": " wi "}
    for blank in (None, "", "   "):
        fields = parse_signature({**legislator, "jurisdiction": blank}, OFFICE_LEVELS)
        assert fields.jurisdiction == "Wisconsin"
    typed = parse_signature({**legislator, "jurisdiction": "Madison"}, OFFICE_LEVELS)
    assert typed.jurisdiction == "Madison"
    # Only for the state legislature, only for a real state, and only a blank text value.
    assert "jurisdiction" in errors_for({"office_level": "county", "jurisdiction": ""})
    assert "jurisdiction" in errors_for({**legislator, "state": "ZZ", "jurisdiction": ""})
    assert errors_for({**legislator, "jurisdiction": 5}) == {"jurisdiction": ["Enter text."]}


def test_emails_are_checked_and_normalized():
    for bad in ("not an address", "ann@", "@stpaul.gov", "ann@stpaul", "ann@@stpaul.gov"):
        assert errors_for({"email": bad}) == {
            "email": ["Enter an email address like name@example.gov."]
        }, bad
    assert parse_signature({**OFFICIAL, "email": "ANN@StPaul.Gov"}, OFFICE_LEVELS).email == (
        "ann@stpaul.gov"
    )


def test_phones_are_digits_and_punctuation_with_an_optional_extension():
    for good in ("608-555-0142", "+1 (608) 555.0142", "608/555-0142 x12", "608 555 0142 ext. 9"):
        assert parse_signature({**OFFICIAL, "phone": good}, OFFICE_LEVELS).phone == good
    for bad in ("call me", "608-CALL-NOW", "555-0142 ext"):
        assert errors_for({"phone": bad}) == {
            "phone": ["Enter a phone number with digits, like 608-555-0142."]
        }, bad


def test_every_bad_field_is_reported_at_once_in_the_forms_order():
    errors = errors_for(
        {"email": "nope", "full_name": "", "state": "ZZ", "phone": "call", "title": "www.x"}
    )
    assert list(errors) == ["full_name", "title", "state", "email", "phone"]
    assert list(errors) == [name for name in FIELDS if name in errors]


def test_messages_are_in_the_signers_language():
    def in_spanish() -> dict[str, list[str]]:
        set_locale("es")
        return errors_for({"full_name": "", "title": "www.x", "phone": 5})

    # A copy of the context: the language set here does not leak into other tests.
    assert contextvars.copy_context().run(in_spanish) == {
        "full_name": ["Escriba su nombre completo."],
        "title": ["No se permiten direcciones web aquí."],
        "phone": ["Escriba texto."],
    }
