"""The team's scripts and templates from the command line, as the editors save them:
``qualdesk script save NAME FILE``, ``script show NAME``, ``script history NAME``,
``template save FOLDER/FILE SOURCE``, ``template show FOLDER/FILE``,
``template history FOLDER/FILE``, and ``qualdesk library import`` (this machine's old
files into the team's database, once they are there they are everyone's).

A save is checked by the same strict checker as ``script check`` / ``template check`` and
refused whole; only a team lead or admin may save (on PostgreSQL: the login decides)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from qualdesk.cli.common import CommandError, Context, Registry, acting_for, add_json, print_json
from qualdesk.services import team_library
from qualdesk.services import template_drafts as drafts


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read ({exc})") from exc


def _split(key: str) -> tuple[str, str]:
    folder, _, file = key.partition("/")
    if not folder or not file:
        raise CommandError(f"{key!r}: name a template as FOLDER/FILE (default/voicemail.txt.j2)")
    return folder, file


def _said(args: argparse.Namespace, saved: object) -> int:
    assert isinstance(saved, team_library.Saved)
    if args.json:
        print_json(saved.as_dict())
    else:
        who = f" by {saved.changed_by}" if saved.changed_by else ""
        print(f"saved {saved.what}: version {saved.version}{who}; every client has it at its "
              "next use")
    return 0


def _script_save(ctx: Context, args: argparse.Namespace) -> int:
    by = acting_for(ctx, args.by, "--by", required=False)
    return _said(args, drafts.save_script_draft(args.name, _read(args.file), ctx.db, by))


def _template_save(ctx: Context, args: argparse.Namespace) -> int:
    folder, file = _split(args.name)
    by = acting_for(ctx, args.by, "--by", required=False)
    return _said(args, drafts.save_draft(folder, file, _read(args.file), ctx.db, by))


def _script_show(ctx: Context, args: argparse.Namespace) -> int:
    print(drafts.load_script_source(args.name, ctx.db), end="")
    return 0


def _template_show(ctx: Context, args: argparse.Namespace) -> int:
    folder, file = _split(args.name)
    text = drafts.load_source(folder, file, ctx.db)
    if not text:
        raise CommandError(f"no template {args.name} (nor {file} in the shipped folders)")
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def _history(kind: str) -> Callable[[Context, argparse.Namespace], int]:
    def show(ctx: Context, args: argparse.Namespace) -> int:
        if kind == "template":
            _split(args.name)
        with ctx.db.session(write=False) as s:
            rows = team_library.history(s, kind, args.name)
        if args.json:
            print_json([r.as_dict() for r in rows])
            return 0
        if not rows:
            print(f"{args.name}: the team has not saved one (the shipped default applies)")
        for r in rows:
            note = f"  ({r.note})" if r.note else ""
            print(f"v{r.version}  {r.changed_at.isoformat()}  {r.changed_by or '-'}{note}")
        return 0

    return show


def _import(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.library_import import import_machine_files

    by = acting_for(ctx, args.by, "--by", required=False)
    report = import_machine_files(ctx.db, by)
    if args.json:
        print_json(report.as_dict())
        return 0
    for word, lines in (("copied", report.copied), ("kept beside", report.beside),
                        ("not copied", report.skipped)):
        for line in lines:
            print(f"{word}: {line}")
    print(f"{len(report.copied)} copied, {len(report.beside)} kept beside the team's copy, "
          f"{len(report.skipped)} not copied")
    return 0


def _by(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", help="the team lead saving (default: the person whose database "
                                "login --db uses)")


def register(reg: Registry) -> None:
    p = reg.subcommand("script", "save", "save a script for the whole team (checked first)",
                       _script_save, group_help="qualification scripts")
    p.add_argument("name", help="the script's name (lower_snake_case)")
    p.add_argument("file", help="its TOML source")
    _by(p)
    add_json(p)
    p = reg.subcommand("script", "show", "print a script as campaigns get it now", _script_show)
    p.add_argument("name")
    p = reg.subcommand("script", "history", "every saved version of a script",
                       _history("script"))
    p.add_argument("name")
    add_json(p)
    p = reg.subcommand("template", "save", "save a template for the whole team (checked first)",
                       _template_save, group_help="email and voicemail templates")
    p.add_argument("name", metavar="FOLDER/FILE", help="e.g. default/voicemail.txt.j2")
    p.add_argument("file", help="its source")
    _by(p)
    add_json(p)
    p = reg.subcommand("template", "show", "print a template as follow-ups get it now",
                       _template_show)
    p.add_argument("name", metavar="FOLDER/FILE")
    p = reg.subcommand("template", "history", "every saved version of a template",
                       _history("template"))
    p.add_argument("name", metavar="FOLDER/FILE")
    add_json(p)
    p = reg.subcommand("library", "import", "copy this machine's own scripts, templates and "
                       "import layouts into the team's database (nothing replaced)", _import,
                       group_help="the team's scripts, templates and import layouts")
    _by(p)
    add_json(p)
