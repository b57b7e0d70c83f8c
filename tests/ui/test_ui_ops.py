"""The op runner owns "what changed": a write through ``run_op`` is announced once, by
the runner, and the views listening refresh; a failure nobody handles reaches
``report`` once, and the exception's type (never its traceback) decides banner or
crash dialog. Real database (both engines where the engine matters), real views."""

from __future__ import annotations

from typing import Any

import pytest

from qualdesk.db.engine import Database
from qualdesk.domain.records import Changes
from qualdesk.errors import DatabaseUnavailable, KnownError, NotAllowed
from qualdesk.services.queue import claim_lead
from tests.ui.conftest import seed_workspace
from ui.audit_view import AuditView
from ui.context import AppContext
from ui.ops import OpRunner, SyncRunner, bug_details
from ui.queue_view import QueueView
from ui.what_changed import claimed


class Heard:
    """Everything a runner said: announcements, banner messages and bugs."""

    def __init__(self, runner: OpRunner | SyncRunner) -> None:
        self.changes: list[tuple[Changes, object]] = []
        self.known: list[str] = []
        self.bugs: list[tuple[str, str]] = []
        runner.sig_operation_executed.connect(lambda ch, who: self.changes.append((ch, who)))
        runner.sig_error_known.connect(self.known.append)
        runner.sig_error_bug.connect(lambda s, d: self.bugs.append((s, d)))


def _views(qtbot: Any, ctx: AppContext, lead_id: int) -> tuple[QueueView, AuditView]:
    queue, audit = QueueView(ctx), AuditView(ctx)
    for w in (queue, audit):
        qtbot.addWidget(w)
    queue.refresh_timer.stop()
    queue.refresh()
    audit.set_lead(lead_id)
    return queue, audit


def test_a_claim_is_announced_once_by_the_runner_and_the_views_refresh(
        qtbot, db: Database, frozen) -> None:
    seeded = seed_workspace(db, frozen.t)
    alice = seeded.leads["Alice"]
    ctx = AppContext(db, seeded.rep, SyncRunner())
    queue, audit = _views(qtbot, ctx, alice)
    heard = Heard(ctx.runner)
    before = audit.model.rowCount()

    queue.next_lead()  # Ana's top lead is Alice

    assert heard.changes == [(Changes(leads=(alice,), queue=True), queue)]
    assert audit.model.rowCount() == before + 1  # the claim's audit row, shown: refreshed
    assert heard.known == [] and heard.bugs == []


def test_a_write_with_nothing_to_claim_says_nothing(qtbot, ctx, seeded, frozen) -> None:
    queue, _ = _views(qtbot, ctx, seeded.leads["Alice"])
    for name in ("Alice", "Bob", "Carol"):
        claim_lead(ctx.db, seeded.leads[name], seeded.other.name)
    heard = Heard(ctx.runner)
    queue.next_lead()
    assert heard.changes == [] and heard.known == [] and heard.bugs == []


def test_through_the_thread_pool_the_announcement_comes_once_on_the_gui_thread(
        qtbot, sqlite_db: Database, seeded, frozen) -> None:
    from PySide6.QtCore import QThread

    runner = OpRunner(max_threads=2)
    ctx = AppContext(sqlite_db, seeded.rep, runner)
    gui = QThread.currentThread()
    threads: list[bool] = []
    runner.sig_operation_executed.connect(lambda *_: threads.append(
        QThread.currentThread() is gui))
    heard = Heard(runner)
    done: list[object] = []
    bob = seeded.leads["Bob"]
    ctx.run_op(lambda: claim_lead(sqlite_db, bob, seeded.rep.name), "me", done.append,
               changes=claimed)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert runner.wait(5000)
    qtbot.wait(20)  # nothing more arrives
    assert [c for c, _ in heard.changes] == [Changes(leads=(bob,), queue=True)]
    assert heard.changes[0][1] == "me" and threads == [True]
    assert getattr(done[0], "lead_id", None) == bob  # on_done still gets the service's answer


