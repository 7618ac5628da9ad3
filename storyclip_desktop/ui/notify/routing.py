"""Which route a notification takes, and what it says.

Routes are tried in order, one per notification: the tray's own message when a
tray exists and supports messages; else ``org.freedesktop.Notifications`` over
the session bus; else a banner in the main window (also when the D-Bus route
fails). :func:`choose_backend` is the one place that decides. The notifier does
not decide what is news: the core announces each finished batch once, and each
call here shows exactly one notification.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.model import Batch, BatchStatus
from storyclip_desktop.core.text import shorten

from ..texts import plural
from .backend import NoticeBackend, Notification, Route
from .banner import BannerBackend
from .tray import TrayBackend

__all__ = ["NoticePreferences", "Notifier", "choose_backend"]

_log = get_logger("ui.notifier")
_REASON_MAX = 300


class NoticePreferences(Protocol):
    """Which kinds of notification the user wants (``config.AppSettings`` is one)."""

    def wants(self, kind: str) -> bool: ...


class _Everything:
    """Before the settings are applied: every kind is shown."""

    def wants(self, kind: str) -> bool:
        return True


def choose_backend(
    tray: TrayBackend | None, dbus: NoticeBackend | None, banner: NoticeBackend
) -> NoticeBackend:
    """The backend the next notification goes to.

    A tray whose messages Qt sends over D-Bus itself (a StatusNotifierItem tray)
    gives way to the D-Bus route: same notification, but with the body escaped
    for the daemon's markup and a click that opens the batch.
    """
    dbus_ok = dbus is not None and dbus.available()
    if tray is not None and tray.available() and not (dbus_ok and tray.messages_via_dbus()):
        return tray
    if dbus is not None and dbus_ok:
        return dbus
    return banner


class Notifier(QObject):
    """Builds the notifications' texts and routes each one exactly once.

    Signals:
        notified(str, object, str): kind, batch id (or None), route — after the
            notification was handed to that route (also logged as ``notification``).
        activated(object): the user clicked a notification; its batch id or None.
    """

    notified = Signal(str, object, str)
    activated = Signal(object)

    def __init__(
        self,
        banner: BannerBackend,
        tray: TrayBackend | None = None,
        dbus: NoticeBackend | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._banner = banner
        self._tray = tray
        self._dbus = dbus
        self._preferences: NoticePreferences = _Everything()
        self._outage_announced = False
        for backend in (banner, tray, dbus):
            if backend is not None:
                backend.shown.connect(self._done)
                backend.failed.connect(self._failed)
                backend.activated.connect(self.activated)

    def set_preferences(self, preferences: NoticePreferences) -> None:
        """Which kinds to show from now on (the settings' notification choices)."""
        self._preferences = preferences

    # ------------------------------------------------------------ routing

    def route(self) -> Route:
        """The route the next notification takes (see :func:`choose_backend`)."""
        return choose_backend(self._tray, self._dbus, self._banner).route

    def notify(self, note: Notification) -> Route | None:
        """Show ``note`` on the first route that takes it; returns the route tried first,
        or None when the user switched this kind of notification off."""
        if not self._preferences.wants(note.kind):
            log_event(_log, "notification_muted", kind=note.kind)
            return None
        backend = choose_backend(self._tray, self._dbus, self._banner)
        backend.show(note)
        return backend.route

    def _failed(self, note: Notification, reason: str) -> None:
        # Only a route that can fail (D-Bus) says so; the banner always takes it.
        log_event(_log, "error", logging.WARNING, where="notifier.dbus", message=reason)
        self._banner.show(note)

    def _done(self, note: Notification, route: Route) -> None:
        if note.batch_id is None:
            log_event(_log, "notification", kind=note.kind, route=route)
        else:
            log_event(_log, "notification", kind=note.kind, route=route, batch_id=note.batch_id)
        self.notified.emit(note.kind, note.batch_id, route)

    # ------------------------------------------------------------ what to say

    def announce_active(self, count: int, batch_id: str | None = None) -> Notification:
        note = Notification(
            "active",
            self.tr("Publishing in progress"),
            plural().publications_in_progress(count),
            batch_id,
        )
        self.notify(note)
        return note

    def announce_finished(self, batch: Batch) -> Notification:
        """A batch ended (the core calls this once per batch)."""
        texts = plural()
        published = texts.clips_published_failed(batch.published, batch.total, batch.failed)
        if batch.status is BatchStatus.FAILED:
            reason = shorten(batch.error or "", _REASON_MAX)
            note = Notification(
                "failed", self.tr("Publishing failed"), reason or published, batch.batch_id
            )
        elif batch.status is BatchStatus.CANCELLED:
            note = Notification(
                "cancelled",
                self.tr("Publishing cancelled"),
                published,
                batch.batch_id,
            )
        else:
            note = Notification(
                "completed",
                self.tr("Publishing completed"),
                published,
                batch.batch_id,
            )
        self.notify(note)
        return note

    def server_reachable(self, reachable: bool) -> Notification | None:
        """Announce an outage once; the next one only after the server came back."""
        if reachable:
            self._outage_announced = False
            self._banner.withdraw("unreachable")
            return None
        if self._outage_announced:
            return None
        self._outage_announced = True
        note = Notification(
            "unreachable",
            self.tr("Could not connect to the server"),
            self.tr("StoryClip Desktop keeps trying and catches up as soon as the server answers."),
        )
        self.notify(note)
        return note
