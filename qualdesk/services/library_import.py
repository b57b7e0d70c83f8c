"""This machine's own scripts, templates and import layouts, copied into the team's
database once, so what a team lead saved with an older QualDesk (files on the machine it
was typed on) reaches every client.

Rules, so that nothing a team lead wrote is lost or silently replaced:
- a file the team's database already has (the same text in any version of that name) is
  not copied again; a file equal to the shipped default is not copied at all;
- a file the team has no copy of becomes its first version (note: where it came from);
- a file that differs from the team's current copy does not replace it: it is saved
  beside it, under the name with this machine's name added (script ``default_pc7``,
  template folder ``default_pc7``), for a team lead to compare and choose;
- a file with problems is not copied (a follow-up would fail with it) and is listed;
- layouts (``import_mappings.json``): the team's choice stays; a differing one is listed.

The files stay where they are: beneath the team's copies they are still read by this
machine (a file dropped there by hand later works as before), and the shipped files stay
the defaults beneath everything. ``import_once`` runs at the app's start, once per
database and machine (a marker in the config folder), for a login that may save.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import ScriptVersion, TemplateVersion
from qualdesk.errors import KnownError, NotAllowed
from qualdesk.paths import (
    config_dir,
    resources_dir,
    scripts_library_dir,
    user_scripts_dir,
    user_templates_dir,
)
from qualdesk.services import team_library

log = logging.getLogger(__name__)
MARKER = "library_imported.json"


@dataclass
class ImportReport:
    """What was copied (``kind name``), kept beside the team's copy, left out and why."""

    copied: list[str] = field(default_factory=list)
    beside: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"copied": self.copied, "beside": self.beside, "skipped": self.skipped}


def machine_name() -> str:
    """This machine's name as a name suffix (lower-case letters, digits, _)."""
    raw = re.sub(r"[^a-z0-9]+", "_", socket.gethostname().split(".")[0].lower()).strip("_")
    return (raw or "this_machine")[:20]


def machine_files() -> tuple[list[Path], list[Path], dict[str, dict[str, str]]]:
    """(script files, template files, saved layouts) of this machine's own folders."""
    from qualdesk.services.import_mapping import load_all

    sd, td = user_scripts_dir(), user_templates_dir()
    scripts = sorted(sd.glob("*.toml")) if sd.is_dir() else []
    templates = sorted(p for p in td.rglob("*.j2") if p.parent != td) if td.is_dir() else []
    return scripts, templates, load_all()


def import_machine_files(db: Database, by: str | None = None) -> ImportReport:
    """Copy this machine's files into the team's database (see the module's rules); a
    login that may not save raises ``NotAllowed`` and nothing is copied."""
    scripts, templates, layouts = machine_files()
    report = ImportReport()
    with db.session() as s:
        by_id = team_library.writer_id(s, by)
        for path in scripts:
            _script(s, path, by_id, report)
        for path in templates:
            _template(s, path, by_id, report)
        _layouts(s, layouts, report)
    return report


def _read(path: Path, report: ImportReport) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.skipped.append(f"{path}: cannot read ({exc})")
        return None


def _shipped(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def _script(s: Session, path: Path, by_id: int | None, report: ImportReport) -> None:
    from qualdesk.services.script_library import parse_script_text

    name, text = path.stem, _read(path, report)
    if text is None or text == _shipped(scripts_library_dir() / path.name):
        return
    if text in s.scalars(select(ScriptVersion.source).where(ScriptVersion.name == name)):
        return  # the team has it already
    script, problems = parse_script_text(text, name, str(path))
    if script is None:
        report.skipped.append(f"script {name}: {problems[0] if problems else 'unusable'}")
        return
    note = f"from {path} on {socket.gethostname()}"
    if team_library.script(s, name) is None:
        team_library.add_script(s, name, text, by_id, note[:255])
        report.copied.append(f"script {name}")
        return
    other = f"{name}_{machine_name()}"[:64]
    if text not in s.scalars(select(ScriptVersion.source).where(ScriptVersion.name == other)):
        team_library.add_script(s, other, text, by_id, note[:255])
    report.beside.append(f"script {name} -> {other} (the team's {name} differs)")


def _template(s: Session, path: Path, by_id: int | None, report: ImportReport) -> None:
    from qualdesk.services.template_check import check_in_env
    from qualdesk.services.templating import team_env

    rel = path.relative_to(user_templates_dir()).as_posix()
    folder, _, file = rel.partition("/")
    text = _read(path, report)
    if text is None or text == _shipped(resources_dir() / "templates" / rel) or len(folder) > 64 \
            or len(file) > 64:
        return
    done = s.scalars(select(TemplateVersion.source).where(
        TemplateVersion.folder == folder, TemplateVersion.file == file))
    if text in done:
        return
    problems = check_in_env(team_env(s, {rel: text}), rel, text, str(path))
    if problems:
        report.skipped.append(f"template {rel}: {problems[0]}")
        return
    note = f"from {path} on {socket.gethostname()}"[:255]
    if rel not in team_library.templates(s):
        team_library.add_template(s, folder, file, text, by_id, note)
        report.copied.append(f"template {rel}")
        return
    other = f"{folder}_{machine_name()}"[:64]
    if f"{other}/{file}" not in team_library.templates(s):
        team_library.add_template(s, other, file, text, by_id, note)
    report.beside.append(f"template {rel} -> {other}/{file} (the team's {rel} differs)")


def _layouts(s: Session, layouts: dict[str, dict[str, str]], report: ImportReport) -> None:
    for key, mapping in sorted(layouts.items()):
        team = team_library.layout(s, key)
        if team == mapping:
            continue
        if team is not None:
            report.skipped.append(f"import layout {key}: the team's choice differs and stays")
            continue
        headers = list(mapping)  # a mapping names every column of its layout, in order
        team_library.add_layout(s, key, headers, mapping, None, "from this machine's "
                                "import_mappings.json")
        report.copied.append(f"import layout {key}")


# --- once per database and machine ------------------------------------------------------


def _identity(db: Database) -> str:
    u = make_url(db.url)
    return u.set(password=None).render_as_string(hide_password=True) if not db.is_sqlite \
        else str(Path(u.database or "").resolve())


def _done(db: Database) -> bool:
    try:
        seen = json.loads((config_dir() / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(seen, list) and _identity(db) in seen


def _mark(db: Database) -> None:
    p = config_dir() / MARKER
    try:
        seen = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        seen = []
    seen = [*(x for x in seen if isinstance(x, str) and x != _identity(db)), _identity(db)]
    p.write_text(json.dumps(seen, indent=2), encoding="utf-8")


def import_once(db: Database, by: str | None) -> ImportReport | None:
    """``import_machine_files`` the first time this machine opens ``db`` with a login
    that may save (None: done before, nothing to copy, or not allowed — then a team
    lead's start on this machine copies them). Never stops the app from starting."""
    if _done(db):
        return None
    scripts, templates, layouts = machine_files()
    if not (scripts or templates or layouts):
        _mark(db)
        return None
    try:
        report = import_machine_files(db, by)
    except NotAllowed:
        return None
    except KnownError as exc:
        log.warning("this machine's scripts and templates were not copied to the team: %s", exc)
        return None
    _mark(db)
    for line in report.copied + report.beside + report.skipped:
        log.info("team library import: %s", line)
    return report
