"""Seats as the roster and OCD write them (pure): chamber, district spellings, DC's
wards and council, Puerto Rico's territory, Idaho's lettered seats, named districts."""

import pytest

from signon.importing.seats import (
    DivisionIndex,
    districts_fit,
    seat_key,
    state_division,
    state_jurisdiction,
)
from signon.verification.jurisdictions import chamber_of, seat_resolution

US = "ocd-division/country:us"
INDEX = DivisionIndex.from_rows(
    [
        (f"{US}/state:id", None, None, None),
        (f"{US}/state:id/sldu:1", None, None, "id-upper-1"),
        (f"{US}/state:id/sldl:1", f"{US}/state:id/sldu:1", None, "id-lower-1"),
        (f"{US}/state:ma/sldu:2nd_essex_and_middlesex", None, None, None),
        (f"{US}/state:vt/sldl:addison-1", None, None, "vt-lower-addison-1"),
        (f"{US}/district:dc", None, None, None),
        (f"{US}/district:dc/ward:1", None, None, "dc-upper-1"),
        (f"{US}/territory:pr", None, None, None),
        (f"{US}/territory:pr/sldl:4", None, None, "pr-lower-4"),
        (f"{US}/state:nj", None, None, None),
        (f"{US}/state:nj/county:middlesex/place:edison", None, None, None),
        (f"{US}/state:nj/county:morris/place:jefferson", None, None, None),
        (f"{US}/state:nj/county:warren/place:washington", None, None, None),
        (f"{US}/state:nj/county:morris/place:washington", None, None, None),
    ]
)


@pytest.mark.parametrize(
    ("state", "chamber", "district", "seat"),
    [
        ("ID", "lower", "1A", f"{US}/state:id/sldu:1"),  # sldl:1 is sameAs sldu:1
        ("ID", "upper", "1", f"{US}/state:id/sldu:1"),
        (
            "MA",
            "upper",
            "Second Essex and Middlesex",
            f"{US}/state:ma/sldu:2nd_essex_and_middlesex",
        ),
        ("MA", "upper", "2nd Essex & Middlesex", f"{US}/state:ma/sldu:2nd_essex_and_middlesex"),
        ("VT", "lower", "Addison-1", f"{US}/state:vt/sldl:addison-1"),
        ("DC", "legislature", "Ward 1", f"{US}/district:dc/ward:1"),
        ("DC", "legislature", "1", f"{US}/district:dc/ward:1"),
        ("DC", "legislature", "At-Large", f"{US}/district:dc"),
        ("DC", "legislature", "Chairman", f"{US}/district:dc"),
        ("PR", "upper", "At-Large", f"{US}/territory:pr"),
        ("PR", "lower", "4", f"{US}/territory:pr/sldl:4"),
        ("PR", "lower", "5", None),
        ("MA", "upper", "Third Essex and Middlesex", None),
    ],
)
def test_claimed_seats_resolve_like_the_rosters(state, chamber, district, seat):
    assert INDEX.claimed_seat(state, chamber, district) == seat


def test_places_nested_under_a_county_resolve_when_one_county_has_them():
    def mayor(place: str) -> str | None:
        return INDEX.seat("mayor", f"ocd-jurisdiction/country:us/state:nj/place:{place}/x", None)

    assert mayor("edison") == f"{US}/state:nj/county:middlesex/place:edison"
    assert mayor("jefferson_township") == f"{US}/state:nj/county:morris/place:jefferson"
    assert mayor("washington") is None  # two counties have one: never guessed


def test_districts_fit_and_keys():
    assert districts_fit("1A", "1A") and districts_fit("1A", "1")
    assert not districts_fit("1A", "1B") and not districts_fit("1", "1A")
    assert districts_fit("Ward 1", "1") and districts_fit("Ward 1", "ward 1")
    assert districts_fit("Fourth Middlesex", "4th Middlesex")
    assert not districts_fit("15", "51") and not districts_fit(None, "15")
    assert seat_key("Chittenden-Central") == seat_key("chittenden central")
    assert state_division("PR") == f"{US}/territory:pr"
    assert state_division("DC") == f"{US}/district:dc"
    assert state_jurisdiction("WI") == "ocd-jurisdiction/country:us/state:wi/government"


def test_the_chamber_is_part_of_the_seat():
    assert chamber_of("State Senator", "AZ") == "upper"
    assert chamber_of("Representative", "AZ") == "lower"
    assert chamber_of("Senadora", "PR") == "upper"
    assert chamber_of("Representante", "PR") == "lower"
    assert chamber_of("Senator", "NE") == "legislature"
    assert chamber_of("Councilmember", "DC") == "legislature"
    senate = seat_resolution(INDEX, "ID", "Senator", "1")
    house = seat_resolution(INDEX, "ID", "Representative", "1A")
    # One division for both (OCD's alias); judgement.holds_claimed_office keeps the
    # chambers apart by the role's type.
    assert senate.division_id == house.division_id == f"{US}/state:id/sldu:1"
    assert not seat_resolution(INDEX, "ID", "Legislator", "1").found
