"""One CSV row into a lead draft, or the problems that make it a bad row. Pure: every
lookup it needs (team zone, kinds, users) is handed in, so 10,000 rows cost no queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from qualdesk.db.models import Campaign, HandRaise, Lead
from qualdesk.domain.codes import DEFAULT_KIND_STRENGTH, normalise_code
from qualdesk.domain.email_address import is_address, row_reason
from qualdesk.domain.phones import Phone, PhoneError, parse_phone, region_for_country
from qualdesk.errors import RowProblem
from qualdesk.services.intake.dates import DateError, parse_when
from qualdesk.services.intake.header_aliases import HeaderMap
from qualdesk.services.intake.outcome import Warnings

_TRUE = frozenset({"1", "true", "yes", "y", "t", "x", "checked", "on"})
_FALSE = frozenset({"", "0", "false", "no", "n", "f", "unchecked", "off"})
DEFAULT_KIND = "contact_form"
# The longest value each text field's column holds.
_LIMITS: dict[str, int] = {
    name: Lead.__table__.c[name].type.length
    for name in ("first_name", "last_name", "company", "title", "email", "country", "city",
                 "website", "industry", "lead_source", "external_id")}
_LIMITS["campaign"] = Campaign.__table__.c.name.type.length
_SHORTEST_LIMIT = min(_LIMITS.values())
_KIND_LIMIT: int = HandRaise.__table__.c.kind.type.length


@dataclass(frozen=True)
class RowContext:
    team_tz: ZoneInfo
    team_tz_name: str
    default_region: str
    strengths: dict[str, int]
    users: dict[str, int]  # lower-cased name and email -> user id
    now: datetime


@dataclass
class HandRaiseDraft:
    kind: str
    strength: int
    raised_at: datetime
    details: str | None


@dataclass
class LeadDraft:
    row: int
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    title: str | None = None
    email: str | None = None
    phone: Phone | None = None
    mobile: Phone | None = None
    country: str | None = None
    city: str | None = None
    website: str | None = None
    industry: str | None = None
    lead_source: str | None = None
    notes: str | None = None
    external_id: str | None = None
    owner_id: int | None = None
    do_not_call: bool = False
    email_opt_out: bool = False
    campaign: str | None = None
    hand_raise: HandRaiseDraft | None = None
    nameless: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    # Set with ``email``; read for every row several times over, so not a property.
    email_norm: str | None = None


class LeadRowParser:
    def __init__(self, headers: tuple[str, ...], hm: HeaderMap, ctx: RowContext,
                 warnings: Warnings) -> None:
        self.headers, self.hm, self.ctx, self.warn = headers, hm, ctx, warnings
        self._codes: dict[str, str] = {}

    def _code(self, raw: str) -> str:
        # A file repeats a handful of kinds 100,000 times.
        code = self._codes.get(raw)
        if code is None:
            code = self._codes[raw] = normalise_code(raw)
        return code

    def _col(self, name: str) -> str:
        return self.headers[self.hm.fields[name]]

    def parse(self, row: int, cells: tuple[str, ...]) -> LeadDraft:
        d = LeadDraft(row=row)
        if len(cells) > len(self.headers):
            d.problems.append(RowProblem(row, "(row)", ",".join(cells[len(self.headers):]),
                                         f"{len(cells)} cells but the header names "
                                         f"{len(self.headers)} columns"))
            return d
        get = {f: cells[i].strip() for f, i in self.hm.fields.items()}
        d.first_name = get.get("first_name") or None
        d.last_name = get.get("last_name") or None
        full = get.get("full_name")
        if full and not (d.first_name or d.last_name):
            first, _, last = full.rpartition(" ")
            d.first_name, d.last_name = (first or None), (last or None)
        for name in ("company", "title", "city", "website", "industry", "lead_source",
                     "notes", "external_id", "campaign"):
            setattr(d, name, get.get(name) or None)
        d.country = get.get("country") or None
        # A cell longer than its column would be cut short or refused by the database
        # (PostgreSQL refuses it, SQLite would keep it): a bad row, named here.
        if max(map(len, cells), default=0) > _SHORTEST_LIMIT:
            self._lengths(d)
        self._email(d, get)
        self._phones(d, get)
        d.do_not_call = self._flag(d, get, "do_not_call")
        d.email_opt_out = self._flag(d, get, "email_opt_out")
        self._owner(d, get)
        self._hand_raise(d, get)
        # Whether a nameless row is fine depends on whether it names a known lead:
        # decided when the row is matched (``lead_match``).
        d.nameless = not (d.first_name or d.last_name or d.company)
        # A given but invalid phone or email is already a problem naming its value.
        given = get.get("phone") or get.get("mobile") or get.get("email")
        if not (d.email or d.phone) and not given:
            d.problems.append(RowProblem(row, "phone/email", "",
                                         "a lead needs a phone number or an email address"))
        return d

    def _lengths(self, d: LeadDraft) -> None:
        for name, limit in _LIMITS.items():
            value = getattr(d, name)
            if value and len(value) > limit:
                col = self.headers[self.hm.fields[name]] if name in self.hm.fields else name
                d.problems.append(RowProblem(d.row, col, value,
                                             f"longer than {limit} characters"))

    def _email(self, d: LeadDraft, get: dict[str, str]) -> None:
        raw = get.get("email", "")
        if raw:
            reason = row_reason(raw)  # one address: the rule's one home
            if not reason:
                raw = raw.strip()
                d.email, d.email_norm = raw, raw.lower()
            else:
                d.problems.append(RowProblem(d.row, self._col("email"), raw, reason))
            return
        alt = get.get("email_alt", "")
        if alt and is_address(alt):
            d.email, d.email_norm = alt, alt.lower()

    def _phones(self, d: LeadDraft, get: dict[str, str]) -> None:
        region = self.ctx.default_region
        if d.country:
            found = region_for_country(d.country)
            if found:
                region = found
            else:
                self.warn.add(f"country:{d.country}", f"country {d.country!r} not recognised; "
                              f"phone numbers read as {region}", d.row)
        valid: dict[str, Phone] = {}
        bad: dict[str, PhoneError] = {}
        for name in ("phone", "mobile"):
            raw = get.get(name)
            if raw:
                try:
                    valid[name] = parse_phone(raw, region)
                except PhoneError as exc:
                    bad[name] = exc
        if bad and not valid:
            # No usable number at all: that is the row's problem, named per bad value.
            for name, exc in bad.items():
                d.problems.append(RowProblem(d.row, self._col(name), get[name], str(exc)))
            return
        # At least one number works: use it, and say which value was dropped.
        d.phone = valid.get("phone") or valid.get("mobile")
        d.mobile = valid.get("mobile") if "phone" in valid else None
        if not bad:
            return
        if "phone" in bad:
            self.warn.add("phone-fallback", f"{self._col('phone')} is not a valid number; "
                          f"{self._col('mobile')} used as the phone", d.row)
        if "mobile" in bad:
            self.warn.add("mobile-dropped", f"{self._col('mobile')} is not a valid number; "
                          "not imported", d.row)

    def _flag(self, d: LeadDraft, get: dict[str, str], name: str) -> bool:
        raw = get.get(name, "")
        low = raw.lower()
        if low in _TRUE:
            return True
        if low not in _FALSE:
            d.problems.append(RowProblem(d.row, self._col(name), raw,
                                         "expected yes/no (1/0, true/false)"))
        return False

    def _owner(self, d: LeadDraft, get: dict[str, str]) -> None:
        raw = get.get("owner", "")
        if not raw:
            return
        d.owner_id = self.ctx.users.get(raw.lower())
        if d.owner_id is None:
            self.warn.add("owner", f"{self._col('owner')} names no QualDesk user "
                          f"(e.g. {raw!r}); those leads are unowned", d.row)

    def _hand_raise(self, d: LeadDraft, get: dict[str, str]) -> None:
        kind_raw, at_raw = get.get("hand_raise", ""), get.get("hand_raised_at", "")
        details = get.get("details") or None
        if not kind_raw and not at_raw:
            return  # imported cold: nothing says this lead raised a hand
        if at_raw:
            try:
                raised_at, assumed = parse_when(at_raw, self.ctx.team_tz)
            except DateError as exc:
                d.problems.append(RowProblem(d.row, self._col("hand_raised_at"), at_raw,
                                             str(exc)))
                return
            if assumed:
                self.warn.add("naive-date", f"hand_raised_at has no UTC offset; read in the "
                              f"team time zone {self.ctx.team_tz_name}", d.row)
            if raised_at > self.ctx.now + timedelta(minutes=5):
                self.warn.add("future", "hand_raised_at is in the future", d.row)
        else:
            raised_at = self.ctx.now
            self.warn.add("no-date", "hand_raise without hand_raised_at: raised at import "
                          "time", d.row)
        code = self._code(kind_raw) if kind_raw else DEFAULT_KIND
        if len(code) > _KIND_LIMIT:
            d.problems.append(RowProblem(d.row, self._col("hand_raise"), kind_raw,
                                         f"longer than {_KIND_LIMIT} characters"))
            return
        if not kind_raw:
            self.warn.add("no-kind", f"hand_raised_at without hand_raise kind: counted as "
                          f"{DEFAULT_KIND}", d.row)
        strength = self.ctx.strengths.get(code)
        if strength is None:
            strength = DEFAULT_KIND_STRENGTH
            self.warn.add(f"kind:{code}", f"hand_raise {kind_raw!r} is not a configured kind; "
                          f"imported at the default strength {strength}", d.row)
        d.hand_raise = HandRaiseDraft(code, strength, raised_at, details)
