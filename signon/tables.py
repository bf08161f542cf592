"""The schema, as SQLAlchemy Core metadata. Alembic reads it; migrations must match it.

Constraints live here, in the database, not only in Python: lengths are varchar limits,
lifecycle states are CHECKed values, and one signature per (campaign, email) is a unique
constraint (emails are stored normalized and lower-cased by signatures.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from signon.offices import OFFICE_LEVELS, OfficeLevel
from signon.vocabulary import (
    AutoVerify,
    CampaignKind,
    CampaignStatus,
    OutboxStatus,
    RenderStatus,
    SignatureStatus,
    StaffRole,
    Strength,
)

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The values of each word, in order, for the forms' choices and `in` checks (a plain
# string is not `in` a StrEnum class before Python 3.12).
STAFF_ROLES = tuple(StaffRole)
CAMPAIGN_KINDS = tuple(CampaignKind)
CAMPAIGN_STATES = tuple(CampaignStatus)
AUTO_VERIFY_POLICIES = tuple(AutoVerify)
SIGNATURE_STATES = tuple(SignatureStatus)
EVIDENCE_STRENGTHS = tuple(Strength)
OUTBOX_STATES = tuple(OutboxStatus)
INVITATION_STATES = ("queued", "sent", "opened", "signed", "bounced", "unsubscribed")
INVITATION_SOURCES = ("csv", "earlier", "roster")
MAX_REMINDERS = 2


def _one_of(column: str, values: Iterable[str]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def _now() -> sa.TextClause:
    return sa.text("now()")


staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False, server_default=StaffRole.STAFF),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
    # Raised on logout, disabling and password changes: sessions carrying an older value
    # are no longer valid, though their signed cookies have not expired.
    sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
    sa.CheckConstraint(_one_of("role", StaffRole), name="role"),
    sa.CheckConstraint("email = lower(email)", name="email_lower"),
)

# Failed logins, kept in the database so every web process sees the same throttle.
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("key", sa.String(300), nullable=False),
    sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Index("ix_login_failures_key_failed_at", "key", "failed_at"),
    sa.Index("ix_login_failures_failed_at", "failed_at"),
)

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("url", sa.String(500)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
)

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(80), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False, server_default=CampaignKind.LETTER),
    sa.Column("status", sa.String(20), nullable=False, server_default=CampaignStatus.DRAFT),
    sa.Column("summary", sa.String(1000), nullable=False, server_default=""),
    sa.Column("goal", sa.Integer),
    sa.Column("opens_at", sa.DateTime(timezone=True)),
    sa.Column("closes_at", sa.DateTime(timezone=True)),
    sa.Column(
        "allowed_levels",
        ARRAY(sa.String(30)),
        nullable=False,
        server_default=sa.text("ARRAY[" + ", ".join(f"'{lv}'" for lv in OFFICE_LEVELS) + "]"),
    ),
    sa.Column("auto_verify", sa.String(20), nullable=False, server_default=AutoVerify.STRONG),
    sa.Column("text_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("staff.id")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("opened_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Column("delivered_sha256", sa.String(64)),
    sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
    sa.CheckConstraint(_one_of("kind", CampaignKind), name="kind"),
    sa.CheckConstraint(_one_of("status", CampaignStatus), name="status"),
    sa.CheckConstraint(_one_of("auto_verify", AutoVerify), name="auto_verify"),
    sa.CheckConstraint("goal IS NULL OR goal > 0", name="goal_positive"),
    sa.CheckConstraint(
        "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="dates_order"
    ),
    sa.CheckConstraint(
        "allowed_levels <@ ARRAY[" + ", ".join(f"'{lv}'" for lv in OFFICE_LEVELS) + "]"
        "::varchar[] AND cardinality(allowed_levels) > 0",
        name="allowed_levels",
    ),
)

# Every wording a campaign has had. Signatures record the version they signed.
campaign_texts = sa.Table(
    "campaign_texts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body_markdown", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text, nullable=False),
    sa.Column("addressee", sa.String(500), nullable=False, server_default=""),
    sa.Column("salutation", sa.String(200), nullable=False, server_default=""),
    sa.Column("sign_off", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("staff.id")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.UniqueConstraint("campaign_id", "version", name="uq_campaign_texts_campaign_version"),
    sa.CheckConstraint("version > 0", name="version_positive"),
    sa.CheckConstraint("length(body_markdown) <= 100000", name="body_length"),
)

campaign_sponsors = sa.Table(
    "campaign_sponsors",
    metadata,
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("organization_id", sa.Integer, sa.ForeignKey("organizations.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
)

signatures = sa.Table(
    "signatures",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("office_level", sa.String(30), nullable=False),
    sa.Column("jurisdiction", sa.String(200), nullable=False),
    sa.Column("state", sa.String(2), nullable=False),
    sa.Column("district", sa.String(100)),
    sa.Column("division_id", sa.String(300)),
    # The division staff chose in "Edit office" (audited): evidence resolves to it instead
    # of reading the typed jurisdiction again.
    sa.Column("chosen_division_id", sa.String(300)),
    sa.Column("phone", sa.String(40)),
    sa.Column("organization", sa.String(200)),
    sa.Column("status", sa.String(20), nullable=False, server_default=SignatureStatus.UNCONFIRMED),
    sa.Column("text_version", sa.Integer, nullable=False),
    # A repeat submission's details, waiting for confirmation from the same email.
    sa.Column("pending_change", JSONB(none_as_null=True)),
    # Rotated whenever a confirmation link is used or replaced, so each works once.
    sa.Column("token_nonce", sa.String(64), nullable=False),
    # The withdraw link's own nonce: it survives confirmation and rotates on withdrawal.
    sa.Column("withdraw_nonce", sa.String(64), nullable=False),
    # The language the signer used, for the emails they receive.
    sa.Column("locale", sa.String(8), nullable=False, server_default="en"),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.Column("verified_by", sa.Integer, sa.ForeignKey("staff.id")),
    sa.Column("decision_reason", sa.String(1000)),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("campaign_id", "email", name="uq_signatures_campaign_email"),
    sa.CheckConstraint(_one_of("status", SignatureStatus), name="status"),
    sa.CheckConstraint(_one_of("office_level", OfficeLevel), name="office_level"),
    sa.CheckConstraint("state ~ '^[A-Z]{2}$'", name="state_code"),
    sa.CheckConstraint("email = lower(email)", name="email_lower"),
    sa.Index("ix_signatures_campaign_status_state", "campaign_id", "status", "state"),
)

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column(
        "signature_id",
        sa.BigInteger,
        sa.ForeignKey("signatures.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("strength", sa.String(20), nullable=False),
    sa.Column("detail", sa.String(2000), nullable=False),
    sa.Column("dataset", sa.String(50)),
    sa.Column("dataset_imported_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.CheckConstraint(_one_of("strength", Strength), name="strength"),
)

# Outgoing email, written in the same transaction as the change that causes it.
email_outbox = sa.Table(
    "email_outbox",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("to_address", sa.String(254), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body_text", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("signature_id", sa.BigInteger, sa.ForeignKey("signatures.id", ondelete="SET NULL")),
    sa.Column("status", sa.String(20), nullable=False, server_default=OutboxStatus.PENDING),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("last_error", sa.String(2000)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    # An invitation's or reminder's message: sent at INVITE_RATE, a bounce marks it.
    sa.Column("invitation_id", sa.BigInteger, sa.ForeignKey("invitations.id", ondelete="CASCADE")),
    # Extra headers (List-Unsubscribe and its One-Click post, the campaign's From name).
    sa.Column("headers", JSONB(none_as_null=True)),
    sa.CheckConstraint(_one_of("status", OutboxStatus), name="status"),
    sa.Index("ix_email_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    # The worker takes the next pending invitation in id order, one at a time: without
    # this, each look skips every message already sent (bench/invite_bench.py).
    sa.Index(
        "ix_email_outbox_pending_invitations",
        "id",
        postgresql_where=sa.text("status = 'pending' AND invitation_id IS NOT NULL"),
    ),
    # The daily cap per address (signing/new_signatures.py, signing/signatures.py).
    sa.Index("ix_email_outbox_to_address_created_at", "to_address", "created_at"),
)

# Every delivery attempt of an outbox message, successful or not.
email_attempts = sa.Table(
    "email_attempts",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column(
        "outbox_id",
        sa.BigInteger,
        sa.ForeignKey("email_outbox.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("error", sa.String(2000)),
)

# Open Civic Data division ids (imported; see the verification issue), for jurisdiction
# suggestions and for resolving a claimed jurisdiction.
divisions = sa.Table(
    "divisions",
    metadata,
    sa.Column("id", sa.String(300), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    # Lower-cased, accents removed: what suggestions match a typed prefix against.
    sa.Column("name_key", sa.String(300), nullable=False),
    sa.Column("state", sa.String(2)),
    sa.Column("type", sa.String(50), nullable=False),
    sa.Column("same_as", sa.String(300)),
    sa.Column("valid_through", sa.String(20)),
    sa.Column("census_geoid", sa.String(50)),
    sa.Column("openstates_district", sa.String(100)),
    sa.Index(
        "ix_divisions_state_name_key",
        "state",
        "name_key",
        postgresql_ops={"name_key": "varchar_pattern_ops"},
    ),
)

# --- Public datasets (imported by `signon import ...`; see SOURCES.md in shared/data) ---

DATASET_NAMES = ("dotgov", "ocd", "openstates", "congress", "govturls")

# One row per dataset: what was last imported, from which file, when.
datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("skipped_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("seconds", sa.Float, nullable=False, server_default="0"),
    sa.CheckConstraint(_one_of("name", DATASET_NAMES), name="name"),
)

# The .gov registry (cisagov/dotgov-data current-full.csv).
dotgov_domains = sa.Table(
    "dotgov_domains",
    metadata,
    sa.Column("domain", sa.String(253), primary_key=True),
    sa.Column("domain_type", sa.String(100), nullable=False),
    sa.Column("organization", sa.String(300), nullable=False),
    sa.Column("suborganization", sa.String(300)),
    sa.Column("city", sa.String(200)),
    sa.Column("state", sa.String(2)),
)

# The GSA's list of government domains outside .gov (GSA/govt-urls 1_govt_urls_full.csv).
govt_domains = sa.Table(
    "govt_domains",
    metadata,
    # As listed, lower-cased: "a2gov.org", or with a path ("bowmannd.com/city").
    sa.Column("address", sa.String(300), primary_key=True),
    sa.Column("domain", sa.String(253), nullable=False, index=True),
    sa.Column("path", sa.String(300)),
    # The government, read from the free-text Comments ("City of Ann Arbor"); NULL when
    # the comment names none.
    sa.Column("government", sa.String(300)),
    sa.Column("government_type", sa.String(60), nullable=False),
    sa.Column("state", sa.String(2)),
    sa.Column("comments", sa.String(2000)),
    sa.Column("date_added", sa.String(20)),
)

# Open States people: one row per person file, current or retired.
roster_people = sa.Table(
    "roster_people",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("given_name", sa.String(200)),
    sa.Column("family_name", sa.String(200)),
    sa.Column("other_names", ARRAY(sa.String(300)), nullable=False, server_default="{}"),
    # The person's own addresses (lower-cased), from `email` and `offices`.
    sa.Column("emails", ARRAY(sa.String(254)), nullable=False, server_default="{}"),
    # Addresses found in `extras` (staff, aides): never the person's own.
    sa.Column("staff_emails", ARRAY(sa.String(254)), nullable=False, server_default="{}"),
    sa.Column("state", sa.String(2), nullable=False),
    # Filed under retired/ upstream.
    sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("source", sa.String(300), nullable=False),
    # The evidence engine finds a confirmed email's people with @> at every confirmation.
    sa.Index("ix_roster_people_emails", "emails", postgresql_using="gin"),
    sa.Index("ix_roster_people_staff_emails", "staff_emails", postgresql_using="gin"),
)

roster_roles = sa.Table(
    "roster_roles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "person_id",
        sa.String(100),
        sa.ForeignKey("roster_people.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # upper, lower, legislature, mayor, governor, ...
    sa.Column("type", sa.String(50), nullable=False),
    sa.Column("district", sa.String(100)),
    sa.Column("jurisdiction", sa.String(300), nullable=False),
    # The seat's OCD division (state:wi/sldl:15, state:wi/place:milwaukee) when known.
    sa.Column("division_id", sa.String(300), index=True),
    sa.Column("title", sa.String(200)),
    # ISO dates as the YAML gives them; end_date is empty for a current role.
    sa.Column("start_date", sa.String(10)),
    sa.Column("end_date", sa.String(10)),
)

# Vacant seats, from Open States' settings.yml.
roster_vacancies = sa.Table(
    "roster_vacancies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("state", sa.String(2), nullable=False),
    sa.Column("chamber", sa.String(20), nullable=False),
    sa.Column("district", sa.String(100), nullable=False),
    sa.Column("vacant_until", sa.String(10)),
)

# Current members of Congress (unitedstates/congress-legislators), for state packets.
congress_members = sa.Table(
    "congress_members",
    metadata,
    sa.Column("bioguide", sa.String(20), primary_key=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("first_name", sa.String(100), nullable=False),
    sa.Column("last_name", sa.String(100), nullable=False),
    sa.Column("state", sa.String(2), nullable=False, index=True),
    sa.Column("chamber", sa.String(3), nullable=False),
    # 0 is at-large; null for senators.
    sa.Column("district", sa.Integer),
    sa.Column("party", sa.String(50)),
    sa.Column("term_start", sa.String(10), nullable=False),
    sa.Column("term_end", sa.String(10), nullable=False),
    sa.CheckConstraint("chamber IN ('sen', 'rep')", name="chamber"),
)

# --- Public counts and the delivered letter ---

# Verified signatures per (campaign, state). Kept by the trigger signon_count_signature
# (migration 0003) in the same transaction as every change of a signature's status or
# state, so it cannot drift; reading the count never scans signatures.
campaign_counts = sa.Table(
    "campaign_counts",
    metadata,
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("state", sa.String(2), primary_key=True),
    sa.Column("verified", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.CheckConstraint("verified >= 0", name="verified_not_negative"),
)

# The PDF as delivered: frozen, byte for byte.
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("signer_count", sa.Integer, nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("delivered_by", sa.Integer, sa.ForeignKey("staff.id")),
)

PDF_RENDER_STATES = tuple(RenderStatus)

# Rendered PDFs, reused until the text or the signatory list changes (the fingerprint).
pdf_renders = sa.Table(
    "pdf_renders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # "letter", "state:WI" (the letter's WI signers) or "packet:WI" (addressed to WI's delegation).
    sa.Column("variant", sa.String(20), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default=RenderStatus.PENDING),
    sa.Column("pdf", sa.LargeBinary),
    sa.Column("error", sa.String(2000)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    # Bumped every few seconds while the render runs: a pending row whose heartbeat stopped
    # lost its process, and the next request takes it over (signon/letter/renders.py).
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint(
        "campaign_id", "variant", "fingerprint", name="uq_pdf_renders_campaign_variant_fingerprint"
    ),
    sa.CheckConstraint(_one_of("status", RenderStatus), name="status"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id")),
    # Who acted, in words: a staff member's email, "cli", "signer" or "system".
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("object_type", sa.String(50), nullable=False),
    sa.Column("object_id", sa.String(100)),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="SET NULL")),
    sa.Column("before", JSONB(none_as_null=True)),
    sa.Column("after", JSONB(none_as_null=True)),
    sa.Index("ix_audit_log_at", "at"),
)

invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    # The invitee's language for the emails (en, es).
    sa.Column("locale", sa.String(8), nullable=False, server_default="en"),
    # What the sign page is filled in with: the signature fields the import gave.
    sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("source", sa.String(20), nullable=False),
    # Invited from the roster: the person whose roster email this is.
    sa.Column("roster_person_id", sa.String(100)),
    sa.Column("status", sa.String(20), nullable=False, server_default="queued"),
    sa.Column("reminders", sa.Integer, nullable=False, server_default="0"),
    # Signed into the link's token: replacing it revokes every link sent.
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("signature_id", sa.BigInteger, sa.ForeignKey("signatures.id", ondelete="SET NULL")),
    sa.Column("invited_by", sa.String(254), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("opened_at", sa.DateTime(timezone=True)),
    sa.Column("signed_at", sa.DateTime(timezone=True)),
    sa.Column("bounced_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("campaign_id", "email", name="uq_invitations_campaign_email"),
    sa.CheckConstraint(_one_of("status", INVITATION_STATES), name="status"),
    sa.CheckConstraint(_one_of("source", INVITATION_SOURCES), name="source"),
    sa.CheckConstraint(f"reminders BETWEEN 0 AND {MAX_REMINDERS}", name="reminders"),
    sa.CheckConstraint("email = lower(email)", name="email_lower"),
)

# Addresses that asked for no more invitations: from any campaign, for good.
email_unsubscribes = sa.Table(
    "email_unsubscribes",
    metadata,
    sa.Column("email", sa.String(254), primary_key=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="SET NULL")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.CheckConstraint("email = lower(email)", name="email_lower"),
)

# A signature submitted by the official's staff (SPEC section 7): who submitted it, and
# whether its confirmation went to the official's roster email or to the submitter.
staff_submissions = sa.Table(
    "staff_submissions",
    metadata,
    sa.Column(
        "signature_id",
        sa.BigInteger,
        sa.ForeignKey("signatures.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("submitter_name", sa.String(200), nullable=False),
    sa.Column("submitter_email", sa.String(254), nullable=False),
    # The official's address as the submitter typed it.
    sa.Column("official_email", sa.String(254), nullable=False),
    sa.Column("confirmation_to", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    sa.CheckConstraint(_one_of("confirmation_to", ("roster", "submitter")), name="confirmation_to"),
)
