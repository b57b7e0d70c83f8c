"""roles enforced by the database: guard triggers, the audit written by the database, e-mail identity

Both engines: ``audit_log.by_id`` — the person whose login acted when it acted for
someone else (a team lead logging a call for a rep): the audit names both.

PostgreSQL only (SQLite has no logins; there the app's own checks are the rule):
- ``qualdesk_me()`` / ``qualdesk_login_role()``: the person (``users.db_login``) and role
  of the connection's login (``session_user``: ``SET ROLE`` cannot change it). A login
  that is nobody's (the schema owner, a superuser) is not a person: it acts for anyone.
- Guard triggers (BEFORE INSERT/UPDATE) for a rep's login: a lead's owner may become only
  the rep (unowned before, and at commit the rep must have touched it: an attempt or a
  designation change of theirs) or nobody (given back); a claim is only the rep's, never
  over another's live claim, its lease no longer than ``claim.lease_minutes``; a lead
  another rep holds, or owns, keeps its other fields. Attempts, notes, callbacks,
  follow-ups, turn-overs, designation changes and qualifications carry the rep as their
  person, never someone else, and a call, note, callback or follow-up on a lead another
  rep holds is refused, naming who holds it.
- E-mail identity: a queued e-mail's From and Reply-To are set here from the sender's
  ``users.email`` (From: ``smtp.from`` when the team set one), and for a rep's login its
  To must be the lead's own address.
- The audit: no app login may write ``audit_log``. The app declares what it did through
  the view ``audit_requests``; its INSTEAD OF trigger writes the row naming the login's
  person (a rep's login always itself; a team lead's or admin's login may act for another
  person, and the row names both), at the server's time. A change to a lead that a rep's
  login makes without declaring it (direct SQL) is audited at commit by a deferred trigger.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Names the drift test skips: they exist on PostgreSQL only, outside the ORM model.
VIEW = "audit_requests"

# SECURITY DEFINER functions put pg_temp last in their search_path: a login's own
# temporary table named like ours (settings, audit_log…) must never stand in for it.
# The identity functions run on every guarded row: plain SQL (every login may read
# users and the role catalogue) with every name qualified, so no SECURITY DEFINER or
# search_path switch is paid per call (it was ~10 us a row) and no temporary object of
# the caller's can stand in for ours.
IDENTITY = r"""
CREATE OR REPLACE FUNCTION qualdesk_me() RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT u.id FROM public.users u WHERE u.db_login OPERATOR(pg_catalog.=) session_user::text
    ORDER BY u.id LIMIT 1
$$;

CREATE OR REPLACE FUNCTION qualdesk_login_role() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(
        (SELECT CASE WHEN u.active THEN u.role ELSE 'inactive' END FROM public.users u
         WHERE u.db_login OPERATOR(pg_catalog.=) session_user::text ORDER BY u.id LIMIT 1),
        -- a rep group member that no person owns is the most restricted; sales keep
        -- to their grants
        (SELECT CASE WHEN bool_or(g.rolname = 'qualdesk_rep') THEN 'nobody' ELSE 'sales' END
         FROM pg_catalog.pg_auth_members m
         JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
         JOIN pg_catalog.pg_roles r ON r.oid = m.member
         WHERE r.rolname = session_user::text
           AND g.rolname IN ('qualdesk_rep', 'qualdesk_sales')
         HAVING count(*) > 0))
$$;

-- The rep a guarded login is; NULL for logins the guards leave to their grants (team
-- leads, admins, sales, the schema owner); refuses logins that may change nothing.
CREATE OR REPLACE FUNCTION qualdesk_rep_me() RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r text := qualdesk_login_role();
    me integer;
BEGIN
    IF r IS NULL OR r IN ('lead', 'admin', 'sales') THEN
        RETURN NULL;
    END IF;
    me := qualdesk_me();
    IF r <> 'rep' OR me IS NULL THEN
        RAISE EXCEPTION 'this database login (%) may not change anything: ask an admin',
            session_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN me;
END
$$;

