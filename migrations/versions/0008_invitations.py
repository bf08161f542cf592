"""invitations, the unsubscribe list, the outbox's invitation link and headers, and
signatures submitted by an official's staff

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = "'queued', 'sent', 'opened', 'signed', 'bounced', 'unsubscribed'"


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.BigInteger, nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False, server_default="en"),
        sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("roster_person_id", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False, server_default="queued"),
        sa.Column("reminders", sa.Integer, nullable=False, server_default="0"),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("signature_id", sa.BigInteger),
        sa.Column("invited_by", sa.String(254), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("opened_at", sa.DateTime(timezone=True)),
        sa.Column("signed_at", sa.DateTime(timezone=True)),
        sa.Column("bounced_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_invitations_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_invitations_signature_id_signatures"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("campaign_id", "email", name=op.f("uq_invitations_campaign_email")),
        sa.CheckConstraint(f"status IN ({STATES})", name=op.f("ck_invitations_status")),
        sa.CheckConstraint(
            "source IN ('csv', 'earlier', 'roster')", name=op.f("ck_invitations_source")
        ),
        sa.CheckConstraint("reminders BETWEEN 0 AND 2", name=op.f("ck_invitations_reminders")),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_invitations_email_lower")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
    )
    op.create_table(
        "email_unsubscribes",
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("campaign_id", sa.Integer),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_email_unsubscribes_campaign_id_campaigns"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_email_unsubscribes_email_lower")),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_email_unsubscribes")),
    )
    op.create_table(
        "staff_submissions",
        sa.Column("signature_id", sa.BigInteger, nullable=False),
        sa.Column("submitter_name", sa.String(200), nullable=False),
        sa.Column("submitter_email", sa.String(254), nullable=False),
        sa.Column("official_email", sa.String(254), nullable=False),
        sa.Column("confirmation_to", sa.String(20), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_staff_submissions_signature_id_signatures"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "confirmation_to IN ('roster', 'submitter')",
            name=op.f("ck_staff_submissions_confirmation_to"),
        ),
        sa.PrimaryKeyConstraint("signature_id", name=op.f("pk_staff_submissions")),
    )
    op.add_column("email_outbox", sa.Column("invitation_id", sa.BigInteger))
    op.add_column("email_outbox", sa.Column("headers", JSONB))
    op.create_index(
        "ix_email_outbox_pending_invitations",
        "email_outbox",
        ["id"],
        postgresql_where=sa.text("status = 'pending' AND invitation_id IS NOT NULL"),
    )
    op.create_foreign_key(
        "fk_email_outbox_invitation_id_invitations",
        "email_outbox",
        "invitations",
        ["invitation_id"],
        ["id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_email_outbox_invitation_id_invitations", "email_outbox", type_="foreignkey"
    )
    op.drop_index("ix_email_outbox_pending_invitations", table_name="email_outbox")
    op.drop_column("email_outbox", "headers")
    op.drop_column("email_outbox", "invitation_id")
    op.drop_table("staff_submissions")
    op.drop_table("email_unsubscribes")
    op.drop_table("invitations")
