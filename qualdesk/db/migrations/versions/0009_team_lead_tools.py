"""team-lead tools: the team's scripts, templates and import layouts in the database

Until now a team lead's edited script, template or saved import mapping was a file on the
machine it was saved on. These tables make them the team's: every client of the database
reads them at their next use (no restart). Each save is a new row (a version): nothing a
team lead wrote is overwritten, and who saved it and when stays with it.

- ``script_versions``: a qualification script's TOML source by script name;
- ``template_versions``: one template file of a campaign's folder (``default``,
  ``webinar``…: ``voicemail.txt.j2``, ``email.html.j2``…);
- ``import_layout_versions``: the column mapping chosen for a file layout (the key is
  the normalised header row's hash), with the header row itself;
- ``voicemail_recordings.wav``: the recorded voicemail's bytes, so a rep's recording
  plays from any machine (the file beside the database is now this machine's copy).

The current copy of a name is its highest version; the shipped files stay the defaults
underneath.

PostgreSQL only (SQLite has no logins; there the app's own checks are the rule): the
trigger ``qualdesk_library_writer`` lets only a team lead's or an admin's login add a
version, and writes who (the login's person) and when (the server's time) whatever the
client says; a saved version is never changed afterwards (a new one is saved instead).
Every group may read them: this revision grants that itself when the group roles exist,
so a rep's client keeps working right after the upgrade (``apply_grants`` states it too).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

from qualdesk.db.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("script_versions", "template_versions", "import_layout_versions")

WRITER = r"""
CREATE OR REPLACE FUNCTION qualdesk_library_writer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r text := qualdesk_login_role();
BEGIN
    IF r IS NOT NULL AND r NOT IN ('lead', 'admin') THEN
        RAISE EXCEPTION 'only a team lead or an admin may change the team''s scripts, templates and import layouts (%)',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND r IS NOT NULL THEN
        RAISE EXCEPTION 'a saved version stays as it was saved: save a new version instead (%)',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF r IS NOT NULL THEN
        -- a person's login: the version is theirs, at the server's time
        NEW.changed_by_id := qualdesk_me();
        NEW.changed_at := now();
    END IF;
    RETURN NEW;
END
$$;
"""

GROUPS = ("qualdesk_rep", "qualdesk_lead", "qualdesk_sales", "qualdesk_admin")

GRANTS = r"""
DO $$
BEGIN
    IF (SELECT count(*) FROM pg_catalog.pg_roles
        WHERE rolname IN ('qualdesk_rep', 'qualdesk_lead', 'qualdesk_sales', 'qualdesk_admin')) = 4 THEN
        GRANT SELECT ON {tables} TO qualdesk_rep, qualdesk_lead, qualdesk_sales, qualdesk_admin;
        GRANT INSERT ON {tables} TO qualdesk_lead;
        GRANT ALL PRIVILEGES ON {tables} TO qualdesk_admin;
        GRANT USAGE, SELECT ON {sequences} TO qualdesk_lead, qualdesk_admin;
    END IF;
END
$$;
"""


def _who_when() -> list[sa.Column]:
    return [
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "script_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        *_who_when(),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_script_versions_changed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_versions")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_script_versions_name")),
    )
    op.create_table(
        "template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(length=64), nullable=False),
        sa.Column("file", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        *_who_when(),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_template_versions_changed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_versions")),
        sa.UniqueConstraint("folder", "file", "version", name=op.f("uq_template_versions_folder")),
    )
    op.create_table(
        "import_layout_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layout_key", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        *_who_when(),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_import_layout_versions_changed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_layout_versions")),
        sa.UniqueConstraint("layout_key", "version",
                            name=op.f("uq_import_layout_versions_layout_key")),
    )
    with op.batch_alter_table("voicemail_recordings") as batch:
        batch.add_column(sa.Column("wav", sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(WRITER)
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS qualdesk_library_writer ON {table}")
        op.execute(f"CREATE TRIGGER qualdesk_library_writer BEFORE INSERT OR UPDATE OR DELETE "
                   f"ON {table} FOR EACH ROW EXECUTE FUNCTION qualdesk_library_writer()")
    op.execute(GRANTS.format(tables=", ".join(TABLES),
                             sequences=", ".join(f"{t}_id_seq" for t in TABLES)))


def downgrade() -> None:
    with op.batch_alter_table("voicemail_recordings") as batch:
        batch.drop_column("wav")
    for table in reversed(TABLES):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS qualdesk_library_writer()")
