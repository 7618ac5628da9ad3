"""The settings dialog, offscreen, with its real backend (SettingsActions): a real
INI file, a keyring backend in memory (the real Secret Service is the frozen-app
test's, tests/packaging), the autostart file in a temporary XDG_CONFIG_HOME, and
"Test connection" against the local backend over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from storyclip_desktop.config import AppSettings, autostart_path, load_settings
from storyclip_desktop.core.secrets import API_KEY_ACCOUNT, api_key_entry
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.notify import Notification
from storyclip_desktop.ui.resources import install_translator
from storyclip_desktop.ui.settings_actions import SettingsActions
from storyclip_desktop.ui.settings_dialog import SettingsDialog
from tests.backend import Backend

from .fakes import DesktopTray, RecordingServices
from .test_settings_store import MemoryKeyring

SERVICE = "StoryClip Desktop"


class Env:
    """A settings file, a keyring and a config home of the test's own."""

    def __init__(self, tmp_path: Path) -> None:
        self.ini = tmp_path / "settings.ini"
        self.keyring = MemoryKeyring()
        self.env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}

    def store(self) -> QSettings:
        return QSettings(str(self.ini), QSettings.Format.IniFormat)

    def actions(self) -> SettingsActions:
        secret = api_key_entry(backend=self.keyring)
        return SettingsActions(self.store(), secret, env=self.env, check_deadline=5.0)

    def dialog(self, qtbot: QtBot, **kwargs: object) -> SettingsDialog:
        dialog = SettingsDialog(self.actions(), **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.api_key.edit.isEnabled())  # the keyring was read
        return dialog


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


def test_fields_are_checked_as_typed(
    loop: asyncio.AbstractEventLoop, env: Env, qtbot: QtBot
) -> None:
    dialog = env.dialog(qtbot)
    assert not dialog.save_button.isEnabled()  # empty settings are not a server
    assert dialog.incomplete_note.isVisible()
    assert not dialog.test_button.isEnabled()  # no addresses yet

    dialog.api_url.edit.setText("story.example.app")
    assert dialog.api_url.error.text() == "Type an address like https://server.example"
    assert not dialog.save_button.isEnabled()
    dialog.api_url.edit.setText("http://story.example.app")
    assert "https://" in dialog.api_url.error.text()
    dialog.api_url.edit.setText("https://story.example.app/?x=1")
    assert "?query" in dialog.api_url.error.text()
    dialog.api_url.edit.setText("https://story.example.app/")
    assert dialog.api_url.error.isHidden()

    dialog.supabase_url.edit.setText("http://127.0.0.1:54321")  # loopback http is fine
    assert dialog.supabase_url.error.isHidden()
    dialog.anon_key.edit.setText("has a space")
    assert dialog.anon_key.error.text() == "A key is one word: no spaces or special characters."
    assert not dialog.test_button.isEnabled()
    dialog.anon_key.edit.setText("anon-key")
    assert dialog.test_button.isEnabled()
    assert not dialog.save_button.isEnabled()  # partial: the API key is missing
    dialog.api_key.edit.setText("sk-key")
    assert dialog.save_button.isEnabled()
    assert not dialog.incomplete_note.isVisible()


def test_insecure_flag_lets_remote_http_through(
    loop: asyncio.AbstractEventLoop, env: Env, qtbot: QtBot
) -> None:
    dialog = env.dialog(qtbot, allow_insecure=True)
    dialog.api_url.edit.setText("http://story.example.app")
    assert dialog.api_url.error.isHidden()


def test_save_writes_the_file_the_keyring_and_the_autostart_entry(
    loop: asyncio.AbstractEventLoop, env: Env, qtbot: QtBot
) -> None:
    dialog = env.dialog(qtbot)
    applied: list[tuple[AppSettings, bool]] = []
    dialog.applied.connect(lambda s, changed: applied.append((s, changed)))
    dialog.api_url.edit.setText("https://story.example.app/")
    dialog.supabase_url.edit.setText("https://abc.supabase.co")
    dialog.anon_key.edit.setText("anon-public-key")
    dialog.api_key.edit.setText("sk-secret-api-key-42")
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    dialog.start_at_login.setChecked(True)
    dialog.start_minimized.setChecked(True)
    dialog.notify_boxes["completed"].setChecked(False)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)

    saved = load_settings(env.store())
    assert saved.api_url == "https://story.example.app"
    assert saved.language == "es"
    assert saved.start_minimized
    assert saved.notifications == frozenset({"active", "failed", "cancelled", "unreachable"})
    assert env.keyring.items == {(SERVICE, API_KEY_ACCOUNT): "sk-secret-api-key-42"}
    assert "sk-secret-api-key-42" not in env.ini.read_text(encoding="utf-8")
    entry = autostart_path(env.env)
    assert "Exec=" in entry.read_text(encoding="utf-8")
    assert applied == [(saved, True)]

    # Open again: everything is read back, the key from the keyring.
    again = env.dialog(qtbot)
    again.applied.connect(lambda s, changed: applied.append((s, changed)))
    assert again.api_key.text() == "sk-secret-api-key-42"
    assert again.start_at_login.isChecked()
    assert not again.notify_boxes["completed"].isChecked()
    # Only a notification choice changes: the servers did not.
    again.notify_boxes["completed"].setChecked(True)
    again.start_at_login.setChecked(False)
    again.save()
    qtbot.waitUntil(lambda: again.result() == QDialog.DialogCode.Accepted)
    assert len(applied) == 2
    assert applied[-1][1] is False
    assert not entry.exists()
    # Where the servers come from elsewhere (the environment, the command line),
    # emptying the key removes it from the keyring.
    third = env.dialog(qtbot, servers_required=False)
    third.applied.connect(lambda s, changed: applied.append((s, changed)))
    third.api_key.edit.clear()
    third.save()
    qtbot.waitUntil(lambda: third.result() == QDialog.DialogCode.Accepted)
    assert env.keyring.items == {}
    assert len(applied) == 3
    assert applied[-1][1] is True


