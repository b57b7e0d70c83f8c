"""hand raises marked as tests: the intake page's test event stays out of the reports

``hand_raises.is_test`` is set when the row is written (a delivery under a one-use test
token) and can never change afterwards: on PostgreSQL a trigger refuses it for every
login, so nobody can hide a real hand raise from the SLA report by calling it a test.
Additive, so clients of 0010 keep working while it runs.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_GUARD = """
CREATE OR REPLACE FUNCTION qualdesk_hand_raise_test_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.is_test IS DISTINCT FROM OLD.is_test THEN
        RAISE EXCEPTION 'whether a hand raise was a test is fixed when it is written'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER hand_raises_test_fixed BEFORE UPDATE OF is_test ON hand_raises
    FOR EACH ROW EXECUTE FUNCTION qualdesk_hand_raise_test_fixed();
"""


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch: SQLite's batch copies the table and rebuilds its
    # indexes from reflection, which drops the DESC of the queue's partial indexes (0004).
    op.add_column("hand_raises", sa.Column("is_test", sa.Boolean(),
                                           server_default=sa.text("false"), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_GUARD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS hand_raises_test_fixed ON hand_raises")
        op.execute("DROP FUNCTION IF EXISTS qualdesk_hand_raise_test_fixed()")
    op.drop_column("hand_raises", "is_test")
