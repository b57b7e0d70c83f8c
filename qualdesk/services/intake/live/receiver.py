"""``qualdesk intake serve``: the HTTP receiver (Starlette on uvicorn).

``POST /intake/NAME`` is the only way in, ``GET /healthz`` says whether the database
answers. Stateless: every decision that must hold across receivers (duplicates, rates,
test tokens, contact ids) is made by the database, so any number of these can run
behind one load balancer. Database work runs in the thread pool (SQLAlchemy is
synchronous); the event loop only reads bodies and writes answers.

Statuses: 2xx only after the commit; 400 names the event and field; 401 signature;
404 unknown source; 413 over 1 MiB (counted while the body streams in); 415 content
type; 429 over a rate; 503 while the database is away (nothing was kept: retry).
Secrets and bodies are never logged.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from qualdesk import clock
from qualdesk.db.engine import Database
from qualdesk.db.models import IntakeSource
from qualdesk.errors import DatabaseUnavailable
from qualdesk.services.intake.live import rates
from qualdesk.services.intake.live.deliveries import (
    Auth,
    Refused,
    is_test_json,
    receive,
)
from qualdesk.services.intake.live.events import (
    EventError,
    NormalEvent,
    honeypot_filled,
    parse_form,
)
from qualdesk.services.intake.live.refusals import keep_refusal
from qualdesk.services.intake.live.sources import NAME_RE

log = logging.getLogger("qualdesk.intake")

MAX_BODY = 1024 * 1024
MAX_FORM_FIELDS = 200
_SOURCE_TTL_S = 2.0
_JSON = "application/json"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
THANK_YOU = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Thank you</title>"
             "</head><body><p>Thank you: we will be in touch shortly.</p></body></html>")


@dataclass(frozen=True)
class SourceInfo:
    id: int
    name: str
    kind: str
    rate_per_minute: int
    rate_per_address: int
    allowed_redirects: tuple[str, ...]


class _Sources:
    """A two-second memory of sources, for the early answers only (404, 415, rates);
    the delivery's own transaction reads the source again, so a rotated secret or a
    removed source counts at once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[float, SourceInfo | None]] = {}

    def get(self, name: str) -> SourceInfo | None:
        now = time.monotonic()
        with self._lock:
            hit = self._seen.get(name)
        if hit is not None and now - hit[0] < _SOURCE_TTL_S:
            return hit[1]
        with self.db.session(write=False) as s:
            src = s.scalar(select(IntakeSource).where(IntakeSource.name == name))
            info = None if src is None else SourceInfo(
                src.id, src.name, src.kind, src.rate_per_minute, src.rate_per_address,
                tuple(src.allowed_redirects or ()))
        with self._lock:
            if len(self._seen) > 1000:
                self._seen.clear()
            self._seen[name] = (now, info)
        return info


class _TooBig(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise _TooBig
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooBig
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """A form post's fields (the first value of each name); files are ignored."""
    if content_type.lower().startswith("multipart/form-data"):
        msg = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        if not msg.is_multipart():
            raise EventError("multipart body without parts (boundary missing or wrong)")
        out: dict[str, str] = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str) or part.get_filename():
                continue
            payload = part.get_payload(decode=True) or b""
            try:
                value = payload.decode(part.get_content_charset() or "utf-8")
            except (LookupError, UnicodeDecodeError):
                raise EventError(f"field {name}: not UTF-8 text") from None
            out.setdefault(name, value)
            if len(out) > MAX_FORM_FIELDS:
                raise EventError(f"more than {MAX_FORM_FIELDS} fields")
        return out
    try:
        text_ = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EventError(f"the form is not UTF-8 (byte {exc.start})") from None
    try:
        pairs = parse_qsl(text_, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS,
                          strict_parsing=False)
    except ValueError as exc:
        raise EventError(str(exc)) from None
    fields: dict[str, str] = {}
    for k, v in pairs:
        fields.setdefault(k, v)
    return fields


def redirect_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    """``url`` is on the list: same scheme and host, and a path under the entry's."""
    try:
        u = urlsplit(url)
    except ValueError:
        return False
    for entry in allowed:
        a = urlsplit(entry)
        if (u.scheme.lower(), u.netloc.lower()) == (a.scheme.lower(), a.netloc.lower()) \
                and u.scheme.lower() in ("http", "https") \
                and (u.path or "/").startswith(a.path or "/"):
            return True
    return False


