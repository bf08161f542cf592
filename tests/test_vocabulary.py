"""The typed vocabulary (signon/vocabulary.py, offices.OfficeLevel): each word is the
string the database, the templates and the JSON already use, and each CHECK constraint in
tables.py allows exactly its enum's words."""

import re

import pytest

from signon import tables
from signon.offices import OfficeLevel
from signon.vocabulary import (
    AutoVerify,
    CampaignKind,
    CampaignStatus,
    OutboxStatus,
    RenderStatus,
    SignatureStatus,
    StaffRole,
    Strength,
)

# The words as stored in rows written before the enums existed: they must not change.
STORED = {
    CampaignKind: ["letter", "statement"],
    CampaignStatus: ["draft", "open", "closed", "delivered"],
    AutoVerify: ["off", "strong", "strong_or_medium"],
    SignatureStatus: ["unconfirmed", "confirmed", "verified", "rejected", "withdrawn"],
    Strength: ["strong", "medium", "weak", "none", "strong_negative"],
    OutboxStatus: ["pending", "sent", "failed"],
    RenderStatus: ["pending", "ready", "failed"],
    StaffRole: ["admin", "staff"],
    OfficeLevel: [
        "state_legislature",
        "statewide",
        "county",
        "municipal",
        "school_board",
        "tribal",
        "other",
    ],
}

CHECKED = [
    (tables.staff, "role", StaffRole),
    (tables.campaigns, "kind", CampaignKind),
    (tables.campaigns, "status", CampaignStatus),
    (tables.campaigns, "auto_verify", AutoVerify),
    (tables.signatures, "status", SignatureStatus),
    (tables.signatures, "office_level", OfficeLevel),
    (tables.evidence, "strength", Strength),
    (tables.email_outbox, "status", OutboxStatus),
    (tables.pdf_renders, "status", RenderStatus),
]


@pytest.mark.parametrize("enum", STORED, ids=lambda enum: enum.__name__)
def test_each_word_is_the_string_already_stored(enum):
    assert [member.value for member in enum] == STORED[enum]
    for member in enum:
        assert member == member.value and str(member) == member.value
        assert f"{member}" == member.value


@pytest.mark.parametrize(
    ("table", "column", "enum"), CHECKED, ids=lambda x: getattr(x, "__name__", str(x))
)
def test_each_check_constraint_allows_exactly_its_enum(table, column, enum):
    checks = [
        str(c.sqltext)
        for c in table.constraints
        if c.__class__.__name__ == "CheckConstraint" and str(c.sqltext).startswith(f"{column} IN (")
    ]
    assert len(checks) == 1
    assert re.findall(r"'([^']*)'", checks[0]) == [member.value for member in enum]
