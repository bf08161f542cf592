"""What staff may type into a campaign (signon/campaign_rules.py), called directly: no HTTP,
no database. tests/test_campaigns.py drives the same rules through the staff form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from signon.campaign_rules import (
    LIMITS,
    MAX_GOAL,
    MAX_SPONSORS,
    CampaignFields,
    parse_campaign_fields,
)
from signon.errors import ValidationFailed
from signon.offices import OFFICE_LEVELS
from signon.tables import AUTO_VERIFY_POLICIES, CAMPAIGN_KINDS

EASTERN = ZoneInfo("America/New_York")
MINIMAL = {"slug": "eats-act", "title": "Reject the EATS Act", "body_markdown": "We urge."}


def errors_for(changes: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        parse_campaign_fields({**MINIMAL, **changes})
    return refused.value.errors


def test_three_fields_make_a_campaign_and_the_rest_has_defaults():
    assert parse_campaign_fields(MINIMAL) == CampaignFields(
        slug="eats-act",
        title="Reject the EATS Act",
        body_markdown="We urge.",
        kind="letter",
        summary="",
        goal=None,
        opens_at=None,
        closes_at=None,
        allowed_levels=OFFICE_LEVELS,
        auto_verify="strong",
        sponsors=(),
    )


def test_the_required_fields_say_what_to_enter():
    for blank in (None, "", "   "):
        assert errors_for({"slug": blank, "title": blank, "body_markdown": blank}) == {
            "slug": ["Enter a short address, like eats-act-2026."],
            "title": ["Enter a title."],
            "body_markdown": ["Enter the text of the letter."],
        }


def test_the_slug_is_lower_case_words_and_single_hyphens():
    assert parse_campaign_fields({**MINIMAL, "slug": " EATS-Act-2026 "}).slug == "eats-act-2026"
    message = "Use lower-case letters, digits and single hyphens, like eats-act-2026."
    for bad in ("eats act", "eats--act", "-eats", "eats-", "eats_act", "éats", "eats/act"):
        assert errors_for({"slug": bad}) == {"slug": [message]}, bad


def test_every_text_field_has_its_limit():
    for name, limit in LIMITS.items():
        if name == "sponsor":
            continue
        at_limit = "a" * limit
        assert getattr(parse_campaign_fields({**MINIMAL, name: at_limit}), name) == at_limit
        assert errors_for({name: "a" * (limit + 1)}) == {
            name: [f"Use at most {limit:,} characters."]
        }
    assert errors_for({"body_markdown": "a" * 100_001}) == {
        "body_markdown": ["Use at most 100,000 characters."]
    }


def test_a_nul_character_is_refused_in_any_text_field():
    # The one-line fields refuse every control character (tests/proofs/test_hardening.py).
    one_line = "Keep this on one line: remove line breaks and invisible control characters."
    for name in ("title", "summary", "addressee", "salutation", "sign_off"):
        assert errors_for({name: "Dear\x00 all"}) == {name: [one_line]}
    assert errors_for({"body_markdown": "Dear\x00 all"}) == {
        "body_markdown": ["Remove the invisible control characters."]
    }


def test_kind_and_policy_are_one_of_their_values():
    for kind in CAMPAIGN_KINDS:
        assert parse_campaign_fields({**MINIMAL, "kind": kind}).kind == kind
    for policy in AUTO_VERIFY_POLICIES:
        assert parse_campaign_fields({**MINIMAL, "auto_verify": policy}).auto_verify == policy
    assert errors_for({"kind": "petition", "auto_verify": "always"}) == {
        "kind": ["Choose letter or statement."],
        "auto_verify": ["Choose off, strong evidence only, or strong or medium."],
    }


def test_the_goal_is_a_whole_number_in_range_or_nothing():
    assert parse_campaign_fields({**MINIMAL, "goal": " 180 "}).goal == 180
    assert parse_campaign_fields({**MINIMAL, "goal": str(MAX_GOAL)}).goal == MAX_GOAL
    assert parse_campaign_fields({**MINIMAL, "goal": ""}).goal is None
    message = "Enter a whole number from 1 to 1,000,000, or leave it empty."
    for bad in ("0", "-5", "1.5", "lots", str(MAX_GOAL + 1), "²", "1²"):
        assert errors_for({"goal": bad}) == {"goal": [message]}, bad
    # Other scripts' decimal digits are digits: "１８０" (full width) is 180.
    assert parse_campaign_fields({**MINIMAL, "goal": "１８０"}).goal == 180


def test_dates_without_a_zone_are_read_as_us_eastern_time():
    fields = parse_campaign_fields(
        {**MINIMAL, "opens_at": "2026-07-01T09:00", "closes_at": "2026-12-01T09:00-08:00"}
    )
    assert fields.opens_at == datetime(2026, 7, 1, 9, 0, tzinfo=EASTERN)
    assert fields.opens_at.utcoffset().total_seconds() == -4 * 3600  # daylight time in July
    assert fields.closes_at.utcoffset().total_seconds() == -8 * 3600  # as given


def test_bad_dates_say_what_is_expected():
    assert errors_for({"opens_at": "July 1st"}) == {
        "opens_at": ["Enter a date and time like 2026-12-01T09:00."]
    }
    assert errors_for({"closes_at": "1999-12-31T23:59"}) == {
        "closes_at": ["Enter a date between the years 2000 and 2100."]
    }
    for closes in ("2026-07-01T09:00", "2026-06-30T09:00"):
        assert errors_for({"opens_at": "2026-07-01T09:00", "closes_at": closes}) == {
            "closes_at": ["The closing time must be after the opening."]
        }


def test_allowed_levels_come_from_a_list_or_commas_in_the_canonical_order():
    for typed in (["municipal", "county"], "municipal, county", ["municipal,county", ""]):
        levels = parse_campaign_fields({**MINIMAL, "allowed_levels": typed}).allowed_levels
        assert levels == ("county", "municipal"), typed
    for nothing in (None, ""):
        fields = parse_campaign_fields({**MINIMAL, "allowed_levels": nothing})
        assert fields.allowed_levels == OFFICE_LEVELS
    message = "Choose at least one office level from the list."
    for bad in (["mayor"], ["county", "mayor"], [], " , "):
        assert errors_for({"allowed_levels": bad}) == {"allowed_levels": [message]}, bad


def test_sponsors_are_one_per_line_once_each():
    typed = "Local Progress\n\n  State   Innovation Exchange \nlocal progress\r\nLOCAL PROGRESS"
    assert parse_campaign_fields({**MINIMAL, "sponsors": typed}).sponsors == (
        "Local Progress",
        "State Innovation Exchange",
    )
    many = "\n".join(f"Sponsor {n}" for n in range(MAX_SPONSORS))
    assert len(parse_campaign_fields({**MINIMAL, "sponsors": many}).sponsors) == MAX_SPONSORS
    assert errors_for({"sponsors": many + "\nOne more"}) == {
        "sponsors": ["List at most 30 sponsors."]
    }
    assert errors_for({"sponsors": "a" * 201}) == {
        "sponsors": ["Each sponsor's name may have at most 200 characters."]
    }


def test_every_problem_is_reported_at_once():
    errors = errors_for(
        {"slug": "", "title": "t" * 201, "kind": "x", "goal": "0", "allowed_levels": ["x"]}
    )
    assert set(errors) == {"slug", "title", "kind", "goal", "allowed_levels"}
