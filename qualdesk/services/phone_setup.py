"""The rep's phone on this machine: the engine's config folder, the rep's SIP account,
this machine's headset, and the engine check behind ``qualdesk phone check``."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qualdesk.db.engine import Database
from qualdesk.phone.engine import EngineConfig, EngineError, find_binary, free_port, module_dir
from qualdesk.phone.phone import Phone
from qualdesk.services import sip_accounts
from qualdesk.settings import MachineSettings

# Two engines on one machine (tests, a softphone beside the app) need the address named.
INTERFACE_ENV = "QUALDESK_SIP_INTERFACE"


def default_device() -> str:
    if sys.platform == "darwin":
        return "coreaudio,"
    if sys.platform.startswith("win"):
        return "winwave,"
    return "alsa,default"


def engine_config(folder: Path, account_line: str, machine: MachineSettings | None = None) -> EngineConfig:
    ms = machine or MachineSettings.load()
    iface = os.environ.get(INTERFACE_ENV) or None
    return EngineConfig(folder=folder, accounts=(account_line,),
                        audio_source=ms.audio_source or default_device(),
                        audio_player=ms.audio_player or default_device(),
                        sip_listen=f"{iface or '0.0.0.0'}:{free_port()}", net_interface=iface)


def rep_phone(db: Database, rep_name: str, machine: MachineSettings | None = None) -> Phone:
    """A phone for the rep (not started): their SIP account if they have one."""
    from qualdesk.paths import data_dir

    acc = sip_accounts.account_for(db, rep_name)
    line = sip_accounts.account_line(acc, sip_accounts.password_for(acc) if acc else None)
    folder = data_dir() / "phone" / "".join(c if c.isalnum() else "_" for c in rep_name.lower())
    return Phone(engine_config(folder, line, machine))


@dataclass(frozen=True)
class EngineCheck:
    engine: str
    version: str | None
    ok: bool
    reason: str | None

    def as_dict(self) -> dict[str, object]:
        return {"engine": self.engine, "version": self.version, "ok": self.ok, "reason": self.reason}


def check_engine(machine: MachineSettings | None = None) -> EngineCheck:
    """Start the engine for a moment with a throw-away folder: installed, its control
    module present, it starts and answers."""
    if find_binary() is None:
        return EngineCheck("baresip", None, False, "baresip is not installed (Debian/Ubuntu: "
                           "apt install baresip-core; macOS: brew install baresip)")
    if module_dir() is None:
        return EngineCheck("baresip", None, False, "baresip's control module (ctrl_tcp) is missing")
    with tempfile.TemporaryDirectory(prefix="qualdesk-phone-") as tmp:
        phone = Phone(engine_config(Path(tmp), sip_accounts.account_line(None, None), machine),
                      restart=False)
        try:
            version = phone.start()
        except EngineError as exc:
            return EngineCheck("baresip", None, False, str(exc))
        finally:
            phone.stop()
    return EngineCheck("baresip", version, True, None)
