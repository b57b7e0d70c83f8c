"""Errors the user can act on, as opposed to bugs.

A ``KnownError`` is shown as a one-line message (CLI: stderr, GUI: banner);
anything else is a bug and reaches the crash dialog and the log.
"""

from __future__ import annotations

from dataclasses import dataclass


class KnownError(Exception):
    """A failure with a message a rep or admin can act on.

    The message says what to do in the app and who can do it; ``cli`` is the same
    advice for the command line (``qualdesk config set smtp.host HOST``), which only the
    command line prints: a rep in the app never reads a command to type.
    """

    def __init__(self, *args: object, cli: str | None = None) -> None:
        super().__init__(*args)
        self.cli = cli


class NotFound(KnownError):
    pass


class InvalidInput(KnownError):
    pass


class NotAllowed(KnownError):
    """Refused by a domain rule (illegal transition, cap reached, wrong role...)."""


class DatabaseUnavailable(KnownError):
    """The database is locked, unreachable or dropped the connection."""


class CommitInDoubt(DatabaseUnavailable):
    """The connection was lost while the change was being committed: the server may
    have kept it or not. Retrying is safe only where the write carries an idempotency
    key (the outbox's changes do; scripts pass ``--idempotency-key``)."""


@dataclass(frozen=True)
class RowProblem:
    """One bad cell of an input file, numbered as a spreadsheet shows it (header = row 1)."""

    row: int
    field: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}={self.value!r}: {self.reason}"
