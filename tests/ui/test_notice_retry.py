"""The "Retry failed" action of a desktop notification (issue 16), on a real private
session bus with a stand-in notification daemon: offered on the notice of a batch
with failed clips where the server can retry them, never where it cannot, and
choosing it (``ActionInvoked``) asks the session to retry, source ``notification``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from storyclip_desktop.core.model import ServerCapabilities
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi

from .fakes import BatchRun, DesktopTray, RecordingServices, make_batch
from .notification_daemon import NotificationService, PrivateBus, dbus_daemon_available

pytestmark = pytest.mark.skipif(not dbus_daemon_available(), reason="needs dbus-daemon")


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[PrivateBus]:
    private = PrivateBus(tmp_path)
    yield private
    private.close()


def _ui(bus: PrivateBus, settings: QSettings, services: RecordingServices) -> DesktopUi:
    ui = DesktopUi(
        services,
        services.bridge,  # type: ignore[arg-type]
        settings=settings,
        dbus_bus=bus.address,
        tray_host=DesktopTray(False),
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


@pytest.mark.parametrize("can_retry", [True, False])
def test_retry_failed_is_offered_where_the_server_can_and_asks_the_session(
    loop: asyncio.AbstractEventLoop,
    bus: PrivateBus,
    settings: QSettings,
    qtbot: object,
    can_retry: bool,
) -> None:
    service = NotificationService(bus.address)
    service.start()
    services = RecordingServices(MonitorBridge())
    services.user_email = "ana@example.com"
    controls = (
        frozenset({"pause", "resume", "cancel", "retry-failed"}) if can_retry else frozenset()
    )
    services.capabilities = ServerCapabilities(controls=controls, advertised=can_retry)
    ui = _ui(bus, settings, services)
    try:
        run = BatchRun(ui.bridge, make_batch(total=3))
        run.start()
        run.publish_all(fail={2})
        run.finish("completed")
        qtbot.waitUntil(lambda: len(service.notifies()) == 1, timeout=5000)  # type: ignore[attr-defined]
        [call] = service.notifies()
        actions = call.body[5]
        offered = ["default", "Open", "failed", "Show failed clips"]
        if can_retry:
            offered += ["retry", "Retry failed"]
        assert actions == offered
        service.click(1, "retry")
        if can_retry:
            qtbot.waitUntil(  # type: ignore[attr-defined]
                lambda: (
                    ("control", run.batch.batch_id, "retry-failed", "notification")
                    in services.calls
                ),
                timeout=5000,
            )
        else:
            # A click on an action it was never offered asks nothing.
            service.click(1, "default")
            qtbot.waitUntil(lambda: ui._dialog is not None and ui.dialog.isVisible(), timeout=5000)  # type: ignore[attr-defined]
            assert not [c for c in services.calls if c[0] == "control"]
    finally:
        _close(ui, qtbot)
        service.stop()
    assert service.error is None
