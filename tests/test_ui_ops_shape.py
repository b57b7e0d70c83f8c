"""The op runner is the one home of "what changed" and of reporting a failure.

Outside ``ui/ops.py`` no ui module emits ``sig_operation_executed`` (a write runs through
``run_op``, a job announces through ``runner.announce``), emits ``sig_error_bug`` or
calls ``deliver`` (a failure goes to ``runner.report``), and outside ``ui/what_changed.py``
no view builds a ``Changes`` (the service answers with it, or ``what_changed`` names it).
Read from the source with ``ast``, so a comment or a string never counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[1] / "ui"
RUNNER = "ops.py"
CHANGES_HOME = ("ops.py", "what_changed.py")
RUNNER_ONLY_SIGNALS = ("sig_operation_executed", "sig_error_bug")


def _dotted(node: ast.AST) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def problems(source: str, name: str) -> list[str]:
    """Every place in one ui module that does the runner's job."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "ui.ops":
            found += [f"{name}:{node.lineno} imports deliver" for a in node.names
                      if a.name == "deliver"]
        if not isinstance(node, ast.Call):
            continue
        call = _dotted(node.func)
        last = call.rsplit(".", 1)[-1]
        if name != RUNNER:
            for signal in RUNNER_ONLY_SIGNALS:
                if call.endswith(f"{signal}.emit"):
                    found.append(f"{name}:{node.lineno} emits {signal}")
            if last in ("deliver", "_deliver"):
                found.append(f"{name}:{node.lineno} calls {call}")
        if name not in CHANGES_HOME and last == "Changes":
            found.append(f"{name}:{node.lineno} builds Changes by hand")
    return found


def test_only_the_op_runner_announces_changes_and_reports_failures() -> None:
    found = [p for path in sorted(UI.glob("*.py"))
             for p in problems(path.read_text(encoding="utf-8"), path.name)]
    assert found == [], "use ctx.run_op / runner.announce / runner.report:\n" + "\n".join(found)


def test_the_guard_sees_each_way_round_the_runner() -> None:
    """The check itself can fail: each forbidden shape is found, the allowed ones not."""
    view = '''
from ui.ops import deliver
class V:
    def done(self, ch):
        self.ctx.sig_operation_executed.emit(Changes(queue=True), self)
        self.ctx.runner.sig_error_bug.emit("boom", "")
        deliver(None, ch, None, None, self.ctx.runner)
        # self.ctx.sig_operation_executed.emit(x)  (a comment does not count)
        text = "sig_operation_executed.emit("
'''
    assert sorted(problems(view, "some_view.py")) == [
        "some_view.py:2 imports deliver",
        "some_view.py:5 builds Changes by hand",
        "some_view.py:5 emits sig_operation_executed",
        "some_view.py:6 emits sig_error_bug",
        "some_view.py:7 calls deliver",
    ]
    allowed = '''
class V:
    def ok(self):
        self.ctx.run_op(lambda: write(), self, changes=claimed)
        self.ctx.runner.announce(outbox_ran(run), self)
        self.ctx.runner.report(exc)
        self.ctx.sig_operation_executed.connect(self.refresh)
'''
    assert problems(allowed, "some_view.py") == []
    assert problems("Changes(queue=True)", "what_changed.py") == []
