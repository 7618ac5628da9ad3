"""What the UI asks of the rest of the app (implemented in ``app.py`` on the core).

The UI never talks HTTP: it calls these coroutines from its slots and shows
their outcome. Everything else it learns through the monitor's listener
(:mod:`storyclip_desktop.ui.bridge`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from storyclip_desktop.core.controls import ControlOutcome, ControlSource
from storyclip_desktop.core.model import Batch, HistoryPage, HistoryQuery, ServerCapabilities

if TYPE_CHECKING:  # pragma: no cover - for the docstrings' cross references only
    from storyclip_desktop.core.auth import AuthError  # noqa: F401

__all__ = ["AppServices"]


class AppServices(Protocol):
    """The app's services, as the UI uses them. All coroutines run on the qasync loop."""

    @property
    def user_email(self) -> str | None:
        """The signed-in user's email, or None when nobody is signed in."""

    @property
    def vault_message(self) -> str | None:
        """None when the session is safely in the keyring; else one of
        :data:`~storyclip_desktop.core.reasons.VAULT_REASONS`: the session is kept
        only until the app quits."""

    async def sign_in(self, email: str, password: str, remember: bool) -> None:
        """Sign in and start following the user's batches.

        Raises ``core.auth.AuthError`` whose ``reason`` is one of
        :data:`~storyclip_desktop.core.reasons.SIGN_IN_REASONS`; any other
        exception is shown as a generic error.
        """

    async def sign_out(self) -> None:
        """End the session (the monitor then calls ``signed_out("user")``)."""

    async def refresh(self) -> None:
        """Re-read every batch from the server now (the REST summary is the truth)."""

    async def history_page(
        self, query: HistoryQuery, offset: int = 0, limit: int = 50, clips: bool = False
    ) -> HistoryPage:
        """A page of ended batches, newest first (the server's history, or the batches
        this app remembers where the server keeps none). Raises ``ApiError``/``AuthError``."""

    async def batch(self, batch_id: str) -> Batch:
        """One batch with its clips (shown on demand in the history)."""

    @property
    def capabilities(self) -> ServerCapabilities | None:
        """What the server supports beyond Part 1 (None: not asked yet): which of
        pause, resume, cancel and retry-failed it really does (``controls``)."""

    async def control(self, batch_id: str, action: str, source: ControlSource) -> ControlOutcome:
        """Pause, resume, cancel or retry the failed clips of a batch; never raises
        (the outcome says ok, refused, unsupported or failed, and why)."""
