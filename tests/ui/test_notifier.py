"""Notification texts and routing: tray, then D-Bus, then the in-window banner."""

from __future__ import annotations

import asyncio
import logging

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from storyclip_desktop.core.model import StreamState
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.resources import install_translator

from .fakes import XSS_TITLE, BatchRun, DesktopTray, RecordingServices, make_batch


class Notified:
    def __init__(self, ui: DesktopUi) -> None:
        self.calls: list[tuple[str, object, str]] = []
        ui.notifier.notified.connect(
            lambda kind, batch_id, route: self.calls.append((kind, batch_id, route))
        )


def _finish(
    ui: DesktopUi,
    batch_id: str = "batch_1761725644409_abc123",
    total: int = 20,
    fail: frozenset[int] = frozenset(),
    status: str = "completed",
    error: str | None = None,
) -> BatchRun:
    run = BatchRun(ui.bridge, make_batch(batch_id, total=total))
    run.start()
    run.publish_all(fail=set(fail))
    run.finish(status, error=error)
    return run


def test_offscreen_claims_messages_without_a_tray_so_both_are_checked(ui: DesktopUi) -> None:
    # The trap the route selection must avoid (shared/desktop-test-env.md).
    assert QSystemTrayIcon.supportsMessages()
    assert not QSystemTrayIcon.isSystemTrayAvailable()
    ui.tray.show()
    assert ui.notifier.route() == "banner"


def test_banner_route_texts_and_one_notification_per_finished_batch(
    ui: DesktopUi, caplog: pytest.LogCaptureFixture
) -> None:
    ui.start()
    notified = Notified(ui)
    caplog.set_level(logging.INFO, logger="storyclip")
    run = _finish(ui, fail=frozenset({3, 9}))
    banner = ui.window.banner
    assert banner.isVisible()
    assert banner.title.text() == "Publishing completed: Clip 1 + 19 more"
    assert banner.body.text() == "18 of 20 clips were published, 2 failed"
    assert notified.calls == [("completed", run.batch.batch_id, "banner")]
    # Later updates of a finished batch are not news.
    ui.bridge.batch_updated(run.batch, [])
    ui.bridge.stream_state_changed(run.batch.batch_id, StreamState("closed"))
    assert len(notified.calls) == 1
    records = [r for r in caplog.records if getattr(r, "event", None) == "notification"]
    assert [r.fields for r in records] == [  # type: ignore[attr-defined]
        {
            "kind": "completed",
            "route": "banner",
            "batch_id": run.batch.batch_id,
            "batch_ids": [run.batch.batch_id],
        }
    ]
    _finish(ui, batch_id="batch_2_one", total=2, fail=frozenset({2}))
    assert banner.body.text() == "1 of 2 clips was published, 1 failed"


def test_failed_batch_says_the_servers_reason_as_plain_text(ui: DesktopUi) -> None:
    ui.start()
    notified = Notified(ui)
    run = _finish(ui, total=5, status="failed", error=f"startTime is not defined {XSS_TITLE}")
    banner = ui.window.banner
    assert banner.title.text() == "Publishing failed: Clip 1 + 4 more"
    assert banner.body.text() == f"startTime is not defined {XSS_TITLE}"
    assert banner.body.textFormat().name == "PlainText"
    assert notified.calls == [("failed", run.batch.batch_id, "banner")]


def test_clicking_the_banner_opens_the_dialog_on_the_batch(ui: DesktopUi) -> None:
    ui.start()
    run = _finish(ui, total=3)
    ui.window.banner.show_button.click()
    assert ui.dialog.isVisible()
    assert ui.dialog.cards[run.batch.batch_id].expanded


def test_unreachable_is_announced_once_per_outage(ui: DesktopUi) -> None:
    ui.start()
    notified = Notified(ui)
    ui.bridge.server_reachable_changed(False)
    ui.notifier.server_reachable(False)  # a retry saying it again: not news
    assert notified.calls == [("unreachable", None, "banner")]
    assert ui.window.banner.title.text() == "Could not connect to the server"
    ui.bridge.server_reachable_changed(True)
    assert not ui.window.banner.isVisible()  # the outage banner goes when it is over
    ui.bridge.server_reachable_changed(False)
    assert len(notified.calls) == 2


def test_active_batches_announcement(ui: DesktopUi) -> None:
    ui.start()
    notified = Notified(ui)
    ui.announce_active(0)
    assert notified.calls == []
    ui.announce_active(2)
    assert ui.window.banner.title.text() == "Publishing in progress"
    assert ui.window.banner.body.text() == "You have 2 publications in progress"
    assert notified.calls == [("active", None, "banner")]