def test_a_result_carrying_changes_is_announced_once(qtbot, ctx, seeded) -> None:
    """A lead edited from the form: its result carries ``changes``; the runner announces
    them and the form no longer adds a second, hand-made announcement."""
    from ui.lead_edit_dialog import LeadFormDialog

    alice = seeded.leads["Alice"]
    audit = AuditView(ctx)
    qtbot.addWidget(audit)
    audit.set_lead(alice)
    heard = Heard(ctx.runner)
    dialog = _edit_form(qtbot, ctx, alice, LeadFormDialog)
    before = audit.model.rowCount()
    dialog.edits["company"].setText("Acme Holdings")
    dialog.submit()
    assert [c for c, _ in heard.changes] == [Changes(leads=(alice,), queue=True)]
    assert heard.changes[0][1] is dialog
    assert audit.model.rowCount() > before


def _edit_form(qtbot: Any, ctx: AppContext, lead_id: int, cls: Any) -> Any:
    from qualdesk.services.leads import lead_detail

    dialog = cls(ctx, lead_detail(ctx.db, lead_id))
    qtbot.addWidget(dialog)
    return dialog


def test_a_refused_claim_reaches_the_banner_once(qtbot, ctx, seeded) -> None:
    queue, _ = _views(qtbot, ctx, seeded.leads["Alice"])
    claim_lead(ctx.db, seeded.leads["Alice"], seeded.other.name)
    heard = Heard(ctx.runner)
    queue.claim_lead_id(seeded.leads["Alice"])
    assert heard.known == [f"lead {seeded.leads['Alice']} is held by another rep"]
    assert heard.bugs == [] and heard.changes == []
    assert not queue._claiming  # the view is ready for the next claim


def test_a_failing_write_reports_once_and_its_handler_wins(qtbot) -> None:
    runner = SyncRunner()
    heard = Heard(runner)

    def broken() -> Changes:
        raise ZeroDivisionError("division by zero")

    runner.run_op(broken, "me")
    assert heard.changes == [] and heard.known == []
    [(summary, details)] = heard.bugs
    assert summary == "ZeroDivisionError: division by zero"
    assert "in broken" in details  # the traceback, not an empty string

    handled: list[BaseException] = []
    runner.run_op(broken, "me", on_error=handled.append)
    assert len(handled) == 1 and len(heard.bugs) == 1  # the handler, not the report


@pytest.mark.parametrize("exc", [NotAllowed("lead 3 is held by another rep"),
                                 DatabaseUnavailable("the database is unreachable")])
def test_a_known_error_is_never_a_bug_whatever_its_traceback(exc: KnownError) -> None:
    runner = SyncRunner()
    heard = Heard(runner)
    runner.report(exc)  # never raised: no traceback at all
    exc.__qualdesk_tb__ = "Traceback (most recent call last):\n  ..."  # type: ignore[attr-defined]
    runner.report(exc)  # a worker's traceback text changes nothing either
    assert heard.known == [str(exc), str(exc)] and heard.bugs == []


def test_a_bug_with_no_traceback_still_shows_what_failed() -> None:
    """The type decides: an exception never raised (no traceback), or one whose worker
    traceback came back empty, is a bug, and its details are never blank."""
    runner = SyncRunner()
    heard = Heard(runner)
    bare = RuntimeError("lost the lead's row")
    runner.report(bare)
    emptied = ValueError("bad row")
    emptied.__qualdesk_tb__ = ""  # type: ignore[attr-defined]
    runner.report(emptied)
    assert [s for s, _ in heard.bugs] == ["RuntimeError: lost the lead's row",
                                          "ValueError: bad row"]
    assert all(d.strip() for _, d in heard.bugs)
    assert bug_details(bare).strip() == "RuntimeError: lost the lead's row"
    assert heard.known == []


def test_an_announcement_of_nothing_is_not_made() -> None:
    runner = SyncRunner()
    heard = Heard(runner)
    runner.announce(Changes(), "job")
    runner.announce(Changes(emails=True), "job")
    assert heard.changes == [(Changes(emails=True), "job")]


def test_a_job_announces_through_the_runner_only_what_it_changed(qtbot, ctx) -> None:
    """The outbox job writes outside a run: its pass reaches the views through
    ``runner.announce``, once, and a pass that touched no email says nothing."""
    from qualdesk.services.outbox import OutboxRun
    from ui.outbox_job import OutboxJob

    job = OutboxJob(ctx)
    heard = Heard(ctx.runner)
    job.sig_outbox_processed.emit(OutboxRun())
    job.sig_outbox_processed.emit(OutboxRun(sent=(7,)))
    assert heard.changes == [(Changes(emails=True), job)]
