"""What every notification route shares: the notice itself and the backend protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from PySide6.QtCore import SignalInstance

__all__ = ["NoticeBackend", "Notification", "Route"]

Route = Literal["tray", "dbus", "banner"]


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing to tell the user. ``body`` may hold untrusted text (plain).

    ``batch_id``: the one batch it is about (a click opens it); ``batch_ids``: every
    batch it covers (a grouped notice covers several, and has no ``batch_id``);
    ``failed_clips``: how many clips failed in what it covers (the D-Bus route
    offers "Show failed clips" on a notice about one batch with failures);
    ``can_retry``: the server can retry them, so that notice offers "Retry failed".
    """

    kind: str
    title: str
    body: str
    batch_id: str | None = None
    batch_ids: tuple[str, ...] = ()
    failed_clips: int = 0
    can_retry: bool = False

    @property
    def covers(self) -> tuple[str, ...]:
        """Every batch this notice is about (the log's ``batch_ids``)."""
        if self.batch_ids:
            return self.batch_ids
        return (self.batch_id,) if self.batch_id is not None else ()

    @property
    def problem(self) -> bool:
        if self.kind == "finished":
            return self.failed_clips > 0
        return self.kind in ("failed", "unreachable")


class NoticeBackend(Protocol):
    """One way to tell the user (tray balloon, desktop notification, in-app banner).

    A backend shows what it is handed and says how it went through its signals,
    at once or later (a D-Bus daemon answers asynchronously); which backend takes
    a notice is :func:`~storyclip_desktop.ui.notify.routing.choose_backend`'s call.

    Signals:
        shown(Notification, str): the notice was handed over; this backend's route.
        failed(Notification, str): it could not be; why (plain text, for the log).
        activated(object): the user clicked one of ours; its batch id or None.
    """

    @property
    def route(self) -> Route:
        """This backend's name in the log and in ``Notifier.notified``."""

    @property
    def shown(self) -> SignalInstance: ...

    @property
    def failed(self) -> SignalInstance: ...

    @property
    def activated(self) -> SignalInstance: ...

    def available(self) -> bool:
        """Whether this route can take a notice now (asked before every notice)."""

    def show(self, note: Notification) -> None:
        """Hand ``note`` to the user; report through ``shown`` or ``failed``."""
