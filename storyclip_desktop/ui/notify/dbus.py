"""The desktop-notification route: ``org.freedesktop.Notifications`` over the session bus.

It speaks through jeepney (pure Python, already installed as a dependency of
keyring on Linux) rather than QtDBus: PySide6 marshals a Python int as ``int32``
(and ``QDBusArgument << int`` as ``uint16``), so QtDBus cannot produce Notify's
``uint32 replaces_id``, and GDBus-based daemons (dunst, GNOME) reject the call with
``InvalidArgs``. Everything is asynchronous with a timeout: a dead daemon costs a
few seconds of delay, never a frozen window.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import time
from collections import OrderedDict

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QGuiApplication

from storyclip_desktop.core.log import get_logger, log_event

try:  # jeepney ships with keyring on Linux; elsewhere there is no D-Bus route.
    import jeepney  # type: ignore[import-untyped]
    from jeepney.io import RouterClosed  # type: ignore[import-untyped]
    from jeepney.io import asyncio as jeepney_aio
except ImportError:  # pragma: no cover
    jeepney = None
    jeepney_aio = None
    RouterClosed = OSError

from ..tasks import spawn
from .backend import Notification, Route

__all__ = ["DBusUnavailable", "DesktopNotifications", "desktop_entry"]

# How a kept connection that ended shows: jeepney's router stopped, or the socket.
_log = get_logger("ui.notifier")
_CONNECTION_LOST = (RouterClosed, EOFError, ConnectionError)
_BUS_NAME = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"
_CATEGORIES = {
    "active": "transfer",
    "completed": "transfer.complete",
    "cancelled": "transfer.complete",
    "failed": "transfer.error",
    "finished": "transfer.complete",
    "unreachable": "network.disconnected",
}


class DBusUnavailable(Exception):
    """The desktop notification service did not take the notification."""


def desktop_entry() -> str:
    """The desktop file name Qt knows (set by the app), for the notification hint."""
    return QGuiApplication.desktopFileName() or "storyclip-desktop"


class DesktopNotifications(QObject):
    """``org.freedesktop.Notifications`` over the session bus, never blocking.

    The connection is opened at the first notification (nothing talks to D-Bus
    at start-up) and kept for the ``ActionInvoked`` signal, so a click on a
    notification can open the dialog on its batch; a kept connection that ended
    since the last notification is opened again, once. After a failure the route rests
    for ``rest`` seconds, so a dead daemon does not delay every message.

    A notice about one batch replaces the earlier notice of ours about that batch
    still open (``replaces_id``) instead of stacking under it; it carries the actions
    "Open" and, when clips failed, "Show failed clips" and (where the server can)
    "Retry failed".

    Signals:
        shown(Notification, str): the daemon took the notice; ``"dbus"``.
        failed(Notification, str): it did not (no bus, no daemon, an error, a
            timeout); why, for the log.
        activated(object): a notification of ours was clicked; its batch id or None.
        failedClipsRequested(str): "Show failed clips" was chosen on a batch's notice.
        retryRequested(str): "Retry failed" was chosen on a batch's notice.
    """

    shown = Signal(object, str)
    failed = Signal(object, str)
    activated = Signal(object)
    failedClipsRequested = Signal(str)
    retryRequested = Signal(str)

    route: Route = "dbus"

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
        self._router: jeepney_aio.DBusRouter | None = None
        # What closes the connection, its router and the click listener, in that order.
        self._opened: contextlib.AsyncExitStack | None = None
        self._lock: asyncio.Lock | None = None
        self._capabilities: frozenset[str] = frozenset()
        self._resting_until = 0.0
        self._ids: OrderedDict[int, str | None] = OrderedDict()
        self._offered: OrderedDict[int, tuple[str, ...]] = OrderedDict()
        # The open notice of ours about each batch (one batch per notice), to replace.
        self._by_batch: dict[str, int] = {}

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

    def show(self, note: Notification) -> None:
        """Send ``note`` in a task; ``shown`` or ``failed`` when the daemon answered."""
        spawn(self._show(note), where="notifier.dbus")

    async def _show(self, note: Notification) -> None:
        label = QCoreApplication.translate("Notifier", "Open")
        failed_label = QCoreApplication.translate("Notifier", "Show failed clips")
        retry_label = QCoreApplication.translate("Notifier", "Retry failed")
        try:
            notification_id = await self.send(note, label, failed_label, retry_label)
        except DBusUnavailable as exc:
            self.failed.emit(note, str(exc))
            return
        # The daemon's id and the actions offered: what an ActionInvoked will name.
        log_event(
            _log,
            "dbus_notice",
            notification_id=notification_id,
            batch_ids=list(note.covers),
            actions=list(self._offered.get(notification_id, ())),
        )
        self.shown.emit(note, self.route)

    async def send(
        self,
        note: Notification,
        action_label: str = "Open",
        failed_label: str = "Show failed clips",
        retry_label: str = "Retry failed",
    ) -> int:
        """Send one notification; its id. Raises :class:`DBusUnavailable` on any failure."""
        reused = self._router is not None
        labels = (action_label, failed_label, retry_label)
        try:
            try:
                notification_id = await self._notify(note, *labels)
            except _CONNECTION_LOST:
                if not reused:
                    raise
                # The connection ended since the last notification (the bus went away):
                # once more, on a new one.
                await self._drop()
                notification_id = await self._notify(note, *labels)
        except DBusUnavailable:
            self._rest()
            raise
        except Exception as exc:  # any failure of the bus or the daemon: next route
            self._rest()
            await self._drop()
            raise DBusUnavailable(f"{type(exc).__name__}: {str(exc)[:120]}") from exc
        self._ids[notification_id] = note.batch_id
        while len(self._ids) > 64:
            gone, _batch = self._ids.popitem(last=False)
            self._forget(gone)
        if len(note.covers) == 1:
            self._by_batch[note.covers[0]] = notification_id
        return notification_id

    def _forget(self, notification_id: int) -> None:
        for batch_id, known in list(self._by_batch.items()):
            if known == notification_id:
                del self._by_batch[batch_id]

    async def _notify(
        self, note: Notification, action_label: str, failed_label: str, retry_label: str
    ) -> int:
        router = await asyncio.wait_for(self._connect(), self.timeout)
        body = note.body
        if "body-markup" in self._capabilities:
            # The daemon reads the body as markup: untrusted text must stay text.
            body = html.escape(body, quote=False)
        actions = []
        if "actions" in self._capabilities:
            actions = ["default", action_label]
            if note.failed_clips > 0 and note.batch_id is not None and len(note.covers) == 1:
                actions += ["failed", failed_label]
                if note.can_retry:
                    actions += ["retry", retry_label]
        # The same batch's earlier notice still open is replaced, not stacked under.
        replaces = self._by_batch.get(note.covers[0], 0) if len(note.covers) == 1 else 0
        hints: dict[str, tuple[str, int | str]] = {
            "urgency": ("y", 2 if note.problem else 1),
            "category": ("s", _CATEGORIES.get(note.kind, "transfer")),
        }
        if self.desktop_entry:
            hints["desktop-entry"] = ("s", self.desktop_entry)
        message = jeepney.new_method_call(
            _address(),
            "Notify",
            "susssasa{sv}i",
            (self.app_name, replaces, self.app_icon, note.title, body, actions, hints, -1),
        )
        reply = await asyncio.wait_for(router.send_and_get_reply(message), self.timeout)
        if reply.header.message_type is not jeepney.MessageType.method_return:
            raise DBusUnavailable(f"Notify failed: {str(reply.body[:1])[:120]}")
        notification_id = int(reply.body[0])
        self._offered[notification_id] = tuple(actions[0::2])
        while len(self._offered) > 64:
            self._offered.popitem(last=False)
        return notification_id

    def _rest(self) -> None:
        self._resting_until = time.monotonic() + self.rest

    async def _connect(self) -> jeepney_aio.DBusRouter:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._router is not None:
                return self._router
            opened = contextlib.AsyncExitStack()
            try:
                connection = await jeepney_aio.open_dbus_connection(self.bus)
                opened.push_async_callback(connection.close)
                router = await opened.enter_async_context(jeepney_aio.DBusRouter(connection))
                rule = jeepney.MatchRule(type="signal", interface=_BUS_NAME, path=_PATH)
                await jeepney_aio.Proxy(jeepney.message_bus, router).AddMatch(rule)
                listener = asyncio.ensure_future(self._listen(router, rule))
                opened.push_async_callback(_cancelled, listener)
                self._capabilities = await self._get_capabilities(router)
            except BaseException:
                with contextlib.suppress(Exception):
                    await opened.aclose()
                raise
            self._router, self._opened = router, opened
            return router

    async def _get_capabilities(self, router: jeepney_aio.DBusRouter) -> frozenset[str]:
        reply = await router.send_and_get_reply(
            jeepney.new_method_call(_address(), "GetCapabilities")
        )
        if reply.header.message_type is not jeepney.MessageType.method_return:
            raise DBusUnavailable("GetCapabilities failed")
        return frozenset(str(c) for c in reply.body[0])

    async def _listen(self, router: jeepney_aio.DBusRouter, rule: jeepney.MatchRule) -> None:
        with router.filter(rule, bufsize=32) as queue:
            while True:
                message = await queue.get()
                member = message.header.fields.get(jeepney.HeaderFields.member)
                if member == "ActionInvoked":
                    notification_id, action = message.body
                    batch_id = self._ids.get(notification_id)
                    if notification_id not in self._ids:
                        continue
                    if action == "default":
                        self.activated.emit(batch_id)
                    elif action == "failed" and batch_id is not None:
                        self.failedClipsRequested.emit(batch_id)
                    elif (
                        action == "retry"
                        and batch_id is not None
                        and "retry" in self._offered.get(notification_id, ())  # offered only
                    ):
                        self.retryRequested.emit(batch_id)
                elif member == "NotificationClosed":
                    self._ids.pop(message.body[0], None)
                    self._forget(message.body[0])

    async def _drop(self) -> None:
        opened, self._opened = self._opened, None
        self._router = None
        if opened is not None:
            with contextlib.suppress(Exception):
                await opened.aclose()

    async def aclose(self) -> None:
        """Close the bus connection (before the loop closes: no unclosed transport)."""
        await self._drop()


async def _cancelled(task: asyncio.Future[None]) -> None:
    """Cancel ``task`` and wait until it ended."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def _address() -> jeepney.DBusAddress:
    return jeepney.DBusAddress(_PATH, bus_name=_BUS_NAME, interface=_BUS_NAME)
