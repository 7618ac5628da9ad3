"""The tray route: the tray icon's own message balloon."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, Signal

from ..tray import TrayIcon
from .backend import Notification, Route

__all__ = ["TrayBackend"]


class TrayBackend(QObject):
    """Shows notices as the tray icon's message; a click on it opens its batch.

    Signals:
        shown(Notification, str): the message was handed to the tray; ``"tray"``.
        failed(Notification, str): never emitted (the tray takes every message).
        activated(object): the last message was clicked; its batch id or None.
    """

    shown = Signal(object, str)
    failed = Signal(object, str)
    activated = Signal(object)

    route: Route = "tray"

    def __init__(self, tray: TrayIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._batch_id: str | None = None
        tray.messageClicked.connect(self._clicked)

    def available(self) -> bool:
        return self._tray.can_show_messages()

    def messages_via_dbus(self) -> bool:
        """Qt sends this tray's messages as desktop notifications (a StatusNotifierItem tray)."""
        return self._tray.messages_via_dbus()

    def show(self, note: Notification) -> None:
        self._batch_id = note.batch_id
        body = note.body
        if self._tray.messages_via_dbus():
            body = html.escape(body, quote=False)  # Qt passes it on to a markup daemon
        self._tray.show_message(note.title, body, note.problem)
        self.shown.emit(note, self.route)

    def _clicked(self) -> None:
        self.activated.emit(self._batch_id)
