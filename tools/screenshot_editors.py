"""Screenshots of the script editor, the template editor (one with a problem flagged)
and the Level I rule builder, grabbed offscreen on the demo data.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_editors.py [--dark] [--size 1280x720]
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
    tmp = tempfile.mkdtemp(prefix="qualdesk-shots-")
    os.environ["QUALDESK_DATA_DIR"] = tmp  # drafts saved here, not in the real templates
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if args.dark:
        sys.path.insert(0, str(ROOT / "tools"))
        from screenshot_intake import dark_palette

        app.setStyle("Fusion")
        app.setPalette(dark_palette())  # type: ignore[arg-type]
    from qualdesk.db.engine import Database
    from qualdesk.db.migrate import upgrade
    from qualdesk.services.demo import load_demo
    from ui.level1_rule_builder import Level1RuleBuilder
    from ui.ops import SyncRunner
    from ui.script_editor import ScriptEditor
    from ui.template_editor import TemplateEditor

    w, h = (int(x) for x in args.size.lower().split("x"))
    suffix = f"-{w}" + ("-dark" if args.dark else "")
    db = Database(f"sqlite:///{tmp}/demo.sqlite3")
    upgrade(db)
    load_demo(db)
    se = ScriptEditor(db, SyncRunner(), "Alex Rivera")
    se.resize(w, h)
    se.show()
    se.form.steps.setCurrentRow(2 + 5)  # question 6: options, each with where it goes
    app.processEvents()
    save(se, out / f"screenshot-editor-script{suffix}.png")
    te = TemplateEditor(db, SyncRunner(), "Alex Rivera")
    te.set_template("default", "email.html.j2")
    te.resize(w, h)
    te.show()
    app.processEvents()
    save(te, out / f"screenshot-editor-template{suffix}.png")
    te.set_template("default", "voicemail.txt.j2")
    te.source.appendPlainText("Your account manager is {{ lead.account_manager }}.")
    te.check_now()
    app.processEvents()
    save(te, out / f"screenshot-editor-template-problem{suffix}.png")
    b = Level1RuleBuilder("need_known and authority_confirmed and timeframe_within_months(6)")
    b.show()
    app.processEvents()
    save(b, out / f"screenshot-editor-level1{suffix}.png")
    for x in (se, te, b):
        x.close()
    db.dispose()
    print("wrote the editor screenshots to", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
