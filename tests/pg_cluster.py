"""A private, throwaway PostgreSQL cluster a test can stop and start for real
(the shared test cluster must never go down under other tests).

Same recipe as ``tools/pg.sh``: initdb/pg_ctl as the ``postgres`` user when running as
root, from ``cwd="/"``, socket and data in a temporary directory, a fixed free port so
clients can reconnect to the same URL after a restart.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _pg_bin() -> Path:
    env = os.environ.get("QUALDESK_TEST_PG_BIN")
    if env:
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not found:
        raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
    return Path(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="qualdesk-pgc."))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        argv = [str(self.bin / tool), *args]
        if self._as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        p = subprocess.run(argv, cwd="/", capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"{tool} failed: {p.stdout}{p.stderr}")

    def start(self, *, durable: bool = False) -> None:
        """``durable``: a commit is acknowledged only once its WAL is written, so an
        immediate stop keeps every commit a client was told of (the default, faster,
        may lose the last ones — fine for tests that only need the server gone)."""
        sync = "" if durable else "-c synchronous_commit=off "
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                f"{sync}-c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "-o", opts, "start")

    def stop(self, mode: str = "fast") -> None:
        """A real shutdown: every client connection is cut. ``mode="immediate"`` is a
        crash: no checkpoint, transactions in flight die with their connection (a commit
        may reach the server while its answer never reaches the client)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def crash_mid_burst(self, workers: list[subprocess.Popen[str]], under_way: Callable[[], bool],
                        *, down_s: float = 1.5, timeout: float = 180) -> list[tuple[str, str]]:
        """Stop the server in immediate mode (a crash) once ``under_way()`` says the
        workers' burst is well started, start it again (durable) after ``down_s``, and
        return each worker's (stdout, stderr) once it ends; kills the stragglers."""
        try:
            deadline = time.monotonic() + 60
            while not under_way():
                assert time.monotonic() < deadline, "the burst never got going"
                time.sleep(0.05)
            self.stop("immediate")
            time.sleep(down_s)
            self.start(durable=True)
            return [w.communicate(timeout=timeout) for w in workers]
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
