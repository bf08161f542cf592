"""govturls dataset: the GSA's list of government domains outside .gov

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "name IN ('dotgov', 'ocd', 'openstates', 'congress')"
AFTER = "name IN ('dotgov', 'ocd', 'openstates', 'congress', 'govturls')"


def upgrade() -> None:
    op.create_table(
        "govt_domains",
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=True),
        sa.Column("government", sa.String(length=300), nullable=True),
        sa.Column("government_type", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("comments", sa.String(length=2000), nullable=True),
        sa.Column("date_added", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_govt_domains")),
    )
    op.create_index(op.f("ix_govt_domains_domain"), "govt_domains", ["domain"], unique=False)
    op.drop_constraint(op.f("ck_datasets_name"), "datasets", type_="check")
    op.create_check_constraint(op.f("ck_datasets_name"), "datasets", AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM datasets WHERE name = 'govturls'")
    op.drop_constraint(op.f("ck_datasets_name"), "datasets", type_="check")
    op.create_check_constraint(op.f("ck_datasets_name"), "datasets", BEFORE)
    op.drop_index(op.f("ix_govt_domains_domain"), table_name="govt_domains")
    op.drop_table("govt_domains")
