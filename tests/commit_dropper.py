"""A TCP proxy in front of PostgreSQL that can lose a commit's answer: the server gets
the client's COMMIT and commits, but the connection is cut before the reply comes back
("server closed the connection unexpectedly"). The one case a retry key exists for,
made on demand instead of hoped for in a crash."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from sqlalchemy.engine import make_url


class CommitDropper:
    def __init__(self, target_url: str) -> None:
        u = make_url(target_url)
        self.target = (u.host or "127.0.0.1", int(u.port or 5432))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = u.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        self.armed = threading.Event()
        self.after: bytes | None = None
        self.dropped = 0
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_next_commit(self, after: bytes | None = None) -> None:
        """Lose the answer to the next COMMIT (``after``: the next one on a connection
        that has sent these bytes, e.g. ``b"INSERT INTO callbacks"``: a command's
        read-only transactions before its write commit too)."""
        self.after = after
        self.armed.set()

    def close(self) -> None:
        self._stop = True
        self.listener.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            cut = threading.Event()  # this connection's answers are no longer relayed
            threading.Thread(target=self._to_server, args=(client, server, cut), daemon=True).start()
            threading.Thread(target=self._to_client, args=(server, client, cut), daemon=True).start()

    def _to_server(self, client: socket.socket, server: socket.socket, cut: threading.Event) -> None:
        seen = False
        try:
            while data := client.recv(65536):
                seen = seen or (self.after is not None and self.after in data)
                if self.armed.is_set() and b"COMMIT" in data and (self.after is None or seen):
                    self.armed.clear()
                    cut.set()  # first: the reply must not slip through
                    server.sendall(data)
                    time.sleep(0.3)  # the server commits; its answer never comes back
                    self.dropped += 1
                    break
                server.sendall(data)
        except OSError:
            pass
        _close(client, server)

    def _to_client(self, server: socket.socket, client: socket.socket, cut: threading.Event) -> None:
        try:
            while (data := server.recv(65536)) and not cut.is_set():
                client.sendall(data)
        except OSError:
            pass
        if cut.is_set():
            time.sleep(0.3)  # hold the line until the commit is in, then cut it
        _close(client, server)


def _close(*socks: socket.socket) -> None:
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
