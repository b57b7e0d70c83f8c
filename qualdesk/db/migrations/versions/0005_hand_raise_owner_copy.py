"""each open hand raise carries its lead's owner, so a claim walks only its own and free leads

PostgreSQL only (the server-side claim, ``qualdesk.services.claim_pg``, is its only
reader; SQLite clients rank in Python and never look at it):
- ``hand_raises.lead_owner_id``: a copy of ``leads.owner_id``, kept by triggers — when a
  lead's owner changes, and when hand raises are inserted (one statement-level trigger,
  so an import's COPY pays one join, not a call per row). The copy is read under the
  lead's row lock (FOR SHARE) when the lead has an owner, so a hand raise inserted while
  someone reassigns that lead cannot keep the old owner. The functions run as the schema
  owner: a sales login may change an owner without any right on hand_raises.
- the claim's walk in queue order, split by owner: hand raises of leads nobody owns
  (deadline order, most-recent order) and per owner (the same two orders). Claimed leads
  stay owned, so without this every claim walked past every lead the team had taken.

Additive: clients of 0004 keep working while it runs (they never read the column; their
inserts and owner changes go through the triggers like anyone's).

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = "(first_call_at IS NULL OR first_email_at IS NULL)"

# Names the drift test skips: these exist on PostgreSQL only, outside the ORM model.
COLUMN = "lead_owner_id"
INDEXES = {
    "ix_hand_raises_free_clock": f"(deadline_at, strength DESC, lead_id) WHERE {OPEN} AND lead_owner_id IS NULL",
    "ix_hand_raises_free_recent": f"(raised_at DESC, strength DESC, lead_id) WHERE {OPEN} AND lead_owner_id IS NULL",
    "ix_hand_raises_owned_clock": (f"(lead_owner_id, deadline_at, strength DESC, lead_id) "
                                   f"WHERE {OPEN} AND lead_owner_id IS NOT NULL"),
    "ix_hand_raises_owned_recent": (f"(lead_owner_id, raised_at DESC, strength DESC, lead_id) "
                                    f"WHERE {OPEN} AND lead_owner_id IS NOT NULL"),
}

OWNER_CHANGED = """
CREATE OR REPLACE FUNCTION qualdesk_copy_lead_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE hand_raises SET lead_owner_id = NEW.owner_id
    WHERE lead_id = NEW.id AND lead_owner_id IS DISTINCT FROM NEW.owner_id;
    RETURN NULL;
END
$$
"""

RAISES_INSERTED = """
CREATE OR REPLACE FUNCTION qualdesk_copy_owner_to_new_raises() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE hand_raises h SET lead_owner_id = o.owner_id
    FROM new_raises n,
         (SELECT l.id, l.owner_id FROM leads l
          WHERE l.owner_id IS NOT NULL AND l.id IN (SELECT lead_id FROM new_raises)
          FOR SHARE OF l) o
    WHERE h.id = n.id AND o.id = n.lead_id AND h.lead_owner_id IS DISTINCT FROM o.owner_id;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE hand_raises ADD COLUMN {COLUMN} integer")
    op.execute("UPDATE hand_raises h SET lead_owner_id = l.owner_id FROM leads l "
               "WHERE l.id = h.lead_id AND l.owner_id IS NOT NULL")
    op.execute(OWNER_CHANGED)
    op.execute(RAISES_INSERTED)
    op.execute("CREATE TRIGGER qualdesk_lead_owner AFTER UPDATE OF owner_id ON leads FOR EACH ROW "
               "WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) "
               "EXECUTE FUNCTION qualdesk_copy_lead_owner()")
    op.execute("CREATE TRIGGER qualdesk_new_raises_owner AFTER INSERT ON hand_raises "
               "REFERENCING NEW TABLE AS new_raises FOR EACH STATEMENT "
               "EXECUTE FUNCTION qualdesk_copy_owner_to_new_raises()")
    for name, body in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON hand_raises {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP TRIGGER IF EXISTS qualdesk_new_raises_owner ON hand_raises")
    op.execute("DROP TRIGGER IF EXISTS qualdesk_lead_owner ON leads")
    op.execute("DROP FUNCTION IF EXISTS qualdesk_copy_owner_to_new_raises()")
    op.execute("DROP FUNCTION IF EXISTS qualdesk_copy_lead_owner()")
    op.execute(f"ALTER TABLE hand_raises DROP COLUMN IF EXISTS {COLUMN}")
