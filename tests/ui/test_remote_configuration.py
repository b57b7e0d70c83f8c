"""Configuration changed on another client (a disposition, a kind, a campaign, a team
setting) reaches a running app without a restart; other clients' lead work does not make
it reload its configuration."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from qualdesk.db.engine import Database
from qualdesk.services import audit
from qualdesk.services.codes_admin import set_disposition
from qualdesk.services.sync import current_position, kinds_between
from tests.ui.test_workspace import open_window


def test_kinds_between_two_positions(sqlite_db: Database) -> None:
    start = current_position(sqlite_db)
    with sqlite_db.session() as s:
        audit.bump(s, "claim", 1)
    middle = current_position(sqlite_db)
    with sqlite_db.session() as s:
        audit.bump(s, "settings")
        audit.bump(s, "note", 1)
    end = current_position(sqlite_db)
    assert kinds_between(sqlite_db, start, middle) == {"claim"}
    assert kinds_between(sqlite_db, middle, end) == {"settings", "note"}
    assert kinds_between(sqlite_db, end, end) == set()


def _button(w: object, code: str) -> QPushButton | None:
    return w.lead_panel.calls.findChild(QPushButton, f"disposition_{code}")  # type: ignore[attr-defined]


def test_a_disposition_added_elsewhere_reaches_the_buttons(qtbot: QtBot, ctx, seeded) -> None:
    w, _ = open_window(qtbot, ctx)
    reloads: list[int] = []
    load = w.lead_panel._load_config
    w.lead_panel._load_config = lambda: (reloads.append(1), load())  # type: ignore[method-assign]
    assert _button(w, "gatekeeper") is None

    elsewhere = Database(ctx.db.url)  # another client, same database
    before = current_position(ctx.db)
    with elsewhere.session() as s:
        audit.bump(s, "claim", seeded.leads["Alice"])
    after_claim = current_position(ctx.db)
    w._on_remote_span(before, after_claim)  # what LiveRefresh delivers
    qtbot.wait(400)
    assert reloads == []  # lead work elsewhere: the configuration is not read again

    refreshes: list[int] = []
    w.queue.refresh = lambda: refreshes.append(1)  # type: ignore[method-assign]
    set_disposition(elsewhere, "gatekeeper", label="Gatekeeper")
    w._on_remote_span(after_claim, current_position(ctx.db))
    qtbot.waitUntil(lambda: _button(w, "gatekeeper") is not None, timeout=2000)
    assert reloads == [1]
    assert refreshes == []  # the window's own refresh of the burst reloads the queue once
    assert _button(w, "gatekeeper").text() == "Gatekeeper"  # type: ignore[union-attr]
    elsewhere.dispose()
