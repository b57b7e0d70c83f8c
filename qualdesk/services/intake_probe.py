""""Send a test event": prove the whole path from an intake receiver to a rep's queue.

The team lead's intake page calls ``send_test_event`` off the GUI thread. It issues a
one-use test token for the source, posts the source's test event (our json format,
which a test token brings to a source of any kind) to the receiver's address over real
HTTP (header ``X-QualDesk-Test``), and then looks for the lead the receiver says it kept
in the team's queue. It never says "it
works" before that last step: a receiver that answered 2xx but whose event never
reached the queue is a failure too. Every failure is a sentence naming what did not
answer and where, with nothing for the team lead to type.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from qualdesk.db.engine import Database
from qualdesk.errors import KnownError
from qualdesk.services.designations import set_designation
from qualdesk.services.queue import rep_queue

SERVICE = "the QualDesk intake service"


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    message: str  # what the team lead reads
    step: str  # "token" | "receiver" | "refused" | "queue" | "done"
    status: int | None = None  # the receiver's HTTP answer
    answer_ms: float | None = None  # POST sent -> answer received
    seen_ms: float | None = None  # POST sent -> test lead seen in the queue
    lead_id: int | None = None
    position: int | None = None  # in the team's queue (None: held back, see ``message``)


TEST_LEAD_CLOSED = "intake test event: the path to the queue was proven"


def _answer(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"error": raw.decode("utf-8", "replace").strip()[:200]}
    return doc if isinstance(doc, dict) else {}


def _why(exc: OSError) -> str:
    """Why nothing answered, in words (no errno)."""
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, ConnectionRefusedError):
        return "nothing is listening there"
    if isinstance(reason, socket.gaierror):
        return "that server name is not known"
    if isinstance(reason, ssl.SSLError):
        return "its HTTPS certificate was not accepted"
    return str(reason)


def post(url: str, body: bytes, headers: dict[str, str],
         timeout: float) -> tuple[int, bytes]:
    """(status, answer body); raises ``OSError`` when nothing answered."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (http/https only)
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def queue_place(db: Database, lead_id: int) -> tuple[int | None, str] | None:
    """Where the lead is in the team's queue: (position, why) when offered, (None, why
    it is held back) when held, ``None`` when the queue does not have it."""
    result = rep_queue(db, None)
    for i, e in enumerate(result.entries, 1):
        if e.lead_id == lead_id:
            return i, e.reason
    for h in result.held:
        if h.lead_id == lead_id:
            return None, h.reason
    return None


def send_test_event(db: Database, name: str, url: str, *, timeout: float = 5.0,
                    wait_s: float = 10.0, poll_s: float = 0.2,
                    by: str | None = None) -> ProbeResult:
    """Post source ``name``'s test event to ``url`` and wait, at most ``wait_s``, until
    the lead the receiver says it kept is in the team's queue; then take the test lead
    out of the reps' queues again (``by`` names the team lead, for the audit)."""
    from qualdesk.services.intake.live.sources import issue_test_token, test_event_body

    if not url.lower().startswith(("http://", "https://")):
        return ProbeResult(False, f"The address {url} is not a web address (http:// or https://).",
                           "receiver")
    try:
        token = issue_test_token(db, name)
        body = test_event_body(name)  # our json event: a test token takes it for any kind
    except KnownError as exc:
        return ProbeResult(False, f"No test event was sent: {exc}", "token")
    headers = {"Content-Type": "application/json", "X-QualDesk-Test": token,
               "User-Agent": "QualDesk intake test"}
    t0 = time.perf_counter()
    try:
        status, raw = post(url, body, headers, timeout)
    except OSError as exc:  # urllib wraps a connect timeout in URLError; a read one is bare
        why = getattr(exc, "reason", None) or exc
        if isinstance(why, TimeoutError):
            return ProbeResult(False, f"The receiver at {url} did not answer within "
                                      f"{timeout:.0f} s: check that {SERVICE} is running on "
                                      "the intake server.", "receiver")
        return ProbeResult(False, f"The receiver at {url} did not answer ({_why(exc)}): start {SERVICE} "
                                  "on the intake server.", "receiver")
    answer_ms = (time.perf_counter() - t0) * 1000
    answer = _answer(raw)
    if not 200 <= status < 300:
        reason = str(answer.get("error") or "")
        return ProbeResult(False, f"The receiver at {url} refused the test event "
                                  f"({status}{': ' + reason if reason else ''}).",
                           "refused", status, answer_ms)
    leads = [i for i in answer.get("leads") or () if isinstance(i, int)]
    if not leads:
        return ProbeResult(False, f"The receiver at {url} answered ({status}) but kept no lead: "
                                  "it may be another program than the QualDesk intake service.",
                           "refused", status, answer_ms)
    lead_id, deadline = leads[0], t0 + wait_s
    while (place := queue_place(db, lead_id)) is None:
        if time.perf_counter() >= deadline:
            return ProbeResult(False, f"The receiver at {url} kept the test lead, but it did not "
                                      f"reach the queue within {wait_s:.0f} s: the receiver may "
                                      "write to another database than this one.",
                               "queue", status, answer_ms, lead_id=lead_id)
        time.sleep(poll_s)
    seen_ms = (time.perf_counter() - t0) * 1000
    position, why = place
    # Proven: a rep must not call the test lead. A later test warms it again.
    set_designation(db, lead_id, "disqualified", by, TEST_LEAD_CLOSED)
    where = (f"is number {position} in the team's queue ({why})" if position is not None
             else f"is in the queue, held back for now ({why})")
    took = f"{seen_ms:.0f} ms" if seen_ms < 1000 else f"{seen_ms / 1000:.1f} s"
    return ProbeResult(True, f"The test event went through in {took}: the receiver answered in "
                             f"{answer_ms:.0f} ms and the test lead {where}; it has been "
                             "taken out of the reps' queues again.",
                       "done", status, answer_ms, seen_ms, lead_id, position)
