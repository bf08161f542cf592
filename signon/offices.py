"""The words of an office (SPEC section 1): levels, USPS state codes, district names.

Pure functions and constants only; the database constraints in tables.py use them too.
"""

from __future__ import annotations

import re

OFFICE_LEVELS: tuple[str, ...] = (
    "state_legislature",
    "statewide",
    "county",
    "municipal",
    "school_board",
    "tribal",
    "other",
)


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
