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


# A machine without any sound device (a server, CI): the engine would fail every call
# opening the headset, so it gets a silent stand-in microphone of this length.
SILENCE_S = 600


def default_device() -> str | None:
    """The platform's default headset, or None on a Linux machine with no sound at all
    (no ALSA device, no PulseAudio/PipeWire socket)."""
    if sys.platform == "darwin":
        return "coreaudio,"
    if sys.platform.startswith("win"):
        return "winwave,"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if Path("/dev/snd").exists() or (runtime and Path(runtime, "pulse", "native").exists()):
        return "alsa,default"
    return None


def _silence() -> Path:
    from qualdesk.paths import data_dir

    path = data_dir() / "phone" / f"silence-{SILENCE_S}s.wav"
    if not path.exists():
        import wave

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(bytes(2 * 8000 * SILENCE_S))
        tmp.replace(path)
    return path


def trunk_host(dial_uri: str | None) -> str | None:
    """``sip:{e164}@trunk.example.com:5060;transport=tcp`` → ``trunk.example.com``."""
    if not dial_uri or "@" not in dial_uri:
        return None
    host = dial_uri.split("@", 1)[1]
    for sep in (";", ">", "?"):
        host = host.split(sep, 1)[0]
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def local_address_for(host: str | None) -> str | None:
    """The address of this machine that reaches ``host`` (no packet is sent): the engine
    puts it in Via/Contact, so the trunk's answers come back (a loopback trunk needs
    127.0.0.1, not the machine's other address)."""
    import socket

    if not host:
        return None
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((host, 5060))
            return str(s.getsockname()[0])
    except OSError:
        return None


def engine_config(folder: Path, account_line: str, machine: MachineSettings | None = None,
                  dial_uri: str | None = None) -> EngineConfig:
    ms = machine or MachineSettings.load()
    iface = os.environ.get(INTERFACE_ENV) or local_address_for(trunk_host(dial_uri))
    device = default_device()
    source = ms.audio_source or device or f"aufile,{_silence()}"
    player = ms.audio_player or device or "aufile,/dev/null"
    return EngineConfig(folder=folder, accounts=(account_line,), audio_source=source,
                        audio_player=player, sip_listen=f"{iface or '0.0.0.0'}:{free_port()}",
                        net_interface=iface)


def rep_phone(db: Database, rep_name: str, machine: MachineSettings | None = None) -> Phone:
    """A phone for the rep (not started): their SIP account if they have one."""
    from qualdesk.paths import data_dir
    from qualdesk.services import team_settings

    acc = sip_accounts.account_for(db, rep_name)
    line = sip_accounts.account_line(acc, sip_accounts.password_for(acc) if acc else None)
    folder = data_dir() / "phone" / "".join(c if c.isalnum() else "_" for c in rep_name.lower())
    uri = str(team_settings.get_value(db, "sip.dial_uri") or "")
    return Phone(engine_config(folder, line, machine, uri or None))


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
