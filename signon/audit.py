"""The audit log: who changed what, when, with the values before and after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from databases import Database

from signon.tables import audit_log
from signon.vocabulary import StaffRole


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member (staff_id set), or "cli", "signer", "system"."""

    label: str
    staff_id: int | None = None
    role: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN


CLI = Actor(label="cli", role=StaffRole.ADMIN)
SYSTEM = Actor(label="system")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    campaign_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None

    def convert(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [convert(item) for item in value]
        return value

    return {key: convert(value) for key, value in values.items()}


async def record_audit(
    db: Database,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = None,
    *,
    campaign_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one audit row. Call it inside the transaction of the change it records."""
    await db.execute(
        audit_log.insert().values(
            staff_id=actor.staff_id,
            actor=actor.label,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            campaign_id=campaign_id,
            before=_jsonable(before),
            after=_jsonable(after),
        )
    )


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


async def list_audit(
    db: Database, *, limit: int = 100, before_id: int | None = None
) -> list[AuditEntry]:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    rows = await db.fetch_all(query)
    return [
        AuditEntry(
            id=row["id"],
            at=row["at"],
            actor=row["actor"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            campaign_id=row["campaign_id"],
            before=_load(row["before"]),
            after=_load(row["after"]),
        )
        for row in rows
    ]


def _load(value: Any) -> dict[str, Any] | None:
    # asyncpg returns jsonb as text unless a codec is set; accept both.
    if value is None or isinstance(value, dict):
        return value
    return json.loads(value)
