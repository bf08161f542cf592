"""signatures.chosen_division_id: the division staff chose in Edit office

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:21:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "signatures", sa.Column("chosen_division_id", sa.String(length=300), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("signatures", "chosen_division_id")
