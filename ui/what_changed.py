"""What each write the UI runs changed, for the writes whose service answers with its own
record (a claim, an import, an outbox pass...) rather than ``Changes``.

One home: views hand these rules to ``run_op(..., changes=...)`` (or name a constant as
their op's answer) and the op runner announces the result; no view builds ``Changes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from qualdesk.domain.records import Changes
from qualdesk.offline.resilient import QUEUED
from ui.ops import changes_in

if TYPE_CHECKING:
    from qualdesk.offline.replay import Outcome
    from qualdesk.offline.resilient import SyncReport
    from qualdesk.services.intake.outcome import ImportResult
    from qualdesk.services.outbox import OutboxRun
    from qualdesk.services.queue import Claim

# A team setting (the intake address, the hand-raise rules): every client's settings.
SETTINGS = Changes(settings=True)
# A campaign, disposition or hand-raise kind: settings, and the queue's order with them.
CONFIGURATION = Changes(settings=True, queue=True)
# Someone added, deactivated or given a login.
PEOPLE = Changes(users=True)


def settings_saved(_result: object) -> Changes:
    """A team setting or an intake source (added, its secret turned, removed) saved."""
    return SETTINGS


def configuration_saved(_result: object) -> Changes:
    """The team's policy or a campaign's saved: settings, and the queue's order with them."""
    return CONFIGURATION


def people_saved(_result: object) -> Changes:
    """Someone added, deactivated or given a login: the queues and the floor list people."""
    return PEOPLE


def intake_tested(_result: object) -> Changes:
    """A test event went through an intake source: its test lead came into the queue and
    left it again (the intake page refreshes its own counts)."""
    return Changes(queue=True)


def claimed(claim: Claim) -> Changes:
    """A claim takes its lead out of the others' queues; an empty queue changed nothing."""
    return Changes() if claim.lead_id is None else Changes(leads=(claim.lead_id,), queue=True)


def call_logged(lead_id: int) -> Changes:
    """A disposition: its attempt, its note, and the lead's place in the queue."""
    return Changes(leads=(lead_id,), queue=True, attempts=True, notes=True)


def note_typed(_saved: object) -> Changes:
    """A note saved while it is typed says nothing: the views showing its lead would reload
    under the rep's fingers every few seconds. The note is announced with its call
    (``call_logged``)."""
    return Changes()


def followed_up(out: Outcome) -> Changes:
    """A follow-up through the outbox: what the service says it changed when it ran; kept
    locally, its lead leaves the rep's queue meanwhile; a replayed duplicate, nothing."""
    if out.result is not None:
        return changes_in(out.result)
    if out.status == QUEUED and out.lead_id is not None:
        return Changes(leads=(out.lead_id,), queue=True)
    return Changes()


def hands_raised(_count: int) -> Changes:
    """Cold leads given a hand raise now: warm, in the queue."""
    return Changes(queue=True)


def imported(result: ImportResult) -> Changes:
    """An applied import: its leads, the queue, their attempts and emails."""
    if not result.applied:
        return Changes()
    return Changes(leads=result.lead_ids, queue=True, attempts=True, emails=True)


def replayed(report: SyncReport) -> Changes:
    """The offline outbox replayed: each lead a change was applied to (a conflict is
    applied too, with its note)."""
    touched = tuple(dict.fromkeys(o.lead_id for o in report.outcomes if o.lead_id is not None))
    if not touched:
        return Changes()
    return Changes(leads=touched, queue=True, attempts=True, notes=True)


def outbox_ran(run: OutboxRun) -> Changes:
    """An outbox pass that sent, retried or gave up on an email changed its status."""
    return Changes(emails=True) if run.sent or run.failed or run.retrying else Changes()


def remote(kinds: Iterable[str]) -> Changes:
    """Another client's writes, by kind (live sync): only settings are news here, the
    window reloads the queue for any burst itself."""
    return SETTINGS if "settings" in kinds else Changes()
