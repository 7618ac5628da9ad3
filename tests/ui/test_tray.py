"""The tray icon's states, status line and menu actions."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from storyclip_desktop.core.model import StreamState
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.resources import TrayState

from .fakes import BatchRun, DesktopTray, RecordingServices, make_batch


def _tray_ui(settings: QSettings) -> tuple[DesktopUi, RecordingServices]:
    bridge = MonitorBridge()
    services = RecordingServices(bridge)
    services.user_email = "ana@example.com"
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(True))
    ui.start()
    return ui, services


def _dispose(ui: DesktopUi) -> None:
    if ui._dialog is not None:
        ui._dialog.close()
    ui.tray.dispose()
    ui.window.hide()
    ui.window.deleteLater()
    ui.deleteLater()


def test_menu_has_a_status_line_and_the_actions(loop: object, settings: QSettings) -> None:
    ui, _services = _tray_ui(settings)
    actions = [a for a in ui.tray.menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in actions]
    assert texts == [
        "Nothing publishing",
        "Open StoryClip",
        "Active batches…",
        "History…",
        "Refresh",
        "Settings…",
        "Sign out",
        "Quit",
    ]
    assert not actions[0].isEnabled()
    assert ui.tray.icon.toolTip() == "StoryClip Desktop — Nothing publishing"
    _dispose(ui)


def test_menu_actions_do_what_they_say(loop: object, settings: QSettings, qtbot: object) -> None:
    ui, services = _tray_ui(settings)
    batch = make_batch()
    ui.bridge.batch_added(batch)
    ui.window.hide()

    ui.tray.open_action.trigger()
    assert ui.window.isVisible()

    ui.tray.batches_action.trigger()
    assert ui.dialog.isVisible()
    assert batch.batch_id in ui.dialog.cards

    ui.tray.refresh_action.trigger()
    qtbot.waitUntil(lambda: services.calls == [("refresh",)])  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not ui.refreshing)  # type: ignore[attr-defined]

    # A batch is publishing: Quit and Sign out ask first (test_asking.py).
    ui.tray.quit_action.trigger()
    assert ui.question is not None
    with qtbot.waitSignal(ui.quitRequested, timeout=1000):  # type: ignore[attr-defined]
        ui.question.defaultButton().click()

    ui.tray.sign_out_action.trigger()
    assert ui.question is not None
    ui.question.defaultButton().click()
    qtbot.waitUntil(lambda: ("sign_out",) in services.calls)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not ui.tray.sign_out_action.isEnabled())  # type: ignore[attr-defined]
    assert ui.tray.status_text() == "Not signed in"
    assert not ui.tray.batches_action.isEnabled()
    assert not ui.tray.refresh_action.isEnabled()
    assert ui.tray.open_action.isEnabled()
    assert ui.tray.quit_action.isEnabled()
    _dispose(ui)


def test_clicking_the_icon_opens_the_window(loop: object, settings: QSettings) -> None:
    ui, _services = _tray_ui(settings)
    ui.window.hide()
    ui.tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert ui.window.isVisible()
    _dispose(ui)


def test_icon_states_follow_the_batches(loop: object, settings: QSettings) -> None:
    ui, _services = _tray_ui(settings)
    tray = ui.tray
    assert tray.state is TrayState.IDLE
    run = BatchRun(ui.bridge, make_batch(total=3))
    run.start()
    assert tray.state is TrayState.PUBLISHING
    run.clip(1, "published")
    assert tray.status_text() == "1 batch publishing — 1 / 3 clips"
    ui.bridge.stream_state_changed(run.batch.batch_id, StreamState("stalled"))
    assert tray.state is TrayState.PROBLEM
    ui.bridge.stream_state_changed(run.batch.batch_id, StreamState("live"))
    ui.bridge.server_reachable_changed(False)
    assert tray.state is TrayState.PROBLEM
    assert tray.status_text() == "Cannot reach the server"
    ui.bridge.server_reachable_changed(True)
    assert tray.state is TrayState.PUBLISHING
    run.finish("failed", error="startTime is not defined")
    assert tray.state is TrayState.PROBLEM  # until the user has looked
    assert tray.status_text() == "Nothing publishing · 1 batch failed"
    ui.open_batches()
    assert tray.state is TrayState.IDLE
    assert tray.status_text() == "Nothing publishing · 1 batch finished"
    assert not tray.icon.icon().isNull()
    _dispose(ui)


def test_closing_the_dialog_with_the_window_in_the_tray_does_not_quit(
    loop: object, settings: QSettings, qtbot: object
) -> None:
    ui, _services = _tray_ui(settings)
    quits: list[bool] = []
    ui.quitRequested.connect(lambda: quits.append(True))
    ui.window.close()
    ui.tray.batches_action.trigger()
    ui.dialog.close()
    assert not QApplication.quitOnLastWindowClosed()
    assert quits == []
    _dispose(ui)


def test_updates_after_dispose_are_ignored(
    loop: object, settings: QSettings, qtbot: object
) -> None:
    """Quitting: the store's last (frame-coalesced) changes arrive after the tray
    deleted its menu; they must not touch the deleted actions."""
    ui, _services = _tray_ui(settings)
    ui.tray.dispose()
    qtbot.waitUntil(lambda: _menu_deleted(ui))  # type: ignore[attr-defined]
    ui.bridge.batch_added(make_batch())
    ui.bridge.stream_state_changed(make_batch().batch_id, StreamState("closed"))
    ui.tray.update()  # would raise "Internal C++ object already deleted"
    ui.window.hide()
    ui.window.deleteLater()
    ui.deleteLater()


def _menu_deleted(ui: DesktopUi) -> bool:
    from shiboken6 import isValid

    return not isValid(ui.tray.menu)


def test_the_menu_names_the_running_batches(loop: object, settings: QSettings) -> None:
    """Issue 15: the same name in the tray menu as everywhere; a click opens it."""
    ui, _services = _tray_ui(settings)
    run = BatchRun(ui.bridge, make_batch("batch_1_aaa111", total=12, job_id="spring-sale"))
    run.start()
    run.clip(1, "published")
    texts = [a.text() for a in ui.tray.menu.actions()]
    assert "spring-sale — 1 / 12" in texts
    assert texts.index("spring-sale — 1 / 12") < texts.index("Quit")
    [action] = [a for a in ui.tray.menu.actions() if a.text() == "spring-sale — 1 / 12"]
    action.trigger()
    assert ui.dialog.isVisible()
    assert ui.dialog.list.selected_batch_id() == "batch_1_aaa111"
    run.publish_all()
    run.finish()
    assert not any(a.text().startswith("spring-sale") for a in ui.tray.menu.actions())
    _dispose(ui)
