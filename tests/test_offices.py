import pytest

from signon.offices import OFFICE_LEVELS, STATES, normalize_district


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15", "15"),
        ("District 15", "15"),
        ("AD 15", "15"),
        ("HD-15", "15"),
        ("66A", "66A"),
        ("Chittenden-19", "Chittenden-19"),
        ("  Chittenden   Central ", "Chittenden Central"),
        ("Senate District 32", "32"),
        ("Addison-1", "Addison-1"),
        ("Ward 1", "1"),
        ("AD15", "15"),
        ("Dist. 4", "4"),
        ("Fourth Middlesex", "Fourth Middlesex"),
        ("1A", "1A"),
    ],
)
def test_districts_are_read_as_the_legislature_names_them(typed, expected):
    assert normalize_district(typed) == expected


def test_the_vocabulary_is_the_specs():
    assert OFFICE_LEVELS == (
        "state_legislature",
        "statewide",
        "county",
        "municipal",
        "school_board",
        "tribal",
        "other",
    )
    assert len([code for code in STATES if code not in {"AS", "GU", "MP", "PR", "VI"}]) == 51
