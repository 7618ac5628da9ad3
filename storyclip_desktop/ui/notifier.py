"""Telling the user what happened: tray message, desktop notification, or banner.

Routes are tried in order, one per notification: the tray's own message when a
tray exists and supports messages; else ``org.freedesktop.Notifications`` over
the session bus, asynchronously with a timeout (a dead daemon costs a few
seconds of delay, never a frozen window); else a banner in the main window.
The notifier does not decide what is news: the core announces each finished
batch once, and each call here shows exactly one notification.

The D-Bus route speaks through jeepney (pure Python, already installed as a
dependency of keyring on Linux) rather than QtDBus: PySide6 marshals a Python
int as ``int32`` (and ``QDBusArgument << int`` as ``uint16``), so QtDBus cannot
produce Notify's ``uint32 replaces_id``, and GDBus-based daemons (dunst, GNOME)
reject the call with ``InvalidArgs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

try:  # jeepney ships with keyring on Linux; elsewhere there is no D-Bus route.
    import jeepney  # type: ignore[import-untyped]
    from jeepney.io import asyncio as jeepney_aio  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    jeepney = None
    jeepney_aio = None

from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.model import Batch, BatchStatus
from storyclip_desktop.core.text import shorten

from .main_window import Banner
from .tasks import spawn
from .texts import plural
from .tray import TrayIcon

__all__ = ["DesktopNotifications", "Notification", "Notifier", "Route"]

_log = get_logger("ui.notifier")

Route = Literal["tray", "dbus", "banner"]
Kind = Literal["active", "completed", "failed", "cancelled", "unreachable"]

_BUS_NAME = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"
_REASON_MAX = 300


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing to tell the user. ``body`` may hold untrusted text (plain)."""

    kind: str
    title: str
    body: str
    batch_id: str | None = None

    @property
    def problem(self) -> bool:
        return self.kind in ("failed", "unreachable")


class DBusUnavailable(Exception):
    """The desktop notification service did not take the notification."""


class DesktopNotifications(QObject):
    """``org.freedesktop.Notifications`` over the session bus, never blocking.

    The connection is opened at the first notification (nothing talks to D-Bus
    at start-up) and kept for the ``ActionInvoked`` signal, so a click on a
    notification can open the dialog on its batch. After a failure the route
    rests for ``rest`` seconds, so a dead daemon does not delay every message.

    Signals:
        actionInvoked(object): a notification of ours was clicked; its batch id or None.
    """

    actionInvoked = Signal(object)

    def __init__(
        self,
        bus: str = "SESSION",
        *,
        app_name: str = "StoryClip Desktop",
        app_icon: str = "",
        desktop_entry: str = "",
        timeout: float = 4.0,
        rest: float = 120.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bus = bus
        self.app_name = app_name
        self.app_icon = app_icon
        self.desktop_entry = desktop_entry
        self.timeout = timeout
        self.rest = rest
        self._router: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._lock: asyncio.Lock | None = None
        self._capabilities: frozenset[str] = frozenset()
        self._resting_until = 0.0
        self._ids: OrderedDict[int, str | None] = OrderedDict()

    def available(self) -> bool:
        """A session bus is known and the route is not resting after a failure."""
        if jeepney is None or time.monotonic() < self._resting_until:
            return False
        if self.bus == "SESSION":
            return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))
        return bool(self.bus)

    @property
    def capabilities(self) -> frozenset[str]:
        return self._capabilities

    async def send(self, note: Notification, action_label: str = "Open") -> int:
        """Send one notification; its id. Raises :class:`DBusUnavailable` on any failure."""
        try:
            router = await asyncio.wait_for(self._connect(), self.timeout)
            body = note.body
            if "body-markup" in self._capabilities:
                # The daemon reads the body as markup: untrusted text must stay text.
                body = html.escape(body, quote=False)
            actions = ["default", action_label] if "actions" in self._capabilities else []
            hints: dict[str, tuple[str, Any]] = {
                "urgency": ("y", 2 if note.problem else 1),
                "category": ("s", _CATEGORIES.get(note.kind, "transfer")),
            }
            if self.desktop_entry:
                hints["desktop-entry"] = ("s", self.desktop_entry)
            message = jeepney.new_method_call(
                _address(),
                "Notify",
                "susssasa{sv}i",
                (self.app_name, 0, self.app_icon, note.title, body, actions, hints, -1),
            )
            reply = await asyncio.wait_for(router.send_and_get_reply(message), self.timeout)
            if reply.header.message_type is not jeepney.MessageType.method_return:
                raise DBusUnavailable(f"Notify failed: {str(reply.body[:1])[:120]}")
            notification_id = int(reply.body[0])
        except DBusUnavailable:
            self._rest()
            raise
        except Exception as exc:  # any failure of the bus or the daemon: next route
            self._rest()
            await self._drop()
            raise DBusUnavailable(f"{type(exc).__name__}: {str(exc)[:120]}") from exc
        self._ids[notification_id] = note.batch_id
        while len(self._ids) > 64:
            self._ids.popitem(last=False)
        return notification_id

    def _rest(self) -> None:
        self._resting_until = time.monotonic() + self.rest

    async def _connect(self) -> Any:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._router is not None and not self._router._rcv_task.done():
                return self._router
            await self._drop()
            connection = await jeepney_aio.open_dbus_connection(self.bus)
            router = jeepney_aio.DBusRouter(connection)
            self._router = router
            rule = jeepney.MatchRule(type="signal", interface=_BUS_NAME, path=_PATH)
            await jeepney_aio.Proxy(jeepney.message_bus, router).AddMatch(rule)
            self._listener = asyncio.ensure_future(self._listen(router, rule))
            self._capabilities = await self._get_capabilities(router)
            return router

    async def _get_capabilities(self, router: Any) -> frozenset[str]:
        reply = await router.send_and_get_reply(
            jeepney.new_method_call(_address(), "GetCapabilities")
        )
        if reply.header.message_type is not jeepney.MessageType.method_return:
            raise DBusUnavailable("GetCapabilities failed")
        return frozenset(str(c) for c in reply.body[0])

    async def _listen(self, router: Any, rule: Any) -> None:
        with router.filter(rule, bufsize=32) as queue:
            while True:
                message = await queue.get()
                member = message.header.fields.get(jeepney.HeaderFields.member)
                if member == "ActionInvoked":
                    notification_id, action = message.body
                    if notification_id in self._ids and action == "default":
                        self.actionInvoked.emit(self._ids[notification_id])
                elif member == "NotificationClosed":
                    self._ids.pop(message.body[0], None)

    async def _drop(self) -> None:
        router, self._router = self._router, None
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        if router is not None:
            with contextlib.suppress(Exception):
                await router.__aexit__(None, None, None)
            with contextlib.suppress(Exception):
                await router._conn.close()

    async def aclose(self) -> None:
        """Close the bus connection (before the loop closes: no unclosed transport)."""
        await self._drop()


