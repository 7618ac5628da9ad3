"""Ask before losing something (issue 15): quitting or signing out while batches
publish says that the server keeps publishing and that notices stop; closing the
window where there is no tray says the app will quit (and that the demo stops)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from storyclip_desktop.ui.controller import DesktopUi

from .fakes import BatchRun, RecordingServices, make_batch


def _signed_in_with_a_running_batch(ui: DesktopUi) -> BatchRun:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.user_email = "ana@example.com"
    ui.start()
    run = BatchRun(ui.bridge, make_batch(total=10))
    run.start()
    return run


def _quits(ui: DesktopUi) -> list[bool]:
    quits: list[bool] = []
    ui.quitRequested.connect(lambda: quits.append(True))
    return quits


def test_quit_while_publishing_asks_and_cancel_keeps_running(ui: DesktopUi) -> None:
    _signed_in_with_a_running_batch(ui)
    quits = _quits(ui)
    ui.window.quit_action.trigger()
    box = ui.question
    assert box is not None
    assert quits == []
    assert box.isVisible()
    assert box.windowTitle() == "Quit StoryClip Desktop?"
    assert box.text() == (
        "1 publication is still publishing. The server keeps publishing it, but you "
        "get no notices about it until StoryClip Desktop runs again."
    )
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert quits == []
    assert ui.question is None
    ui.tray.quitRequested.emit()  # the tray's Quit asks the same
    assert ui.question is not None
    ui.question.defaultButton().click()
    assert quits == [True]


def test_quit_with_nothing_publishing_does_not_ask(ui: DesktopUi) -> None:
    run = _signed_in_with_a_running_batch(ui)
    run.publish_all()
    run.finish()
    quits = _quits(ui)
    ui.window.quit_action.trigger()
    assert ui.question is None
    assert quits == [True]


def test_sign_out_while_publishing_asks(ui: DesktopUi, qtbot: object) -> None:
    _signed_in_with_a_running_batch(ui)
    services: RecordingServices = ui.services  # type: ignore[assignment]
    ui.window.sign_out_action.trigger()
    box = ui.question
    assert box is not None
    assert "until you sign in again" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert ("sign_out",) not in services.calls
    ui.window.sign_out_action.trigger()
    assert ui.question is not None
    ui.question.defaultButton().click()
    qtbot.waitUntil(lambda: ("sign_out",) in services.calls)  # type: ignore[attr-defined]


@pytest.mark.parametrize("demo", [False, True])
def test_closing_the_window_without_a_tray_says_it_quits(ui: DesktopUi, demo: bool) -> None:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.demo = demo  # type: ignore[attr-defined]
    ui.start()
    quits = _quits(ui)
    ui.window.close()
    box = ui.question
    assert box is not None
    assert ui.window.isVisible()  # nothing happens before the answer
    assert box.text().startswith(
        "This desktop has no system tray, so closing this window quits StoryClip Desktop."
    )
    assert ("The demo server on this computer stops too." in box.text()) is demo
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert ui.window.isVisible()
    assert quits == []
