"""The SIP engine process: baresip started as a child with a config folder of its own,
driven over its ``ctrl_tcp`` socket (JSON commands and events, in netstrings).

One reader thread takes everything the engine sends: command responses wake the caller
waiting on its token, events go to ``on_event`` (on the reader thread: the receiver hands
them on, by queue or Qt signal). When the engine dies the reader sees the socket close,
reports ``{"type": "ENGINE_DIED"}`` and, unless the app stopped it, starts it again.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualdesk.errors import KnownError
from qualdesk.phone.netstring import Decoder, NetstringError, encode

EventSink = Callable[[dict[str, Any]], None]

MODULE_DIRS = ("/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules",
               "/opt/homebrew/lib/baresip/modules", "/usr/lib/x86_64-linux-gnu/baresip/modules")


class EngineError(KnownError):
    """The engine is missing, would not start, or stopped answering."""


def find_binary() -> str | None:
    return shutil.which("baresip")


def module_dir() -> str | None:
    for d in MODULE_DIRS:
        if Path(d, "ctrl_tcp.so").exists():
            return d
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class EngineConfig:
    """What goes into the engine's config folder.

    ``audio_source``/``audio_player`` are baresip device specs (``alsa,default``,
    ``pulse,``, ``aufile,/path/silence.wav``); ``accounts`` are account lines
    (``<sip:rep@host>;regint=0``); ``record_dir`` loads ``sndfile`` (it records what
    is sent and heard).
    """

    folder: Path
    accounts: tuple[str, ...]
    audio_source: str = "alsa,default"
    audio_player: str = "alsa,default"
    sip_listen: str = "0.0.0.0:0"
    net_interface: str | None = None
    ctrl_port: int = 0
    record_dir: Path | None = None
    extra_modules: tuple[str, ...] = field(default_factory=tuple)

    def render(self, ctrl_port: int, modules: str) -> str:
        lines = [
            "poll_method\t\tepoll",
            f"sip_listen\t\t{self.sip_listen}",
            f"audio_player\t\t{self.audio_player}",
            f"audio_source\t\t{self.audio_source}",
            f"audio_alert\t\t{self.audio_player}",
            "call_max_calls\t\t4",
            f"module_path\t\t{modules}",
            "module\t\t\tg711.so",
            "module\t\t\taufile.so",
        ]
        if self.net_interface:
            # Two engines on one machine talk only when both say which address is theirs
            # (otherwise Via/Contact carry the other interface and the 200 OK is lost).
            lines.append(f"net_interface\t\t{self.net_interface}")
        for dev in (self.audio_source, self.audio_player):
            mod = dev.split(",", 1)[0]
            if mod and mod != "aufile" and f"{mod}.so" not in "".join(lines):
                lines.append(f"module\t\t\t{mod}.so")
        if self.record_dir is not None:
            lines += ["module\t\t\tsndfile.so", f"snd_path\t\t{self.record_dir}"]
        lines += [f"module\t\t\t{m}" for m in self.extra_modules]
        lines += ["module_app\t\taccount.so", "module_app\t\tmenu.so",
                  "module_app\t\tctrl_tcp.so", f"ctrl_tcp_listen\t\t127.0.0.1:{ctrl_port}"]
        return "\n".join(lines) + "\n"

    def write(self, ctrl_port: int, modules: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "config").write_text(self.render(ctrl_port, modules), encoding="utf-8")
        acc = self.folder / "accounts"
        acc.write_text("\n".join(self.accounts) + "\n", encoding="utf-8")
        with contextlib.suppress(OSError):
            acc.chmod(0o600)  # may carry the SIP password


class Engine:
    """One baresip child process and its control connection."""

    START_TIMEOUT = 6.0
    RESTART_LIMIT = 5  # restarts within RESTART_WINDOW before giving up (a crash loop)
    RESTART_WINDOW = 60.0

    def __init__(self, config: EngineConfig, on_event: EventSink | None = None,
                 binary: str | None = None, restart: bool = True) -> None:
        self.config = config
        self.on_event: EventSink = on_event or (lambda _e: None)
        self.binary = binary or find_binary()
        self.restart = restart
        self.proc: subprocess.Popen[bytes] | None = None
        self.version: str | None = None
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._tokens = itertools.count(1)
        self._waiting: dict[str, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self._stopping = False
        self._restarts: list[float] = []
        self._ctrl_port = 0
        self._life_lock = threading.Lock()

    # --- life -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self._sock is not None

    def start(self) -> None:
        with self._life_lock:
            self._stopping = False
            self._start_locked()

    def _start_locked(self) -> None:
        if self.binary is None:
            raise EngineError("the phone engine (baresip) is not installed: install it "
                              "(Debian/Ubuntu: apt install baresip-core; macOS: brew install "
                              "baresip), or keep dialling through the desktop's softphone")
        modules = module_dir()
        if modules is None:
            raise EngineError("baresip is installed without its control module (ctrl_tcp)")
        self._ctrl_port = self.config.ctrl_port or free_port()
        self.config.write(self._ctrl_port, modules)
        log = open(self.config.folder / "engine.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.proc = subprocess.Popen([self.binary, "-f", str(self.config.folder)],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + self.START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise EngineError(f"the phone engine stopped at start (exit {self.proc.returncode}); "
                                  f"see {self.config.folder / 'engine.log'}")
            try:
                self._sock = socket.create_connection(("127.0.0.1", self._ctrl_port), timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    self._kill()
                    raise EngineError("the phone engine did not open its control port within "
                                      f"{self.START_TIMEOUT:.0f} s") from None
                time.sleep(0.05)
        self._sock.settimeout(None)
        threading.Thread(target=self._read, args=(self._sock, self.proc), daemon=True,
                         name="phone-engine-reader").start()
        about = self.command("about", timeout=3)
        self.version = _version(str(about.get("data", "")))

    def stop(self) -> None:
        with self._life_lock:
            self._stopping = True
            if self.running:
                with contextlib.suppress(EngineError, OSError):
                    self.command("quit", timeout=1)
            self._kill()

    def _kill(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(2)

    # --- talking ------------------------------------------------------------------------

    def command(self, command: str, params: str | None = None,
                timeout: float = 5.0) -> dict[str, Any]:
        """Send one command and wait for its response (never call this on the GUI thread)."""
        sock = self._sock
        if sock is None:
            raise EngineError("the phone engine is not running")
        token = f"q{next(self._tokens)}"
        msg: dict[str, Any] = {"command": command, "token": token}
        if params is not None:
            msg["params"] = params
        done, box = threading.Event(), []
        self._waiting[token] = (done, box)
        try:
            with self._send_lock:
                sock.sendall(encode(json.dumps(msg).encode("utf-8")))
            if not done.wait(timeout):
                raise EngineError(f"the phone engine did not answer {command!r} within {timeout:g} s")
        except OSError as exc:
            raise EngineError(f"lost the phone engine: {exc}") from exc
        finally:
            self._waiting.pop(token, None)
        if not box:
            raise EngineError("the phone engine stopped")
        return box[0]

    def _read(self, sock: socket.socket, proc: subprocess.Popen[bytes]) -> None:
        dec = Decoder()
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                for raw in dec.feed(data):
                    self._dispatch(raw)
        except (OSError, NetstringError):
            pass
        for done, _box in list(self._waiting.values()):
            done.set()  # waiters see an empty box: the engine stopped
        if self._stopping or self.proc is not proc:
            return
        code = proc.poll()
        self.on_event({"type": "ENGINE_DIED", "param": f"exit {code}" if code is not None
                       else "control connection lost"})
        if self.restart:
            self._restart_after_death()

    def _dispatch(self, raw: bytes) -> None:
        try:
            msg = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        if msg.get("response"):
            waiter = self._waiting.get(str(msg.get("token")))
            if waiter is not None:
                waiter[1].append(msg)
                waiter[0].set()
            return
        if msg.get("event"):
            self.on_event(msg)

    def _restart_after_death(self) -> None:
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < self.RESTART_WINDOW] + [now]
        if len(self._restarts) > self.RESTART_LIMIT:
            self.on_event({"type": "ENGINE_GAVE_UP",
                           "param": f"restarted {self.RESTART_LIMIT} times in a minute"})
            return
        with self._life_lock:
            if self._stopping:
                return
            self._kill()
            try:
                self._start_locked()
            except EngineError as exc:
                self.on_event({"type": "ENGINE_GAVE_UP", "param": str(exc)})
                return
        self.on_event({"type": "ENGINE_RESTARTED", "param": self.version or ""})


def _version(text: str) -> str | None:
    m = re.search(r"\b(\d+\.\d+\.\d+)\b", text)
    return m.group(1) if m else None
