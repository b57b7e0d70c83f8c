"""Screenshots of the rep's workspace on a seeded database (offscreen is fine).

    QT_QPA_PLATFORM=offscreen python tools/screenshot.py [--db URL] [--rep NAME] [--out docs]

Without ``--db`` it builds a throwaway SQLite database with the demo data. Saves
``screenshot-queue.png`` (the queue with live clocks), ``screenshot-lead-panel.png``
(the lead claimed with F2, notes typed), ``screenshot-script-stepper.png`` (the script
at its BANT step) and ``screenshot-followup-preview.png`` (F6). ``--size 1280x720``
sets the window (default 1400x820), ``--dark`` the desktop's dark colour scheme,
``--suffix -dark`` names the files apart. Also ``screenshot-lead-history.png`` (the
lead's calls, emails and callbacks) and ``screenshot-sales-view.png`` (the demo's sales
owner's turned-over leads). The folder ``--out`` names is made if missing; a picture
that cannot be written stops the tool, naming it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_common import save  # noqa: E402 (after the path)


def dark_palette():  # noqa: ANN201 (Qt is imported late, on purpose)
    """A desktop's dark palette (KDE Breeze Dark's colours), for Xvfb, which has none."""
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    roles = {"Window": "#2a2e32", "WindowText": "#fcfcfc", "Base": "#1b1e20",
             "AlternateBase": "#232629", "Text": "#fcfcfc", "Button": "#31363b",
             "ButtonText": "#fcfcfc", "Highlight": "#3daee9", "HighlightedText": "#fcfcfc",
             "ToolTipBase": "#31363b", "ToolTipText": "#fcfcfc", "PlaceholderText": "#a1a9b1",
             "Link": "#1d99f3", "Mid": "#404040", "Dark": "#202020", "Light": "#505050"}
    for name, colour in roles.items():
        pal.setColor(getattr(QPalette.ColorRole, name), QColor(colour))
    for name in ("Text", "WindowText", "ButtonText"):
        pal.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, name),
                     QColor("#6e7175"))
    return pal


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--rep", default="Alex Rivera")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"))
    ap.add_argument("--size", default="1400x820")
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--suffix", default="")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    tmp = tempfile.mkdtemp(prefix="qualdesk-shot-")
    os.environ.setdefault("QUALDESK_DATA_DIR", str(Path(tmp) / "data"))
    os.environ.setdefault("QUALDESK_CONFIG_DIR", str(Path(tmp) / "config"))

    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QApplication

    from qualdesk.db.engine import Database
    from qualdesk.services.users import get_user
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.ops import SyncRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if args.dark:  # as a dark desktop does: Fusion follows the colour scheme
        from PySide6.QtCore import Qt

        app.setStyle("Fusion")
        app.styleHints().setColorScheme(Qt.ColorScheme.Dark)
        if app.palette().color(app.palette().ColorRole.Window).lightness() >= 128:
            app.setPalette(dark_palette())  # no desktop theme under Xvfb: what one sends
    db = Database(args.db or f"sqlite:///{Path(tmp) / 'shot.sqlite3'}")
    db.ensure_ready()
    if not args.db:
        from qualdesk.services.demo import load_demo

        load_demo(db)
    ctx = AppContext(db, get_user(db, args.rep), SyncRunner())

    def no_phone(_url: QUrl) -> bool:
        return True

    w = MainWindow(ctx, no_phone)
    w.resize(width, height)
    w.show()
    w.queue.held_check.setChecked(True)
    for _ in range(5):
        app.processEvents()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sfx = args.suffix

    def settle() -> None:
        for _ in range(8):
            app.processEvents()

    def shoot(widget: object, name: str) -> None:
        settle()
        path = save(widget, out / f"screenshot-{name}{sfx}.png")
        print(f"saved {path} ({w.width()}x{w.height()})")

    shoot(w, "queue")
    w.queue.next_lead()
    w.lead_panel.calls.dial()
    w.lead_panel.notes.edit.setPlainText("Evaluating two vendors; wants pricing for 40 seats.")
    shoot(w, "lead-panel")
    w.lead_panel.lead_tabs.setCurrentWidget(w.lead_panel.history)
    shoot(w, "lead-history")

    script = w.features.script
    w.features.lead_actions.show_script()
    for _ in range(12):
        if script.step == "bant":
            break
        script.next()
    shoot(w, "script-stepper")

    w.features.lead_actions.open_followup()
    dlg = w.features.lead_actions._dialog
    settle()
    shoot(dlg, "followup-preview")
    dlg.close()
    w.close()
    shoot_sales(db, width, height, shoot)
    db.dispose()
    return 0


def shoot_sales(db: object, width: int, height: int, shoot: object) -> None:
    """Sales' side: the demo's sales owner and the leads turned over to them."""
    from qualdesk.services.demo_scenarios import SALES_OWNER
    from qualdesk.services.users import get_user
    from ui.context import AppContext
    from ui.ops import SyncRunner
    from ui.sales_view import SalesView

    view = SalesView(AppContext(db, get_user(db, SALES_OWNER), SyncRunner()))  # type: ignore[arg-type]
    view.resize(width, height)
    view.show()
    shoot(view, "sales-view")  # type: ignore[operator]
    view.close()


if __name__ == "__main__":
    raise SystemExit(main())
