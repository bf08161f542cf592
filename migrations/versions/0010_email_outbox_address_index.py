"""email outbox index by address: the daily cap on confirmation emails per address

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 21:35:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_email_outbox_to_address_created_at", "email_outbox", ["to_address", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_email_outbox_to_address_created_at", table_name="email_outbox")