-- Who holds a lead under a live claim, if not the login's person ("Rep 01 until 15:14 UTC").
-- ``at``: when the call was made, if known — a call made before that claim began (an
-- offline call replayed later) was not made on a lead someone held.
CREATE OR REPLACE FUNCTION qualdesk_held_by(lead integer, at timestamptz DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.name || ' until ' || to_char(l.lease_expires_at AT TIME ZONE 'UTC', 'HH24:MI') || ' UTC'
    FROM leads l JOIN users u ON u.id = l.claimed_by_id
    WHERE l.id = lead AND l.claimed_by_id IS DISTINCT FROM qualdesk_me()
      AND l.lease_expires_at > now() AND (at IS NULL OR l.claimed_at IS NULL OR at >= l.claimed_at)
$$;
"""

GUARD_LEAD = r"""
CREATE OR REPLACE FUNCTION qualdesk_guard_lead() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r text := qualdesk_login_role();
    me integer;
    -- what may change on a lead someone else holds: a new hand raise arriving on it
    arrivals text[] := ARRAY['last_hand_raise_at', 'updated_at', 'version'];
    -- ...and on a lead another rep owns (unclaimed): what a call on it implies
    worked text[] := ARRAY['last_hand_raise_at', 'updated_at', 'version', 'designation',
                           'do_not_call', 'claimed_by_id', 'claimed_at', 'lease_expires_at'];
    horizon interval;
    holder text;
BEGIN
    IF r IS NULL OR r IN ('lead', 'admin') THEN
        RETURN NEW;
    END IF;
    IF r = 'sales' THEN
        -- sales give verdicts; a rejected lead goes back to a qualifying rep. They never
        -- claim, nor hand a lead to anyone but a rep.
        IF TG_OP = 'UPDATE' AND ((NEW.claimed_by_id IS NOT NULL
                                  AND NEW.claimed_by_id IS DISTINCT FROM OLD.claimed_by_id)
                                 OR NEW.lease_expires_at > COALESCE(OLD.lease_expires_at, '-infinity')) THEN
            RAISE EXCEPTION 'lead %: a sales login does not claim leads', NEW.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.owner_id IS DISTINCT FROM OLD.owner_id AND NEW.owner_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM public.users WHERE id = NEW.owner_id AND role = 'rep') THEN
            RAISE EXCEPTION 'lead %: a sales login hands a lead back to a qualifying rep only', NEW.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    me := qualdesk_rep_me();  -- refuses a login that may change nothing
    IF TG_OP = 'INSERT' THEN
        IF NEW.owner_id IS NOT NULL AND NEW.owner_id <> me THEN
            RAISE EXCEPTION 'a lead you add is yours or the team''s, not another person''s'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSE
        IF OLD.claimed_by_id <> me AND OLD.lease_expires_at > now()
           AND (to_jsonb(NEW) - arrivals) IS DISTINCT FROM (to_jsonb(OLD) - arrivals) THEN
            SELECT name INTO holder FROM public.users WHERE id = OLD.claimed_by_id;
            RAISE EXCEPTION 'lead % is held by % until % UTC: only they (or a team lead) may change it now',
                OLD.id, holder, to_char(OLD.lease_expires_at AT TIME ZONE 'UTC', 'HH24:MI')
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.owner_id IS DISTINCT FROM OLD.owner_id
           AND NOT ((OLD.owner_id IS NULL AND NEW.owner_id = me)
                    OR (OLD.owner_id = me AND NEW.owner_id IS NULL)) THEN
            RAISE EXCEPTION 'lead %: a rep''s login may take an unowned lead it works or give its own back; only a team lead gives a lead to someone else',
                OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.owner_id <> me
           AND (to_jsonb(NEW) - worked) IS DISTINCT FROM (to_jsonb(OLD) - worked) THEN
            SELECT name INTO holder FROM public.users WHERE id = OLD.owner_id;
            RAISE EXCEPTION 'lead % is %''s: only they (or a team lead) may change it',
                OLD.id, holder USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF NEW.claimed_by_id IS NOT NULL AND NEW.claimed_by_id <> me
       AND (TG_OP = 'INSERT' OR NEW.claimed_by_id IS DISTINCT FROM OLD.claimed_by_id) THEN
        RAISE EXCEPTION 'lead %: a claim can only be your own', NEW.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.claimed_by_id = me AND NEW.owner_id <> me THEN
        RAISE EXCEPTION 'lead % is another rep''s: it is not yours to claim', NEW.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.lease_expires_at IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.lease_expires_at IS DISTINCT FROM OLD.lease_expires_at) THEN
        horizon := COALESCE((SELECT value FROM public.settings WHERE key = 'claim.lease_minutes'), '15')::int
                   * interval '1 minute';
        IF NEW.lease_expires_at > now() + horizon + interval '1 minute' THEN
            RAISE EXCEPTION 'lead %: a claim lasts at most % (the team''s claim.lease_minutes)',
                NEW.id, horizon USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- At commit: a rep's login made a lead its own only by working it (as the app does on
-- the first attempt or follow-up), not by a bare UPDATE over the team's free leads.
CREATE OR REPLACE FUNCTION qualdesk_owner_by_touch() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me integer := qualdesk_rep_me();
BEGIN
    IF me IS NULL OR NEW.owner_id IS DISTINCT FROM me THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM attempts WHERE lead_id = NEW.id AND rep_id = me)
       AND NOT EXISTS (SELECT 1 FROM designation_history WHERE lead_id = NEW.id AND by_id = me) THEN
        RAISE EXCEPTION 'lead %: a lead becomes yours with your first call or follow-up on it, not by taking it',
            NEW.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
