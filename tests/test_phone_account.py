"""A rep's own SIP account: stored (password in the keyring, never in the database),
turned into the engine's account line, and registered against a real registrar (SIPp
answering REGISTER on 127.0.0.1); a registrar that never answers reads as not registered."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from qualdesk.db.engine import Database
from qualdesk.db.models import SipAccount
from qualdesk.phone.engine import EngineConfig, free_port
from qualdesk.phone.phone import Phone
from qualdesk.services import sip_accounts
from tests.cli_helpers import run
from tests.memory_keyring import MemoryKeyring
from tests.phone_far_end import write_tone

SCENARIO = Path(__file__).parent / "data" / "sipp" / "registrar.xml"


def test_account_set_keeps_the_password_in_the_keyring(sqlite_db: Database,
                                                       memory_keyring: MemoryKeyring,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_db.url
    assert run(url, "user", "add", "Ann", "--role", "rep").code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    r = run(url, "phone", "account", "--rep", "Ann", "--registrar", "pbx.example.com:5061",
            "--user", "1001", "--proxy", "sbc.example.com", "--transport", "tls",
            "--password-stdin", "--json")
    assert r.code == 0, r.err
    assert r.json()["password_stored"] is True
    assert memory_keyring.store[("qualdesk-sip", "1001@pbx.example.com:5061")] == "s3cret"
    with sqlite_db.session(write=False) as s:
        row = s.scalars(select(SipAccount)).one()
        assert "s3cret" not in repr(vars(row))
    acc = sip_accounts.account_for(sqlite_db, "Ann")
    line = sip_accounts.account_line(acc, sip_accounts.password_for(acc))  # type: ignore[arg-type]
    assert line == ('<sip:1001@pbx.example.com:5061;transport=tls>;auth_pass=s3cret;'
                    'outbound="sip:sbc.example.com;transport=tls";regint=600')
    bad = run(url, "phone", "account", "--rep", "Ann", "--registrar", "me@pbx", "--user", "1")
    assert bad.code == 1 and "registrar 'me@pbx'" in bad.err


@pytest.fixture
def registrar() -> Iterator[int]:
    port = free_port()
    p = subprocess.Popen(["sipp", "-sf", str(SCENARIO), "-i", "127.0.0.1", "-p", str(port),
                          "-m", "1", "-nostdin"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    yield port
    p.terminate()
    p.wait(5)


def _phone(tmp_path: Path, account: str) -> Phone:
    mic = write_tone(tmp_path / "mic.wav", 0, 5)
    return Phone(EngineConfig(folder=tmp_path / "engine", accounts=(account,),
                              audio_source=f"aufile,{mic}", audio_player="aufile,/dev/null",
                              sip_listen=f"127.0.0.1:{free_port()}", net_interface="127.0.0.1"),
                 restart=False)


def test_account_registers_with_a_real_registrar(tmp_path: Path, registrar: int) -> None:
    phone = _phone(tmp_path, f"<sip:1001@127.0.0.1:{registrar}>;auth_pass=x;regint=600")
    states: list[str] = []
    phone.engine_listeners.append(lambda st, _d: states.append(st))
    try:
        phone.start()
    finally:
        phone.stop()
    assert states == ["up", "registered"]


def test_registrar_that_never_answers_is_reported(tmp_path: Path) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hole:
        hole.bind(("127.0.0.1", 0))
        phone = _phone(tmp_path, f"<sip:1001@127.0.0.1:{hole.getsockname()[1]}>;regint=600")
        states: list[tuple[str, str]] = []
        phone.engine_listeners.append(lambda st, d: states.append((st, d)))
        try:
            phone.start(register_wait=1.0)
        finally:
            phone.stop()
    assert states[-1][0] == "register_failed" and "registrar" in states[-1][1]
