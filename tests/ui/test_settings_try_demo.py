"""The "Try the demo" button on a first launch, in the app itself (App, in this process, on the
test's qasync loop): the settings open because nothing is configured, the button
starts the local backend as a child process and the same app signs in to it and
follows its batches — no relaunch, no second instance."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storyclip_desktop.app import build_parser
from storyclip_desktop.running import RunningApp


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_try_the_demo_restarts_the_services_on_the_local_backend(
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_keyring: None,
) -> None:
    for name in ("DBUS_SESSION_BUS_ADDRESS", "STORYCLIP_API_KEY", "STORYCLIP_EMAIL",
                 "STORYCLIP_PASSWORD", "STORYCLIP_API_URL", "STORYCLIP_SUPABASE_URL",
                 "STORYCLIP_SUPABASE_ANON_KEY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    args = build_parser().parse_args(
        ["--data-dir", str(tmp_path / "data"), "--discovery-interval", "1"]
    )
    app = RunningApp(args)
    task = asyncio.ensure_future(app.run())
    try:
        qtbot.waitUntil(
            lambda: (
                app.ui is not None
                and app.ui.settings_dialog is not None
                and app.ui.settings_dialog.isVisible()
            ),
            timeout=15000,
        )
        dialog = app.ui.settings_dialog
        assert dialog.first_run
        assert app.session is not None
        assert app.session.tokens is None  # nothing configured: no clients yet
        qtbot.waitUntil(lambda: dialog.api_key.edit.isEnabled())
        assert dialog.demo_button is not None
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: app.session.monitor is not None and app.ui.window.signed_in, timeout=60000
        )
        demo = app.session.demo_backend
        assert demo.url.startswith("http://127.0.0.1:")
        assert app.session.demo
        qtbot.waitUntil(lambda: bool(app.ui.store.batches), timeout=30000)
    finally:
        app.quit_event.set()
        qtbot.waitUntil(task.done, timeout=30000)
    assert task.result() == 0
    assert not app.session.demo_backend.running  # the backend child was stopped
