"""What the intake UI tests share: json events signed with a real HMAC, and the real
receiver (``python3 -m qualdesk intake serve``) as a child process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qualdesk.db.engine import Database
from qualdesk.services.intake.live.deliveries import Auth, Outcome, receive
from qualdesk.services.intake.live.signatures import qualdesk_signature

ROOT = Path(__file__).resolve().parents[2]


def signed(secret: str, events: list[dict[str, Any]] | dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The body and the headers a sender posts: ``X-QualDesk-Signature`` over the raw bytes."""
    body = json.dumps(events).encode()
    return body, {"Content-Type": "application/json",
                  "X-QualDesk-Signature": qualdesk_signature(secret.encode(), body,
                                                             int(time.time()))}


def receive_signed(db: Database, name: str, secret: str,
                   events: list[dict[str, Any]] | dict[str, Any]) -> Outcome:
    """Through the receiver's own service (no HTTP): for tests about what is shown."""
    body, headers = signed(secret, events)
    return receive(db, name, body, Auth(qualdesk_signature=headers["X-QualDesk-Signature"]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 5.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@contextmanager
def running_receiver(db_url: str, port: int | None = None,
                     start_timeout: float = 30.0) -> Iterator[str]:
    """The real receiver as its own process; yields its base address."""
    port = port or free_port()
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualdesk", "--db", db_url, "intake", "serve",
         "--listen", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the receiver exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the receiver did not answer /healthz in time")
            time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stderr is not None:
            proc.stderr.close()
