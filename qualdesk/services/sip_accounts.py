"""A rep's own SIP account (optional): registrar, user, outbound proxy, transport in the
database; the password in the OS keyring (service ``qualdesk-sip``), never in a file the
app keeps — it is written into the engine's private accounts file only while it runs."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError

from qualdesk.db.engine import Database
from qualdesk.db.models import SipAccount
from qualdesk.errors import InvalidInput, KnownError
from qualdesk.services.users import user_by_name

SERVICE = "qualdesk-sip"
TRANSPORTS = ("udp", "tcp", "tls")


@dataclass(frozen=True)
class SipAccountRecord:
    rep: str
    registrar: str
    username: str
    outbound_proxy: str | None
    transport: str

    def keyring_account(self) -> str:
        return f"{self.username}@{self.registrar}"

    def as_dict(self) -> dict[str, object]:
        return {"rep": self.rep, "registrar": self.registrar, "username": self.username,
                "outbound_proxy": self.outbound_proxy, "transport": self.transport}


def set_account(db: Database, rep_name: str, registrar: str, username: str,
                outbound_proxy: str | None = None, transport: str = "udp",
                password: str | None = None) -> SipAccountRecord:
    registrar = registrar.strip().removeprefix("sip:")
    if not registrar or "@" in registrar or " " in registrar:
        raise InvalidInput(f"registrar {registrar!r}: expected a host[:port], e.g. pbx.example.com")
    if transport not in TRANSPORTS:
        raise InvalidInput(f"transport {transport!r}: expected one of {', '.join(TRANSPORTS)}")
    if not username.strip():
        raise InvalidInput("the SIP user name is empty")
    with db.session() as s:
        rep = user_by_name(s, rep_name)
        row = s.get(SipAccount, rep.id) or SipAccount(rep_id=rep.id)
        row.registrar, row.username = registrar, username.strip()
        row.outbound_proxy, row.transport = outbound_proxy or None, transport
        s.add(row)
        rec = SipAccountRecord(rep.name, row.registrar, row.username, row.outbound_proxy,
                               row.transport)
    if password is not None:
        try:
            keyring.set_password(SERVICE, rec.keyring_account(), password)
        except KeyringError as exc:
            raise KnownError(f"cannot store the SIP password in the OS keyring: {exc}") from exc
    return rec


def account_for(db: Database, rep_name: str) -> SipAccountRecord | None:
    with db.session(write=False) as s:
        rep = user_by_name(s, rep_name)
        row = s.get(SipAccount, rep.id)
        if row is None:
            return None
        return SipAccountRecord(rep.name, row.registrar, row.username, row.outbound_proxy,
                                row.transport)


def password_for(rec: SipAccountRecord) -> str | None:
    with contextlib.suppress(KeyringError):
        return keyring.get_password(SERVICE, rec.keyring_account())
    return None


def account_line(rec: SipAccountRecord | None, password: str | None) -> str:
    """The engine's account line: registered when the rep has an account, else a local
    identity that dials without registering (a trunk that trusts the address)."""
    if rec is None:
        return "<sip:qualdesk@127.0.0.1>;regint=0"
    t = "" if rec.transport == "udp" else f";transport={rec.transport}"
    line = f"<sip:{rec.username}@{rec.registrar}{t}>"
    if password:
        line += f";auth_pass={password}"
    if rec.outbound_proxy:
        proxy = rec.outbound_proxy if rec.outbound_proxy.startswith("sip") else f"sip:{rec.outbound_proxy}"
        line += f';outbound="{proxy}{t}"'
    return line + ";regint=600"
