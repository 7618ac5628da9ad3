"""UI tests run offscreen, with a qasync loop on pytest-qt's QApplication.

The loop fixture follows shared/desktop-test-env.md: a ``QEventLoop`` made with
``already_running=True`` is the running loop during the test; at teardown its
tasks are cancelled and drained, it is stopped with ``QApplication.exit``
patched out (qasync's ``stop()`` calls it, and outside ``exec()`` that would make
every later qtbot wait return at once), closed, and unset by hand.
"""

from __future__ import annotations

import os

# Before any QApplication exists: the UI unit tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.resources import install_translator

from .fakes import DesktopTray, RecordingServices

# qasync's stop() leaves Qt timers registered (a cancelled asyncio timeout keeps its
# timer until it fires; the closed loop's timer object then kills it). Kept alive
# here so that object is never collected while one of its timers is being delivered.
_closed_loops: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["storyclip-ui-tests"]


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture(autouse=True)
def _isolated_app(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Own organisation name and settings folder; English unless a test says otherwise."""
    QCoreApplication.setOrganizationName("StoryClipTests")
    QCoreApplication.setApplicationName("storyclip-ui-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat,
        QSettings.Scope.UserScope,
        str(tmp_path_factory.mktemp("settings")),
    )
    install_translator(qapp, "en")
    yield
    install_translator(qapp, "en")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    tasks = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
    for task in tasks:
        task.cancel()
    deadline = time.monotonic() + 5
    while any(not t.done() for t in tasks) and time.monotonic() < deadline:
        qapp.processEvents()
    # Let done-callbacks scheduled with call_soon run.
    for _ in range(3):
        qapp.processEvents()
    with mock.patch.object(QApplication, "exit", return_value=None):
        event_loop.stop()
    with contextlib.suppress(RuntimeError, TypeError):
        qapp.aboutToQuit.disconnect(event_loop._after_run_forever)
    event_loop.close()
    _closed_loops.append(event_loop)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


@pytest.fixture
def bridge() -> MonitorBridge:
    return MonitorBridge()


@pytest.fixture
def services(bridge: MonitorBridge) -> RecordingServices:
    return RecordingServices(bridge)


@pytest.fixture
def ui(
    loop: asyncio.AbstractEventLoop,
    services: RecordingServices,
    bridge: MonitorBridge,
    settings: QSettings,
    qtbot: object,
) -> Iterator[DesktopUi]:
    """The whole UI with no tray and no D-Bus route (the banner catches notifications)."""
    desktop = DesktopUi(
        services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(False)
    )
    services.listener = desktop.session_events
    # Each end told at once and no route held: the tests of grouping and queueing
    # (test_notice_pacing.py) set their own pacing.
    desktop.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
    yield desktop
    if desktop._dialog is not None:
        desktop._dialog.close()
        desktop._dialog.deleteLater()
    desktop.window.hide()
    desktop.tray.dispose()
    desktop.window.deleteLater()
    desktop.deleteLater()
