"""roles enforced by the database: policies, audit triggers, e-mail identity

Placeholder reserved for issue #21 so parallel work keeps a linear chain; its owner
fills it in (until then it changes nothing).

Revision ID: 0007
Revises: 0006
"""
from alembic import op  # noqa: F401

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
