"""partial index on hand raises still waiting for their follow-up

Additive (clients of 0002 keep working): the queue's slice and the claim look only at
hand raises without both a first call and a first email, ordered by deadline.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = "first_call_at IS NULL OR first_email_at IS NULL"


def upgrade() -> None:
    op.create_index("ix_hand_raises_open_deadline", "hand_raises", ["deadline_at"], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index("ix_hand_raises_open_deadline", table_name="hand_raises")
