"""staff session epoch

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:42:18.777931
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_login_failures_failed_at", "login_failures", ["failed_at"], unique=False)
    op.add_column(
        "staff", sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("staff", "session_epoch")
    op.drop_index("ix_login_failures_failed_at", table_name="login_failures")
