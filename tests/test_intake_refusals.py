"""Refusals stay the team lead's view of a misconfigured sender without growing forever:
every refusal of a known source is kept, a scanner's posts to names that are no source
only up to a bound per address, and refusals older than a month go."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import IntakeRefusal
from qualdesk.services.intake.live import refusals
from qualdesk.services.intake.live.sources import add_source, recent_refusals
from tests.conftest import FrozenClock
from tests.intake_server import Receiver


@pytest.fixture
def receiver(db_url: str) -> Iterator[Receiver]:
    with Receiver(db_url) as r:
        yield r


def _count(db: Database, **where: object) -> int:
    with db.session(write=False) as s:
        stmt = select(func.count()).select_from(IntakeRefusal)
        for k, v in where.items():
            stmt = stmt.where(getattr(IntakeRefusal, k) == v)
        return int(s.scalar(stmt) or 0)


def test_a_scanner_s_404s_are_bounded_a_sender_s_401s_all_kept(db: Database,
                                                               receiver: Receiver) -> None:
    add_source(db, "zap", "json")
    with httpx.Client() as http:
        for i in range(refusals.UNKNOWN_NAMES_KEPT + 15):
            r = http.post(receiver.url(f"wp-admin{i}"), content=b"{}",
                          headers={"Content-Type": "application/json"})
            assert r.status_code == 404  # the answer is the same; only the keeping stops
        for _ in range(25):
            r = http.post(receiver.url("zap"), content=b"{}",
                          headers={"Content-Type": "application/json"})
            assert r.status_code == 401
    assert _count(db, source_name="zap") == 25
    assert _count(db) == refusals.UNKNOWN_NAMES_KEPT + 25
    assert recent_refusals(db, "wp-admin0")[0].status == 404  # the first ones are there


def test_refusals_older_than_a_month_go(db: Database, frozen: FrozenClock,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    add_source(db, "zap", "json")
    refusals.keep_refusal(db, "zap", 401, "old", "127.0.0.1", b"{}")
    frozen.advance(days=refusals.KEPT_FOR.days, hours=1)
    monkeypatch.setattr(refusals, "PRUNE_EVERY", 1)  # clean up at this very refusal
    refusals.keep_refusal(db, "zap", 401, "new", "127.0.0.1", b"{}")
    assert [r.reason for r in recent_refusals(db, "zap")] == ["new"]
    assert refusals.prune(db) == 0
