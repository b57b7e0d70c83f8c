"""Editing a campaign's follow-up templates and qualification scripts in the app: a draft
is checked by the CLI's own checkers (``template check``'s, ``script check``'s parser)
and previewed with a real lead, at every keystroke; only a draft without problems can be
saved.

A template draft is checked as ``folder/file`` among the templates the campaign will see
(the team's saved copies over this machine's and the shipped files), so
``include``/``extends`` resolve exactly as they will once saved.

Saved drafts go to the team's database (``team_library``: a new version, who and when),
so every client has them at its next use; the shipped files stay the defaults. Without a
database (``db=None``: a loose check, older callers) a save still goes to this machine's
folder, as before.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.errors import InvalidInput
from qualdesk.paths import user_scripts_dir, user_templates_dir
from qualdesk.services import team_library
from qualdesk.services.script_library import (
    TEAM_COPY,
    Script,
    list_scripts,
    parse_script_text,
    script_source,
)
from qualdesk.services.template_check import Problem, check_in_env
from qualdesk.services.templating import (
    MergeContext,
    context_for_lead,
    make_env,
    render_string,
    sample_context,
    template_dirs,
)

EDITABLE = ("voicemail.txt.j2", "email_subject.txt.j2", "email.txt.j2", "email.html.j2",
            "email_only_subject.txt.j2", "email_only.txt.j2", "email_only.html.j2")
_SCRIPT_NAME = re.compile(r"[a-z][a-z0-9_]*")


def folder_files(folder: str) -> dict[str, Path]:
    """The folder's files on this machine: this machine's own shadow the shipped."""
    out: dict[str, Path] = {}
    for base in reversed(template_dirs()):  # shipped first, the user's own override
        d = base / folder
        if d.is_dir():
            out.update({p.relative_to(d).as_posix(): p for p in d.rglob("*.j2")})
    return out


def _team(db: Database | None) -> dict[str, str]:
    if db is None:
        return {}
    with db.session(write=False) as s:
        return team_library.templates(s)


def template_folders(s: Session | None = None) -> list[str]:
    """Folder names a campaign may use: the team's (with ``s``), this machine's and the
    shipped ones (``_layouts`` and other ``_`` folders are parts, not campaigns')."""
    names: set[str] = set()
    for d in template_dirs():
        if d.is_dir():
            names.update(p.name for p in d.iterdir() if p.is_dir())
    if s is not None:
        names.update(k.split("/", 1)[0] for k in team_library.templates(s))
    return sorted(n for n in names if not n.startswith(("_", ".")))


def folder_names(db: Database | None = None) -> list[str]:
    """``template_folders`` for a list in the app (the team's with ``db``)."""
    if db is None:
        return template_folders()
    with db.session(write=False) as s:
        return template_folders(s)


def load_source(folder: str, name: str, db: Database | None = None) -> str:
    """The template as a campaign gets it now: the team's copy, else the file ('' if none)."""
    team = _team(db).get(f"{folder}/{name}")
    if team is not None:
        return team
    p = folder_files(folder).get(name)
    return "" if p is None else p.read_text(encoding="utf-8")


def check_draft(folder: str, name: str, source: str, db: Database | None = None) -> list[Problem]:
    """Every problem of ``source`` as ``folder/name``, by the CLI's checker."""
    _check_name(folder, name)
    key = f"{folder}/{name}"
    env = make_env(overrides={**_team(db), key: source})
    return check_in_env(env, key, source, key)


def folder_problems(s: Session, folder: str) -> list[Problem]:
    """Every problem of the folder's templates as a campaign would render them."""
    team = team_library.templates(s)
    env = make_env(overrides=team)
    names = set(folder_files(folder)) | {k.split("/", 1)[1] for k in team
                                         if k.startswith(f"{folder}/")}
    problems: list[Problem] = []
    for name in sorted(names):
        key = f"{folder}/{name}"
        if key in team:
            problems.extend(check_in_env(env, key, team[key], f"{key} ({TEAM_COPY})"))
        else:
            path = folder_files(folder)[name]
            problems.extend(check_in_env(env, key, path.read_text(encoding="utf-8"), str(path)))
    return problems


def origin(db: Database, kind: str, name: str) -> str:
    """Where the text an editor opened comes from, in words: the team's copy (its version,
    who saved it and when, in this machine's time), this machine's file, or the shipped
    default. ``kind``: ``script`` (``name``) or ``template`` (``folder/file``)."""
    with db.session(write=False) as s:
        versions = team_library.history(s, kind, name)
    if versions:
        v = versions[0]
        who = f" by {v.changed_by}" if v.changed_by else ""
        return (f"The team's copy: version {v.version}, saved{who} "
                f"{v.changed_at.astimezone():%Y-%m-%d %H:%M}.")
    local = user_scripts_dir() / f"{name}.toml" if kind == "script" \
        else user_templates_dir() / name
    if local.is_file():
        return "This computer's own file (not the team's yet: save it to share it)."
    return "The shipped default (the team has not changed it)."


def lead_choices(db: Database, limit: int = 200) -> list[tuple[int, str]]:
    """Leads to preview with: (id, "First Last, Company"), the most recent first."""
    with db.session(write=False) as s:
        rows = s.execute(select(Lead.id, Lead.first_name, Lead.last_name, Lead.company)
                         .order_by(Lead.id.desc()).limit(limit))
        return [(i, " ".join(x for x in (f, n) if x) + (f", {c}" if c else ""))
                for i, f, n, c in rows]


def preview_context(db: Database, lead_id: int | None, rep_name: str | None) -> MergeContext:
    if lead_id is None:
        return sample_context()
    from qualdesk.services.users import user_by_name

    with db.session(write=False) as s:
        rep = user_by_name(s, rep_name) if rep_name else None
        return context_for_lead(s, lead_id, rep)


def render_draft(folder: str, name: str, source: str, ctx: MergeContext,
                 db: Database | None = None) -> str:
    """The draft rendered for one lead (raises ``RenderError`` naming the line)."""
    key = f"{folder}/{name}"
    return render_string(make_env(overrides={**_team(db), key: source}), source, ctx, key)


def save_draft(folder: str, name: str, source: str, db: Database | None = None,
               by: str | None = None) -> team_library.Saved | Path:
    """Save the draft where every campaign using ``folder`` finds it (the team's database;
    this machine's folder without one), refusing one with problems."""
    problems = check_draft(folder, name, source, db)
    if problems:
        raise InvalidInput(f"not saved: {problems[0].file}"
                           + (f", line {problems[0].line}" if problems[0].line else "")
                           + f": {problems[0].problem}")
    if db is not None:
        return team_library.saving(db, lambda s: team_library.add_template(
            s, folder, name, source, team_library.writer_id(s, by)))
    return _write(user_templates_dir() / folder / name, source)


def _write(target: Path, source: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.write_text(source, encoding="utf-8")
    tmp.replace(target)  # a reader never sees half a file
    return target


def _check_name(folder: str, name: str) -> None:
    if not folder or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", folder):
        raise InvalidInput(f"template folder {folder!r}: a campaign's folder name")
    if name not in EDITABLE:
        raise InvalidInput(f"template {name!r}: one of {', '.join(EDITABLE)}")


# --- qualification scripts --------------------------------------------------------------


def script_names(db: Database | None = None) -> list[str]:
    """The scripts a campaign may use (the team's with ``db``), for a list in the app."""
    if db is None:
        return list_scripts()
    with db.session(write=False) as s:
        return list_scripts(s)


def load_script_source(name: str, db: Database | None = None) -> str:
    """The script's TOML as a campaign gets it now: the team's copy, else the file."""
    if db is None:
        return script_source(name)[0]
    with db.session(write=False) as s:
        return script_source(name, s)[0]


def check_script_draft(name: str, source: str) -> tuple[Script | None, list[Problem]]:
    """(the parsed script or None, its problems), by ``qualdesk script check``'s parser."""
    _check_script_name(name)
    return parse_script_text(source, name, f"{name}.toml")


def save_script_draft(name: str, source: str, db: Database | None = None,
                      by: str | None = None) -> team_library.Saved | Path:
    """Save the script for every client of the team's database (this machine's folder
    without one), refusing a draft with problems."""
    script, problems = check_script_draft(name, source)
    if problems or script is None:
        p = problems[0] if problems else Problem(f"{name}.toml", None, "unusable")
        raise InvalidInput(f"not saved: {p}")
    if db is not None:
        return team_library.saving(db, lambda s: team_library.add_script(
            s, name, source, team_library.writer_id(s, by)))
    return _write(user_scripts_dir() / f"{name}.toml", source)


def _check_script_name(name: str) -> None:
    if not _SCRIPT_NAME.fullmatch(name or "") or len(name) > 64:
        raise InvalidInput(f"script name {name!r}: lower-case letters, digits and _ "
                           "(at most 64)")
