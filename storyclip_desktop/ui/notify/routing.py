"""Which route a notification takes, and what it says.

Routes are tried in order, one per notification: the tray's own message when a
tray exists and supports messages; else ``org.freedesktop.Notifications`` over
the session bus; else a banner in the main window (also when the D-Bus route
fails). :func:`choose_backend` is the one place that decides. The notifier does
not decide what is news: the core announces each finished batch once.

Never lost, never a flood: ends that become known within ``group_ms`` of the
first one (a burst, or a catch-up at start) make one grouped notice naming each
batch; and each route has a queue, so a notice never replaces one still on
screen before the user could read it (the tray's balloon shows one at a time).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.model import Batch, BatchStatus
from storyclip_desktop.core.text import shorten

from ..texts import batch_name_text, batch_status_text, fill, plural
from .backend import NoticeBackend, Notification, Route
from .banner import BannerBackend
from .tray import TrayBackend

__all__ = ["NoticePreferences", "Notifier", "choose_backend"]

_log = get_logger("ui.notifier")
_REASON_MAX = 300
# Ends known within this long of the first one go into one notice.
GROUP_MS = 5000
# How long a notice stays on a route before the next may replace it. The tray's
# balloon is replaced by the next one; the banner too. A D-Bus daemon stacks and
# times out notices itself (and replaces only what we ask it to).
HOLD_MS: Mapping[Route, int] = {"tray": 5000, "banner": 4000, "dbus": 0}
# A grouped notice names at most this many batches, then "and N more…".
_GROUP_NAMES = 30


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
    """Builds the notifications' texts, groups the ends, and routes each notice once.

    Signals:
        notified(str, object, str): kind, batch id (or None), route — after the
            notification was handed to that route (also logged as ``notification``,
            with ``batch_ids``: every batch it covers).
        activated(object): the user clicked a notification; its batch id or None.
        retryRequested(str): the user chose "Retry failed" on a batch's notice.
        failedClipsRequested(str): the user chose "Show failed clips" on a notice
            about this batch.
    """

    notified = Signal(str, object, str)
    activated = Signal(object)
    failedClipsRequested = Signal(str)
    retryRequested = Signal(str)

    def __init__(
        self,
        banner: BannerBackend,
        tray: TrayBackend | None = None,
        dbus: NoticeBackend | None = None,
        parent: QObject | None = None,
        *,
        group_ms: int = GROUP_MS,
        hold_ms: Mapping[Route, int] = HOLD_MS,
    ) -> None:
        super().__init__(parent)
        self._banner = banner
        self._tray = tray
        self._dbus = dbus
        self._preferences: NoticePreferences = _Everything()
        self._outage_announced = False
        self._ending: list[Batch] = []
        # Whether the server can retry failed clips (the notice then offers it).
        self.can_retry: Callable[[], bool] = lambda: False
        self._group_timer = QTimer(self)
        self._group_timer.setSingleShot(True)
        self._group_timer.timeout.connect(self.flush_finished)
        self._queues: dict[Route, deque[Notification]] = {}
        self._holds: dict[Route, QTimer] = {}
        self.group_ms = group_ms
        self.hold_ms: dict[Route, int] = dict(hold_ms)
        for backend in (banner, tray, dbus):
            if backend is not None:
                backend.shown.connect(self._done)
                backend.failed.connect(self._failed)
                backend.activated.connect(self.activated)
                failed_clips = getattr(backend, "failedClipsRequested", None)
                if failed_clips is not None:
                    failed_clips.connect(self.failedClipsRequested)
                retry = getattr(backend, "retryRequested", None)
                if retry is not None:
                    retry.connect(self.retryRequested)

    def set_preferences(self, preferences: NoticePreferences) -> None:
        """Which kinds to show from now on (the settings' notification choices)."""
        self._preferences = preferences

    def set_pacing(self, group_ms: int, hold_ms: Mapping[Route, int] | None = None) -> None:
        """How long ends are gathered and each route holds a notice (0: at once)."""
        self.group_ms = group_ms
        if hold_ms is not None:
            self.hold_ms = dict(hold_ms)

    # ------------------------------------------------------------ routing

    def route(self) -> Route:
        """The route the next notification takes (see :func:`choose_backend`)."""
        return choose_backend(self._tray, self._dbus, self._banner).route

    def queued(self) -> int:
        """Notices waiting for their route (one still on screen before them)."""
        return sum(len(q) for q in self._queues.values())

    def notify(self, note: Notification) -> Route | None:
        """Show ``note`` on the first route that takes it, after what that route still
        shows; returns that route, or None when the user switched this kind off."""
        # A grouped notice holds only ends the user wanted (checked per batch).
        if note.kind != "finished" and not self._preferences.wants(note.kind):
            log_event(_log, "notification_muted", kind=note.kind)
            return None
        backend = choose_backend(self._tray, self._dbus, self._banner)
        queue = self._queues.setdefault(backend.route, deque())
        if queue or self._holding(backend.route):
            queue.append(note)
        else:
            self._hand(backend, note)
        return backend.route

    def drain(self) -> None:
        """Quitting: the ends still being gathered, and every notice still waiting for
        its route, are handed over now (a desktop notification outlives the app; the
        memory already counts these ends as announced, so none may stay behind)."""
        self.flush_finished()
        for timer in self._holds.values():
            timer.stop()
        for route in list(self._queues):
            queue = self._queues[route]
            while queue:
                self._hand(choose_backend(self._tray, self._dbus, self._banner), queue.popleft())
        for timer in self._holds.values():
            timer.stop()

    def _holding(self, route: Route) -> bool:
        timer = self._holds.get(route)
        return timer is not None and timer.isActive()

    def _hand(self, backend: NoticeBackend, note: Notification) -> None:
        hold = self.hold_ms.get(backend.route, 0)
        if hold > 0:
            timer = self._holds.get(backend.route)
            if timer is None:
                timer = self._holds[backend.route] = QTimer(self)
                timer.setSingleShot(True)
                route = backend.route
                timer.timeout.connect(lambda: self._release(route))
            timer.start(hold)
        backend.show(note)

    def _release(self, route: Route) -> None:
        """The notice on ``route`` had its time: the next one waiting there goes."""
        queue = self._queues.get(route)
        if not queue:
            return
        note = queue.popleft()
        backend = choose_backend(self._tray, self._dbus, self._banner)
        if backend.route == route:
            self._hand(backend, note)
        else:  # the route changed meanwhile (the tray went away): the new one takes it
            self._queues.setdefault(backend.route, deque()).append(note)
            if not self._holding(backend.route):
                self._release(backend.route)
        if queue and not self._holding(route):
            self._release(route)

    def _failed(self, note: Notification, reason: str) -> None:
        # Only a route that can fail (D-Bus) says so; the banner always takes it.
        log_event(_log, "error", logging.WARNING, where="notifier.dbus", message=reason)
        self._banner.show(note)

    def _done(self, note: Notification, route: Route) -> None:
        fields: dict[str, Any] = {"kind": note.kind, "route": route}
        if note.batch_id is not None:
            fields["batch_id"] = note.batch_id
        fields["batch_ids"] = list(note.covers)
        log_event(_log, "notification", **fields)
        self.notified.emit(note.kind, note.batch_id, route)

    # ------------------------------------------------------------ what to say

    def announce_active(
        self, count: int, batch_id: str | None = None, batch_ids: tuple[str, ...] = ()
    ) -> Notification:
        note = Notification(
            "active",
            self.tr("Publishing in progress"),
            plural().publications_in_progress(count),
            batch_id,
            batch_ids,
        )
        self.notify(note)
        return note

    def announce_finished(self, batch: Batch) -> None:
        """A batch ended (the core calls this once per end, a catch-up's too): it is
        told together with every other end known within ``group_ms`` of the first."""
        kind = _end_kind(batch)
        if not self._preferences.wants(kind):
            log_event(_log, "notification_muted", kind=kind, batch_id=batch.batch_id)
            return
        if any(b.batch_id == batch.batch_id for b in self._ending):
            # An earlier run of this batch (retried, resumed) is still being
            # gathered: each run's end is told in its own notice (issue 16).
            self.flush_finished()
        self._ending.append(batch)
        if self.group_ms <= 0:
            self.flush_finished()
        elif not self._group_timer.isActive():
            self._group_timer.start(self.group_ms)

    def flush_finished(self) -> Notification | None:
        """Tell the ends gathered so far now: one notice for one batch, else one
        grouped notice (kind ``finished``) naming each."""
        self._group_timer.stop()
        batches, self._ending = self._ending, []
        if not batches:
            return None
        note = self._one_end(batches[0]) if len(batches) == 1 else self._ends(batches)
        self.notify(note)
        return note

    def _one_end(self, batch: Batch) -> Notification:
        texts = plural()
        name = batch_name_text(batch)
        published = texts.clips_published_failed(batch.published, batch.total, batch.failed)
        kind = _end_kind(batch)
        if kind == "failed":
            reason = shorten(batch.error or "", _REASON_MAX)
            title = fill(self.tr("Publishing failed: %1"), name)
            body = reason or published
        elif kind == "cancelled":
            title = fill(self.tr("Publishing cancelled: %1"), name)
            body = published
        else:
            title = fill(self.tr("Publishing completed: %1"), name)
            body = published
        return Notification(
            kind,
            title,
            body,
            batch.batch_id,
            (batch.batch_id,),
            failed_clips=batch.failed,
            can_retry=kind != "cancelled" and batch.failed > 0 and self.can_retry(),
        )

    def _ends(self, batches: list[Batch]) -> Notification:
        texts = plural()
        published = sum(b.published for b in batches)
        failed = sum(b.failed for b in batches)
        lines = [texts.clips_published_count(published, failed)]
        for batch in batches[:_GROUP_NAMES]:
            line = f"• {batch_name_text(batch)} — {batch_status_text(batch)}"
            if batch.failed:
                line = f"{line} · {texts.failed_clips(batch.failed)}"
            lines.append(line)
        if len(batches) > _GROUP_NAMES:
            lines.append(texts.more_batches(len(batches) - _GROUP_NAMES))
        problem = any(b.status is BatchStatus.FAILED for b in batches)
        return Notification(
            "finished",
            texts.publications_finished(len(batches)),
            "\n".join(lines),
            None,
            tuple(b.batch_id for b in batches),
            failed_clips=failed or (1 if problem else 0),
        )

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


def _end_kind(batch: Batch) -> str:
    if batch.status is BatchStatus.FAILED:
        return "failed"
    if batch.status is BatchStatus.CANCELLED:
        return "cancelled"
    return "completed"