"""

# One function for every table whose rows carry a person (TG_ARGV[0]: that column).
# TG_ARGV[1]: the columns a rep may change on another person's row ('' none, '*' any: the
# person column then becomes the rep); TG_ARGV[2] = 'held': refused on a lead another rep
# holds. On DELETE (where a rep has it: its own voicemail recordings) only its own rows.
# ``pg_roles.apply_grants`` puts it on tables added after this revision (ROW_GUARDS there).
GUARD_ROW = r"""
CREATE OR REPLACE FUNCTION qualdesk_guard_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    me integer := qualdesk_rep_me();
    col text := TG_ARGV[0];
    others text := TG_ARGV[1];
    who integer;
    holder text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF me IS NOT NULL AND (to_jsonb(OLD) ->> col)::integer IS DISTINCT FROM me THEN
            RAISE EXCEPTION 'this % row is another person''s: your login may delete only your own',
                TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF me IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        who := (to_jsonb(OLD) ->> col)::integer;
        IF who IS DISTINCT FROM me AND others <> '*' THEN
            IF others = '' OR (to_jsonb(NEW) - string_to_array(others, ','))
                              IS DISTINCT FROM (to_jsonb(OLD) - string_to_array(others, ',')) THEN
                RAISE EXCEPTION 'this % row is another person''s: your login may change only your own',
                    TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END IF;
    END IF;
    who := (to_jsonb(NEW) ->> col)::integer;
    IF who IS NULL OR (TG_OP = 'UPDATE' AND others = '*') THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(col, me));
    ELSIF who <> me THEN
        RAISE EXCEPTION '% rows written with your login are yours: % must be you',
            TG_TABLE_NAME, col USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' AND TG_ARGV[2] = 'held' THEN
        holder := qualdesk_held_by(NEW.lead_id, (to_jsonb(NEW) ->> 'started_at')::timestamptz);
        IF holder IS NOT NULL THEN
            RAISE EXCEPTION 'lead % is held by %: a call, note, callback or follow-up on it is theirs to make',
                NEW.lead_id, holder USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
"""

EMAIL_IDENTITY = r"""
CREATE OR REPLACE FUNCTION qualdesk_email_identity() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    guarded integer := qualdesk_rep_me();
    sender integer := COALESCE(guarded, NEW.rep_id, qualdesk_me());
    own text;
    team_from text;
    lead_email text;
BEGIN
    IF guarded IS NOT NULL AND NEW.rep_id IS DISTINCT FROM guarded AND NEW.rep_id IS NOT NULL THEN
        RAISE EXCEPTION 'an e-mail written with your login is sent as you, not as another person'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF sender IS NULL THEN
        RETURN NEW;  -- the schema owner writing a row for nobody (tests, repairs)
    END IF;
    NEW.rep_id := sender;
    SELECT email INTO own FROM users WHERE id = sender;
    IF own IS NULL OR btrim(own) = '' THEN
        IF guarded IS NULL THEN
            RETURN NEW;  -- a team lead's import of past e-mail from a rep with no address
        END IF;
        RAISE EXCEPTION 'the sender has no e-mail address: add one to the user first'
            USING ERRCODE = 'check_violation';
    END IF;
    team_from := NULLIF(btrim((SELECT value FROM settings WHERE key = 'smtp.from')), '');
    NEW.from_addr := COALESCE(team_from, own);
    NEW.reply_to := own;
    IF guarded IS NOT NULL THEN
        SELECT email INTO lead_email FROM leads WHERE id = NEW.lead_id;
        IF lead_email IS NULL OR lower(btrim(NEW.to_addr)) <> lower(btrim(lead_email)) THEN
            RAISE EXCEPTION 'an e-mail to lead % goes to the lead''s own address only',
                NEW.lead_id USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
"""

AUDIT = r"""
CREATE OR REPLACE VIEW audit_requests AS
    SELECT lead_id, user_id, at, action, field, old, new FROM audit_log WHERE false;

CREATE OR REPLACE FUNCTION qualdesk_audit_request() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    role text := qualdesk_login_role();
    me integer := qualdesk_me();
BEGIN
    IF role IS NULL THEN
        -- no person's login (the schema owner): it names whoever the app says, as before
        INSERT INTO audit_log (lead_id, user_id, by_id, at, action, field, old, new)
        VALUES (NEW.lead_id, NEW.user_id, NULL, COALESCE(NEW.at, now()), NEW.action,
                NEW.field, NEW.old, NEW.new);
    ELSIF role IN ('lead', 'admin') AND NEW.user_id IS DISTINCT FROM me AND NEW.user_id IS NOT NULL THEN
        INSERT INTO audit_log (lead_id, user_id, by_id, at, action, field, old, new)
        VALUES (NEW.lead_id, NEW.user_id, me, now(), NEW.action, NEW.field, NEW.old, NEW.new);
    ELSE
        -- a person's own login: the row names that person, whoever the client said
        INSERT INTO audit_log (lead_id, user_id, by_id, at, action, field, old, new)
        VALUES (NEW.lead_id, me, NULL, now(), NEW.action, NEW.field, NEW.old, NEW.new);
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS qualdesk_audit_request ON audit_requests;
CREATE TRIGGER qualdesk_audit_request INSTEAD OF INSERT ON audit_requests
    FOR EACH ROW EXECUTE FUNCTION qualdesk_audit_request();

