"""The OS's reachability (QNetworkInformation) reaches the session as a hint."""

from __future__ import annotations

from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication

from storyclip_desktop.ui.network_info import NetworkWatch

R = QNetworkInformation.Reachability


class Hint:
    def __init__(self) -> None:
        self.told: list[bool] = []

    def network_changed(self, online: bool) -> None:
        self.told.append(online)


def test_a_backend_loads_and_only_real_changes_are_told(qapp: QApplication) -> None:
    """The platform's backend loads (GLib or NetworkManager here); its changes are
    told once each, and Local/Site/Unknown (a server may be on that network) not at all."""
    hint = Hint()
    watch = NetworkWatch(hint)
    assert watch.start() in QNetworkInformation.availableBackends()
    watch.reachability_changed(R.Online)  # from a known start, whatever the machine's is
    hint.told.clear()
    emitted: list[bool] = []
    watch.onlineChanged.connect(emitted.append)
    for value in (R.Disconnected, R.Disconnected, R.Site, R.Unknown, R.Online, R.Online, R.Local):
        watch.reachability_changed(value)
    assert hint.told == [False, True]
    assert emitted == hint.told
