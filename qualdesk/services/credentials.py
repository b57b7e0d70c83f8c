"""Database passwords live in the OS keyring (service ``qualdesk-db``), never in a file.

Machine settings keep the URL without its password; ``resolve`` puts the password back
when the client connects. The keyring account is ``user@host:port/database``, so one
machine can remember several databases and logins.
"""

from __future__ import annotations

import contextlib

import keyring
from keyring.errors import KeyringError
from sqlalchemy.engine import make_url

from qualdesk.db.engine import normalise_url
from qualdesk.errors import KnownError
from qualdesk.settings import MachineSettings

SERVICE = "qualdesk-db"


def account(url: str) -> str:
    u = make_url(normalise_url(url))
    return f"{u.username or ''}@{u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}"


def bare_url(url: str) -> str:
    """The URL without its password (safe to store and show)."""
    u = make_url(url)
    if u.password is None:
        return url
    return u._replace(password=None).render_as_string(hide_password=False)


def _is_pg(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "postgresql"


def save_password(url: str, password: str) -> None:
    try:
        keyring.set_password(SERVICE, account(url), password)
    except KeyringError as exc:
        raise KnownError(f"cannot store the database password in the OS keyring: {exc}") from exc


def forget_password(url: str) -> None:
    with contextlib.suppress(KeyringError):  # nothing stored
        keyring.delete_password(SERVICE, account(url))


def resolve(url: str) -> str:
    """The URL to connect with: its own password if it has one, else the keyring's."""
    if not _is_pg(url) or make_url(url).password is not None:
        return url
    try:
        pw = keyring.get_password(SERVICE, account(url))
    except KeyringError:
        pw = None
    if pw is None:
        return url
    return make_url(url).set(password=pw).render_as_string(hide_password=False)


def remember_connection(url: str, settings: MachineSettings | None = None) -> MachineSettings:
    """Point this machine at ``url``: the password (if any) goes to the keyring, the
    machine settings file gets the URL without it."""
    ms = settings if settings is not None else MachineSettings.load()
    pw = make_url(url).password
    if pw is not None:
        save_password(url, str(pw))
    ms.db_url = bare_url(url)
    ms.save()
    return ms
