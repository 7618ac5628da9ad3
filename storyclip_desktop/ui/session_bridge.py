"""The session's listener as Qt signals: the one adapter for core.session's news.

:class:`SessionBridge` implements ``core.events.SessionListener`` (duck-typed, like
the monitor's bridge) and re-emits each call as a signal on the same thread, so
the views connect to signals and the core stays free of Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from storyclip_desktop.core.events import SessionListener

__all__ = ["SessionBridge"]


class SessionBridge(QObject):
    """Re-emits the session's listener calls as Qt signals.

    Signals:
        signedIn(object): a session exists now; the user's email (or None).
        signInFailed(str): the automatic sign-in at start was refused (an
            ``AuthError.reason``); the form waits for the user.
        settingsNeeded(): nothing is configured; the first-run settings should open.
        sessionReset(): the session was dropped to start again on other servers.
        memoryProblem(object): what the app remembers cannot be saved or read
            (``unreadable``, ``read_only``), or None: it can again.
        activeBatchesFound(list): right after a sign-in, the ids of the batches
            publishing now (never empty).
    """

    signedIn = Signal(object)
    signInFailed = Signal(str)
    settingsNeeded = Signal()
    sessionReset = Signal()
    memoryProblem = Signal(object)
    activeBatchesFound = Signal(list)

    def signed_in(self, email: str | None) -> None:
        self.signedIn.emit(email)

    def sign_in_failed(self, reason: str) -> None:
        self.signInFailed.emit(reason)

    def settings_needed(self) -> None:
        self.settingsNeeded.emit()

    def session_reset(self) -> None:
        self.sessionReset.emit()

    def memory_problem(self, problem: str | None) -> None:
        self.memoryProblem.emit(problem)

    def active_batches_found(self, batch_ids: Sequence[str]) -> None:
        self.activeBatchesFound.emit(list(batch_ids))

    if TYPE_CHECKING:  # mypy checks the protocol is met; nothing at run time

        @staticmethod
        def _is_a_listener(bridge: SessionBridge) -> SessionListener:
            return bridge
