"""Netstrings (``LEN:BYTES,``), the framing of baresip's ``ctrl_tcp`` socket."""

from __future__ import annotations


class NetstringError(ValueError):
    """The engine sent something that is not a netstring (a different program on the port?)."""


def encode(payload: bytes) -> bytes:
    return str(len(payload)).encode("ascii") + b":" + payload + b","


class Decoder:
    """Feed bytes as they arrive; take whole messages out."""

    MAX = 1 << 20  # an engine message is a few hundred bytes; 1 MiB means garbage

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while True:
            head, colon, rest = self._buf.partition(b":")
            if not colon:
                if len(head) > 8 or (head and not head.isdigit()):
                    raise NetstringError(f"not a netstring length: {head[:20]!r}")
                return out
            if not head.isdigit() or int(head) > self.MAX:
                raise NetstringError(f"not a netstring length: {head[:20]!r}")
            n = int(head)
            if len(rest) < n + 1:
                return out
            if rest[n:n + 1] != b",":
                raise NetstringError("netstring without its closing comma")
            out.append(rest[:n])
            self._buf = rest[n + 1:]
