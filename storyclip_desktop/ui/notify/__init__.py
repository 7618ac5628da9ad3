"""Telling the user what happened: routing (:mod:`.routing`) and one backend per
route — the tray's balloon (:mod:`.tray`), desktop notifications over D-Bus
(:mod:`.dbus`) and the in-app banner (:mod:`.banner`) — behind one protocol
(:mod:`.backend`)."""

from .backend import NoticeBackend, Notification, Route
from .routing import NoticePreferences, Notifier, choose_backend

__all__ = [
    "NoticeBackend",
    "NoticePreferences",
    "Notification",
    "Notifier",
    "Route",
    "choose_backend",
]
