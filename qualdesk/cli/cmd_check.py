"""``qualdesk template check PATH`` and ``qualdesk script check PATH``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qualdesk.cli.common import CommandError, Context, Registry, add_json, print_json
from qualdesk.services.script_library import parse_script
from qualdesk.services.template_check import Problem, check_many


def _paths(raw: list[str], pattern: str) -> list[Path]:
    out: list[Path] = []
    for r in raw:
        p = Path(r)
        if not p.exists():
            raise CommandError(f"{r}: no such file or folder")
        out.extend(sorted(p.rglob(pattern)) if p.is_dir() else [p])
    return out


def _report(args: argparse.Namespace, files: list[Path], problems: list[Problem]) -> int:
    if args.json:
        print_json({"files": [str(f) for f in files], "ok": not problems,
                    "problems": [p.as_dict() for p in problems]})
    else:
        for p in problems:
            print(str(p))
        print(f"{len(files)} file(s) checked, {len(problems)} problem(s)")
    if problems:  # the contract's one-line reason on stderr; the list is on stdout
        print(f"qualdesk: {len(problems)} problem(s) in {len(files)} file(s) checked; the "
              f"first: {str(problems[0]).splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


def _template_check(ctx: Context, args: argparse.Namespace) -> int:
    files = _paths(args.path, "*.j2")
    return _report(args, files, check_many(files))


def _script_check(ctx: Context, args: argparse.Namespace) -> int:
    files = _paths(args.path, "*.toml")
    problems: list[Problem] = []
    for f in files:
        problems.extend(parse_script(f)[1])
    return _report(args, files, problems)


def register(reg: Registry) -> None:
    p = reg.subcommand("template", "check", "render templates with sample data; list problems",
                       _template_check, group_help="email and voicemail templates")
    p.add_argument("path", nargs="+", help="a template file or a folder of them")
    add_json(p)
    p = reg.subcommand("script", "check", "validate qualification scripts; list problems",
                       _script_check, group_help="qualification scripts")
    p.add_argument("path", nargs="+", help="a script .toml file or a folder of them")
    add_json(p)
