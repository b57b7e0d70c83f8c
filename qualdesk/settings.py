"""Typed settings, declared once with their defaults.

Team settings (SMTP, time zone, business hours, policies) live in the database the
client points at (``qualdesk config``); per-machine settings (which database, who signs
in) live in a small JSON file in the user's config directory. Window geometry alone
goes to QSettings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qualdesk.errors import InvalidInput

SETTINGS_VERSION = 1


def _int(v: str) -> int:
    """A whole number, refused in words (Python's own ``int()`` message names base 10)."""
    try:
        return int(str(v).strip())
    except ValueError:
        raise ValueError("expected a whole number (digits only)") from None


def _tz(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA time zone (e.g. Europe/Berlin)") from None
    return v


def _hhmm(v: str) -> str:
    try:
        time.fromisoformat(v)
    except ValueError:
        raise ValueError("expected a time of day as HH:MM (e.g. 09:00)") from None
    return v


def _positive(v: str) -> int:
    n = _int(v)
    if n < 1:
        raise ValueError("expected a whole number of at least 1")
    return n


def _non_negative(v: str) -> int:
    n = _int(v)
    if n < 0:
        raise ValueError("expected a whole number, 0 or more")
    return n


def _patterns(v: str) -> str:
    """Comma-separated patterns, kept as typed (blank items dropped)."""
    return ",".join(p.strip() for p in v.split(",") if p.strip())


def _choice(*options: str) -> Callable[[str], str]:
    def check(v: str) -> str:
        if v not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return v

    return check


def _dial_uri(v: str) -> str:
    v = v.strip()
    if v and (not v.startswith(("sip:", "sips:")) or "{e164}" not in v):
        raise ValueError("expected a SIP URI with {e164} for the number, e.g. sip:{e164}@trunk.example.com")
    return v


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    secret: bool = False


SPECS: dict[str, SettingSpec] = {
    s.key: s
    for s in (
        SettingSpec("team.timezone", "UTC", _tz, "the team's IANA zone: 'today' and 'same day'"),
        SettingSpec("business.start", "08:00", _hhmm, "team business hours start"),
        SettingSpec("business.end", "18:00", _hhmm, "team business hours end"),
        SettingSpec("calling.window_start", "08:00", _hhmm, "earliest local time to call a lead"),
        SettingSpec("calling.window_end", "21:00", _hhmm, "latest local time to call a lead"),
        SettingSpec("queue.policy", "priority", _choice("priority", "fifo"), "queue order"),
        SettingSpec("queue.callback_handover_minutes", 15, _non_negative,
                    "an overdue 'mine' callback becomes anyone's after this"),
        SettingSpec("claim.lease_minutes", 15, _positive, "how long a claim holds without a heartbeat"),
        SettingSpec("dial.scheme", "tel", _choice("tel", "sip", "callto"), "click-to-dial URI scheme"),
        SettingSpec("sip.dial_uri", "", _dial_uri,
                    "the trunk or PBX the app's phone dials, {e164} for the number "
                    "(sip:{e164}@trunk.example.com); empty: click-to-dial only"),
        SettingSpec("phone.ring_timeout", 25, _positive, "seconds a call rings before it counts as no answer"),
        SettingSpec("email.mode", "smtp", _choice("smtp", "mailclient"), "send by SMTP or open the mail client"),
        SettingSpec("smtp.host", "", str, "SMTP server host"),
        SettingSpec("smtp.port", 587, _positive, "SMTP server port"),
        SettingSpec("smtp.security", "starttls", _choice("none", "starttls", "ssl"), "SMTP transport security"),
        SettingSpec("smtp.user", "", str, "SMTP login (password in the OS keyring)"),
        SettingSpec("smtp.from", "", str, "envelope sender when a rep has no email"),
        SettingSpec("smtp.timeout", 10, _positive, "SMTP timeout in seconds"),
        SettingSpec("incubation.default_days", 90, _positive, "re-touch after this many days by default"),
        SettingSpec("import.default_region", "US", str, "region for phone numbers without a country code"),
        # Hand-raise rules of live intake (qualdesk.domain.hand_raise_rules reads them).
        SettingSpec("intake.key_pages", "", _patterns,
                    "comma-separated shell-style URL patterns: a hit on one is a page_visits hand raise"),
        SettingSpec("intake.opens_count", 3, _positive,
                    "this many email opens within intake.opens_days make an email_opens hand raise"),
        SettingSpec("intake.opens_days", 7, _positive, "the window of intake.opens_count, in days"),
        SettingSpec("intake.points_threshold", 0, _non_negative,
                    "points at or above this make a points_threshold hand raise (0: off)"),
        SettingSpec("intake.public_url", "", str,
                    "the address senders reach the intake receiver at (https://...)"),
    )
}


def parse_value(key: str, raw: str) -> Any:
    if key == "smtp.password":
        raise InvalidInput("the SMTP password is never stored in the database; store it in the "
                           "OS keyring instead: echo PASSWORD | qualdesk smtp-password set")
    spec = SPECS.get(key)
    if spec is None:
        raise InvalidInput(f"unknown setting {key!r} (known: {', '.join(sorted(SPECS))})")
    try:
        return spec.parse(raw)
    except ValueError as exc:
        raise InvalidInput(f"{key}={raw!r}: {exc}") from None


def default(key: str) -> Any:
    return SPECS[key].default


# --- per-machine settings ----------------------------------------------------------


@dataclass
class MachineSettings:
    db_url: str | None = None
    rep: str | None = None
    # The headset for the app's phone, as the engine names devices ("alsa,default",
    # "pulse,", "coreaudio,"); None: the platform's default device.
    audio_source: str | None = None
    audio_player: str | None = None
    version: int = SETTINGS_VERSION

    @classmethod
    def load(cls, path: Path | None = None) -> MachineSettings:
        p = path or _machine_path()
        if not p.exists():
            return cls()
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls(db_url=data.get("db_url"), rep=data.get("rep"),
                   audio_source=data.get("audio_source"), audio_player=data.get("audio_player"))

    def save(self, path: Path | None = None) -> None:
        p = path or _machine_path()
        data: dict[str, Any] = {"version": SETTINGS_VERSION, "db_url": self.db_url, "rep": self.rep}
        if self.audio_source or self.audio_player:
            data.update(audio_source=self.audio_source, audio_player=self.audio_player)
        p.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _machine_path() -> Path:
    from qualdesk.paths import config_dir

    return config_dir() / "machine.json"
