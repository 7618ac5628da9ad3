"""The monitor's listener interface: how the core tells the UI what changed.

A plain protocol with no Qt in it; ``ui/`` has the one adapter that turns these
calls into Qt signals. Every call happens on the event-loop thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .model import Batch, StreamState
from .reasons import SignOutReason


class MonitorListener(Protocol):
    """Receives the monitor's news; implementations must not block."""

    def batch_added(self, batch: Batch) -> None:
        """A batch the monitor now follows (found active, or known from last run)."""

    def batch_updated(self, batch: Batch, changed_clips: Sequence[int]) -> None:
        """New state for a batch; ``changed_clips`` holds the 1-based clip indexes
        whose row changed (empty when only the counts or status changed)."""

    def batch_finished(self, batch: Batch) -> None:
        """The batch ended (completed, failed, cancelled): called exactly once per
        batch and user, across restarts. The UI announces it; it must not repeat it."""

    def stream_state_changed(self, batch_id: str, state: StreamState) -> None:
        """The batch's live stream changed state (connecting, live, reconnecting...)."""

    def server_reachable_changed(self, reachable: bool) -> None:
        """Called once when the server stops answering, once when it is back."""

    def signed_out(self, reason: SignOutReason) -> None:
        """The session ended (the user, or a terminal refresh error); streams stopped."""


class SessionListener(Protocol):
    """Receives the signed-in session's news (core.session); implementations must not
    block. The ui adapts it into Qt signals exactly as it adapts the monitor's listener."""

    def signed_in(self, email: str | None) -> None:
        """A session exists now (form, keyring, environment or demo); the monitor starts next."""

    def sign_in_failed(self, reason: str) -> None:
        """The automatic sign-in at start (environment or demo account) was refused;
        ``reason`` is an ``AuthError.reason``. The form waits for the user."""

    def settings_needed(self) -> None:
        """The servers are not configured (or not valid): nothing can start until the
        user sets them up or tries the demo."""

    def session_reset(self) -> None:
        """The session was dropped to start again on other servers (new settings, demo)."""

    def memory_problem(self, problem: str | None) -> None:
        """What the app remembers across restarts cannot be saved or read (``unreadable``,
        ``read_only``), or ``None``: it can again."""

    def active_batches_found(self, batch_ids: Sequence[str]) -> None:
        """Right after a sign-in: these batches are publishing now (never empty)."""
