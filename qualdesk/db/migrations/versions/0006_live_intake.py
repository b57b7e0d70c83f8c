"""live intake: sources, deliveries, refusals, activity, contact ids

Additive only (new tables), so clients of 0005 keep working while it runs. The
uniqueness the receiver relies on lives here: one delivery per (source, sha256 of the
raw body), one ``json`` event per (source, event_id), one lead per (source, sender's
contact id), one rate slot per (source, key, minute). Several receivers behind a load
balancer therefore never keep a delivery twice.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

from qualdesk.db.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_keys")),
    )
    op.create_table(
        "intake_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("campaign", sa.String(length=120), nullable=True),
        sa.Column("hand_raise", sa.String(length=40), nullable=True),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("secret_enc", sa.Text(), nullable=True),
        sa.Column("allowed_redirects", sa.JSON(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), server_default=sa.text("60"), nullable=False),
        sa.Column("rate_per_address", sa.Integer(), server_default=sa.text("5"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("secret_set_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["key_id"], ["intake_keys.id"],
                                name=op.f("fk_intake_sources_key_id_intake_keys")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_intake_sources_name")),
    )
    op.create_table(
        "intake_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("events", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("test", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["intake_sources.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_deliveries_source_id_intake_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_deliveries")),
        sa.UniqueConstraint("source_id", "body_sha256", name="uq_intake_deliveries_body"),
    )
    op.create_index(op.f("ix_intake_deliveries_received_at"), "intake_deliveries",
                    ["received_at"], unique=False)
    op.create_table(
        "intake_event_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["intake_deliveries.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_event_ids_delivery_id_intake_deliveries")),
        sa.ForeignKeyConstraint(["source_id"], ["intake_sources.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_event_ids_source_id_intake_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_event_ids")),
        sa.UniqueConstraint("source_id", "event_id", name="uq_intake_event_ids_event"),
    )
    op.create_index(op.f("ix_intake_event_ids_delivery_id"), "intake_event_ids",
                    ["delivery_id"], unique=False)
    op.create_table(
        "intake_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(length=80), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["intake_sources.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_refusals_source_id_intake_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_refusals")),
    )
    op.create_index("ix_intake_refusals_source_at", "intake_refusals", ["source_id", "at"],
                    unique=False)
    op.create_table(
        "intake_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_contacts_lead_id_leads")),
        sa.ForeignKeyConstraint(["source_id"], ["intake_sources.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_contacts_source_id_intake_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_contacts")),
        sa.UniqueConstraint("source_id", "external_id", name="uq_intake_contacts_external"),
    )
    op.create_index(op.f("ix_intake_contacts_lead_id"), "intake_contacts", ["lead_id"],
                    unique=False)
    op.create_table(
        "intake_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["intake_sources.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_rates_source_id_intake_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_rates")),
        sa.UniqueConstraint("source_id", "key", "minute", name="uq_intake_rates_slot"),
    )
    op.create_table(
        "intake_test_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["intake_sources.id"], ondelete="CASCADE",
                                name=op.f("fk_intake_test_tokens_source_id_intake_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_test_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_intake_test_tokens_token_sha256")),
    )
    op.create_table(
        "lead_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("hand_raise_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hand_raise_id"], ["hand_raises.id"], ondelete="SET NULL",
                                name=op.f("fk_lead_activity_hand_raise_id_hand_raises")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE",
                                name=op.f("fk_lead_activity_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_activity")),
    )
    op.create_index("ix_lead_activity_lead_at", "lead_activity", ["lead_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_lead_activity_lead_at", table_name="lead_activity")
    op.drop_table("lead_activity")
    op.drop_table("intake_test_tokens")
    op.drop_table("intake_rates")
    op.drop_index(op.f("ix_intake_contacts_lead_id"), table_name="intake_contacts")
    op.drop_table("intake_contacts")
    op.drop_index("ix_intake_refusals_source_at", table_name="intake_refusals")
    op.drop_table("intake_refusals")
    op.drop_index(op.f("ix_intake_event_ids_delivery_id"), table_name="intake_event_ids")
    op.drop_table("intake_event_ids")
    op.drop_index(op.f("ix_intake_deliveries_received_at"), table_name="intake_deliveries")
    op.drop_table("intake_deliveries")
    op.drop_table("intake_sources")
    op.drop_table("intake_keys")
