"""Acting on a batch from the dialog, through the real session, against the local
backend as a process (issue 16), both server modes.

The user's view: the buttons, the row's context menu and the keys of the
batches dialog; the state the list and the card show; the notices the notifier
gives; and the backend's database for what really happened on the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from storyclip_desktop.core.model import BatchStatus
from storyclip_desktop.core.session import DesktopSession
from storyclip_desktop.ui.batches_dialog import ActiveBatchesDialog
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.session_bridge import SessionBridge
from tests.backend import Backend
from tests.core.test_session import NoDemo, Saved, options_for

from .fakes import DesktopTray


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


class Running:
    """The real session and the whole ui on it; ``notices``: (kind, batch ids)."""

    def __init__(self, backend: Backend, tmp_path: Path, settings: QSettings) -> None:
        self.bridge = MonitorBridge()
        events = SessionBridge()
        env = {"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password}
        self.session = DesktopSession(
            options_for(backend, tmp_path, **env), events, self.bridge, Saved(), NoDemo()
        )
        self.ui = DesktopUi(
            self.session,
            self.bridge,
            settings=settings,
            dbus_bus=None,
            tray_host=DesktopTray(False),
            session_events=events,
        )
        self.ui.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
        self.notices: list[tuple[str, tuple[str, ...]]] = []
        self.ui.notifier.notified.connect(self._notified)
        self.ui.start(minimized=True)
        self.session.begin()

    def _notified(self, kind: str, batch_id: object, _route: str) -> None:
        self.notices.append((kind, (batch_id,) if isinstance(batch_id, str) else ()))

    def ends(self, batch_id: str) -> list[str]:
        kinds = ("completed", "failed", "cancelled", "finished")
        return [k for k, ids in self.notices if k in kinds and batch_id in ids]

    def status(self, batch_id: str) -> BatchStatus | None:
        batch = self.ui.store.batch(batch_id)
        return batch.status if batch is not None else None

    def dialog_on(self, qtbot: QtBot, batch_id: str) -> ActiveBatchesDialog:
        qtbot.waitUntil(lambda: self.ui.store.batch(batch_id) is not None, timeout=20_000)
        dialog = self.ui.open_batches(batch_id)
        dialog.activateWindow()  # the keys go to the window the user is in
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
        return dialog

    def close(self, qtbot: QtBot) -> None:
        task = asyncio.ensure_future(self._close())
        qtbot.waitUntil(task.done, timeout=20_000)
        self.ui.window.hide()
        self.ui.window.deleteLater()
        self.ui.deleteLater()

    async def _close(self) -> None:
        await self.session.stop()
        await self.ui.aclose()
        await self.session.aclose()


@pytest.fixture
def running(
    loop: object, backend_factory: object, tmp_path: Path, settings: QSettings, qtbot: QtBot
) -> Iterator[object]:
    made: list[Running] = []

    def start(**options: object) -> tuple[Backend, Running]:
        backend: Backend = backend_factory(**options)  # type: ignore[operator]
        app = Running(backend, tmp_path, settings)
        made.append(app)
        return backend, app

    yield start
    for app in made:
        app.close(qtbot)


def test_pause_shows_at_once_resume_by_key_ends_with_one_notice(
    running: object, qtbot: QtBot
) -> None:
    backend, app = running(clip_seconds=0.4)  # type: ignore[operator]
    batch_id = backend.create_batch(8, fail=[2])  # 3 s of work: still running when paused
    dialog = app.dialog_on(qtbot, batch_id)
    pause = dialog.control_buttons["pause"]
    qtbot.waitUntil(pause.isEnabled, timeout=10_000)
    assert not dialog.control_buttons["resume"].isEnabled()
    assert "Ctrl+P" in pause.toolTip()

    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    # At once: the list and the card show it paused before the server is asked.
    qtbot.waitUntil(lambda: app.status(batch_id) is BatchStatus.PAUSED, timeout=1000)
    qtbot.waitUntil(
        lambda: backend.batch_row(batch_id)["status"] == "paused",  # type: ignore[index]
        timeout=10_000,
    )
    qtbot.waitUntil(dialog.control_buttons["resume"].isEnabled, timeout=10_000)
    assert not pause.isEnabled()
    assert "paused" in pause.toolTip()  # why it is off

    qtbot.keyClick(dialog.list, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # resume
    qtbot.waitUntil(lambda: app.ends(batch_id) != [], timeout=30_000)
    batch = app.ui.store.batch(batch_id)
    assert batch is not None
    assert (batch.status, batch.published, batch.failed, batch.total) == (
        BatchStatus.COMPLETED,
        7,
        1,
        8,
    )
    assert app.ends(batch_id) == ["completed"]
    assert not dialog.control_message.isVisible()


def test_cancel_asks_first_then_one_cancelled_notice(running: object, qtbot: QtBot) -> None:
    backend, app = running(clip_seconds=0.5)  # type: ignore[operator]
    batch_id = backend.create_batch(6)
    dialog = app.dialog_on(qtbot, batch_id)
    qtbot.waitUntil(dialog.control_buttons["cancel"].isEnabled, timeout=10_000)
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    box = dialog.batch_actions.confirm_box
    assert box is not None
    assert box.isVisible()
    assert "stay published" in box.informativeText()
    assert "will not be published" in box.informativeText()
    assert backend.batch_row(batch_id)["status"] == "processing"  # type: ignore[index]
    yes = next(b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.AcceptRole)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.ends(batch_id) != [], timeout=20_000)
    assert backend.batch_row(batch_id)["status"] == "cancelled"  # type: ignore[index]
    assert app.ends(batch_id) == ["cancelled"]
    assert app.status(batch_id) is BatchStatus.CANCELLED
    # Nothing to act on any more, and said why.
    assert not any(b.isEnabled() for n, b in dialog.control_buttons.items() if n != "retry-failed")


def test_retry_failed_from_the_row_menu_is_followed_to_a_second_end(
    running: object, qtbot: QtBot
) -> None:
    backend, app = running(clip_seconds=0.05)  # type: ignore[operator]
    batch_id = backend.create_batch(5, fail_once=[2, 4])
    dialog = app.dialog_on(qtbot, batch_id)
    qtbot.waitUntil(lambda: app.ends(batch_id) == ["completed"], timeout=30_000)
    qtbot.waitUntil(dialog.control_buttons["retry-failed"].isEnabled, timeout=10_000)
    row = dialog.list.visualRect(dialog.list.model().index(0, 0)).center()
    dialog.list.customContextMenuRequested.emit(row)
    menu = dialog.row_menu
    assert menu is not None
    retry = next(a for a in menu.actions() if a.objectName() == "action_retry-failed")
    assert retry.isEnabled()
    assert not next(a for a in menu.actions() if a.objectName() == "action_pause").isEnabled()
    menu.close()
    retry.trigger()
    qtbot.waitUntil(lambda: len(app.ends(batch_id)) == 2, timeout=30_000)
    batch = app.ui.store.batch(batch_id)
    assert batch is not None
    assert (batch.status, batch.published, batch.failed) == (BatchStatus.COMPLETED, 5, 0)
    assert app.ends(batch_id) == ["completed", "completed"]


def test_upstream_controls_are_disabled_and_say_why(running: object, qtbot: QtBot) -> None:
    backend, app = running(mode="upstream", clip_seconds=0.5)  # type: ignore[operator]
    batch_id = backend.create_batch(4)
    dialog = app.dialog_on(qtbot, batch_id)
    qtbot.waitUntil(lambda: app.session.capabilities is not None, timeout=10_000)
    dialog.batch_actions.update()
    for button in dialog.control_buttons.values():
        assert not button.isEnabled()
        assert "cannot pause, resume, cancel or retry" in button.toolTip()
    # A key does nothing either: nothing is claimed.
    qtbot.keyClick(dialog.list, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert app.status(batch_id) is not BatchStatus.PAUSED