def test_texts_in_spanish(ui: DesktopUi, qapp: QApplication) -> None:
    install_translator(qapp, "es")
    ui.start()
    banner = ui.window.banner
    ui.announce_active(3)
    assert (banner.title.text(), banner.body.text()) == (
        "Publicación en progreso",
        "Tienes 3 publicaciones en proceso",
    )
    ui.announce_active(1, "batch_1")
    assert banner.body.text() == "Tienes 1 publicación en proceso"
    _finish(ui, fail=frozenset({1, 2}))
    # 18 of 20 published, 2 failed
    assert banner.title.text() == "Publicación completada: Clip 1 + 19 más"
    assert banner.body.text() == "Se publicaron 18 de 20 clips; 2 fallaron"
    _finish(ui, batch_id="batch_2_ok", total=20)
    assert banner.body.text() == "Se publicaron 20 de 20 clips"
    _finish(ui, batch_id="batch_4_one", total=20, fail=frozenset({5}))
    assert banner.body.text() == "Se publicaron 19 de 20 clips; 1 falló"  # not "1 fallaron"
    _finish(ui, batch_id="batch_5_single", total=1)
    assert banner.body.text() == "Se publicó el clip"
    _finish(ui, batch_id="batch_3_ko", total=4, status="failed", error="startTime is not defined")
    assert (banner.title.text(), banner.body.text()) == (
        "Error en publicación: Clip 1 + 3 más",
        "startTime is not defined",
    )
    ui.bridge.server_reachable_changed(False)
    assert banner.title.text() == "No se pudo conectar al servidor"


def test_tray_route_when_a_tray_exists_and_supports_messages(
    loop: asyncio.AbstractEventLoop, settings: QSettings
) -> None:
    bridge = MonitorBridge()
    ui = DesktopUi(
        RecordingServices(bridge),
        bridge,
        settings=settings,
        dbus_bus="unix:path=/nonexistent/bus",
        tray_host=DesktopTray(True),
    )
    ui.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
    ui.start()
    notified = Notified(ui)
    shown: list[tuple[str, str]] = []
    ui.tray.messageShown.connect(lambda title, body: shown.append((title, body)))
    assert ui.notifier.route() == "tray"
    run = _finish(ui, total=2)
    assert notified.calls == [("completed", run.batch.batch_id, "tray")]
    assert shown == [("Publishing completed: Clip 1 + 1 more", "2 of 2 clips were published")]
    assert not ui.window.banner.isVisible()
    # A click on the tray message opens the dialog on that batch.
    ui.tray.icon.messageClicked.emit()
    assert ui.dialog.isVisible()
    assert ui.dialog.cards[run.batch.batch_id].expanded
    ui.dialog.close()
    ui.tray.dispose()
    ui.window.deleteLater()
    ui.deleteLater()


def test_a_status_notifier_tray_without_our_dbus_route_gets_an_escaped_body(
    loop: asyncio.AbstractEventLoop, settings: QSettings
) -> None:
    """Qt forwards a StatusNotifierItem tray's message to a markup-reading daemon."""
    bridge = MonitorBridge()
    ui = DesktopUi(
        RecordingServices(bridge),
        bridge,
        settings=settings,
        dbus_bus=None,
        tray_host=DesktopTray(True, via_dbus=True),
    )
    ui.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
    ui.start()
    shown: list[tuple[str, str]] = []
    ui.tray.messageShown.connect(lambda title, body: shown.append((title, body)))
    assert ui.notifier.route() == "tray"
    _finish(ui, total=2, status="failed", error=XSS_TITLE)
    escaped = "&lt;img src=x&gt;&lt;b&gt;hi&lt;/b&gt;"
    assert shown == [("Publishing failed: Clip 1 + 1 more", escaped)]
    ui.tray.dispose()
    ui.window.deleteLater()
    ui.deleteLater()


def test_dbus_route_without_a_tray_falls_back_to_the_banner_when_the_bus_fails(
    loop: asyncio.AbstractEventLoop, settings: QSettings, qtbot: object
) -> None:
    bridge = MonitorBridge()
    ui = DesktopUi(
        RecordingServices(bridge),
        bridge,
        settings=settings,
        dbus_bus="unix:path=/nonexistent/storyclip-test-bus",
        tray_host=DesktopTray(False),
    )
    ui.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
    ui.start()
    notified = Notified(ui)
    assert ui.notifier.route() == "dbus"
    run = _finish(ui, total=2)
    qtbot.waitUntil(lambda: notified.calls != [])  # type: ignore[attr-defined]
    assert notified.calls == [("completed", run.batch.batch_id, "banner")]
    assert ui.window.banner.isVisible()
    # The failed route rests: the next notification goes straight to the banner.
    assert ui.notifier.route() == "banner"
    done = asyncio.ensure_future(ui.aclose())
    qtbot.waitUntil(done.done)  # type: ignore[attr-defined]
    ui.window.deleteLater()
    ui.deleteLater()


def test_dbus_route_needs_a_session_bus_address(
    loop: asyncio.AbstractEventLoop, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    bridge = MonitorBridge()
    ui = DesktopUi(
        RecordingServices(bridge),
        bridge,
        settings=settings,
        dbus_bus="SESSION",
        tray_host=DesktopTray(False),
    )
    assert ui.notifier.route() == "banner"
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    assert ui.notifier.route() == "dbus"
    ui.tray.dispose()
    ui.window.deleteLater()
    ui.deleteLater()
