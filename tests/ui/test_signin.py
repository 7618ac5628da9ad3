"""Signing in from the form: success, every failure sentence, busy state, no double submit."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.auth import AuthError
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.resources import install_translator
from storyclip_desktop.ui.texts import sign_in_error

from .fakes import RecordingServices

FAILURES = {
    "invalid_credentials": "The email or password is not correct. Check them and try again, "
    "or reset your password on the StoryClip website.",
    "email_not_confirmed": "Your email address is not confirmed yet. Open the link in the "
    "confirmation email from StoryClip, then sign in again.",
    "session_expired": "Your session has expired. Sign in again to keep following your batches.",
    "rate_limited": "Too many sign-in attempts. Wait a minute, then try again.",
    "network": "Could not reach the StoryClip server. Check your internet connection and "
    "try again.",
    "server": "The StoryClip server had a problem. Try again in a few minutes.",
}


def _type_credentials(ui: DesktopUi, qtbot: object, email: str = "ana@example.com") -> None:
    view = ui.window.sign_in
    qtbot.keyClicks(view.email, email)  # type: ignore[attr-defined]
    qtbot.keyClicks(view.password, "correct horse")  # type: ignore[attr-defined]


def test_sign_in_with_enter_shows_busy_then_the_account(ui: DesktopUi, qtbot: object) -> None:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.gate = asyncio.Event()
    ui.start()
    view = ui.window.sign_in
    assert ui.window.stack.currentWidget() is view
    assert ui.window.connection.text() == "Not signed in"
    _type_credentials(ui, qtbot)
    view.remember.setChecked(False)
    qtbot.keyClick(view.password, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(services.calls) == 1)  # type: ignore[attr-defined]
    assert view.busy
    assert not view.button.isEnabled()
    assert view.button.text() == "Signing in…"
    assert not view.email.isEnabled()
    assert not view.password.isEnabled()
    assert view.busy_bar.isVisible()

    # Enter again, and the button, while busy: still one attempt.
    qtbot.keyClick(view.email, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    view.submit()
    QApplication.processEvents()
    assert services.calls == [("sign_in", "ana@example.com", "forget")]

    services.gate.set()
    qtbot.waitUntil(lambda: ui.window.stack.currentWidget() is ui.window.account)  # type: ignore[attr-defined]
    assert ui.window.account.email.text() == "ana@example.com"
    assert view.password.text() == ""  # the password does not linger in the form
    assert ui.window.connection.text() == "Connected"
    assert ui.tray.status_text() == "Nothing publishing"


@pytest.mark.parametrize("reason", sorted(FAILURES))
def test_each_failure_has_a_sentence_and_a_next_step(
    ui: DesktopUi, qtbot: object, reason: str
) -> None:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.error = AuthError(reason, f"sign-in failed: {reason}")  # type: ignore[arg-type]
    ui.start()
    view = ui.window.sign_in
    _type_credentials(ui, qtbot)
    view.button.click()
    qtbot.waitUntil(lambda: view.error.isVisible())  # type: ignore[attr-defined]
    assert view.error.text() == FAILURES[reason]
    assert view.error.textFormat() == Qt.TextFormat.PlainText
    assert not view.busy
    assert view.button.isEnabled()
    assert view.email.isEnabled()
    assert ui.window.stack.currentWidget() is view
    assert view.email.text() == "ana@example.com"
    # Wrong credentials: retype the password; other failures: just try again.
    assert (view.password.text() == "") == (reason == "invalid_credentials")


def test_an_unexpected_error_gets_a_generic_sentence(ui: DesktopUi, qtbot: object) -> None:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.error = RuntimeError("socket exploded with token=abc")
    ui.start()
    view = ui.window.sign_in
    _type_credentials(ui, qtbot)
    view.submit()
    qtbot.waitUntil(lambda: view.error.isVisible())  # type: ignore[attr-defined]
    assert view.error.text() == sign_in_error(None)
    assert "token" not in view.error.text()


def test_empty_fields_are_asked_for_without_calling_the_server(
    ui: DesktopUi, qtbot: object
) -> None:
    ui.start()
    view = ui.window.sign_in
    view.submit()
    assert view.error.text() == "Enter your email and your password."
    qtbot.keyClicks(view.email, "ana@example.com")  # type: ignore[attr-defined]
    view.submit()
    QApplication.processEvents()
    assert ui.services.calls == []  # type: ignore[attr-defined]
    assert not view.busy


def test_sentences_in_spanish(ui: DesktopUi, qtbot: object, qapp: QApplication) -> None:
    install_translator(qapp, "es")
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.error = AuthError("invalid_credentials", "no")
    ui.start()
    view = ui.window.sign_in
    _type_credentials(ui, qtbot)
    view.submit()
    qtbot.waitUntil(lambda: view.error.isVisible())  # type: ignore[attr-defined]
    assert view.error.text().startswith("El correo electrónico o la contraseña no son correctos.")