def _address() -> Any:
    return jeepney.DBusAddress(_PATH, bus_name=_BUS_NAME, interface=_BUS_NAME)


_CATEGORIES = {
    "active": "transfer",
    "completed": "transfer.complete",
    "cancelled": "transfer.complete",
    "failed": "transfer.error",
    "unreachable": "network.disconnected",
}


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
        banner: Banner,
        tray: TrayIcon | None = None,
        dbus: DesktopNotifications | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._banner = banner
        self._tray = tray
        self._dbus = dbus
        self._tray_batch: str | None = None
        self._outage_announced = False
        #: Which kinds the user wants shown (the settings' notification choices).
        self.wants: Callable[[str], bool] = lambda _kind: True
        banner.activated.connect(self.activated)
        if tray is not None:
            tray.messageClicked.connect(lambda: self.activated.emit(self._tray_batch))
        if dbus is not None:
            dbus.actionInvoked.connect(self.activated)

    # ------------------------------------------------------------ routing

    def route(self) -> Route:
        """The route the next notification takes.

        A tray whose messages Qt sends over D-Bus itself (a StatusNotifierItem
        tray) gives way to the D-Bus route: same notification, but with the body
        escaped for the daemon's markup and a click that opens the batch.
        """
        dbus_ok = self._dbus is not None and self._dbus.available()
        tray = self._tray
        if (
            tray is not None
            and tray.can_show_messages()
            and not (dbus_ok and tray.messages_via_dbus())
        ):
            return "tray"
        if dbus_ok:
            return "dbus"
        return "banner"

    def notify(self, note: Notification) -> Route | None:
        """Show ``note`` on the first route that takes it; returns the route tried first,
        or None when the user switched this kind of notification off."""
        if not self.wants(note.kind):
            log_event(_log, "notification_muted", kind=note.kind)
            return None
        route = self.route()
        if route == "tray":
            assert self._tray is not None
            self._tray_batch = note.batch_id
            body = note.body
            if self._tray.messages_via_dbus():
                body = html.escape(body, quote=False)  # Qt passes it on to a markup daemon
            self._tray.show_message(note.title, body, note.problem)
            self._done(note, "tray")
        elif route == "dbus":
            assert self._dbus is not None
            spawn(self._via_dbus(self._dbus, note), where="notifier.dbus")
        else:
            self._show_banner(note)
        return route

    async def _via_dbus(self, dbus: DesktopNotifications, note: Notification) -> None:
        try:
            await dbus.send(note, self.tr("Open"))
        except DBusUnavailable as exc:
            log_event(_log, "error", logging.WARNING, where="notifier.dbus", message=str(exc))
            self._show_banner(note)
            return
        self._done(note, "dbus")

    def _show_banner(self, note: Notification) -> None:
        self._banner.show_message(note.kind, note.title, note.body, note.batch_id)
        window = self._banner.window()
        if window is not None and (not window.isVisible() or window.isMinimized()):
            QApplication.alert(window)
        self._done(note, "banner")

    def _done(self, note: Notification, route: Route) -> None:
        fields: dict[str, Any] = {"kind": note.kind, "route": route}
        if note.batch_id is not None:
            fields["batch_id"] = note.batch_id
        log_event(_log, "notification", **fields)
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
            if self._banner.isVisible() and self._banner.kind == "unreachable":
                self._banner.hide()
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


def desktop_entry() -> str:
    """The desktop file name Qt knows (set by the app), for the notification hint."""
    return QGuiApplication.desktopFileName() or "storyclip-desktop"
