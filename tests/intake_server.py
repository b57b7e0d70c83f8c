"""The real intake receiver for tests: ``qualdesk intake serve`` in a subprocess on a
free 127.0.0.1 port, and the senders' real signatures."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from qualdesk.services.intake.live.signatures import mautic_signature, qualdesk_signature

DATA = Path(__file__).resolve().parent / "data" / "mautic"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    def __init__(self, db_url: str, *, port: int | None = None, workers: int = 1) -> None:
        self.db_url, self.workers = db_url, workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"qd-intake-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> Receiver:
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qualdesk", "--db", self.db_url, "intake", "serve",
             "--listen", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--workers", str(self.workers)],
            stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"receiver exited {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("receiver did not answer /healthz in time")

    def url(self, name: str) -> str:
        return f"{self.base}/intake/{name}"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def json_headers(secret: str, body: bytes, t: int | None = None) -> dict[str, str]:
    t = int(time.time()) if t is None else t
    return {"Content-Type": "application/json",
            "X-QualDesk-Signature": qualdesk_signature(secret.encode(), body, t)}


def mautic_headers(secret: str, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json",
            "Webhook-Signature": mautic_signature(secret.encode(), body)}


def sample(name: str) -> bytes:
    """One of Mautic's own webhook payload samples, byte for byte (see SOURCES.md)."""
    return (DATA / f"{name}.json").read_bytes()
