"""live intake: sources, deliveries, refusals, activity, contact ids

Placeholder reserved for issue #16 so parallel work keeps a linear chain; its owner
fills it in (until then it changes nothing).

Revision ID: 0006
Revises: 0005
"""
from alembic import op  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
