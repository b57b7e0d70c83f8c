"""Screenshots of the welcome page (the first run), one per step, grabbed offscreen.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_welcome.py [--dark] [--size 1280x720]

A fresh SQLite file in a temporary folder; the "You" step is filled in and created so
the later steps show a team lead's view.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_common import save  # noqa: E402 (after the path)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--dark", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if args.dark:
        sys.path.insert(0, str(ROOT / "tools"))
        from screenshot_intake import dark_palette

        app.setStyle("Fusion")
        app.setPalette(dark_palette())  # type: ignore[arg-type]
    from qualdesk.db.engine import Database
    from qualdesk.db.migrate import upgrade
    from qualdesk.settings import MachineSettings
    from ui.ops import SyncRunner
    from ui.welcome_page import WelcomePage
    from ui.welcome_steps import RepsStep, YouStep

    w, h = (int(x) for x in args.size.lower().split("x"))
    suffix = f"-{w}" + ("-dark" if args.dark else "")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QUALDESK_CONFIG_DIR"] = tmp
        db = Database(f"sqlite:///{tmp}/welcome.sqlite3")
        upgrade(db)
        page = WelcomePage(db, SyncRunner(), MachineSettings())
        page.resize(w, h)
        page.show()
        shots = []
        for i, name in enumerate(("database", "you", "reps", "email", "leads")):
            page.go(i)
            if name == "you":
                you = next(s for s in page.steps if isinstance(s, YouStep))
                you.name.setText("Tara Quinn")
                you.email.setText("tara@example.com")
            if name == "reps":
                reps = next(s for s in page.steps if isinstance(s, RepsStep))
                for rep in ("Alex Rivera", "Bea Novak"):
                    reps.name.setText(rep)
                    reps.email.setText(rep.split()[0].lower() + "@example.com")
                    reps.add.click()
                reps.name.setText("Chen Wu")
            app.processEvents()
            path = out / f"screenshot-welcome-{i + 1}-{name}{suffix}.png"
            save(page, path)
            shots.append(path)
            if name == "you":
                page.next.click()  # creates Tara, so the next steps are hers
                page.go(i)
        page.close()
        db.dispose()
    print("wrote", *(str(p) for p in shots))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
