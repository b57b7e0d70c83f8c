"""real calls: SIP call records on attempts, voicemail recordings

Placeholder reserved for issue #18 so parallel work keeps a linear chain; its owner
fills it in (until then it changes nothing).

Revision ID: 0008
Revises: 0007
"""
from alembic import op  # noqa: F401

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
