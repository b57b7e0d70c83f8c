"""roles follow-ups: retry keys, sales guarded by the database, audit actions the database vouches for

Both engines:
- ``write_keys``: the idempotency key of a write the client may retry after a lost
  commit (a BANT save, a turn-over, a callback, a note, a designation change; calls and
  follow-ups keep theirs on ``attempts.idempotency_key``). The key is written in the
  same transaction as the change, so a replay that finds it knows the change is in
  (``services.retry_keys``). Its primary key makes a concurrent replay fail instead of
  doubling.
- ``audit_log.reason``: words the client adds to an audit row, shown as the client's.

PostgreSQL only (SQLite has no logins):
- A sales login (``qualdesk_guard_sales``) changes only leads turned over to its own
  person (the lead's latest turn-over names it), and on those only what a verdict
  changes: the designation (turned over -> accepted or incubating), the owner (back to
  the qualifying rep), the re-touch date, the claim (ended); the turn-over's verdict and
  outcome; the opportunity; the incubation note; the callbacks' scope. Calls, BANT,
  e-mail and everything else stay refused by the grants (``pg_roles``).
- The audit action: ``audit_requests`` files a row under its action only when that
  (action, field) is something the app records (its ``known`` list); anything else
  is filed as ``declared`` with the client's words in ``reason``. At commit a deferred
  trigger (``qualdesk_audit_check``) refuses the transaction when the database did not
  see the change the row names in this same transaction (an attempt with that
  disposition, a designation change to that value, the lead's owner or claim now being
  that person, the note, callback, turn-over, qualification, e-mail...). A client can
  add words; it cannot make the log say something happened that did not.
- ``write_keys`` rows written with a rep's login are that rep's (0007's person guard).

Revision ID: 0010
Revises: 0009
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from qualdesk.db.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Sales' verdicts are made on leads whose latest turn-over names the login's person.
SALES = r"""
CREATE OR REPLACE FUNCTION qualdesk_sales_lead(lead integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT COALESCE((
        SELECT t.to_user_id = qualdesk_me()
               OR (t.to_user_id IS NULL
                   AND lower(t.to_owner) = lower((SELECT name FROM users WHERE id = qualdesk_me())))
        FROM turnovers t WHERE t.lead_id = lead ORDER BY t.id DESC LIMIT 1), false)
$$;

CREATE OR REPLACE FUNCTION qualdesk_guard_sales() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    me integer;
    lead integer;
    verdict text[] := ARRAY['designation', 'owner_id', 'retouch_at', 'retouch_reason',
                            'claimed_by_id', 'claimed_at', 'lease_expires_at', 'updated_at',
                            'version', 'last_hand_raise_at'];
    said text[] := ARRAY['verdict', 'verdict_at', 'verdict_reason', 'outcome', 'outcome_at'];
BEGIN
    IF qualdesk_login_role() IS DISTINCT FROM 'sales' THEN
        RETURN NEW;
    END IF;
    me := qualdesk_me();
    IF me IS NULL THEN
        RAISE EXCEPTION 'this database login (%) belongs to nobody: it may read, not change anything (ask a team lead to link it to a person)',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    lead := CASE WHEN TG_TABLE_NAME = 'leads' THEN NEW.id ELSE (to_jsonb(NEW) ->> 'lead_id')::integer END;
    IF NOT qualdesk_sales_lead(lead) THEN
        RAISE EXCEPTION 'lead % is not turned over to you: a sales login changes only the leads handed to it',
            lead USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_TABLE_NAME = 'leads' THEN
        IF TG_OP <> 'UPDATE' OR OLD.designation NOT IN ('turned_over', 'accepted')
           OR NEW.designation NOT IN ('turned_over', 'accepted', 'incubating')
           OR (to_jsonb(NEW) - verdict) IS DISTINCT FROM (to_jsonb(OLD) - verdict) THEN
            RAISE EXCEPTION 'lead %: a sales login gives a verdict (accept, or reject back to the qualifying team); it does not edit the lead',
                NEW.id USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF TG_TABLE_NAME = 'turnovers' THEN
        IF (to_jsonb(NEW) - said) IS DISTINCT FROM (to_jsonb(OLD) - said) THEN
            RAISE EXCEPTION 'turn-over %: a sales login records its verdict and outcome, nothing else',
                NEW.id USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF TG_TABLE_NAME = 'designation_history' THEN
        IF NEW.from_designation IS DISTINCT FROM 'turned_over'
           OR NEW.to_designation NOT IN ('accepted', 'incubating')
           OR NEW.by_id IS DISTINCT FROM me THEN
            RAISE EXCEPTION 'lead %: a sales login moves a turned-over lead to accepted or incubating, as itself',
                NEW.lead_id USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF TG_TABLE_NAME = 'notes' THEN
        IF TG_OP <> 'INSERT' OR NEW.author_id IS DISTINCT FROM me THEN
            RAISE EXCEPTION 'lead %: a sales login adds its own verdict note only',
                NEW.lead_id USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF TG_TABLE_NAME = 'callbacks' THEN
        IF (to_jsonb(NEW) - 'scope') IS DISTINCT FROM (to_jsonb(OLD) - 'scope') THEN
            RAISE EXCEPTION 'lead %: a sales login may only open a callback to the team',
                NEW.lead_id USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
"""
SALES_TABLES = ("leads", "turnovers", "designation_history", "notes", "callbacks",
                "opportunities")

AUDIT = r"""
-- Did this transaction make the change the audit row names? (Rows this transaction
-- wrote carry its id in xmin; the app uses no savepoints.) One statement per branch: a
-- single CASE over every table would set up all its subplans on each call (~190 us a
-- row, against ~15).
-- Called by qualdesk_audit_check (SECURITY DEFINER, its search_path) only.
CREATE OR REPLACE FUNCTION qualdesk_audit_seen(a public.audit_log) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    x bigint := pg_current_xact_id()::text::bigint % 4294967296;
    act text := a.action;
    mine boolean;
    owner_name text;
    claimer text;
    l_owner integer;
    l_claimer integer;
    l_state text;
BEGIN
    IF a.lead_id IS NULL OR act = 'hold override' THEN
        RETURN qualdesk_login_role() IN ('lead', 'admin');
    ELSIF act = 'attempt' THEN
        RETURN EXISTS (SELECT 1 FROM attempts t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x AND t.disposition = a.new);
    ELSIF act = 'designation' THEN
        RETURN EXISTS (SELECT 1 FROM designation_history t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x AND t.to_designation = a.new);
    ELSIF act = 'callback' THEN
        RETURN EXISTS (SELECT 1 FROM callbacks t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x);
    ELSIF act = 'note' THEN
        RETURN EXISTS (SELECT 1 FROM notes t WHERE t.lead_id = a.lead_id
                       AND t.id::text = substr(a.field, 6) AND t.xmin::text::bigint = x);
    ELSIF act = 'turn_over' THEN
        RETURN EXISTS (SELECT 1 FROM turnovers t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x AND t.to_owner = a.new);
    ELSIF act = 'qualification' THEN
        RETURN EXISTS (SELECT 1 FROM qualifications t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x);
    ELSIF act = 'followup' THEN
        RETURN EXISTS (SELECT 1 FROM emails t WHERE t.lead_id = a.lead_id
                       AND t.id::text = a.new AND t.xmin::text::bigint = x);
    ELSIF act = 'email' THEN
        RETURN EXISTS (SELECT 1 FROM emails t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x);
    ELSIF act = 'verdict' THEN
        RETURN EXISTS (SELECT 1 FROM turnovers t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x AND t.verdict = a.new);
    ELSIF act = 'outcome' THEN
        RETURN EXISTS (SELECT 1 FROM turnovers t WHERE t.lead_id = a.lead_id
                       AND t.xmin::text::bigint = x AND t.outcome = a.new);
    ELSIF act NOT IN ('claim', 'release', 'reassign', 'incubate', 'intake', 'import', 'edit') THEN
        RETURN true;  -- 'declared', 'direct change': the client's words, or the database's own
    END IF;
    -- what the lead itself says now
    SELECT l.xmin::text::bigint = x, l.owner_id, l.claimed_by_id, l.designation
      INTO mine, l_owner, l_claimer, l_state FROM leads l WHERE l.id = a.lead_id;
    IF act IN ('intake', 'import') THEN  -- the lead arrived (or was raised again) now
        RETURN mine OR EXISTS (SELECT 1 FROM hand_raises t WHERE t.lead_id = a.lead_id
                               AND t.xmin::text::bigint = x);
    ELSIF NOT COALESCE(mine, false) THEN
        RETURN false;
    ELSIF act = 'claim' THEN
        SELECT name INTO claimer FROM users WHERE id = l_claimer;
        RETURN claimer = a.new;
    ELSIF act = 'release' THEN
        RETURN CASE a.field WHEN 'owner' THEN l_owner IS NULL ELSE l_claimer IS NULL END;
    ELSIF act = 'reassign' THEN
        SELECT name INTO owner_name FROM users WHERE id = l_owner;
        RETURN owner_name IS NOT DISTINCT FROM a.new;
    ELSIF act = 'incubate' THEN
        RETURN l_state = 'incubating';
    END IF;
    RETURN true;  -- 'edit': the lead changed in this transaction
END
$$;

CREATE OR REPLACE VIEW audit_requests AS
    SELECT lead_id, user_id, at, action, field, old, new, reason FROM audit_log WHERE false;

CREATE OR REPLACE FUNCTION qualdesk_audit_request() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    role text := qualdesk_login_role();
    me integer := qualdesk_me();
    act text := NEW.action;
    why text := NEW.reason;
    who integer := me;
    boss integer := NULL;
    ok boolean;
    -- The (action, field) pairs the app records; anything else is filed as "declared",
    -- the client's words kept in ``reason``.
    known text[] := ARRAY['attempt|disposition', 'designation|designation',
        'claim|claimed_by', 'release|claimed_by', 'release|owner', 'reassign|owner',
        'callback|due_at', 'turn_over|to_owner', 'qualification|level1_met',
        'followup|email', 'email|status', 'verdict|verdict', 'outcome|outcome',
        'incubate|retouch_at', 'intake|source', 'import|source', 'hold override|call', 'hold override|note',
        'hold override|callback', 'hold override|follow-up'];
BEGIN
    IF role IS NULL THEN
        -- no person's login (the schema owner): it names whoever the app says, as before
        INSERT INTO audit_log (lead_id, user_id, by_id, at, action, field, old, new, reason)
        VALUES (NEW.lead_id, NEW.user_id, NULL, COALESCE(NEW.at, now()), NEW.action,
                NEW.field, NEW.old, NEW.new, NEW.reason);
        RETURN NEW;
    END IF;
    IF role IN ('inactive', 'nobody') OR me IS NULL THEN
        RAISE EXCEPTION 'this database login (%) may not change anything: ask an admin',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.lead_id IS NULL THEN
        ok := NEW.action ~ '^(campaign|disposition|kind) ' OR NEW.action = 'acts for';
    ELSE
        ok := NEW.action || '|' || COALESCE(NEW.field, '') = ANY (known)
              OR (NEW.action = 'note' AND NEW.field ~ '^note [0-9]+$')
              OR NEW.action = 'edit';  -- a card field; the lead itself must change
    END IF;
    IF NOT COALESCE(ok, false) THEN
        act := 'declared';
        why := left(concat_ws(': ', NEW.action, NEW.reason), 2000);
    END IF;
    IF role IN ('lead', 'admin') AND NEW.user_id IS DISTINCT FROM me AND NEW.user_id IS NOT NULL THEN
        who := NEW.user_id;
        boss := me;
    END IF;
    INSERT INTO audit_log (lead_id, user_id, by_id, at, action, field, old, new, reason)
    VALUES (NEW.lead_id, who, boss, now(), act, NEW.field, NEW.old, NEW.new, why);
    RETURN NEW;
END
$$;

-- At commit: a row a person's login filed under an action names a change this
-- transaction really made.
CREATE OR REPLACE FUNCTION qualdesk_audit_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF qualdesk_login_role() IS NULL OR NEW.action IN ('declared', 'direct change') THEN
        RETURN NULL;
    END IF;
    IF NOT qualdesk_audit_seen(NEW) THEN
        RAISE EXCEPTION 'the audit row "% %" on lead % names a change this transaction did not make: the database records only what it saw happen',
            NEW.action, COALESCE(NEW.field, ''), NEW.lead_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
"""

# Reps and team leads write keys (a rep's are its own: 0007's person guard).
GRANTS = r"""
DO $$
BEGIN
    IF (SELECT count(*) FROM pg_catalog.pg_roles
        WHERE rolname IN ('qualdesk_rep', 'qualdesk_lead', 'qualdesk_sales', 'qualdesk_admin')) = 4 THEN
        GRANT SELECT ON write_keys TO qualdesk_rep, qualdesk_lead, qualdesk_sales, qualdesk_admin;
        GRANT INSERT ON write_keys TO qualdesk_rep, qualdesk_lead;
        GRANT ALL PRIVILEGES ON write_keys TO qualdesk_admin;
        GRANT INSERT ON notes TO qualdesk_sales;
    END IF;
END
$$;
"""

VIEW_GRANTS = r"""
DO $$
BEGIN
    IF (SELECT count(*) FROM pg_catalog.pg_roles
        WHERE rolname IN ('qualdesk_rep', 'qualdesk_lead', 'qualdesk_sales', 'qualdesk_admin')) = 4 THEN
        GRANT SELECT, INSERT ON audit_requests TO qualdesk_rep, qualdesk_lead, qualdesk_sales,
            qualdesk_admin;
    END IF;
END
$$;
"""

TRIGGERS = [
    *[(f"qualdesk_guard_sales_{t}", t,
       f"BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION qualdesk_guard_sales()")
      for t in SALES_TABLES],
    ("qualdesk_guard_write_keys", "write_keys",
     "BEFORE INSERT OR UPDATE ON write_keys FOR EACH ROW "
     "EXECUTE FUNCTION qualdesk_guard_row('user_id', '', '')"),
    ("qualdesk_audit_check", "audit_log",
     "AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
     "EXECUTE FUNCTION qualdesk_audit_check()"),
]
CONSTRAINT_TRIGGERS = {"qualdesk_audit_check"}
FUNCTIONS = ["qualdesk_audit_check()", "qualdesk_audit_seen(audit_log)",
             "qualdesk_guard_sales()",
             "qualdesk_sales_lead(integer)"]


def upgrade() -> None:
    op.create_table(
        "write_keys",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE",
                                name=op.f("fk_write_keys_lead_id_leads")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_write_keys_user_id_users")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_write_keys")),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(SALES)
    op.execute(AUDIT)
    for name, table, body in TRIGGERS:
        kind = "CONSTRAINT TRIGGER" if name in CONSTRAINT_TRIGGERS else "TRIGGER"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"CREATE {kind} {name} {body}")
    op.execute(GRANTS)


def _revision_0007():  # type: ignore[no-untyped-def]
    path = Path(__file__).with_name("0007_roles_enforced.py")
    spec = importlib.util.spec_from_file_location("qualdesk_rev_0007", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _ in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        # 0007's view and request trigger, as they were (the view loses ``reason``)
        op.execute("DROP VIEW IF EXISTS audit_requests")
        op.execute(_revision_0007().AUDIT)
        op.execute(VIEW_GRANTS)
        for fn in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("reason")
    op.drop_table("write_keys")