class Receiver:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sources = _Sources(db)

    async def _refuse(self, name: str, status: int, reason: str, remote: str | None,
                      body: bytes, **headers: str) -> JSONResponse:
        await run_in_threadpool(keep_refusal, self.db, name, status, reason, remote, body)
        return _error(status, reason, **headers)

    async def intake(self, request: Request) -> Response:
        name = request.path_params["name"]
        remote = request.client.host if request.client else None
        if not NAME_RE.match(name):
            return _error(404, "no such intake source")
        try:
            return await self._intake(request, name, remote)
        except (DatabaseUnavailable, DBAPIError) as exc:
            log.warning("database unavailable for %s: %s", name, type(exc).__name__)
            return _error(503, "the database is unavailable: nothing was kept; retry later",
                          **{"Retry-After": "5"})
        except ClientDisconnect:
            return Response(status_code=400)
        except Exception:  # noqa: BLE001 - a bug: logged, kept for the team lead, a 500
            log.exception("intake receiver failed on a delivery to %s", name)
            reason = "the receiver failed on this delivery (see its log); nothing was kept"
            await run_in_threadpool(keep_refusal, self.db, name, 500, reason, remote, b"")
            return _error(500, reason)

    async def _intake(self, request: Request, name: str, remote: str | None) -> Response:
        src = await run_in_threadpool(self.sources.get, name)
        if src is None:
            return await self._refuse(name, 404, f"no intake source named {name!r}", remote, b"")
        media = _media_type(request)
        test_token = request.headers.get("x-qualdesk-test")
        wanted = _FORM_TYPES if src.kind == "form" else (_JSON,)
        if media not in wanted and not (test_token and media == _JSON):
            return await self._refuse(name, 415, f"content type {media or '(none)'!r}: a "
                                      f"{src.kind} source takes {' or '.join(wanted)}",
                                      remote, b"")
        try:
            body = await _read_body(request)
        except _TooBig:
            return await self._refuse(name, 413, f"body over {MAX_BODY} bytes (1 MiB)",
                                      remote, b"")
        limits = {rates.SOURCE_KEY: src.rate_per_minute}
        if src.kind == "form" and remote:
            limits[remote] = src.rate_per_address
        over = await run_in_threadpool(rates.hit, self.db, src.id, limits)
        if over is not None:
            who = "this source" if over == rates.SOURCE_KEY else f"address {over}"
            limit = limits[over]
            return await self._refuse(name, 429, f"over {limit} requests a minute for {who}",
                                      remote, body, **{"Retry-After": "60"})
        form_event: NormalEvent | None = None
        ret_url: str | None = None
        # The app's test event (``sources.test_event_body`` without a kind) is our json
        # for a source of any kind, whatever content type it was sent with.
        if src.kind == "form" and media != _JSON and not (test_token and is_test_json(body)):
            try:
                fields = form_fields(request.headers.get("content-type", ""), body)
            except EventError as exc:
                return await self._refuse(name, 400, str(exc), remote, body)
            ret_url = fields.get("retURL") or fields.get("returl") or None
            if honeypot_filled(fields):
                # A bot: it is told "thank you" (so it learns nothing); nothing is kept.
                await run_in_threadpool(keep_refusal, self.db, name, 200,
                                        "honeypot field filled in: a bot, nothing kept",
                                        remote, body)
                return self._thanks(ret_url, src)
            form_event = parse_form(fields, clock.now())
        auth = Auth(request.headers.get("webhook-signature"),
                    request.headers.get("x-qualdesk-signature"), test_token)
        try:
            outcome = await run_in_threadpool(receive, self.db, name, body, auth, form_event)
        except Refused as exc:
            return await self._refuse(name, exc.status, exc.reason, remote, body)
        if src.kind == "form" and form_event is not None:
            return self._thanks(ret_url, src)
        return JSONResponse(outcome.as_dict(), status_code=200)

    def _thanks(self, ret_url: str | None, src: SourceInfo) -> Response:
        if ret_url and redirect_allowed(ret_url, src.allowed_redirects):
            return RedirectResponse(ret_url, status_code=303)
        return HTMLResponse(THANK_YOU, status_code=200)

    async def healthz(self, request: Request) -> Response:
        def ping() -> None:
            with self.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        try:
            await run_in_threadpool(ping)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            return JSONResponse({"ok": False, "database": html.escape(type(exc).__name__)},
                                status_code=503)
        return JSONResponse({"ok": True})


async def _not_found(request: Request, exc: Any) -> Response:
    return _error(404, "not found: POST /intake/NAME or GET /healthz")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("intake receiver error")
    return _error(500, "the receiver failed on this delivery; nothing was kept")


def create_app(db: Database) -> Starlette:
    r = Receiver(db)
    return Starlette(routes=[Route("/intake/{name}", r.intake, methods=["POST"]),
                             Route("/healthz", r.healthz, methods=["GET"])],
                     exception_handlers={404: _not_found, 500: _server_error})


DB_ENV = "QUALDESK_INTAKE_DB"


def app_from_env() -> Starlette:
    """The app for each worker process of ``serve(workers=N)`` (uvicorn imports it)."""
    import os

    db = Database(os.environ[DB_ENV], pool_size=10)
    db.ensure_ready()
    return create_app(db)


def serve(db: Database, host: str = "127.0.0.1", port: int = 8470, *,
          forwarded_allow_ips: str | None = None, log_level: str = "info",
          workers: int = 1) -> None:
    """Run until SIGTERM/SIGINT (uvicorn finishes requests in flight, then stops).
    ``workers`` > 1 runs that many processes on one port: the receiver keeps no state,
    so they share nothing but the database (the Python work of a delivery is
    CPU-bound, and one process uses one core)."""
    import os

    import uvicorn

    common = {"host": host, "port": port, "log_level": log_level, "proxy_headers": True,
              "forwarded_allow_ips": forwarded_allow_ips or "127.0.0.1",
              "server_header": False, "timeout_graceful_shutdown": 10}
    if workers > 1:
        os.environ[DB_ENV] = db.url
        db.dispose()
        uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=workers, **common)
        return
    uvicorn.Server(uvicorn.Config(create_app(db), **common)).run()
