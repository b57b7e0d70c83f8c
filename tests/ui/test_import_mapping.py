"""The import dialog's editable mapping: unknown columns mapped or kept as lead details,
the choice saved per file layout, and leads without a hand raise found and raised."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import HandRaise, Lead, Note
from qualdesk.services.import_mapping import KEEP, layout_key, saved_mapping
from qualdesk.services.queue import rep_queue
from qualdesk.services.users import add_user
from tests.ui.test_import_dialog import _dialog

HEAD = "First,Surname,Email,Job,State,CreatedDate\n"


def _file(tmp_path: Path, name: str, rows: list[str], head: str = HEAD) -> Path:
    p = tmp_path / name
    p.write_text(head + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def test_map_keep_remember_and_raise_hands(qtbot, sqlite_db: Database, tmp_path: Path, frozen) -> None:  # type: ignore[no-untyped-def]
    add_user(sqlite_db, "Ana Rep", "rep", email="ana@example.com")
    d = _dialog(qtbot, sqlite_db)
    d.set_path(str(_file(tmp_path, "march.csv", ["Ann,Able,ann@acme.test,CFO,CA,2026-03-01",
                                                  "Bob,Brown,bob@acme.test,CTO,NY,2026-03-02"])))
    m = d.mapping.mapping()
    assert m["First"] == "first_name" and m["Surname"] == "last_name"
    assert m["Job"] == KEEP and m["State"] == KEEP  # unknown: kept, not dropped
    d.mapping.set_field("Job", "title")  # mapped by hand
    d.run_import()
    assert d.status.text().startswith("Imported 2")
    with sqlite_db.session(write=False) as s:
        ann = s.scalar(select(Lead).where(Lead.email == "ann@acme.test"))
        assert ann.title == "CFO"
        # kept as lead details: a note on the lead, where reps see it
        assert list(s.scalars(select(Note.body).where(Note.lead_id == ann.id))) == [
            "State: CA · CreatedDate: 2026-03-01"]
        assert ann.designation == "cold"
    # no hand raise in the file: said where they went, offered to raise now
    assert not d.cold_note.isHidden() and not d.cold_button.isHidden()
    assert d.cold_note.text().startswith("2 leads came without a hand raise: they are cold")
    assert rep_queue(sqlite_db, "Ana Rep").entries == []  # cold: in nobody's queue
    d.cold_kind.setCurrentIndex(d.cold_kind.findData("demo_request"))
    d.cold_button.click()
    assert d.status.text().startswith("2 leads now warm with a hand raise")
    assert d.cold_button.isHidden()
    with sqlite_db.session(write=False) as s:
        kinds = list(s.scalars(select(HandRaise.kind)))
        assert kinds == ["demo_request", "demo_request"]
        assert {x.designation for x in s.scalars(select(Lead))} == {"warm"}
    assert len(rep_queue(sqlite_db, "Ana Rep").entries) == 2  # now in the queue, clock running
    # the layout is remembered: April's file (other case and spacing) maps itself
    # ...for the whole team: it is in the database, not in this machine's config folder
    assert saved_mapping(HEAD.strip().split(","), sqlite_db)["Job"] == "title"
    assert saved_mapping(HEAD.strip().split(",")) is None
    april_head = "first,surname,email,job,state,createddate\n"
    assert layout_key(april_head.strip().split(",")) == layout_key(HEAD.strip().split(","))
    d2 = _dialog(qtbot, sqlite_db)
    d2.set_path(str(_file(tmp_path, "april.csv", ["Cy,Chen,cy@acme.test,VP,TX,2026-04-01"],
                          head=HEAD)))
    assert d2.mapping.mapping()["Job"] == "title"
    assert "The mapping saved for files like this one is applied" in d2.status.text()


def test_two_columns_for_one_field_are_refused_in_words(qtbot, sqlite_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = _dialog(qtbot, sqlite_db)
    d.set_path(str(_file(tmp_path, "x.csv", ["Ann,Able,ann@acme.test,CFO,CA,2026-03-01"])))
    d.mapping.set_field("Job", "first_name")
    d.run_import()
    assert "'First' and 'Job' both feed 'first_name'" in d.status.text()
    with sqlite_db.session(write=False) as s:
        assert s.scalar(select(Lead.id)) is None  # nothing half-applied


def test_nothing_naming_a_lead_is_said_in_the_dialogs_words(qtbot, sqlite_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = _dialog(qtbot, sqlite_db)
    d.set_path(str(_file(tmp_path, "y.csv", ["Ann,Able,ann@acme.test,CFO,CA,2026-03-01"])))
    for column in ("First", "Surname", "Email"):
        d.mapping.set_field(column, "ignore")
    d.run_import()
    assert d.status.text().startswith("Map at least one column to a name")
    assert "--map" not in d.status.text()
