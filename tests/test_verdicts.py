"""Sales' verdicts from a CRM file: accepted -> opportunity, rejected -> incubating with a
re-touch date by reason; bad files refused row by row, nothing half-applied. Both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import Lead, Opportunity, TurnOver, User
from qualdesk.services.turnover import turn_over
from tests.cli_helpers import run
from tests.test_turnover import add_people, designation, make_lead, qualify


def write(tmp_path: Path, text: str, name: str = "verdicts.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def three_turned_over(db: Database) -> tuple[int, int, int]:
    add_people(db)
    ids = []
    for first in ("Ada", "Bea", "Cy"):
        lead = make_lead(db, first=first, email=f"{first.lower()}@x.example")
        qualify(db, lead)
        turn_over(db, lead, "Sam", by="Rita")
        ids.append(lead)
    return ids[0], ids[1], ids[2]


def lead_row(db: Database, lead_id: int) -> Lead:
    with db.session(write=False) as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None
        return lead


def test_accept_and_reject_from_a_file(db_url: str, frozen, tmp_path: Path) -> None:
    db = Database(db_url)
    try:
        a, b, c = three_turned_over(db)
        f = write(tmp_path, "lead_email,verdict,reason,weighting\n"
                            "ada@x.example,accepted,good fit,40\n"
                            "BEA@x.example,rejected,Bad timing,\n"
                            "cy@x.example,Rejected,not ready yet,\n")
        r = run(db_url, "import", "verdicts", str(f), "--json")
        assert r.code == 0, r.err
        assert r.json() == {"imported": 3, "merged": 0, "rejected": [], "applied": True}
        assert designation(db, a) == "accepted"
        with db.session(write=False) as s:
            opp = s.scalar(select(Opportunity).where(Opportunity.lead_id == a))
            assert opp is not None
            assert (opp.weighting, opp.marketing_generated) == (40, True)
            assert opp.note == "marketing generated: good fit"
            t = s.scalar(select(TurnOver).where(TurnOver.lead_id == a))
            assert (t.verdict, t.verdict_at, t.verdict_reason) == ("accepted", frozen.t, "good fit")
            rita = s.scalar(select(User.id).where(User.name == "Rita"))
        bea, cy = lead_row(db, b), lead_row(db, c)
        assert (bea.designation, cy.designation) == ("incubating", "incubating")
        # 90 days for bad timing, 30 for not ready, from 2026-11-23 (team zone UTC).
        assert bea.retouch_at == datetime(2027, 2, 21, tzinfo=UTC)
        assert cy.retouch_at == datetime(2026, 12, 23, tzinfo=UTC)
        assert bea.retouch_reason == "rejected by sales: Bad timing"
        assert bea.owner_id == rita  # back with the rep who turned it over
    finally:
        db.dispose()


def test_crm_aliases_ids_and_explicit_retouch(db: Database, frozen, tmp_path: Path) -> None:
    from qualdesk.services.verdicts import import_verdicts

    a, b, c = three_turned_over(db)
    f = write(tmp_path, "Lead ID;Email;Status;Rejection Reason;Probability (%);Retouch Date\n"
                        f"{a};;Qualified;;75%;\n"
                        f"00Q5e000001;bea@x.example;Unqualified;went with a rival;;2027-01-15\n"
                        f"{c};;closed - not converted;no budget this year;;\n")
    r = import_verdicts(db, f)
    assert (r.imported, r.rejected, r.applied) == (3, [], True)
    with db.session(write=False) as s:
        assert s.scalar(select(Opportunity.weighting).where(Opportunity.lead_id == a)) == 75
    assert lead_row(db, b).retouch_at == datetime(2027, 1, 15, tzinfo=UTC)
    assert lead_row(db, c).retouch_at == datetime(2027, 2, 21, tzinfo=UTC)  # no budget: 90


def test_other_reason_takes_the_default_days_setting(db: Database, frozen, tmp_path: Path) -> None:
    from qualdesk.services.team_settings import set_value
    from qualdesk.services.verdicts import import_verdicts

    a, _, _ = three_turned_over(db)
    set_value(db, "incubation.default_days", "45")
    set_value(db, "team.timezone", "Europe/Berlin")
    import_verdicts(db, write(tmp_path, f"lead_id,verdict,reason\n{a},rejected,wrong contact\n"))
    # 2026-11-23 + 45 days = 2027-01-07, midnight in Berlin = 23:00 UTC the day before.
    assert lead_row(db, a).retouch_at == datetime(2027, 1, 6, 23, 0, tzinfo=UTC)


def test_bad_rows_are_each_reported_and_nothing_is_applied(db_url: str, frozen,
                                                           tmp_path: Path) -> None:
    db = Database(db_url)
    try:
        a, b, c = three_turned_over(db)
        accepted = make_lead(db, first="Dee", email="dee@x.example")
        qualify(db, accepted)
        turn_over(db, accepted, "Sam")
        from qualdesk.services.verdicts import accept

        accept(db, accepted, 10)
        warm = make_lead(db, first="Eli", email="eli@x.example")
        f = write(tmp_path, "lead_email,lead_id,verdict,reason,weighting\n"
                            "ada@x.example,,accepted,fine,30\n"            # 2: good
                            "ghost@x.example,,accepted,,\n"                # 3: unknown lead
                            ",99999,rejected,x,\n"                         # 4: unknown id
                            "bea@x.example,,maybe,,\n"                     # 5: unknown word
                            "dee@x.example,,accepted,again,\n"            # 6: already accepted
                            "eli@x.example,,rejected,no,\n"                # 7: not turned over
                            "cy@x.example,,accepted,,150\n"                # 8: bad weighting
                            "ada@x.example,,rejected,dup,\n"               # 9: twice in the file
                            ",,accepted,,\n")                              # 10: no lead at all
        r = run(db_url, "import", "verdicts", str(f), "--json")
        assert r.code == 1
        out = r.json()
        assert out["applied"] is False and out["imported"] == 0 and out["merged"] == 0
        got = [(p["row"], p["field"], p["value"]) for p in out["rejected"]]
        assert got == [(3, "lead_email", "ghost@x.example"), (4, "lead_id", "99999"),
                       (5, "verdict", "maybe"), (6, "lead_email", "dee@x.example"),
                       (7, "lead_email", "eli@x.example"), (8, "weighting", "150"),
                       (9, "lead_id", str(a)), (10, "lead_email", "")]
        reasons = {p["row"]: p["reason"] for p in out["rejected"]}
        assert "already accepted" in reasons[6]
        assert "not turned over (it is warm)" in reasons[7]
        assert "row 2" in reasons[9]
        assert "nothing imported" in r.err
        # Nothing half-applied: the good row 2 did not happen either.
        assert designation(db, a) == "turned_over" and designation(db, warm) == "warm"
        with db.session(write=False) as s:
            assert s.scalar(select(Opportunity).where(Opportunity.lead_id == a)) is None

        rejects = tmp_path / "rejects.csv"
        r = run(db_url, "import", "verdicts", str(f), "--skip-bad", str(rejects), "--json")
        assert r.code == 0, r.err
        out = r.json()
        assert out["applied"] is True and out["imported"] == 1 and len(out["rejected"]) == 8
        assert designation(db, a) == "accepted"
        lines = rejects.read_text(encoding="utf-8").splitlines()
        assert lines[0] == ("lead_email,lead_id,verdict,reason,weighting,"
                            "rejected_row,rejected_field,rejected_reason")
        assert len(lines) == 9 and lines[1].startswith("ghost@x.example,,accepted,,,3,lead_email,")
    finally:
        db.dispose()


def test_missing_columns_refuse_the_file(db: Database, tmp_path: Path) -> None:
    from qualdesk.services.verdicts import import_verdicts

    r = import_verdicts(db, write(tmp_path, "name,comment\nAda,ok\n"))
    assert r.applied is False
    assert [(p.row, p.field) for p in r.rejected] == [(1, "lead_email"), (1, "verdict")]


def test_outcome_of_an_accepted_lead_arrives_later(db: Database, frozen, tmp_path: Path) -> None:
    from qualdesk.services.closed_loop import lead_timeline
    from qualdesk.services.verdicts import import_verdicts

    a, b, _ = three_turned_over(db)
    import_verdicts(db, write(tmp_path, f"lead_id,verdict,weighting\n{a},accepted,20\n"))
    frozen.advance(days=20)
    r = import_verdicts(db, write(tmp_path, "lead_id,verdict,outcome,outcome_at\n"
                                            f"{a},accepted,Closed Won,2026-12-10T12:00:00+00:00\n",
                                  "won.csv"))
    assert (r.imported, r.rejected) == (1, [])
    t = lead_timeline(db, a)
    assert (t.verdict, t.outcome) == ("accepted", "won")
    assert t.outcome_at == datetime(2026, 12, 10, 12, tzinfo=UTC)
    assert t.verdict_at == datetime(2026, 11, 23, 15, tzinfo=UTC)
    assert t.opportunity_weighting == 20 and t.marketing_generated is True
    # Once the outcome is known, another accepted row is a duplicate verdict.
    r = import_verdicts(db, write(tmp_path, f"lead_id,verdict,outcome\n{a},accepted,lost\n",
                                  "again.csv"))
    assert r.applied is False and "already accepted on 2026-11-23" in r.rejected[0].reason
    # A won/lost on a rejection makes no sense.
    r = import_verdicts(db, write(tmp_path, f"lead_id,verdict,outcome\n{b},rejected,won\n",
                                  "bad.csv"))
    assert r.applied is False and "accepted leads only" in r.rejected[0].reason


def test_quoted_multiline_reason_and_blank_lines(db: Database, frozen, tmp_path: Path) -> None:
    from qualdesk.services.verdicts import import_verdicts

    a, b, _ = three_turned_over(db)
    f = write(tmp_path, 'lead_id,verdict,reason\n'
                        f'{a},rejected,"bad timing, call\nin spring"\n'
                        ',,\n'
                        f'{b},accepted,"ok; good"\n')
    r = import_verdicts(db, f)
    assert (r.imported, r.rejected) == (2, [])
    assert lead_row(db, a).retouch_reason == "rejected by sales: bad timing, call\nin spring"
    assert designation(db, b) == "accepted"
