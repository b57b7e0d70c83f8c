"""The team's scripts, templates and import layouts live in the shared database (0009): a
team lead's save reaches another client at its next use without a restart, each save is
a version (who and when), the strict checkers refuse a bad draft before anything is
written, only a team lead or admin may save, and this machine's old files are copied to
the team once without replacing anything the team has. Both engines."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualdesk.db.engine import Database
from qualdesk.db.models import ScriptVersion, TemplateVersion
from qualdesk.errors import InvalidInput, NotAllowed
from qualdesk.paths import config_dir, scripts_library_dir, user_scripts_dir, user_templates_dir
from qualdesk.services import followup, library_import, qualification, sync, team_library
from qualdesk.services import template_drafts as drafts
from qualdesk.services.campaigns import get_campaign, list_template_folders
from qualdesk.services.import_mapping import initial_mapping, save_mapping, saved_mapping
from qualdesk.services.script_library import load_script
from qualdesk.services.users import add_user
from tests.cli_helpers import run
from tests.factories import make_lead

SHIPPED_DEFAULT = (scripts_library_dir() / "default.toml").read_text(encoding="utf-8")


def _retitled(title: str) -> str:
    first = next(line for line in SHIPPED_DEFAULT.splitlines() if line.startswith("title = "))
    return SHIPPED_DEFAULT.replace(first, f'title = "{title}"', 1)


def _team(db: Database) -> None:
    add_user(db, "Tess Lead", "lead", email="tess@example.com")
    add_user(db, "Ana Rep", "rep", email="ana@example.com")


def test_a_save_reaches_another_running_client(db_url: str) -> None:
    """Two clients of one database: what one saves, the other shows at its next use —
    the script of the lead it opens, the voicemail of its next follow-up — and its change
    watcher (LISTEN/NOTIFY on PostgreSQL, polling on SQLite) hears of it."""
    writer, reader = Database(db_url), Database(db_url)
    try:
        _team(writer)
        lead = make_lead(writer)
        before = qualification.load_state(reader, lead, "Ana Rep")
        assert before.script.title == load_script("default").title  # the shipped default
        heard = threading.Event()
        kinds: list[set[str]] = []
        watcher = sync.ChangeWatcher(reader, poll_interval=0.1)
        start = sync.current_position(reader)

        def on_change(pos: int) -> None:
            kinds.append(sync.kinds_between(reader, start, pos))
            heard.set()

        watcher.start(on_change, since=start)
        try:
            drafts.save_script_draft("default", _retitled("Team default, v2"), writer, "Tess Lead")
            drafts.save_draft("default", "voicemail.txt.j2",
                              "Hi {{ lead.first_name }}, {{ rep.name }} again: v2.", writer,
                              "Tess Lead")
            assert heard.wait(10), "the other client's watcher heard nothing"
        finally:
            watcher.stop()
        assert any("settings" in k for k in kinds)  # views reload what they show of it
        # the same reader, no restart: its next use has the team's copies
        assert qualification.load_state(reader, lead, "Ana Rep").script.title == "Team default, v2"
        vm = followup.preview(reader, lead, "Ana Rep").rendered.voicemail
        assert vm == "Hi Pat, Ana Rep again: v2."
        # the shipped files stay the defaults, untouched; nothing went to this machine's folder
        assert (scripts_library_dir() / "default.toml").read_text(encoding="utf-8") == SHIPPED_DEFAULT
        assert not user_scripts_dir().exists() or not any(user_scripts_dir().iterdir())
        assert not (user_templates_dir() / "default" / "voicemail.txt.j2").exists()
    finally:
        writer.dispose()
        reader.dispose()


def test_each_save_is_a_version_with_who_and_when(db: Database) -> None:
    _team(db)
    one = drafts.save_script_draft("webinar", _retitled("Webinar"), db, "Tess Lead")
    two = drafts.save_script_draft("webinar", _retitled("Webinar, shorter"), db, "Tess Lead")
    assert isinstance(one, team_library.Saved) and isinstance(two, team_library.Saved)
    assert (one.version, two.version) == (1, 2)
    with db.session(write=False) as s:
        history = team_library.history(s, "script", "webinar")
        assert [h.version for h in history] == [2, 1]
        assert {h.changed_by for h in history} == {"Tess Lead"}
        assert history[0].changed_at >= history[1].changed_at
        assert load_script("webinar", s).title == "Webinar, shorter"  # the newest wins
    assert "webinar" in drafts.script_names(db)
    assert drafts.load_script_source("webinar", db) == _retitled("Webinar, shorter")


def test_the_strict_checker_refuses_before_anything_is_saved(db: Database) -> None:
    _team(db)
    with pytest.raises(InvalidInput, match=r"not saved: default/email\.txt\.j2, line 1: "
                                           r"unknown field lead\.favourite_colour"):
        drafts.save_draft("default", "email.txt.j2", "Hi {{ lead.favourite_colour }}", db,
                          "Tess Lead")
    with pytest.raises(InvalidInput, match="not saved: webinar.toml.*missing 'opening'"):
        drafts.save_script_draft("webinar", 'title = "Half"\n', db, "Tess Lead")
    with db.session(write=False) as s:
        assert s.scalar(select(func.count(TemplateVersion.id))) == 0
        assert s.scalar(select(func.count(ScriptVersion.id))) == 0
    # a draft is checked among the team's copies: an include of a team-only part resolves
    drafts.save_draft("default", "email_subject.txt.j2", "News for {{ lead.company }}", db,
                      "Tess Lead")
    assert drafts.check_draft("default", "email.txt.j2",
                              'Hi\n{% include "default/email_subject.txt.j2" %}', db) == []


def test_only_a_team_lead_or_admin_may_save(db: Database) -> None:
    """SQLite has no logins: the person named as acting must have the role (PostgreSQL's
    own refusal of a rep's login: test_team_library_pg)."""
    _team(db)
    with pytest.raises(NotAllowed, match="Ana Rep is a rep: only a team lead or an admin"):
        drafts.save_script_draft("default", _retitled("Mine"), db, "Ana Rep")
    with pytest.raises(NotAllowed):
        save_mapping(["Email", "Job"], {"Email": "email", "Job": "title"}, db, "Ana Rep")
    with db.session(write=False) as s:
        assert team_library.scripts(s) == {}


def test_a_campaign_may_use_a_folder_only_the_team_has(db: Database, db_url: str) -> None:
    _team(db)
    for name, text in (("email_subject.txt.j2", "Webinar recording for {{ lead.company }}"),
                       ("voicemail.txt.j2", "Hi {{ lead.first_name }}, about the webinar.")):
        drafts.save_draft("webinar", name, text, db, "Tess Lead")
    with db.session(write=False) as s:
        assert "webinar" in list_template_folders(s)
    assert "webinar" in drafts.folder_names(db)
    r = run(db_url, "campaign", "set", "Default", "--templates", "webinar")
    assert r.code == 0, r.err
    assert get_campaign(db, "Default").templates == "webinar"
    lead = make_lead(db)
    p = followup.preview(db, lead, "Ana Rep")
    assert p.rendered.subject == "Webinar recording for Acme"
    assert p.rendered.voicemail == "Hi Pat, about the webinar."
    assert "Pat" in p.rendered.text  # the other files come from default/, as before


def test_import_layouts_are_the_teams(db: Database) -> None:
    _team(db)
    headers = ["First", "Email", "Job"]
    assert save_mapping(headers, {"First": "first_name", "Email": "email", "Job": "title"}, db,
                        "Tess Lead")
    # the same choice again adds no version
    assert not save_mapping(headers, {"First": "first_name", "Email": "email", "Job": "title"},
                            db, "Tess Lead")
    other = Database(db.url)
    try:
        assert saved_mapping([" first ", "EMAIL", "job"], other)["Job"] == "title"
        assert initial_mapping(headers, other)["Job"] == "title"
    finally:
        other.dispose()
    assert saved_mapping(headers) is None  # nothing on this machine's config folder


def _machine_files() -> tuple[Path, Path]:
    user_scripts_dir().mkdir(parents=True)
    script = user_scripts_dir() / "default.toml"
    script.write_text(_retitled("Written on this machine"), encoding="utf-8")
    folder = user_templates_dir() / "webinar"
    folder.mkdir(parents=True)
    tpl = folder / "voicemail.txt.j2"
    tpl.write_text("Hi {{ lead.first_name }}, from my machine.", encoding="utf-8")
    (folder / "email.txt.j2").write_text("Hi {{ lead.favourite }}", encoding="utf-8")  # broken
    (config_dir() / "import_mappings.json").write_text(
        '{"abc": {"Email": "email"}}', encoding="utf-8")
    return script, tpl


def test_this_machines_files_are_copied_once_and_replace_nothing(db: Database) -> None:
    _team(db)
    script, tpl = _machine_files()
    report = library_import.import_once(db, "Tess Lead")
    assert report is not None
    assert set(report.copied) == {"script default", "template webinar/voicemail.txt.j2",
                                  "import layout abc"}
    assert any("webinar/email.txt.j2" in x and "unknown field" in x for x in report.skipped)
    with db.session(write=False) as s:
        assert load_script("default", s).title == "Written on this machine"
        assert team_library.history(s, "script", "default")[0].changed_by == "Tess Lead"
        assert "from " in (team_library.history(s, "script", "default")[0].note or "")
    assert library_import.import_once(db, "Tess Lead") is None  # once
    # another run (a second machine, or the marker gone) copies nothing twice...
    assert library_import.import_machine_files(db, "Tess Lead").copied == []
    # ...and a file that differs from the team's newer copy is kept beside it, not over it
    drafts.save_script_draft("default", _retitled("The team's newer default"), db, "Tess Lead")
    script.write_text(_retitled("Edited here afterwards"), encoding="utf-8")
    again = library_import.import_machine_files(db, "Tess Lead")
    beside = f"default_{library_import.machine_name()}"
    assert again.beside == [f"script default -> {beside} (the team's default differs)"]
    with db.session(write=False) as s:
        assert load_script("default", s).title == "The team's newer default"
        assert load_script(beside, s).title == "Edited here afterwards"
    assert script.exists() and tpl.exists()  # the files stay where they were


def test_a_rep_start_does_not_copy_and_tries_again_later(db: Database) -> None:
    _team(db)
    _machine_files()
    assert library_import.import_once(db, "Ana Rep") is None
    with db.session(write=False) as s:
        assert team_library.scripts(s) == {}
    assert library_import.import_once(db, "Tess Lead") is not None  # a team lead's start


def test_the_command_line_saves_shows_and_lists_versions(db_url: str, tmp_path: Path) -> None:
    assert run(db_url, "user", "add", "Tess Lead", "--role", "lead").code == 0
    src = tmp_path / "webinar.toml"
    src.write_text(_retitled("Webinar by CLI"), encoding="utf-8")
    r = run(db_url, "script", "save", "webinar", str(src), "--by", "Tess Lead", "--json")
    assert r.code == 0, r.err
    assert (r.json()["what"], r.json()["version"], r.json()["changed_by"]) == \
        ("script webinar", 1, "Tess Lead")
    r = run(db_url, "script", "show", "webinar")
    assert r.code == 0 and r.out == _retitled("Webinar by CLI")
    assert run(db_url, "campaign", "set", "Default", "--script", "webinar").code == 0
    bad = tmp_path / "voicemail.txt.j2"
    bad.write_text("Hi {{ lead.favourite_colour }}", encoding="utf-8")
    r = run(db_url, "template", "save", "default/voicemail.txt.j2", str(bad), "--by", "Tess Lead")
    assert r.code == 1 and r.err.count("\n") == 1
    assert "unknown field lead.favourite_colour" in r.err
    bad.write_text("Hi {{ lead.first_name }}, the CLI here.", encoding="utf-8")
    assert run(db_url, "template", "save", "default/voicemail.txt.j2", str(bad),
               "--by", "Tess Lead").code == 0
    r = run(db_url, "template", "history", "default/voicemail.txt.j2", "--json")
    assert r.code == 0 and [v["version"] for v in r.json()] == [1]
    assert run(db_url, "template", "show", "default/voicemail.txt.j2").out == \
        "Hi {{ lead.first_name }}, the CLI here.\n"
    # the contract's check commands still check files, with the same shapes
    r = run(db_url, "script", "check", str(src), "--json")
    assert r.code == 0 and r.json()["ok"] is True


def test_a_recorded_voicemail_plays_on_another_machine(db: Database, tmp_path: Path) -> None:
    """The WAV's bytes are in the database (0009): a machine without the file writes its
    copy from there the first time it needs it; a recording from before keeps saying
    where to import it again."""
    from sqlalchemy import update

    from qualdesk.db.models import VoicemailRecording
    from qualdesk.errors import NotFound
    from qualdesk.services.voicemails import set_voicemail, voicemail_for
    from tests.phone_far_end import write_tone

    _team(db)
    kept = set_voicemail(db, "Ana Rep", write_tone(tmp_path / "vm.wav", 440, 1))
    original = kept.path.read_bytes()
    kept.path.unlink()  # another machine: no file beside its database yet
    again = voicemail_for(db, "Ana Rep", None)
    assert again.path == kept.path and again.path.read_bytes() == original
    again.path.unlink()
    with db.session() as s:
        s.execute(update(VoicemailRecording).values(wav=None))  # recorded before 0009
    with pytest.raises(NotFound, match="is not on this machine"):
        voicemail_for(db, "Ana Rep", None)


def test_a_team_leads_app_start_copies_this_machines_files(db: Database, db_url: str) -> None:
    from qualdesk.services.sign_in import open_signed_in

    _team(db)
    _machine_files()
    opened, user, _ = open_signed_in(db_url, "Tess Lead", False)
    try:
        assert user is not None and user.name == "Tess Lead"
        with opened.session(write=False) as s:
            assert load_script("default", s).title == "Written on this machine"
            assert "webinar/voicemail.txt.j2" in team_library.templates(s)
    finally:
        opened.dispose()


def test_team_leads_saving_at_the_same_instant_both_keep_their_version(db_url: str) -> None:
    setup = Database(db_url)
    _team(setup)
    setup.dispose()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def save(i: int) -> None:
        own = Database(db_url)  # four clients
        try:
            barrier.wait(10)
            drafts.save_script_draft("webinar", _retitled(f"Webinar {i}"), own, "Tess Lead")
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    check = Database(db_url)
    try:
        with check.session(write=False) as s:
            history = team_library.history(s, "script", "webinar")
            assert sorted(h.version for h in history) == [1, 2, 3, 4]
            titles = {load_script("webinar", s).title}
        assert titles <= {f"Webinar {i}" for i in range(4)}
    finally:
        check.dispose()


def test_a_layout_a_rep_may_not_save_leaves_the_import_standing(db: Database) -> None:
    from qualdesk.services.import_mapping import remember_mapping

    _team(db)
    note = remember_mapping(db, ["Email"], {"Email": "email"}, "Ana Rep")
    assert note.startswith("The column choices were not saved")
    assert remember_mapping(db, ["Email"], {"Email": "email"}, "Tess Lead") == ""
    assert saved_mapping(["Email"], db) == {"Email": "email"}
