"""The words Signon stores and compares: statuses, kinds, policies, strengths and roles.

StrEnums, so a member is its word: it compares equal to the stored string and prints as
it, and templates, JSON and the database keep exactly the same strings. tables.py builds
its CHECK constraints from them. Pure: imports nothing. (Office levels are in offices.py,
with the rest of an office's words.)
"""

from __future__ import annotations

from enum import StrEnum


class CampaignKind(StrEnum):
    LETTER = "letter"
    STATEMENT = "statement"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DELIVERED = "delivered"


class AutoVerify(StrEnum):
    """Which evidence lets a confirmed signature be verified without staff."""

    OFF = "off"
    STRONG = "strong"
    STRONG_OR_MEDIUM = "strong_or_medium"


class SignatureStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"
    CONFIRMED = "confirmed"
    VERIFIED = "verified"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Strength(StrEnum):
    """How strongly one piece of evidence supports (or refutes) a claimed office."""

    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"
    NONE = "none"
    STRONG_NEGATIVE = "strong_negative"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class RenderStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class StaffRole(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
