"""Screenshots of a real call through the app's phone (a second baresip on 127.0.0.1
plays the lead's phone), and of the Phone page.

    xvfb-run -a -s '-screen 0 1280x720x24' python tools/screenshot_phone.py \
        [--size 1280x720] [--dark] [--out docs] [--suffix -1280]

Saves ``screenshot-call-connected{suffix}.png`` (a connected call: keys, talk time),
``screenshot-call-busy{suffix}.png`` (busy proposed, one key logs it) and
``screenshot-phone-page{suffix}.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_common import save  # noqa: E402 (after the path)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"))
    ap.add_argument("--suffix", default="")
    args = ap.parse_args()
    if args.dark:
        args.suffix += "-dark"
    tmp = Path(tempfile.mkdtemp(prefix="qualdesk-shot-"))
    os.environ.setdefault("QUALDESK_DATA_DIR", str(tmp / "data"))
    os.environ.setdefault("QUALDESK_CONFIG_DIR", str(tmp / "config"))

    from PySide6.QtWidgets import QApplication

    from qualdesk.db.engine import Database
    from qualdesk.phone.engine import EngineConfig, free_port
    from qualdesk.phone.phone import Phone
    from qualdesk.services import team_settings
    from qualdesk.services.demo import load_demo
    from qualdesk.services.users import get_user
    from qualdesk.services.voicemails import set_voicemail
    from tests.phone_far_end import ANSWER, REJECT, FarEnd, write_tone
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.ops import SyncRunner
    from ui.phone_page import PhonePage

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if args.dark:
        from tools.screenshot_intake import dark_palette

        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    db = Database(f"sqlite:///{tmp / 'shot.sqlite3'}")
    db.ensure_ready()
    load_demo(db)
    for k, v in (("calling.window_start", "00:00"), ("calling.window_end", "23:59")):
        team_settings.set_value(db, k, v)
    rep = "Alex Rivera"
    ctx = AppContext(db, get_user(db, rep), SyncRunner())
    set_voicemail(db, rep, write_tone(tmp / "vm.wav", 440, 25))

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    w = MainWindow(ctx, lambda _u: True)
    width, height = (int(x) for x in args.size.split("x"))
    w.resize(width, height)
    w.show()
    pump(0.5)
    w.queue.next_lead()
    pump(0.5)
    calls = w.lead_panel.calls
    assert calls.phone is not None
    numbers = [calls.phone]
    far = FarEnd(tmp / "far", numbers).start()
    team_settings.set_value(db, "sip.dial_uri", far.uri_template())
    mic = write_tone(tmp / "mic.wav", 0, 120)
    controller = w.features.phone
    controller.factory = lambda: Phone(EngineConfig(
        folder=tmp / "engine", accounts=("<sip:alex@127.0.0.1>;regint=0",),
        audio_source=f"aufile,{mic}", audio_player="aufile,/dev/null",
        sip_listen=f"127.0.0.1:{free_port()}", net_interface="127.0.0.1"))
    controller.dial_uri = far.uri_template()
    controller.start()
    while controller.state != "up":
        pump(0.1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    w.lead_panel.notes.edit.setPlainText("Evaluating two vendors; wants pricing for 40 seats.")
    far.will(ANSWER, after=1.0)
    calls.dial()
    pump(4.2)
    save(w, out / f"screenshot-call-connected{args.suffix}.png")
    calls.hang_up()
    pump(0.8)
    far.will(REJECT, after=0.5)
    calls.dial()
    pump(1.5)
    save(w, out / f"screenshot-call-busy{args.suffix}.png")
    page = PhonePage(ctx, controller, w)
    page.test_number.setText(numbers[0])
    page.show()
    pump(1.0)
    save(page, out / f"screenshot-phone-page{args.suffix}.png")
    controller.stop()
    far.stop()
    print(f"saved screenshots to {out}")
    w.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
