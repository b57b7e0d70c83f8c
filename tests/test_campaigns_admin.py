"""Campaigns, dispositions and hand-raise kinds edited through the services and the CLI, on
both engines: every refusal names its field and value, nothing is half-applied, and the
queue follows a changed attempt policy and SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import AuditEntry, ChangeLog
from qualdesk.errors import InvalidInput, NotFound
from qualdesk.paths import user_scripts_dir, user_templates_dir
from qualdesk.services import campaigns as camp
from qualdesk.services import codes_admin
from tests.cli_helpers import run
from tests.conftest import FrozenClock
from tests.factories import make_lead

MINIMAL_SCRIPT = """title = "Webinar"
level1 = "need_known"
opening = ["Hi {{ lead.first_name }}, this is {{ rep.name }}."]
close = ["Thank you."]

[[questions]]
id = "q_need"
text = "What are you trying to solve?"

[bant]
budget = "Budget?"
authority = "Who decides?"
need = "What is the need?"
timeframe = "When?"
"""


def _settings_bumps(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count(ChangeLog.id)).where(ChangeLog.kind == "settings")))


def test_add_set_list_and_audit(db: Database, db_url: str) -> None:
    assert run(db_url, "user", "add", "Tara", "--role", "lead").code == 0
    folder = user_templates_dir() / "webinar"
    folder.mkdir(parents=True)
    (folder / "email_subject.txt.j2").write_text("The recording for {{ lead.company or 'you' }}")
    user_scripts_dir().mkdir(parents=True)
    (user_scripts_dir() / "webinar.toml").write_text(MINIMAL_SCRIPT)

    rec = camp.add_campaign(db, "  Webinar   Nov ", by="Tara", script="webinar",
                            templates="webinar", sla_minutes="30")
    assert (rec.name, rec.script, rec.templates, rec.sla_minutes, rec.daily_cap) == \
        ("Webinar Nov", "webinar", "webinar", 30, 3)
    bumps = _settings_bumps(db)
    rec = camp.update_campaign(db, "webinar nov", by="Tara", level1_rule=" need_known  and "
                               "budget_known ", daily_cap=4, lifetime_cap="8",
                               lead_source="Webinar")
    assert (rec.level1_rule, rec.daily_cap, rec.lifetime_cap, rec.lead_source) == \
        ("need_known and budget_known", 4, 8, "Webinar")
    assert _settings_bumps(db) == bumps + 1
    # An empty rule or source clears it; None leaves a value alone.
    rec = camp.update_campaign(db, "Webinar Nov", level1_rule="", lead_source="")
    assert (rec.level1_rule, rec.lead_source, rec.daily_cap) == (None, None, 4)

    make_lead(db, campaign="Webinar Nov")
    listed = {r.name: r for r in camp.list_campaigns(db)}
    assert [r.name for r in camp.list_campaigns(db)] == ["Default", "Webinar Nov"]
    assert listed["Webinar Nov"].leads == 1 and listed["Default"].leads == 0
    assert listed["Default"].is_default and not listed["Webinar Nov"].is_default

    with db.session(write=False) as s:
        rows = s.execute(select(AuditEntry.action, AuditEntry.field, AuditEntry.old,
                                AuditEntry.new).order_by(AuditEntry.id)).all()
    assert ("campaign Webinar Nov", "name", None, "Webinar Nov") in rows
    assert ("campaign Webinar Nov", "daily_cap", "3", "4") in rows
    assert ("campaign Webinar Nov", "level1_rule", "need_known and budget_known", None) in rows


@pytest.mark.parametrize(("fields", "message"), [
    ({"sla_minutes": "4"}, "sla_minutes: '4' must be between 5 and 10080 minutes"),
    ({"sla_minutes": 10081}, "sla_minutes: 10081 must be between 5 and 10080 minutes"),
    ({"sla_minutes": "an hour"}, "sla_minutes: 'an hour' is not a whole number"),
    ({"daily_cap": "0"}, "daily_cap: '0' must be between 1 and 50 attempts"),
    ({"lifetime_cap": -1}, "lifetime_cap: -1 must be between 1 and 500 attempts"),
    ({"min_gap_minutes": "0"}, "min_gap_minutes: '0' must be between 1 and 1440 minutes"),
    ({"daily_cap": 5, "lifetime_cap": 4}, "daily_cap: 5 must not exceed lifetime_cap (4)"),
    ({"same_day_live_attempts": 4}, "same_day_live_attempts: 4 must not exceed daily_cap (3)"),
    ({"script": "nope"}, "script: 'nope' cannot be used: no script named 'nope'"),
    ({"script": "../default"}, "script: '../default' is not a script name"),
    ({"templates": "nope"}, "templates: no template folder 'nope' (have: default, "
                            "demo_request, inbound_call, whitepaper)"),
    ({"templates": "_layouts"}, "templates: '_layouts' is not a template folder name"),
    ({"level1_rule": "need_known and sure"},
     "level1_rule: 'need_known and sure' does not parse: level1 rule: unknown criterion 'sure'"),
    ({"lead_source": "x" * 41}, "lead_source: '" + "x" * 41 + "' is longer than 40 characters"),
])
def test_each_bad_value_is_refused_by_name(db: Database, fields: dict, message: str) -> None:
    camp.add_campaign(db, "Webinar")
    with pytest.raises(InvalidInput) as exc:
        camp.update_campaign(db, "Webinar", **fields)
    assert message in str(exc.value)
    assert camp.get_campaign(db, "Webinar").as_dict() == camp.list_campaigns(db)[1].as_dict()
    assert camp.get_campaign(db, "Webinar").sla_minutes == 60


def test_broken_user_files_are_refused(db: Database) -> None:
    bad = user_templates_dir() / "broken"
    bad.mkdir(parents=True)
    (bad / "email.txt.j2").write_text("Hi {{ lead.firstname }}\n")
    blank = user_templates_dir() / "blank"
    blank.mkdir()
    (blank / "email_subject.txt.j2").write_text("{% if false %}x{% endif %}")
    user_scripts_dir().mkdir(parents=True)
    (user_scripts_dir() / "halfdone.toml").write_text('title = "Half"\n')

    with pytest.raises(InvalidInput, match=r"templates: 'broken' has problems: .*broken/email"
                                           r"\.txt\.j2:1: unknown field lead\.firstname"):
        camp.add_campaign(db, "A", templates="broken")
    with pytest.raises(InvalidInput, match="templates: 'blank' does not render: blank/email_subject.txt.j2: the "
                                           "subject renders empty"):
        camp.add_campaign(db, "A", templates="blank")
    with pytest.raises(InvalidInput, match="script: 'halfdone' cannot be used: script "
                                           "'halfdone' has problems: .*missing 'opening'"):
        camp.add_campaign(db, "A", script="halfdone")
    assert [c.name for c in camp.list_campaigns(db)] == ["Default"]  # nothing half-added


def test_names_duplicates_and_unknown(db: Database) -> None:
    camp.add_campaign(db, "Webinar")
    with pytest.raises(InvalidInput, match="name: a campaign named 'WEBINAR' already exists"):
        camp.add_campaign(db, "WEBINAR")
    with pytest.raises(InvalidInput, match="name: '  ' must be 1 to 120 characters"):
        camp.add_campaign(db, "  ")
    with pytest.raises(NotFound, match="no campaign named 'Nope'"):
        camp.update_campaign(db, "Nope", sla_minutes=30)


def test_cli_json_and_one_line_errors(db: Database, db_url: str) -> None:
    r = run(db_url, "campaign", "add", "Webinar", "--script", "whitepaper", "--templates",
            "whitepaper", "--sla", "45", "--live-attempts", "1", "--min-gap", "20",
            "--daily-cap", "2", "--lifetime-cap", "4", "--lead-source", "Webinar",
            "--level1-rule", "need_known", "--json")
    assert r.code == 0, r.err
    assert r.json() == {"id": r.json()["id"], "name": "Webinar", "is_default": False,
                        "sla_minutes": 45, "script": "whitepaper", "templates": "whitepaper",
                        "level1_rule": "need_known", "same_day_live_attempts": 1,
                        "min_gap_minutes": 20, "daily_cap": 2, "lifetime_cap": 4,
                        "lead_source": "Webinar", "leads": 0}
    r = run(db_url, "campaign", "set", "webinar", "--sla", "90", "--json")
    assert r.code == 0 and r.json()["sla_minutes"] == 90 and r.json()["min_gap_minutes"] == 20
    rows = run(db_url, "campaigns", "--json").json()
    assert [(x["name"], x["sla_minutes"]) for x in rows] == [("Default", 60), ("Webinar", 90)]

    r = run(db_url, "campaign", "set", "Webinar", "--sla", "90", "--daily-cap", "9",
            "--json")
    assert r.code == 1 and r.out == ""
    assert r.err.strip() == "qualdesk: daily_cap: 9 must not exceed lifetime_cap (4)"
    r = run(db_url, "campaign", "set", "Webinar", "--min-gap", "soon")
    assert r.code == 1 and r.err.count("\n") == 1 and "min_gap_minutes: 'soon'" in r.err
    assert run(db_url, "campaign", "set", "Nope", "--sla", "30").code == 1


def test_dispositions_set_add_and_hotkeys(db: Database, db_url: str, frozen: FrozenClock) -> None:
    rows = codes_admin.list_dispositions(db)
    assert [(d.code, d.hotkey) for d in rows][:2] == [("connected", "1"), ("no_answer", "2")]

    r = run(db_url, "disposition", "set", "Gatekeeper Block", "--hotkey", "2")
    assert r.code == 1 and "hotkey: '2' is already used by 'no_answer' (take it away first: " \
        "--hotkey none)" in r.err
    assert "gatekeeper_block" not in [d.code for d in codes_admin.list_dispositions(db)]
    assert run(db_url, "disposition", "set", "busy", "--hotkey", "none").code == 0
    r = run(db_url, "disposition", "set", "Gatekeeper-Block", "--label", "Gatekeeper",
            "--hotkey", "3", "--contact", "--json")
    assert r.code == 0, r.err
    assert r.json() == {"code": "gatekeeper_block", "label": "Gatekeeper", "hotkey": "3",
                        "is_contact": True, "sort_order": 9}
    r = run(db_url, "disposition", "set", "no answer", "--label", "Gatekeeper — no answer",
            "--no-contact", "--json")
    assert r.json()["label"] == "Gatekeeper — no answer" and r.json()["hotkey"] == "2"
    listed = run(db_url, "dispositions", "--json").json()
    assert [d["code"] for d in listed][-1] == "gatekeeper_block"
    assert {d["code"]: d["hotkey"] for d in listed}["busy"] is None

    for args, msg in ((("--hotkey", "0"), "hotkey: '0' must be a digit 1-9 (or 'none')"),
                      (("--label", " "), "label: ' ' must be 1 to 80 characters"),
                      (("--sort-order", "x"), "sort_order: 'x' is not a whole number")):
        r = run(db_url, "disposition", "set", "busy", *args)
        assert r.code == 1 and msg in r.err
    r = run(db_url, "disposition", "set", "9lives")
    assert r.code == 1 and "code: '9lives' must be letters, digits and underscores" in r.err

    # The new code is usable at once: a call logged with it counts as a contact.
    assert run(db_url, "user", "add", "Ann", "--role", "rep").code == 0
    lead = make_lead(db)
    r = run(db_url, "log-call", str(lead), "--rep", "Ann", "--disposition",
            "gatekeeper block", "--json")
    assert r.code == 0, r.err
    assert r.json()["disposition"] == "gatekeeper_block"


def test_kinds_set_add_and_strength(db: Database, db_url: str) -> None:
    r = run(db_url, "kind", "set", "Webinar", "--label", "Webinar sign-up", "--strength", "60",
            "--json")
    assert r.code == 0, r.err
    assert r.json() == {"code": "webinar", "label": "Webinar sign-up", "strength": 60}
    assert codes_admin.set_kind(db, "page visits", strength=55).strength == 55
    order = [k["code"] for k in run(db_url, "kinds", "--json").json()]
    assert order == ["called_in", "demo_request", "contact_form", "chat", "webinar",
                     "page_visits", "points_threshold", "asset_download", "email_opens"]
    for value in ("0", "101", "strong"):
        r = run(db_url, "kind", "set", "chat", "--strength", value)
        assert r.code == 1 and f"strength: '{value}'" in r.err
    assert {k.code: k.strength for k in codes_admin.list_kinds(db)}["chat"] == 70
    # A new kind's strength is copied onto hand raises that arrive afterwards.
    lead = make_lead(db, kind="webinar")
    with db.session(write=False) as s:
        from qualdesk.db.models import HandRaise

        assert s.scalar(select(HandRaise.strength).where(HandRaise.lead_id == lead)) == 60


def test_queue_follows_a_new_attempt_policy(db: Database, db_url: str,
                                            frozen: FrozenClock) -> None:
    assert run(db_url, "user", "add", "Ann", "--role", "rep").code == 0
    camp.add_campaign(db, "Webinar")
    start = frozen.t
    lead = make_lead(db, campaign="Webinar", raised_at=start)
    assert run(db_url, "log-call", str(lead), "--rep", "Ann", "--disposition",
               "no_answer").code == 0
    frozen.advance(minutes=15)

    def queue() -> list[dict]:
        r = run(db_url, "queue", "--rep", "Ann", "--json")
        assert r.code == 0, r.err
        return r.json()

    # Default policy: 10 min between attempts, so it is back after 15.
    assert [x["lead"] for x in queue()] == [lead]
    run(db_url, "campaign", "set", "Webinar", "--min-gap", "30")
    assert queue() == []
    held = run(db_url, "queue", "--rep", "Ann", "--held", "--json").json()["held"]
    assert {"lead": lead, "reason": "recycle delay: next attempt from 15:30 UTC"} in held
    # One live attempt is now enough: the voicemail + email is due despite the gap.
    run(db_url, "campaign", "set", "Webinar", "--live-attempts", "1")
    rows = queue()
    assert rows[0]["lead"] == lead
    assert rows[0]["reason"].endswith("1 live attempts today: voicemail + email due")

    # A new SLA applies to hand raises that arrive afterwards.
    run(db_url, "campaign", "set", "Webinar", "--sla", "20")
    fresh = make_lead(db, email="fresh@x.test", phone="+12125550199", campaign="Webinar",
                      raised_at=frozen.t)
    entry = next(x for x in queue() if x["lead"] == fresh)
    assert entry["deadline"] == (frozen.t + timedelta(minutes=20)).isoformat()
    assert next(x for x in queue() if x["lead"] == lead)["deadline"] == \
        (start + timedelta(minutes=60)).isoformat()
