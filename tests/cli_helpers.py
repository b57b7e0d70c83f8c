"""Run ``qualdesk`` in-process (fast) or as a real subprocess (the installed console script)."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from qualdesk.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(db_url: str | None, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    argv = (["--db", db_url] if db_url else []) + list(args)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def run_process(db_url: str | None, *args: str, env: dict[str, str] | None = None) -> Result:
    argv = [sys.executable, "-m", "qualdesk"] + (["--db", db_url] if db_url else []) + list(args)
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    return Result(p.returncode, p.stdout, p.stderr)
