"""team-lead tools: import layouts and admin settings

Placeholder reserved for issue #19 so parallel work keeps a linear chain; its owner
fills it in (until then it changes nothing).

Revision ID: 0009
Revises: 0008
"""
from alembic import op  # noqa: F401

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
