"""Reachability as the operating system sees it, told to the session as a hint.

Qt's ``QNetworkInformation`` (its NetworkManager, GLib or connman backend on
Linux, the native one elsewhere) says when the machine goes offline or online;
the core cannot ask for it (it never imports Qt), so this small watcher passes
each change to :meth:`DesktopSession.network_changed`. The core's connectivity
takes it as a hint only: "down" goes offline at once (one notice, no wave of
failing requests), "up" runs the probe now instead of at the next backoff.
Where no backend loads, nothing is told and the probe alone decides.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation

from storyclip_desktop.core.log import get_logger, log_event

__all__ = ["NetworkHint", "NetworkWatch", "online_from"]

_log = get_logger("network")
_Reachability = QNetworkInformation.Reachability


class NetworkHint(Protocol):
    """Who is told (the session)."""

    def network_changed(self, online: bool) -> None: ...


def online_from(reachability: QNetworkInformation.Reachability) -> bool | None:
    """Online → True, Disconnected → False; Local, Site and Unknown say nothing
    about a server that may sit on the same network (None)."""
    if reachability == _Reachability.Online:
        return True
    if reachability == _Reachability.Disconnected:
        return False
    return None


class NetworkWatch(QObject):
    """Watches the OS's reachability and tells ``hint`` when it changes.

    Signals:
        onlineChanged(bool): the OS's view changed (after the hint was told).
    """

    onlineChanged = Signal(bool)

    def __init__(self, hint: NetworkHint, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hint = hint
        self._online: bool | None = None
        self.backend: str | None = None

    def start(self) -> str | None:
        """Load the platform's backend; its name, or None where there is none."""
        loaded = QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability)
        info = QNetworkInformation.instance() if loaded else None
        if info is None:
            log_event(_log, "network_info", backend=None)
            return None
        self.backend = info.backendName()
        self._online = online_from(info.reachability())
        info.reachabilityChanged.connect(self.reachability_changed)
        log_event(_log, "network_info", backend=self.backend, online=self._online)
        return self.backend

    def reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        online = online_from(reachability)
        if online is None or online == self._online:
            return
        self._online = online
        self._hint.network_changed(online)
        self.onlineChanged.emit(online)
