"""``qualdesk import activity``: past calls, voicemails and emails onto known leads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import Attempt, Email, HandRaise
from tests.cli_helpers import run
from tests.conftest import FrozenClock
from tests.factories import make_lead


def _setup(db: Database, db_url: str, frozen: FrozenClock) -> tuple[int, int]:
    assert run(db_url, "user", "add", "Ann", "--role", "rep", "--email", "ann@team.test").code == 0
    a = make_lead(db, email="pat@acme.test", phone="+12125550100",
                  raised_at=datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    b = make_lead(db, email="kim@acme.test", phone="+12125550111",
                  raised_at=datetime(2026, 11, 23, 14, 30, tzinfo=UTC))
    return a, b


def test_activity_import_stamps_the_sla_clock(db: Database, db_url: str, tmp_path: Path,
                                              frozen: FrozenClock) -> None:
    a, b = _setup(db, db_url, frozen)
    f = tmp_path / "act.csv"
    # Out of time order on purpose: the first call is the earliest one.
    f.write_text("lead_email,lead_phone,lead_id,type,at,rep,disposition,subject,notes\n"
                 "PAT@acme.test,,,call,2026-11-23T14:40:00Z,ann,no answer,,\n"
                 "pat@acme.test,,,voicemail,2026-11-23T14:10:00Z,Ann,,,left my number\n"
                 "pat@acme.test,,,email,2026-11-23T14:12:00Z,Ann,,Following up,hello\n"
                 f",,{b},call,2026-11-23T14:35:00+00:00,Ann,connected,,\n"
                 ",(212) 555-0111,,email,2026-11-23T14:50:00Z,Ann,,Nice talking,\n",
                 encoding="utf-8")
    r = run(db_url, "import", "activity", str(f), "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert (out["imported"], out["merged"], out["rejected"], out["applied"]) == (5, 0, [], True)
    with db.session(write=False) as s:
        hrs = {h.lead_id: h for h in s.scalars(select(HandRaise))}
        assert hrs[a].first_call_at == datetime(2026, 11, 23, 14, 10, tzinfo=UTC)
        assert hrs[a].first_email_at == datetime(2026, 11, 23, 14, 12, tzinfo=UTC)
        assert hrs[b].first_call_at == datetime(2026, 11, 23, 14, 35, tzinfo=UTC)
        assert hrs[b].first_email_at == datetime(2026, 11, 23, 14, 50, tzinfo=UTC)
        dispositions = sorted(s.scalars(select(Attempt.disposition)
                                        .where(Attempt.source == "import")))
        assert dispositions == ["connected", "left_voicemail", "no_answer"]
        emails = s.execute(select(Email.to_addr, Email.status, Email.source, Email.subject)
                           .order_by(Email.sent_at)).all()
        assert emails == [("pat@acme.test", "sent", "import", "Following up"),
                          ("kim@acme.test", "sent", "import", "Nice talking")]
    sla = run(db_url, "report", "sla", "--json", "--from", "2026-11-23", "--to", "2026-11-23",
              "--tz", "UTC").json()
    assert (sla["hand_raises"], sla["within_1h"]) == (2, 2)
    # The same file again adds nothing.
    again = run(db_url, "import", "activity", str(f), "--json").json()
    assert (again["imported"], again["merged"]) == (0, 5)
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attempt)) == 3


def test_bad_activity_rows_refuse_the_file(db: Database, db_url: str, tmp_path: Path,
                                           frozen: FrozenClock) -> None:
    _setup(db, db_url, frozen)
    f = tmp_path / "bad.csv"
    f.write_text("lead_email,type,at,rep,disposition\n"
                 "pat@acme.test,call,2026-11-23T14:40:00Z,Ann,no_answer\n"
                 "nobody@acme.test,call,2026-11-23T14:40:00Z,Ann,no_answer\n"
                 "pat@acme.test,fax,2026-11-23T14:40:00Z,Ann,\n"
                 "pat@acme.test,call,soon,Ann,busy\n"
                 "pat@acme.test,call,2026-11-23T14:40:00Z,Zed,busy\n"
                 "pat@acme.test,call,2026-11-23T14:40:00Z,Ann,hung up\n", encoding="utf-8")
    r = run(db_url, "import", "activity", str(f), "--json")
    assert r.code == 1
    out = r.json()
    assert out["applied"] is False
    got = [(p["row"], p["field"], p["value"]) for p in out["rejected"]]
    assert got == [(3, "lead_email", "nobody@acme.test"), (4, "type", "fax"),
                   (5, "at", "soon"), (6, "rep", "Zed"), (7, "disposition", "hung up")]
    assert out["rejected"][3]["reason"] == ("no such person: a team lead or admin adds them "
                                            "under Settings → People and roles")
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attempt)) == 0
    rejects = tmp_path / "rej.csv"
    r = run(db_url, "import", "activity", str(f), "--skip-bad", str(rejects), "--json")
    assert r.code == 0 and r.json()["imported"] == 1
    assert len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 6


def test_activity_file_without_lead_column(db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("type,at,rep\ncall,2026-11-23T14:40:00Z,Ann\n", encoding="utf-8")
    r = run(db_url, "import", "activity", str(f), "--json")
    assert r.code == 1
    assert "missing column(s): lead_email or lead_phone or lead_id" in r.err
