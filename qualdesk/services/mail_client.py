"""``email.mode = mailclient``: hand the email to the rep's own mail client.

We write a ``.eml`` file (marked ``X-Unsent: 1`` so Outlook and Thunderbird open it as
a draft ready to send) plus a ``mailto:`` URL for clients that cannot open files.
Decision: the email is recorded as ``sent`` when it is handed over — QualDesk cannot see
the rep's client, and the rep presses Send there in the same minute; counting it late
or never would misstate the SLA report far more often than a rep abandoning a draft.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from qualdesk.paths import data_dir


def handoff_dir() -> Path:
    path = data_dir() / "outbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_eml(msg: EmailMessage, email_id: int) -> Path:
    """Write the message as a draft file; its MIME structure is kept as built."""
    if "X-Unsent" not in msg:
        msg["X-Unsent"] = "1"
    path = handoff_dir() / f"email-{email_id}.eml"
    path.write_bytes(msg.as_bytes())
    return path


def mailto_url(to_addr: str, subject: str, body: str) -> str:
    return f"mailto:{quote(to_addr, safe='@')}?subject={quote(subject)}&body={quote(body)}"
