"""datasets, counts, deliveries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:24:53.897172
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Keeps campaign_counts equal to the verified signatures per (campaign, state), inside the
# transaction that changes a signature. tests/public/test_counts.py checks it against a recount.
COUNT_FUNCTION = """
CREATE FUNCTION signon_count_signature() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'verified' THEN
        UPDATE campaign_counts SET verified = verified - 1, updated_at = now()
        WHERE campaign_id = OLD.campaign_id AND state = OLD.state;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'verified' THEN
        INSERT INTO campaign_counts (campaign_id, state, verified, updated_at)
        VALUES (NEW.campaign_id, NEW.state, 1, now())
        ON CONFLICT (campaign_id, state)
        DO UPDATE SET verified = campaign_counts.verified + 1, updated_at = now();
    END IF;
    RETURN NULL;
END;
$$
"""
COUNT_TRIGGER = """
CREATE TRIGGER signatures_count AFTER INSERT OR DELETE OR UPDATE OF status, state, campaign_id
ON signatures FOR EACH ROW EXECUTE FUNCTION signon_count_signature()
"""


def upgrade() -> None:
    op.create_table(
        "congress_members",
        sa.Column("bioguide", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("chamber", sa.String(length=3), nullable=False),
        sa.Column("district", sa.Integer(), nullable=True),
        sa.Column("party", sa.String(length=50), nullable=True),
        sa.Column("term_start", sa.String(length=10), nullable=False),
        sa.Column("term_end", sa.String(length=10), nullable=False),
        sa.CheckConstraint("chamber IN ('sen', 'rep')", name=op.f("ck_congress_members_chamber")),
        sa.PrimaryKeyConstraint("bioguide", name=op.f("pk_congress_members")),
    )
    op.create_index(op.f("ix_congress_members_state"), "congress_members", ["state"], unique=False)
    op.create_table(
        "datasets",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("seconds", sa.Float(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "name IN ('dotgov', 'ocd', 'openstates', 'congress')", name=op.f("ck_datasets_name")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_datasets")),
    )
    op.create_table(
        "dotgov_domains",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("domain_type", sa.String(length=100), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=False),
        sa.Column("suborganization", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_dotgov_domains")),
    )
    op.create_table(
        "roster_people",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=True),
        sa.Column(
            "other_names",
            postgresql.ARRAY(sa.String(length=300)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "emails", postgresql.ARRAY(sa.String(length=254)), server_default="{}", nullable=False
        ),
        sa.Column(
            "staff_emails",
            postgresql.ARRAY(sa.String(length=254)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("retired", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_people")),
    )
    op.create_table(
        "roster_vacancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("chamber", sa.String(length=20), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("vacant_until", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_vacancies")),
    )
    op.create_table(
        "roster_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=True),
        sa.Column("jurisdiction", sa.String(length=300), nullable=False),
        sa.Column("division_id", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.String(length=10), nullable=True),
        sa.Column("end_date", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["roster_people.id"],
            name=op.f("fk_roster_roles_person_id_roster_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_roles")),
    )
    op.create_index(
        op.f("ix_roster_roles_division_id"), "roster_roles", ["division_id"], unique=False
    )
    op.create_index(op.f("ix_roster_roles_person_id"), "roster_roles", ["person_id"], unique=False)
    op.create_table(
        "campaign_counts",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("verified", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("verified >= 0", name=op.f("ck_campaign_counts_verified_not_negative")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_counts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "state", name=op.f("pk_campaign_counts")),
    )
    op.create_table(
        "deliveries",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_count", sa.Integer(), nullable=False),
        sa.Column(
            "delivered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("delivered_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_deliveries_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivered_by"], ["staff.id"], name=op.f("fk_deliveries_delivered_by_staff")
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_deliveries")),
    )
    op.create_table(
        "pdf_renders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'ready', 'failed')", name=op.f("ck_pdf_renders_status")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_pdf_renders_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pdf_renders")),
        sa.UniqueConstraint(
            "campaign_id",
            "variant",
            "fingerprint",
            name="uq_pdf_renders_campaign_variant_fingerprint",
        ),
    )

    op.execute(COUNT_FUNCTION)
    op.execute(COUNT_TRIGGER)
    # Signatures verified before this migration are counted once here.
    op.execute(
        "INSERT INTO campaign_counts (campaign_id, state, verified) "
        "SELECT campaign_id, state, count(*) FROM signatures WHERE status = 'verified' "
        "GROUP BY campaign_id, state"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER signatures_count ON signatures")
    op.execute("DROP FUNCTION signon_count_signature()")
    op.drop_table("pdf_renders")
    op.drop_table("deliveries")
    op.drop_table("campaign_counts")
    op.drop_index(op.f("ix_roster_roles_person_id"), table_name="roster_roles")
    op.drop_index(op.f("ix_roster_roles_division_id"), table_name="roster_roles")
    op.drop_table("roster_roles")
    op.drop_table("roster_vacancies")
    op.drop_table("roster_people")
    op.drop_table("dotgov_domains")
    op.drop_table("datasets")
    op.drop_index(op.f("ix_congress_members_state"), table_name="congress_members")
    op.drop_table("congress_members")
