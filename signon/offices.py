"""The words of an office (SPEC section 1): levels, USPS state codes, district names.

Pure functions and constants only; the database constraints in tables.py use them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import StrEnum


class OfficeLevel(StrEnum):
    STATE_LEGISLATURE = "state_legislature"
    STATEWIDE = "statewide"
    COUNTY = "county"
    MUNICIPAL = "municipal"
    SCHOOL_BOARD = "school_board"
    TRIBAL = "tribal"
    OTHER = "other"


# In order, for the forms' choices and `in` checks (a plain string is not `in` a StrEnum
# class before Python 3.12).
OFFICE_LEVELS: tuple[OfficeLevel, ...] = tuple(OfficeLevel)


@dataclass(frozen=True, kw_only=True)
class Office:
    """The office a signer claims, as the sign form takes it (SPEC section 1).

    The dataclasses that carry a claimed office (the submitted fields, a signature, a
    queue item, a claim weighed for evidence) are Offices, so its fields are written once;
    keyword-only, so a subclass's own fields need no defaults.
    """

    title: str
    office_level: str
    jurisdiction: str
    state: str
    district: str | None = None


# The office's field names, in the order forms, exports and audit rows list them.
OFFICE_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Office))


def N_(message: str) -> str:
    """Marks a string for translation where it is defined; templates translate it on use."""
    return message


OFFICE_LEVEL_LABELS: dict[str, str] = {
    "state_legislature": N_("State legislature"),
    "statewide": N_("Statewide office"),
    "county": N_("County"),
    "municipal": N_("City, town or village"),
    "school_board": N_("School board"),
    "tribal": N_("Tribal government"),
    "other": N_("Other"),
}

# The 50 states, DC and the territories, by USPS code. Kept five to a line (fmt: skip):
# one per line would make a 57-line column of a table read at a glance.
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico", "VI": "U.S. Virgin Islands",
}  # fmt: skip

# A prefix is a whole word ("Addison-1" keeps its "Ad"). "Ward 3" is stored as "3", as
# signatures always were; the seat lookup reads "3" as DC's "Ward 3" (importing/seats.py).
_DISTRICT_PREFIX = re.compile(
    r"^(?:house district|senate district|assembly district|district|dist\.?|ward|ad|sd|hd)"
    r"(?![a-z])[\s\-#:]*",
    re.IGNORECASE,
)


def normalize_district(district: str) -> str:
    """The district as the legislature names it: "District 15", "AD 15", "HD-15" -> "15".

    Named districts ("Chittenden-19", "Chittenden Central") are kept as typed, trimmed.
    """
    text = " ".join(district.split())
    stripped = _DISTRICT_PREFIX.sub("", text)
    return stripped if stripped else text
