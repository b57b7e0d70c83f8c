"""roles follow-ups

Placeholder reserved for issue  retry keys and sales guards:#21 so parallel work keeps a linear chain; its owner
fills it in (until then it changes nothing).

Revision ID: 0010
Revises: 0009
"""
from alembic import op  # noqa: F401

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
