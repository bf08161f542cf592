import pytest

from signon.verification.names import names_match, parse_name


@pytest.mark.parametrize(
    ("typed", "roster"),
    [
        ("Adam Neylon", ["Adam Neylon"]),
        ("adam neylon", ["Adam Neylon"]),
        ("Adam T. Neylon", ["Adam Neylon"]),
        ("A. Neylon", ["Adam Neylon"]),
        ("Neylon, Adam", ["Adam Neylon"]),
        ("Bill Rabon", ["William Rabon"]),
        ("William Rabon", ["Bill Rabon"]),
        ("José Núñez Jr.", ["Jose Nunez"]),
        ("Sarita Austin", ["Sarah Austin", "Sarita Austin"]),
        ("Jonathon Smith", ["Jonathan Smith"]),
        ("Rep. Tom Brandt", ["Tom Brandt"]),
        ("María García-López", ["Maria Garcia Lopez"]),
    ],
)
def test_same_person(typed, roster):
    assert names_match(typed, roster)


@pytest.mark.parametrize(
    ("typed", "roster"),
    [
        ("Adam Nelson", ["Adam Neylon"]),
        ("Eve Neylon", ["Adam Neylon"]),
        ("Neylon", ["Adam Neylon"]),
        ("Mayor of Springfield", ["Janesville City Council"]),
        ("", ["Adam Neylon"]),
        ("Tom Brandt", []),
    ],
)
def test_different_people(typed, roster):
    assert not names_match(typed, roster)


def test_suffixes_and_titles_are_ignored():
    assert parse_name("Dr. Ana Díaz III") == parse_name("Ana Diaz")
