"""Regenerate the initial migration (0001) from the models.

Nothing has shipped yet, so the schema lives in one initial revision; later revisions
are hand-written and chain after it. Run after changing ``qualdesk/db/models.py``:
    python tools/regen_migration.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from qualdesk.db.engine import Database
from qualdesk.db.migrate import alembic_config
from qualdesk.paths import migrations_dir

target = migrations_dir() / "versions" / "0001_initial_schema.py"
later = [p for p in (migrations_dir() / "versions").glob("*.py") if p.name != target.name]
if later:
    # Once later revisions exist, 0001 is history: regenerating it would fold their
    # changes into it. Write a new revision instead (see 0002, 0003).
    raise SystemExit("later revisions exist; write a new revision under "
                     "qualdesk/db/migrations/versions instead of regenerating 0001")
stash = {p: p.read_text() for p in later}
for p in later:
    p.unlink()
target.unlink(missing_ok=True)
try:
    with tempfile.TemporaryDirectory() as d:
        db = Database(f"sqlite:///{Path(d) / 'x.db'}")
        command.revision(alembic_config(db), message="initial schema", autogenerate=True, rev_id="0001")
        db.dispose()
finally:
    for p, text in stash.items():
        p.write_text(text)
print(f"wrote {target}")
