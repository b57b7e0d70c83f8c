"""real calls: SIP call records on attempts, voicemail recordings, SIP accounts, phone states

Additive only, so clients of 0007 keep working while it runs:
- ``attempts.answered_at`` and ``attempts.sip_code``: a call placed through the app's
  phone keeps when it was answered and its SIP final code (start and end were there);
- ``voicemail_recordings``: each rep's recorded voicemail per campaign (the WAV sits
  beside the database; this is its name, length in ms and checksum);
- ``sip_accounts``: a rep's optional SIP account (password in the OS keyring);
- ``phone_states``: what each rep's phone is doing, for the floor.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

from qualdesk.db.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("answered_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("sip_code", sa.Integer(), nullable=True))
    op.create_table(
        "voicemail_recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE",
                                name=op.f("fk_voicemail_recordings_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["rep_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_voicemail_recordings_rep_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voicemail_recordings")),
    )
    op.create_index("ix_voicemail_recordings_rep", "voicemail_recordings",
                    ["rep_id", "campaign_id"], unique=False)
    op.create_table(
        "sip_accounts",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("registrar", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("outbound_proxy", sa.String(length=255), nullable=True),
        sa.Column("transport", sa.String(length=8), server_default="udp", nullable=False),
        sa.ForeignKeyConstraint(["rep_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_sip_accounts_rep_id_users")),
        sa.PrimaryKeyConstraint("rep_id", name=op.f("pk_sip_accounts")),
    )
    op.create_table(
        "phone_states",
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="SET NULL",
                                name=op.f("fk_phone_states_lead_id_leads")),
        sa.ForeignKeyConstraint(["rep_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_phone_states_rep_id_users")),
        sa.PrimaryKeyConstraint("rep_id", name=op.f("pk_phone_states")),
    )


def downgrade() -> None:
    op.drop_table("phone_states")
    op.drop_table("sip_accounts")
    op.drop_index("ix_voicemail_recordings_rep", table_name="voicemail_recordings")
    op.drop_table("voicemail_recordings")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("sip_code")
        batch.drop_column("answered_at")
