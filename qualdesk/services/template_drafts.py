"""Editing a campaign's follow-up templates: a draft is checked by the CLI's own checker
(``template_check.check_template``, ``qualdesk template check``) and previewed with a real
lead, at every keystroke; only a draft without problems can be saved.

A draft is checked as a file among its folder's other files (copied beside it into a
temporary folder), so ``include``/``extends`` resolve exactly as they will once saved.
Saved templates go to the team lead's templates folder (``user_templates_dir``), which
shadows the shipped ones, as for a hand-dropped file.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead
from qualdesk.errors import InvalidInput
from qualdesk.paths import user_templates_dir
from qualdesk.services.template_check import Problem, check_template
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


def folder_files(folder: str) -> dict[str, Path]:
    """The folder's files as a campaign sees them: the lead's own shadow the shipped."""
    out: dict[str, Path] = {}
    for base in reversed(template_dirs()):  # shipped first, the user's own override
        d = base / folder
        if d.is_dir():
            out.update({p.name: p for p in d.glob("*.j2")})
    return out


def load_source(folder: str, name: str) -> str:
    p = folder_files(folder).get(name)
    return "" if p is None else p.read_text(encoding="utf-8")


def check_draft(folder: str, name: str, source: str) -> list[Problem]:
    """Every problem of ``source`` as ``folder/name``, by the CLI's checker."""
    _check_name(folder, name)
    with tempfile.TemporaryDirectory(prefix="qualdesk-draft-") as tmp:
        d = Path(tmp) / folder
        d.mkdir(parents=True)
        for other, path in folder_files(folder).items():
            if other != name:
                shutil.copyfile(path, d / other)
        draft = d / name
        draft.write_text(source, encoding="utf-8")
        found = check_template(draft)
    # the temporary path means nothing to a person: name the template as saved
    return [Problem(f"{folder}/{name}" if p.file.startswith(tmp) else p.file, p.line, p.problem,
                    p.question) for p in found]


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


def render_draft(folder: str, name: str, source: str, ctx: MergeContext) -> str:
    """The draft rendered for one lead (raises ``RenderError`` naming the line)."""
    d = [p / folder for p in template_dirs() if (p / folder).is_dir()]
    return render_string(make_env(extra_dirs=d), source, ctx, f"{folder}/{name}")


def save_draft(folder: str, name: str, source: str) -> Path:
    """Write the draft where the campaign finds it, refusing one with problems."""
    problems = check_draft(folder, name, source)
    if problems:
        raise InvalidInput(f"not saved: {problems[0].file}"
                           + (f", line {problems[0].line}" if problems[0].line else "")
                           + f": {problems[0].problem}")
    d = user_templates_dir() / folder
    d.mkdir(parents=True, exist_ok=True)
    target = d / name
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.write_text(source, encoding="utf-8")
    tmp.replace(target)  # a reader never sees half a template
    return target


def _check_name(folder: str, name: str) -> None:
    if not folder or "/" in folder or "\\" in folder or folder.startswith((".", "_")):
        raise InvalidInput(f"template folder {folder!r}: a campaign's folder name")
    if name not in EDITABLE:
        raise InvalidInput(f"template {name!r}: one of {', '.join(EDITABLE)}")


# --- qualification scripts --------------------------------------------------------------


def load_script_source(name: str) -> str:
    from qualdesk.services.script_library import find_script_file

    return find_script_file(name).read_text(encoding="utf-8")


def check_script_draft(name: str, source: str) -> tuple[object | None, list[Problem]]:
    """(the parsed script or None, its problems), by ``qualdesk script check``'s parser."""
    from qualdesk.services.script_library import parse_script

    _check_script_name(name)
    with tempfile.TemporaryDirectory(prefix="qualdesk-draft-") as tmp:
        draft = Path(tmp) / f"{name}.toml"
        draft.write_text(source, encoding="utf-8")
        script, found = parse_script(draft, name)
    return script, [Problem(f"{name}.toml", p.line, p.problem, p.question) for p in found]


def save_script_draft(name: str, source: str) -> Path:
    from qualdesk.paths import user_scripts_dir

    script, problems = check_script_draft(name, source)
    if problems or script is None:
        p = problems[0] if problems else Problem(f"{name}.toml", None, "unusable")
        raise InvalidInput(f"not saved: {p}")
    d = user_scripts_dir()
    d.mkdir(parents=True, exist_ok=True)
    target = d / f"{name}.toml"
    tmp = target.with_suffix(".toml.part")
    tmp.write_text(source, encoding="utf-8")
    tmp.replace(target)
    return target


def _check_script_name(name: str) -> None:
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_]*", name or ""):
        raise InvalidInput(f"script name {name!r}: lower-case letters, digits and _")
