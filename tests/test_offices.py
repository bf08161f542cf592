import dataclasses

import pytest

from signon.offices import (
    OFFICE_FIELDS,
    OFFICE_LEVELS,
    STATES,
    Office,
    OfficeLevel,
    normalize_district,
)
from signon.signing.rules import SignatureFields
from signon.signing.signatures import Signature
from signon.verification.evidence import Claim
from signon.verification.review import QueueItem


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


def test_an_office_is_one_frozen_keyword_only_value():
    office = Office(
        title="Mayor", office_level=OfficeLevel.MUNICIPAL, jurisdiction="Ames", state="IA"
    )
    assert office == Office(
        title="Mayor", office_level="municipal", jurisdiction="Ames", state="IA"
    )
    assert office.district is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        office.title = "Governor"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Office("Mayor", "municipal", "Ames", "IA")  # type: ignore[misc]
    assert OFFICE_FIELDS == ("title", "office_level", "jurisdiction", "state", "district")


def test_every_dataclass_with_a_claimed_office_is_an_office():
    # Their office fields are Office's own: written once, the same names and types.
    for cls in (SignatureFields, Signature, QueueItem, Claim):
        assert issubclass(cls, Office)
        own = {f.name: f.type for f in dataclasses.fields(cls) if f.name in OFFICE_FIELDS}
        assert own == {f.name: f.type for f in dataclasses.fields(Office)}
