"""The D-Bus notification route on a real (private) session bus.

What a desktop's notification daemon receives: the exact wire signature of
Notify, the body escaped for daemons that read markup, a default action whose
click opens the dialog on the batch; and a daemon that never answers costs a
short delay, never a frozen window.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer

from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi

from .fakes import XSS_TITLE, BatchRun, DesktopTray, RecordingServices, make_batch
from .notification_daemon import NotificationService, PrivateBus, dbus_daemon_available

pytestmark = pytest.mark.skipif(not dbus_daemon_available(), reason="needs dbus-daemon")


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[PrivateBus]:
    private = PrivateBus(tmp_path)
    yield private
    private.close()


def _ui(bus: PrivateBus, settings: QSettings, *, sni_tray: bool = False) -> DesktopUi:
    bridge = MonitorBridge()
    services = RecordingServices(bridge)
    services.user_email = "ana@example.com"
    ui = DesktopUi(
        services,
        bridge,
        settings=settings,
        dbus_bus=bus.address,
        tray_host=DesktopTray(sni_tray, via_dbus=sni_tray),
    )
    ui.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
    ui.start()
    return ui


def _close(ui: DesktopUi, qtbot: object) -> None:
    done = asyncio.ensure_future(ui.aclose())
    qtbot.waitUntil(done.done)  # type: ignore[attr-defined]
    if ui._dialog is not None:
        ui._dialog.close()
    ui.window.hide()
    ui.window.deleteLater()
    ui.deleteLater()


def test_notify_reaches_the_daemon_and_a_click_opens_the_batch(
    loop: asyncio.AbstractEventLoop, bus: PrivateBus, settings: QSettings, qtbot: object
) -> None:
    service = NotificationService(bus.address)
    service.start()
    ui = _ui(bus, settings)
    routes: list[tuple[str, object, str]] = []
    ui.notifier.notified.connect(lambda k, b, r: routes.append((k, b, r)))
    try:
        assert ui.notifier.route() == "dbus"
        run = BatchRun(ui.bridge, make_batch(total=3))
        run.start()
        run.publish_all()
        run.finish("failed", error=f"Metricool & co said {XSS_TITLE}")
        qtbot.waitUntil(lambda: routes != [], timeout=5000)  # type: ignore[attr-defined]
        assert routes == [("failed", run.batch.batch_id, "dbus")]
        assert not ui.window.banner.isVisible()
        [call] = service.notifies()
        assert call.signature == "susssasa{sv}i"
        app_name, replaces, icon, summary, body, actions, hints, timeout = call.body
        assert (app_name, replaces, summary, timeout) == (
            "StoryClip Desktop",
            0,
            "Publishing failed: Clip 1 + 2 more",
            -1,
        )
        assert icon.startswith("file:///")
        assert icon.endswith("/icons/app.svg")
        assert Path(icon[len("file://") :]).is_file()
        assert body == "Metricool &amp; co said &lt;img src=x&gt;&lt;b&gt;hi&lt;/b&gt;"
        assert actions == ["default", "Open"]
        assert hints["urgency"] == ("y", 2)
        assert hints["category"] == ("s", "transfer.error")

        service.click(1)
        qtbot.waitUntil(
            lambda: ui._dialog is not None and ui.dialog.isVisible(),  # type: ignore[attr-defined]
            timeout=5000,
        )
        assert ui.dialog.cards[run.batch.batch_id].expanded
    finally:
        _close(ui, qtbot)
        service.stop()
    assert service.error is None


def test_a_status_notifier_tray_gives_way_to_our_own_notification(
    loop: asyncio.AbstractEventLoop, bus: PrivateBus, settings: QSettings, qtbot: object
) -> None:
    """Where Qt would send the tray message as an unescaped Notify, we send it."""
    service = NotificationService(bus.address)
    service.start()
    ui = _ui(bus, settings, sni_tray=True)
    try:
        assert ui.tray.can_show_messages()
        assert ui.notifier.route() == "dbus"
        ui.announce_active(2)
        qtbot.waitUntil(lambda: len(service.notifies()) == 1, timeout=5000)  # type: ignore[attr-defined]
        assert service.notifies()[0].body[3] == "Publishing in progress"
    finally:
        _close(ui, qtbot)
        service.stop()


def test_markup_is_left_alone_for_a_daemon_that_shows_plain_text(
    loop: asyncio.AbstractEventLoop, bus: PrivateBus, settings: QSettings, qtbot: object
) -> None:
    service = NotificationService(bus.address, capabilities=("body",))
    service.start()
    ui = _ui(bus, settings)
    try:
        ui.announce_active(1)
        qtbot.waitUntil(lambda: len(service.notifies()) == 1, timeout=5000)  # type: ignore[attr-defined]
        [call] = service.notifies()
        assert call.body[4] == "You have 1 publication in progress"
        assert call.body[5] == []  # no actions for a daemon without them
    finally:
        _close(ui, qtbot)
        service.stop()


def test_a_daemon_that_never_answers_does_not_freeze_the_window(
    loop: asyncio.AbstractEventLoop, bus: PrivateBus, settings: QSettings, qtbot: object
) -> None:
    service = NotificationService(bus.address, silent=True)
    service.start()
    ui = _ui(bus, settings)
    assert ui.dbus is not None
    ui.dbus.timeout = 1.0
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    routes: list[str] = []
    ui.notifier.notified.connect(lambda _k, _b, route: routes.append(route))
    try:
        started = time.monotonic()
        ui.bridge.server_reachable_changed(False)
        qtbot.waitUntil(lambda: routes != [], timeout=5000)  # type: ignore[attr-defined]
        waited = time.monotonic() - started
        assert routes == ["banner"]
        assert ui.window.banner.title.text() == "Could not connect to the server"
        assert 0.9 < waited < 5
        # The event loop kept running while D-Bus was silent: no gap near the timeout.
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        assert len(ticks) > 10
        assert max(gaps) < 0.5
        assert ui.notifier.route() == "banner"
    finally:
        timer.stop()
        _close(ui, qtbot)
        service.stop()


def test_a_session_bus_that_restarted_is_reached_again(
    loop: asyncio.AbstractEventLoop, tmp_path: Path, settings: QSettings, qtbot: object
) -> None:
    """The kept connection ends with its bus (a new desktop session on the same
    address): the next notification opens a new one instead of falling back to the
    banner and resting the route for minutes."""
    socket = tmp_path / "bus.socket"
    first = PrivateBus(tmp_path, socket)
    service = NotificationService(first.address)
    service.start()
    ui = _ui(first, settings)
    routes: list[str] = []
    ui.notifier.notified.connect(lambda _k, _b, route: routes.append(route))
    second: PrivateBus | None = None
    try:
        ui.announce_active(1)
        qtbot.waitUntil(lambda: routes == ["dbus"], timeout=5000)  # type: ignore[attr-defined]
        service.stop()
        first.close()
        socket.unlink(missing_ok=True)
        second = PrivateBus(tmp_path, socket)
        service = NotificationService(second.address)
        service.start()
        assert ui.notifier.route() == "dbus"
        ui.announce_active(2)
        qtbot.waitUntil(lambda: len(routes) == 2, timeout=5000)  # type: ignore[attr-defined]
        assert routes == ["dbus", "dbus"]
        [call] = service.notifies()
        assert call.body[4] == "You have 2 publications in progress"
        assert not ui.window.banner.isVisible()
    finally:
        _close(ui, qtbot)
        service.stop()
        if second is not None:
            second.close()
