"""The first-run path (issue 15): Enter after "Test connection" saves what was typed
(it used to start the demo and leave the settings empty); cancelling the welcome
leaves a clear way to set up or try the demo."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from storyclip_desktop.config import load_settings
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from tests.backend import Backend

from .fakes import DesktopTray, RecordingServices
from .test_settings_dialog import Env


def test_enter_after_test_connection_saves_and_never_starts_the_demo(
    loop: asyncio.AbstractEventLoop, tmp_path: object, qtbot: QtBot, backend: Backend
) -> None:
    env = Env(tmp_path)  # type: ignore[arg-type]
    dialog = env.dialog(qtbot, first_run=True)
    demo: list[bool] = []
    dialog.demoRequested.connect(lambda: demo.append(True))
    dialog.activateWindow()
    dialog.api_url.edit.setText(backend.url)
    dialog.supabase_url.edit.setText(backend.url)
    dialog.anon_key.edit.setText(backend.anon_key)
    dialog.api_key.edit.setText(backend.api_key)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    assert dialog.test_result.text().count("✓") == 2
    # Enter where the focus is now, wherever that is.
    target = QApplication.focusWidget() or dialog
    qtbot.keyClick(target, Qt.Key.Key_Return)
    assert demo == []
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    assert dialog.save_button.isDefault()
    assert load_settings(env.store()).api_url == backend.url


def test_cancelling_the_welcome_leaves_a_way_to_set_up_or_try_the_demo(
    loop: asyncio.AbstractEventLoop,
    tmp_path: object,
    qtbot: QtBot,
    services: RecordingServices,
    bridge: MonitorBridge,
    settings: QSettings,
) -> None:
    env = Env(tmp_path)  # type: ignore[arg-type]
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(False))
    ui.settings_backend = env.actions()
    ui.start()
    try:
        ui.session_events.settings_needed()
        dialog = ui.settings_dialog
        assert dialog is not None
        assert dialog.first_run
        dialog.reject()
        sign_in = ui.window.sign_in
        assert sign_in.setup_box.isVisible()
        assert "no StoryClip server" in sign_in.setup_note.text()
        assert not sign_in.button.isEnabled()  # no sign-in without a server
        demo: list[bool] = []
        ui.demoRequested.connect(lambda: demo.append(True))
        qtbot.mouseClick(sign_in.demo_button, Qt.MouseButton.LeftButton)
        assert demo == [True]
        qtbot.mouseClick(sign_in.setup_button, Qt.MouseButton.LeftButton)
        again = ui.settings_dialog
        assert again is not None
        assert again is not dialog
        assert again.isVisible()
        assert again.demo_button is not None  # still offers the demo
        again.reject()
    finally:
        ui.window.hide()
        ui.tray.dispose()
        ui.window.deleteLater()
        ui.deleteLater()


class _DemoBackend:
    url = "http://127.0.0.1:8765"


def test_demo_mode_is_marked_and_offers_its_account_after_a_sign_out(
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    services: RecordingServices,
    bridge: MonitorBridge,
    settings: QSettings,
    tmp_path: object,
) -> None:
    services.demo = True  # type: ignore[attr-defined]
    services.demo_backend = _DemoBackend()  # type: ignore[attr-defined]
    services.user_email = "demo@storyclip.app"
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(False))
    ui.settings_backend = Env(tmp_path).actions()  # type: ignore[arg-type]
    ui.start()
    try:
        assert ui.window.windowTitle() == "StoryClip Desktop — Demo"
        assert ui.window.connection.text() == "Demo server · Connected"
        QApplication.clipboard().clear()
        ui.copy_diagnostics()
        qtbot.waitUntil(lambda: "diagnostics" in QApplication.clipboard().text())
        assert "mode: demo (http://127.0.0.1:8765)" in QApplication.clipboard().text()
        ui.sign_out()
        qtbot.waitUntil(lambda: not ui.window.signed_in)
        form = ui.window.sign_in
        qtbot.waitUntil(lambda: form.email.text() == "demo@storyclip.app")
        assert form.password.text()
        assert "Demo server" in form.error.text()
        assert ui.window.windowTitle() == "StoryClip Desktop — Demo"
    finally:
        ui.window.hide()
        ui.tray.dispose()
        ui.window.deleteLater()
        ui.deleteLater()
