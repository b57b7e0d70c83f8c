"""The app's phone for the widgets: the engine runs, and every command goes, on one
worker thread of its own; call changes and engine life come back as signals.

The GUI never waits on the engine: a dial, a hang-up or a dead engine is a queued job
and a signal later. One thread keeps the commands in order (hang-up after dial).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from qualdesk.errors import KnownError
from qualdesk.phone.adapter import CallRecord
from qualdesk.phone.phone import Phone

PhoneFactory = Callable[[], Phone]

DOWN, STARTING, UP, GAVE_UP = "down", "starting", "up", "gave_up"


class PhoneController(QObject):
    sig_call_changed = Signal(object)  # CallRecord
    sig_engine_state = Signal(str, str)  # down|starting|up|gave_up|registered|register_failed, detail
    sig_error = Signal(str)  # a command failed: say it, the call keys stay usable

    def __init__(self, factory: PhoneFactory | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phone_controller")
        self.factory = factory
        self.phone: Phone | None = None
        self.state = DOWN
        self.detail = ""
        self.dial_uri: str | None = None  # the team's trunk template, set by the panel's owner
        self.current: CallRecord | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phone")
        self.sig_engine_state.connect(self._remember_state)
        self.sig_call_changed.connect(self._remember_call)

    # --- state seen by widgets (GUI thread) --------------------------------------------

    @property
    def available(self) -> bool:
        return self.state == UP and self.dial_uri is not None

    def _remember_state(self, state: str, detail: str) -> None:
        if state in (DOWN, STARTING, UP, GAVE_UP):
            self.state, self.detail = state, detail

    def _remember_call(self, rec: CallRecord) -> None:
        self.current = rec

    # --- engine life -------------------------------------------------------------------

    def start(self) -> None:
        if self.factory is None:
            return
        self.sig_engine_state.emit(STARTING, "")
        self._submit(self._start)

    def _start(self) -> None:
        assert self.factory is not None
        if self.phone is None:
            self.phone = self.factory()
            self.phone.listeners.append(self.sig_call_changed.emit)
            self.phone.engine_listeners.append(self.sig_engine_state.emit)
        try:
            self.phone.start()
        except KnownError as exc:
            self.sig_engine_state.emit(DOWN, str(exc))

    def restart(self) -> None:
        """Stop the engine (if any) and start it again with the saved set-up."""
        if self.factory is None:
            return
        old, self.phone = self.phone, None
        if old is not None:
            self._submit(old.stop)
        self.start()

    def stop(self, wait: bool = True) -> None:
        phone = self.phone
        if phone is not None:
            self._submit(phone.stop)
        self._pool.shutdown(wait=wait)

    # --- call commands (queued, never waited on) ----------------------------------------

    def dial(self, uri: str, ring_timeout: float) -> None:
        self._command(lambda p: p.dial(uri, ring_timeout))

    def hangup(self) -> None:
        self._command(lambda p: p.hangup())

    def toggle_mute(self) -> None:
        self._command(lambda p: p.toggle_mute())

    def toggle_hold(self) -> None:
        self._command(lambda p: p.toggle_hold())

    def dtmf(self, key: str) -> None:
        self._command(lambda p: p.dtmf(key))

    def drop_voicemail(self, wav_path: str) -> None:
        self._command(lambda p: p.drop_voicemail(wav_path))

    def _command(self, fn: Callable[[Phone], Any]) -> None:
        def job() -> None:
            if self.phone is None or not self.phone.running:
                self.sig_error.emit("the phone engine is not running")
                return
            try:
                fn(self.phone)
            except KnownError as exc:
                self.sig_error.emit(str(exc))

        self._submit(job)

    def _submit(self, job: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # shut down: the app is closing
            self._pool.submit(job)
