"""About, "Open log folder" and "Copy diagnostics": what a user hands to support."""

from __future__ import annotations

import asyncio
import json
import logging
import platform
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QUrl, Slot, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from storyclip_desktop import __version__
from storyclip_desktop.config import LOG_FILE, AppSettings, save_settings
from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.secrets import api_key_entry
from storyclip_desktop.jsonlog import REDACTOR, setup_logging
from storyclip_desktop.ui.about import AboutDialog, diagnostics_text, last_log_lines
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.settings_actions import SettingsActions

from .fakes import DesktopTray, RecordingServices
from .test_settings_store import MemoryKeyring

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMzQ1Njc4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_about_shows_versions_and_licences(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert qVersion() in dialog.versions_label.text()
    assert platform.python_version() in dialog.versions_label.text()
    licences = dialog.licences.toPlainText()
    assert f"StoryClip Desktop {__version__} — MIT" in licences
    assert "LGPL-3.0-only" in licences
    for name in ("keyring", "HTTPX", "Starlette", "Uvicorn", "PyJWT", "qasync"):
        assert name in licences


def _write_log(folder: Path, lines: int, name: str = LOG_FILE) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8") as out:
        for i in range(lines):
            out.write(json.dumps({"event": "line", "n": i}) + "\n")


def test_last_lines_reach_into_the_rotated_file(tmp_path: Path) -> None:
    _write_log(tmp_path, 150, LOG_FILE + ".1")
    _write_log(tmp_path, 120)
    lines = last_log_lines(tmp_path, 200)
    assert len(lines) == 200
    assert json.loads(lines[-1])["n"] == 119
    assert json.loads(lines[0])["n"] == 70  # the last 80 of the older file first
    assert last_log_lines(tmp_path / "nothing") == []


def test_diagnostics_carry_no_secret(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir()
    api_key = "sk-live-0123456789abcdef"
    anon = "anon-key-abcdefgh"
    password = "hunter2-password"
    REDACTOR.add(password)  # what the app does with a password it was given
    (folder / LOG_FILE).write_text(
        "\n".join(
            [
                json.dumps({"event": "oops", "message": f"key {api_key} was sent"}),
                json.dumps({"event": "oops", "message": f"Authorization: Bearer {JWT}"}),
                json.dumps({"event": "oops", "message": f"password {password}"}),
                json.dumps({"event": "oops", "message": f"anon {anon}"}),
                json.dumps({"event": "started", "version": __version__}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    settings = AppSettings(api_url="https://story.example.app", anon_key=anon)
    text = diagnostics_text(settings, folder, api_key_stored=True, secrets=[api_key])
    for secret in (api_key, anon, JWT, password):
        assert secret not in text
    assert text.count("[redacted") >= 4
    assert f"storyclip-desktop: {__version__}" in text
    assert f"qt: {qVersion()}" in text
    assert '  api_url: "https://story.example.app"' in text
    assert '  api_key: "[in the keyring]"' in text
    assert "last 5 log lines:" in text
    assert '"event": "started"' in text


def test_the_running_apps_own_log_rotates_and_is_what_diagnostics_read(
    tmp_path: Path,
) -> None:
    """setup_logging's rotating file: bounded files, and the newest lines readable."""
    folder = tmp_path / "state" / "log"
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stderr = (tmp_path / "stderr.txt").open("w", encoding="utf-8")
    try:
        setup_logging(None, rotating=folder / LOG_FILE, stream=stderr)
        log = get_logger("test")
        for i in range(9000):  # about 1.4 MB of lines: one rotation at least
            log_event(log, "filler", n=i, pad="x" * 100)
        for handler in root.handlers:
            handler.flush()
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        stderr.close()
    files = sorted(p.name for p in folder.iterdir())
    assert files[:2] == [LOG_FILE, LOG_FILE + ".1"]
    assert all((folder / f).stat().st_size <= (1 << 20) + 512 for f in files)
    lines = last_log_lines(folder, 200)
    assert len(lines) == 200
    assert json.loads(lines[-1])["n"] == 8999


class UrlCatcher(QObject):
    """Qt's own hook for "open this URL": the handler QDesktopServices calls instead of
    the desktop's file manager (registered for file: URLs during the test)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def _ui(
    services: RecordingServices, bridge: MonitorBridge, settings: QSettings, tmp_path: Path
) -> tuple[DesktopUi, MemoryKeyring]:
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(False))
    memory = MemoryKeyring()
    ui.settings_backend = SettingsActions(
        settings, api_key_entry(backend=memory), env={"HOME": str(tmp_path)}
    )
    ui.log_folder = tmp_path / "log"
    return ui, memory


def test_help_menu_opens_the_log_folder(
    loop: asyncio.AbstractEventLoop,
    services: RecordingServices,
    bridge: MonitorBridge,
    settings: QSettings,
    tmp_path: Path,
) -> None:
    ui, _memory = _ui(services, bridge, settings, tmp_path)
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        ui.window.log_folder_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(tmp_path / "log")]
    assert (tmp_path / "log").is_dir()
    ui.tray.dispose()


def test_help_menu_copies_diagnostics_and_about_opens(
    loop: asyncio.AbstractEventLoop,
    services: RecordingServices,
    bridge: MonitorBridge,
    settings: QSettings,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    ui, memory = _ui(services, bridge, settings, tmp_path)
    memory.set_password("StoryClip Desktop", "api-key", "sk-in-the-keyring-123")
    save_settings(settings, AppSettings(api_url="https://story.example.app", anon_key="anon-k"))
    _write_log(tmp_path / "log", 300)
    with (tmp_path / "log" / LOG_FILE).open("a", encoding="utf-8") as out:
        out.write(json.dumps({"event": "x", "message": "sk-in-the-keyring-123"}) + "\n")
    QApplication.clipboard().clear()
    ui.window.diagnostics_action.trigger()
    qtbot.waitUntil(lambda: "diagnostics" in QApplication.clipboard().text())
    text = QApplication.clipboard().text()
    assert "sk-in-the-keyring-123" not in text
    assert '  api_key: "[in the keyring]"' in text
    assert "last 200 log lines:" in text
    assert "Diagnostics copied" in ui.window.statusBar().currentMessage()

    ui.window.about_action.trigger()
    assert ui.about_dialog is not None
    assert ui.about_dialog.isVisible()
    ui.about_dialog.close()
    ui.tray.dispose()


def test_about_and_diagnostics_say_what_the_app_cannot_see(qtbot: QtBot, tmp_path: Path) -> None:
    """On the deployed backend (no history) a batch the app never saw running is
    never known to it: About and the diagnostics say so plainly."""
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    note = dialog.findChild(QLabel, "unseenNote")
    assert note is not None
    assert "never known to it" in note.text()
    text = diagnostics_text(AppSettings(), tmp_path)
    assert "what the app cannot see" in text
    assert "history=false" in text
