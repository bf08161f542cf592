"""roster email indexes: GIN indexes on roster_people.emails and staff_emails, which the
evidence engine searches with @> at every confirmation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_roster_people_emails", "roster_people", ["emails"], postgresql_using="gin")
    op.create_index(
        "ix_roster_people_staff_emails",
        "roster_people",
        ["staff_emails"],
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index("ix_roster_people_staff_emails", table_name="roster_people")
    op.drop_index("ix_roster_people_emails", table_name="roster_people")
