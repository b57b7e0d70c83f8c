"""notify other clients of writes; partial index for claims

Additive only, so clients of 0001 keep working while it runs:
- PostgreSQL: a trigger on ``change_log`` INSERT sends
  ``pg_notify('qualdesk_changes', kind || ':' || lead_id)`` so clients refresh at once
  instead of waiting for their next poll.
- Both engines: a partial index on unclaimed leads for ``claim_next``.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION qualdesk_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('qualdesk_changes', NEW.kind || ':' || coalesce(NEW.lead_id::text, ''));
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    op.create_index("ix_leads_unclaimed", "leads", ["id"], unique=False,
                    postgresql_where=sa.text("claimed_by_id IS NULL"),
                    sqlite_where=sa.text("claimed_by_id IS NULL"))
    if bind.dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute("DROP TRIGGER IF EXISTS qualdesk_change_notify ON change_log")
        op.execute(
            "CREATE TRIGGER qualdesk_change_notify AFTER INSERT ON change_log "
            "FOR EACH ROW EXECUTE FUNCTION qualdesk_notify_change()"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS qualdesk_change_notify ON change_log")
        op.execute("DROP FUNCTION IF EXISTS qualdesk_notify_change()")
    op.drop_index("ix_leads_unclaimed", table_name="leads")
