"""The in-app route: the banner at the top of the main window, the last resort."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from ..main_window import Banner
from .backend import Notification, Route

__all__ = ["BannerBackend"]


class BannerBackend(QObject):
    """Shows notices in the main window's banner; asks for attention when the window
    is hidden or minimised. Always available.

    Signals:
        shown(Notification, str): the banner shows the notice; ``"banner"``.
        failed(Notification, str): never emitted.
        activated(object): the user pressed the banner's "Show"; the batch id or None.
    """

    shown = Signal(object, str)
    failed = Signal(object, str)
    activated = Signal(object)

    route: Route = "banner"

    def __init__(self, banner: Banner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._banner = banner
        banner.activated.connect(self.activated)

    def available(self) -> bool:
        return True

    def show(self, note: Notification) -> None:
        self._banner.show_message(note.kind, note.title, note.body, note.batch_id)
        window = self._banner.window()
        if window is not None and (not window.isVisible() or window.isMinimized()):
            QApplication.alert(window)
        self.shown.emit(note, self.route)

    def withdraw(self, kind: str) -> None:
        """Hide the banner if it still shows a notice of ``kind`` (an outage that ended)."""
        if self._banner.isVisible() and self._banner.kind == kind:
            self._banner.hide()