def test_no_keyring_is_said_and_the_rest_still_saved(
    loop: asyncio.AbstractEventLoop, env: Env, qtbot: QtBot
) -> None:
    from keyring.backends import fail

    dialog = SettingsDialog(
        SettingsActions(env.store(), api_key_entry(backend=fail.Keyring()), env=env.env)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.api_key.edit.isEnabled())
    assert "No system keyring" in dialog.api_key_note.text()
    dialog.api_url.edit.setText("https://story.example.app")
    dialog.supabase_url.edit.setText("https://abc.supabase.co")
    dialog.anon_key.edit.setText("anon-public-key")
    dialog.api_key.edit.setText("sk-secret-api-key-42")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.save_status.isVisible())
    assert dialog.saved_problems == ["keyring"]
    assert dialog.isVisible()  # kept open: the user must read why
    assert dialog.cancel_button.text() == "Close"
    assert load_settings(env.store()).api_url == "https://story.example.app"
    assert "sk-secret-api-key-42" not in env.ini.read_text(encoding="utf-8")


def test_test_connection_says_both_are_fine(
    loop: asyncio.AbstractEventLoop, env: Env, qtbot: QtBot, backend: Backend
) -> None:
    dialog = env.dialog(qtbot)
    dialog.api_url.edit.setText(backend.url)
    dialog.supabase_url.edit.setText(backend.url)
    dialog.anon_key.edit.setText(backend.anon_key)
    dialog.api_key.edit.setText(backend.api_key)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    assert dialog.test_result.text().splitlines() == [
        "✓ Sign-in service (Supabase): reachable, anon key accepted.",
        "✓ StoryClip API: reachable, API key accepted.",
    ]


def test_test_connection_says_precisely_what_is_wrong(
    loop: asyncio.AbstractEventLoop,
    env: Env,
    qtbot: QtBot,
    backend_factory: Callable[..., Backend],
) -> None:
    backend = backend_factory()
    dialog = env.dialog(qtbot)
    dialog.api_url.edit.setText(backend.url)
    dialog.supabase_url.edit.setText(backend.url)
    dialog.anon_key.edit.setText("wrong-anon-key")
    dialog.api_key.edit.setText("wrong-api-key")
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    lines = dialog.test_result.text().splitlines()
    assert lines[0].startswith("✗ Sign-in service (Supabase): reachable, but the anon key is wrong")
    assert lines[1].startswith("✗ StoryClip API: reachable, but the API key is wrong")
    assert "wrong-api-key" not in dialog.test_result.text()

    backend.stop()
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    assert f"cannot connect to {backend.url}" in dialog.test_result.text()


def test_spanish_sentences(
    loop: asyncio.AbstractEventLoop, env: Env, qtbot: QtBot, qapp: object, backend: Backend
) -> None:
    install_translator(qapp, "es")  # type: ignore[arg-type]
    dialog = env.dialog(qtbot)
    assert dialog.windowTitle() == "Ajustes de StoryClip Desktop"
    dialog.api_url.edit.setText("story")
    assert dialog.api_url.error.text() == "Escribe una dirección como https://servidor.ejemplo"
    dialog.api_url.edit.setText(backend.url + "/api")
    dialog.supabase_url.edit.setText(backend.url)
    dialog.anon_key.edit.setText(backend.anon_key)
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
    lines = dialog.test_result.text().splitlines()
    assert lines[0] == "✓ Servicio de inicio de sesión (Supabase): accesible, clave anon aceptada."
    assert lines[1].startswith("✗ API de StoryClip: ")
    assert "HTTP 404" in lines[1]


def test_first_launch_offers_the_demo(
    loop: asyncio.AbstractEventLoop, env: Env, qtbot: QtBot
) -> None:
    dialog = env.dialog(qtbot, first_run=True)
    assert dialog.demo_button is not None
    with qtbot.waitSignal(dialog.demoRequested):
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert env.dialog(qtbot).demo_button is None  # only on a first launch


def test_notification_choices_reach_the_notifier(
    loop: asyncio.AbstractEventLoop,
    env: Env,
    qtbot: QtBot,
    services: RecordingServices,
    bridge: MonitorBridge,
    settings: QSettings,
) -> None:
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(False))
    ui.settings_backend = env.actions()
    dialog = ui.open_settings()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.api_key.edit.isEnabled())
    assert ui.open_settings() is dialog  # one at a time
    for field, text in (
        (dialog.api_url, "https://story.example.app"),
        (dialog.supabase_url, "https://abc.supabase.co"),
        (dialog.anon_key, "anon-public-key"),
        (dialog.api_key, "sk-secret-api-key-42"),
    ):
        field.edit.setText(text)
    dialog.notify_boxes["completed"].setChecked(False)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    shown: list[str] = []
    ui.notifier.notified.connect(lambda kind, _bid, _route: shown.append(kind))
    assert ui.notifier.notify(Notification("completed", "Done", "")) is None
    assert ui.notifier.notify(Notification("failed", "Failed", "")) == "banner"
    assert shown == ["failed"]
    again = ui.open_settings()  # closed dialogs are not reused: fresh values
    assert again is not None
    assert again is not dialog
    qtbot.waitUntil(lambda: again.api_key.edit.isEnabled())
    assert not again.notify_boxes["completed"].isChecked()
    again.reject()
    ui.window.hide()
    ui.tray.dispose()
