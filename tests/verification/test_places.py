"""Typed places as officials write them, resolved against the whole OCD file.

FORMS are lines as published sign-on letters print their signers ("Name, Title, Place,
ST"), with the office level the signer chose and the division a careful reader would
name, or "none" where the text cannot decide (several divisions fit) or names no place.
The whole compiled OCD file is imported once (one test) and every line goes through
`resolve_office`, the function evidence gathering calls. A wrong division is a failure
whatever the rate; at least 95% must be right.
"""

from pathlib import Path

import pytest

from signon.importing import import_dataset
from signon.verification.jurisdictions import resolve_office
from signon.verification.places import (
    DivisionRow,
    choose_places,
    choose_school_districts,
    read_place,
    read_school_district,
)
from tests.factories import NOW
from tests.shared_data import shared_data

FORMS = Path(__file__).parent.parent / "fixtures" / "real_world_forms.txt"


def parse_form(line: str) -> tuple[dict[str, str], str]:
    """("Name, Title, Place, ST | level | expected") -> (the claim's fields, expected)."""
    printed, level, expected = (part.strip() for part in line.split(" | "))
    if '"' in printed:  # a place holding a comma is quoted, as in a CSV
        head, place, tail = printed.split('"')
        title = head.rstrip(", ").split(", ", 1)[1].strip()
        state = tail.strip(", ")
    else:
        parts = [part.strip() for part in printed.split(",")]
        state, place, title = parts[-1], parts[-2], ", ".join(parts[1:-2])
    claim = {"title": title, "jurisdiction": place, "state": state, "office_level": level}
    return claim, "" if expected == "none" else "ocd-division/country:us/" + expected


CASES = [
    parse_form(line)
    for line in FORMS.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


async def test_real_world_forms_resolve_right_or_to_none(db):
    await import_dataset(db, "ocd", shared_data("ocd-division-ids/country-us.csv"), now=NOW)
    right, wrong, missed = [], [], []
    for claim, expected in CASES:
        resolution = await resolve_office(db, district=None, **claim)
        got = resolution.division_id or ""
        line = f"{claim} -> {got or 'none'} ({resolution.detail})"
        (right if got == expected else wrong if got else missed).append(line)
    total = len(CASES)
    print(
        f"\n{total} real-world forms: {len(right)} right ({len(right) / total:.1%}), "
        f"{len(wrong)} wrong, {len(missed)} unresolved where a division was expected"
    )
    for line in wrong + missed:
        print("  " + line)
    assert total >= 100
    assert wrong == []
    assert len(right) / total >= 0.95


def test_every_expected_division_is_written_as_ocd_writes_it():
    expected = [division for _, division in CASES if division]
    assert all(division == division.lower() and " " not in division for division in expected)
    assert sum(1 for _, division in CASES if not division) >= 5  # refusals are tested too


@pytest.mark.parametrize(
    ("typed", "key", "kind"),
    [
        ("City of St. Paul", "saint paul", "city"),
        ("Saint Paul city", "saint paul", "city"),
        ("Town of Chapel Hill", "chapel hill", "town"),
        ("Daly City", "daly", "city"),
        ("Daly City city", "daly", "city"),
        ("Prince George's County", "prince georges", "county"),
        ("City and County of San Francisco", "san francisco", "city"),
        ("Ft. Myers", "fort myers", None),
        ("Miami-Dade County", "miami dade", "county"),
        ("NYC", "new york", "city"),
        ("Village of Oak Park", "oak park", "village"),
    ],
)
def test_places_are_read_as_officials_write_them(typed, key, kind):
    assert read_place(typed).key == key
    assert read_place(typed).kind == kind


def row(division_id, name, same_as=None):
    return DivisionRow(division_id, name, division_id.rpartition("/")[2].split(":")[0], same_as)


WI = "ocd-division/country:us/state:wi"
MADISON = [
    row(f"{WI}/place:madison", "Madison city"),
    row(f"{WI}/county:dane/place:madison", "Madison town"),
]


def test_a_lone_city_among_county_subdivisions_is_the_place():
    assert choose_places(MADISON, "municipal", read_place("Madison"), "Alder") == (
        f"{WI}/place:madison",
    )
    assert choose_places(MADISON, "municipal", read_place("Madison"), "Town Board Chair") == (
        f"{WI}/county:dane/place:madison",
    )


def test_a_village_and_a_town_of_one_name_stay_undecided():
    ny = "ocd-division/country:us/state:ny"
    rows = [
        row(f"{ny}/place:hempstead", "Hempstead village"),
        row(f"{ny}/county:nassau/place:hempstead", "Hempstead town"),
    ]
    assert len(choose_places(rows, "municipal", read_place("Hempstead"), "Trustee")) == 2


def test_a_mayor_governs_the_place_not_the_mayorless_townships_of_its_name():
    oh, nj = "ocd-division/country:us/state:oh", "ocd-division/country:us/state:nj"
    granville = [
        row(f"{oh}/place:granville", "Granville village"),
        row(f"{oh}/county:licking/place:granville", "Granville township"),
        row(f"{oh}/county:mercer/place:granville", "Granville township"),
    ]
    assert choose_places(granville, "municipal", read_place("Granville"), "Mayor") == (
        f"{oh}/place:granville",
    )
    # Anyone else may serve the township (trustees): the text does not decide.
    assert len(choose_places(granville, "municipal", read_place("Granville"), "Trustee")) == 3
    # New Jersey's townships elect mayors: Berlin borough or Berlin township stays open.
    berlin = [
        row(f"{nj}/place:berlin", "Berlin borough"),
        row(f"{nj}/county:camden/place:berlin", "Berlin township"),
    ]
    assert len(choose_places(berlin, "municipal", read_place("Berlin"), "Mayor")) == 2


def test_an_alias_is_followed_to_the_consolidated_city_county():
    ca = "ocd-division/country:us/state:ca"
    rows = [
        row(f"{ca}/county:san_francisco", "San Francisco County"),
        row(f"{ca}/place:san_francisco", "San Francisco city", f"{ca}/county:san_francisco"),
    ]
    for level in ("municipal", "county"):
        assert choose_places(rows, level, read_place("San Francisco"), "Supervisor") == (
            f"{ca}/county:san_francisco",
        )


def test_a_school_district_named_in_the_title_wins_over_the_city():
    az = "ocd-division/country:us/state:az/county:maricopa"
    rows = [
        row(f"{az}/school_district:tempe_school_district", "tempe school district"),
        row(f"{az}/school_district:tempe_union_high_school_district", "tempe union high"),
    ]
    union = read_school_district("Tempe Union Governing Board President", "Tempe")
    assert choose_school_districts(rows, union) == (
        f"{az}/school_district:tempe_union_high_school_district",
    )
    bare = read_school_district("Governing Board Member", "Tempe")
    assert len(choose_school_districts(rows, bare)) == 2
    named = read_school_district("Board Member", "Tempe School District")
    assert choose_school_districts(rows, named) == (f"{az}/school_district:tempe_school_district",)