-- At commit: a change to a lead by a rep's login with no audit row for that lead in the
-- same transaction (direct SQL, not the app) is audited from the login, field by field.
-- A claim's renewal or a heartbeat (lease fields only) is not an event.
CREATE OR REPLACE FUNCTION qualdesk_audit_undeclared() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me integer := qualdesk_rep_me();
    quiet text[] := ARRAY['lease_expires_at', 'claimed_at', 'updated_at', 'version',
                          'last_hand_raise_at'];
    o jsonb;
    n jsonb;
    k text;
BEGIN
    IF me IS NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM audit_log a WHERE a.lead_id = NEW.id
               AND a.xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296) THEN
        RETURN NULL;
    END IF;
    o := to_jsonb(OLD) - quiet;
    n := to_jsonb(NEW) - quiet;
    FOR k IN SELECT key FROM jsonb_each(n) WHERE n -> key IS DISTINCT FROM o -> key LOOP
        INSERT INTO audit_log (lead_id, user_id, by_id, at, action, field, old, new)
        VALUES (NEW.id, me, NULL, now(), 'direct change', k, o ->> k, n ->> k);
    END LOOP;
    RETURN NULL;
END
$$;
"""

# (table, person column, what a rep may change on another's row, held check)
ROW_GUARDS = [
    ("attempts", "rep_id", "", "held"),
    ("notes", "author_id", "", "held"),
    ("callbacks", "rep_id", "done_at", "held"),
    ("followups", "rep_id", "", "held"),
    ("turnovers", "by_id", "", ""),
    ("designation_history", "by_id", "", ""),
    ("qualifications", "updated_by_id", "*", ""),
]

TRIGGERS = [
    ("qualdesk_guard_lead", "leads",
     "BEFORE INSERT OR UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION qualdesk_guard_lead()"),
    ("qualdesk_owner_by_touch", "leads",
     "AFTER UPDATE OF owner_id ON leads DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
     "WHEN (OLD.owner_id IS NULL AND NEW.owner_id IS NOT NULL) "
     "EXECUTE FUNCTION qualdesk_owner_by_touch()"),
    ("qualdesk_audit_undeclared", "leads",
     "AFTER UPDATE ON leads DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
     "EXECUTE FUNCTION qualdesk_audit_undeclared()"),
    ("qualdesk_email_identity", "emails",
     "BEFORE INSERT ON emails FOR EACH ROW EXECUTE FUNCTION qualdesk_email_identity()"),
    *[(f"qualdesk_guard_{t}", t,
       f"BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION "
       f"qualdesk_guard_row('{col}', '{others}', '{held}')")
      for t, col, others, held in ROW_GUARDS],
]
CONSTRAINT_TRIGGERS = {"qualdesk_owner_by_touch", "qualdesk_audit_undeclared"}

# Earlier revisions' SECURITY DEFINER functions (0005's owner copy) searched pg_temp
# first too: a rep's TEMP TABLE hand_raises could have taken the owner copy's UPDATE.
SAFE_SEARCH_PATH = r"""
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
             WHERE p.prosecdef AND p.proname LIKE 'qualdesk\_%'
               AND p.pronamespace = 'public'::regnamespace LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', f);
    END LOOP;
END
$$;
"""

FUNCTIONS = ["qualdesk_audit_undeclared()", "qualdesk_audit_request()",
             "qualdesk_email_identity()", "qualdesk_guard_row()", "qualdesk_owner_by_touch()",
             "qualdesk_guard_lead()", "qualdesk_held_by(integer, timestamptz)", "qualdesk_rep_me()",
             "qualdesk_login_role()", "qualdesk_me()"]


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_audit_log_by_id_users", "users", ["by_id"], ["id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    for ddl in (IDENTITY, GUARD_LEAD, GUARD_ROW, EMAIL_IDENTITY, AUDIT, SAFE_SEARCH_PATH):
        op.execute(ddl)
    for name, table, body in TRIGGERS:
        kind = "CONSTRAINT TRIGGER" if name in CONSTRAINT_TRIGGERS else "TRIGGER"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"CREATE {kind} {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _ in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP VIEW IF EXISTS {VIEW}")
        for fn in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("fk_audit_log_by_id_users", type_="foreignkey")
        batch.drop_column("by_id")
