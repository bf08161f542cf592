"""signing: link nonces, email attempts, divisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:12:54.281297
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "divisions",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("same_as", sa.String(length=300), nullable=True),
        sa.Column("valid_through", sa.String(length=20), nullable=True),
        sa.Column("census_geoid", sa.String(length=50), nullable=True),
        sa.Column("openstates_district", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_divisions")),
    )
    op.create_index(
        "ix_divisions_state_name_key",
        "divisions",
        ["state", "name_key"],
        unique=False,
        postgresql_ops={"name_key": "varchar_pattern_ops"},
    )
    op.create_table(
        "email_attempts",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["email_outbox.id"],
            name=op.f("fk_email_attempts_outbox_id_email_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_attempts")),
    )
    op.create_index(
        op.f("ix_email_attempts_outbox_id"), "email_attempts", ["outbox_id"], unique=False
    )
    # Existing signatures get a random withdraw nonce before the column becomes NOT NULL.
    op.add_column("signatures", sa.Column("withdraw_nonce", sa.String(length=64), nullable=True))
    op.execute("UPDATE signatures SET withdraw_nonce = md5(random()::text || id::text)")
    op.alter_column("signatures", "withdraw_nonce", nullable=False)
    op.add_column(
        "signatures", sa.Column("locale", sa.String(length=8), server_default="en", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("signatures", "locale")
    op.drop_column("signatures", "withdraw_nonce")
    op.drop_index(op.f("ix_email_attempts_outbox_id"), table_name="email_attempts")
    op.drop_table("email_attempts")
    op.drop_index(
        "ix_divisions_state_name_key",
        table_name="divisions",
        postgresql_ops={"name_key": "varchar_pattern_ops"},
    )
    op.drop_table("divisions")
