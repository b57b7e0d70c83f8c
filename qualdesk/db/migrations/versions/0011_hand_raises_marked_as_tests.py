"""hand raises marked as tests

Placeholder reserved for issue #16/#17 so parallel work keeps a linear chain; its owner
fills it in (until then it changes nothing).

Revision ID: 0011
Revises: 0010
"""
from alembic import op  # noqa: F401

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
