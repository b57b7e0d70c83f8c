"""indexes in the queue's own order, for the server-side claim

Additive for clients of 0003 (they only lose the plain open-deadline index, which the
new in-clock index replaces: same leading column, same condition):
- hand raises still open, by (deadline, strength DESC, lead) and by (raised DESC,
  strength DESC, lead): a claim walks the in-clock and the breached tiers in order;
- callbacks not done, by (due, lead): the callback tier.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OPEN = "first_call_at IS NULL OR first_email_at IS NULL"
NOT_DONE = "done_at IS NULL"


def upgrade() -> None:
    op.create_index("ix_hand_raises_open_clock", "hand_raises",
                    ["deadline_at", sa.text("strength DESC"), "lead_id"], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index("ix_hand_raises_open_recent", "hand_raises",
                    [sa.text("raised_at DESC"), sa.text("strength DESC"), "lead_id"], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index("ix_callbacks_open_due", "callbacks", ["due_at", "lead_id"], unique=False,
                    postgresql_where=sa.text(NOT_DONE), sqlite_where=sa.text(NOT_DONE))
    op.drop_index("ix_hand_raises_open_deadline", table_name="hand_raises")


def downgrade() -> None:
    op.create_index("ix_hand_raises_open_deadline", "hand_raises", ["deadline_at"], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.drop_index("ix_callbacks_open_due", table_name="callbacks")
    op.drop_index("ix_hand_raises_open_recent", table_name="hand_raises")
    op.drop_index("ix_hand_raises_open_clock", table_name="hand_raises")
