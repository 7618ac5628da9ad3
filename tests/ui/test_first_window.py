"""The first window (issue 7, start-up): what it loads, and that a window shown before
the rest of the UI is taken over by it (store, tray, account view) like one it builds."""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.main_window import MainWindow

from .fakes import BatchRun, DesktopTray, RecordingServices, make_batch

# What `run_app` imports before it shows the main window.
_FIRST_WINDOW = (
    "storyclip_desktop.app",
    "storyclip_desktop.config",
    "storyclip_desktop.jsonlog",
    "storyclip_desktop.core.log",
    "storyclip_desktop.instance",
    "storyclip_desktop.ui.resources",
    "storyclip_desktop.ui.main_window",
)
# What it must not wait for: loaded after the window is shown.
_AFTER_SHOW = (
    "asyncio",
    "qasync",
    "httpx",
    "keyring",
    "jeepney",
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "storyclip_desktop.core.model",
    "storyclip_desktop.ui.bridge",
    "storyclip_desktop.ui.coalescer",
    "storyclip_desktop.ui.store",
    "storyclip_desktop.ui.account",
    "storyclip_desktop.ui.batch_card",
    "storyclip_desktop.ui.clip_model",
    "storyclip_desktop.ui.controller",
    "storyclip_desktop.ui.eventloop",
    "storyclip_desktop.ui.notify",
    "storyclip_desktop.ui.settings_actions",
    "storyclip_desktop.ui.tray",
)


def test_the_first_window_loads_neither_the_event_loop_nor_the_rest_of_the_ui() -> None:
    code = (
        "import json, sys\n"
        + "".join(f"import {name}\n" for name in _FIRST_WINDOW)
        + f"print(json.dumps([m for m in {list(_AFTER_SHOW)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(out.stdout) == []


def test_a_window_shown_first_is_taken_over_by_the_ui(
    qtbot: QtBot, settings: QSettings, bridge: MonitorBridge, services: RecordingServices
) -> None:
    window = MainWindow(None, settings)  # no tray known yet
    qtbot.addWidget(window)
    window.bring_forward()
    assert window.status_text() == "Not signed in"
    assert "tells you when each of your batches finishes" in window.sign_in.hint.text()

    ui = DesktopUi(
        services,
        bridge,
        settings=settings,
        dbus_bus=None,
        tray_host=DesktopTray(True),
        window=window,
    )
    assert ui.window is window
    ui.start()
    # The tray now exists: the form promises it, and closing hides to it.
    assert "from the tray" in window.sign_in.hint.text()
    services.user_email = "ana@example.com"
    ui.on_signed_in()
    assert window.stack.currentWidget() is window.account
    assert window.account.email.text() == "ana@example.com"
    run = BatchRun(bridge, make_batch(total=4))
    run.start()
    qtbot.waitUntil(lambda: window.status_text() == "Connected — following 1 batch live")
    assert window.account.headline.text() == "1 batch publishing"
    window.close()
    assert window.isHidden()
    assert not ui.refreshing
    ui.tray.dispose()
