"""The command-line contract as an outside acceptance test reads it (DESIGN.md, "Command
line" and "Contract, second part"): exit 0 on success, non-zero with ONE line on stderr
otherwise (no traceback, whatever the database URL), a refused import still answering in
its JSON shape, and the queue order with the contract's own input words."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli_helpers import Result, run
from tests.conftest import FrozenClock


def one_line_failure(r: Result, code: int | None = None) -> None:
    assert r.code != 0 if code is None else r.code == code, (r.code, r.out, r.err)
    assert "Traceback" not in r.err
    assert r.err.endswith("\n") and r.err.count("\n") == 1, repr(r.err)


def closed_port() -> int:
    with socket.socket() as s:  # bound, then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


BAD_URLS = {
    "closed-port": lambda: f"postgresql://qd:pw@127.0.0.1:{closed_port()}/qd",
    "unknown-scheme": lambda: "foo://bar/x",
    "not-a-url": lambda: "notaurl",
    "driver-not-installed": lambda: "mysql://qd:pw@127.0.0.1:1/qd",
}


@pytest.mark.parametrize("url", sorted(BAD_URLS))
@pytest.mark.parametrize("command", [
    ("db", "upgrade"), ("leads", "--json"), ("queue", "--rep", "Ann", "--json"),
    ("claim-next", "--rep", "Ann", "--json"), ("report", "sla", "--json"),
    ("intake", "sources", "--json"), ("activity", "1", "--json"), ("users", "--json"),
])
def test_a_database_that_cannot_be_reached_or_read_is_one_line(url: str,
                                                               command: tuple[str, ...]) -> None:
    r = run(BAD_URLS[url](), *command)
    one_line_failure(r, 1)
    assert r.out == ""
    assert "pw" not in r.err  # the URL's password never reaches the message


def test_an_unknown_scheme_names_the_scheme_and_what_to_write() -> None:
    r = run("foo://bar/x", "leads", "--json")
    assert "'foo' is not a database QualDesk can open" in r.err
    assert "sqlite:///PATH or postgresql://" in r.err


@pytest.mark.parametrize("argv", [
    ("user", "add", "X", "--role", "boss"),          # a choice not offered
    ("log-call", "abc", "--disposition", "busy"),   # not a lead id
    ("lead", "add", "--last-name", "L"),            # a required option missing
    ("leads", "--limit", "many"),
    ("nosuchcommand",),
    ("report", "nosuchreport"),
    ("import",),                                    # a group without its command
    ("report",),
])
def test_a_usage_error_is_one_line(argv: tuple[str, ...]) -> None:
    r = run(None, *argv)
    one_line_failure(r, 2)
    assert "--help" in r.err and not r.err.startswith("usage:")


def test_a_failed_check_says_so_on_stderr(tmp_path: Path) -> None:
    bad_template = tmp_path / "bad.txt.j2"
    bad_template.write_text("Hello {{ lead.favourite_colour }}\n")
    bad_script = tmp_path / "bad.toml"
    bad_script.write_text("x = [\n")
    for argv in (("template", "check", str(bad_template)), ("script", "check", str(bad_script))):
        for out in ((), ("--json",)):
            r = run(None, *argv, *out)
            one_line_failure(r, 1)
            assert "1 problem(s) in 1 file(s)" in r.err
    assert run(None, "template", "check", str(tmp_path / "none.j2")).code == 1


def _refused_json(r: Result) -> list[tuple[int, str]]:
    one_line_failure(r, 1)
    body = r.json()
    assert body["applied"] is False and body["imported"] == 0
    return [(p["row"], p["field"]) for p in body["rejected"]]


def test_a_refused_verdicts_file_still_answers_json(db_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    r = run(db_url, "import", "verdicts", str(missing), "--json")
    assert _refused_json(r) == [(1, "file")] and r.json()["rejected"][0]["value"] == str(missing)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage\x00\n")
    assert _refused_json(run(db_url, "import", "verdicts", str(binary), "--json")) == [(1, "file")]
    rows = tmp_path / "rows.csv"
    rows.write_text("lead_id,verdict\n999,accepted\n1,maybe\n")
    got = _refused_json(run(db_url, "import", "verdicts", str(rows), "--json"))
    assert [row for row, _ in got] == [2, 3]  # header = row 1


def test_intake_serve_on_a_busy_port_is_one_line(db_url: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run(db_url, "intake", "serve", "--listen", f"127.0.0.1:{port}")
    one_line_failure(r, 1)
    assert f"--listen 127.0.0.1:{port}: cannot listen there" in r.err


def _leads_csv(path: Path, now: datetime) -> Path:
    """The contract's own words: CRM labels, kinds in a person's spelling, ISO 8601 with
    an offset (New York numbers: inside the calling window at the frozen 10:00 local)."""
    rows = [  # (first name, kind as typed, minutes ago)
        ("Weak", "Asset Download", 20),     # 40 min left
        ("Strong", "called-in", 20),        # 40 min left too: the stronger kind first
        ("Soon", "contact form", 50),       # 10 min left: earliest deadline first
        ("Lost", "CHAT", 200),              # breached 2h20 ago
        ("Recent", "demo request", 90),     # breached 30 min ago: most recent first
        ("Promised", "asset_download", 10),
    ]
    ny = now.astimezone(ZoneInfo("America/New_York"))
    lines = ["First Name,Last Name,Company Name,Email,Phone Number,hand_raise,hand_raised_at"]
    for i, (name, kind, ago) in enumerate(rows):
        at = (ny - timedelta(minutes=ago)).isoformat()
        lines.append(f"{name},Lead,Acme,{name.lower()}@acme.test,(212) 555-01{i:02d},{kind},{at}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_queue_order_from_an_import_in_the_contracts_words(db_url: str, tmp_path: Path,
                                                           frozen: FrozenClock) -> None:
    assert run(db_url, "user", "add", "Ann", "--role", "rep", "--email", "ann@x.test").code == 0
    r = run(db_url, "import", "leads", str(_leads_csv(tmp_path / "l.csv", frozen.t)), "--json")
    assert r.code == 0 and r.json()["imported"] == 6 and r.json()["rejected"] == [], r.out
    ids = {x["first_name"]: x["id"] for x in run(db_url, "leads", "--json").json()}
    assert {x["hand_raises"] for x in run(db_url, "leads", "--json").json()} == {1}
    due = (frozen.t - timedelta(minutes=1)).isoformat()
    assert run(db_url, "callback", str(ids["Promised"]), "--rep", "Ann", "--at", due).code == 0
    rows = run(db_url, "queue", "--rep", "Ann", "--json").json()
    assert [x["lead"] for x in rows] == [ids[n] for n in
                                         ("Promised", "Soon", "Strong", "Weak", "Recent", "Lost")]
    for x in rows:  # deadlines are ISO 8601 with an offset
        assert datetime.fromisoformat(x["deadline"]).utcoffset() is not None, x
        assert x["reason"]
    claim = run(db_url, "claim-next", "--rep", "Ann", "--json").json()
    assert claim["lead"] == ids["Promised"]
    assert datetime.fromisoformat(claim["lease_expires_at"]) > frozen.t
