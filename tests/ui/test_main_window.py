"""The main window: account view, status line, sign-out, geometry, close behaviour."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.model import BatchStatus, StreamState
from storyclip_desktop.ui import style
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.main_window import MainWindow
from storyclip_desktop.ui.store import BatchStore

from .fakes import BatchRun, DesktopTray, RecordingServices, make_batch


def _signed_in(ui: DesktopUi) -> RecordingServices:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.user_email = "ana@example.com"
    ui.start()
    return services


def test_account_view_summarises_the_batches(ui: DesktopUi) -> None:
    _signed_in(ui)
    account = ui.window.account
    assert account.headline.text() == "Nothing is publishing right now"
    run = BatchRun(ui.bridge, make_batch(total=20))
    run.start()
    for index in range(1, 6):
        run.clip(index, "published")
    assert account.headline.text() == "1 batch publishing"
    assert account.detail.text() == "5 of 20 clips done so far."
    assert ui.window.connection.text() == "Connected — following 1 batch live"
    name, chip, bar = account._row_widgets[0]
    assert (name.text(), chip.text(), bar.text()) == ("Clip 1 + 19 more", "Processing", "5 / 20")
    second = BatchRun(ui.bridge, make_batch("batch_2_def456", total=4))
    second.start()
    second.publish_all()
    second.finish()
    assert account.headline.text() == "1 batch publishing"
    assert account.detail.text() == "5 of 20 clips done so far. 1 batch finished earlier."
    assert [r[1].text() for r in account._row_widgets] == ["Processing", "Completed"]


def test_a_completed_batch_with_failed_clips_is_not_shown_as_all_good(ui: DesktopUi) -> None:
    """The server says "completed" (kept on the chip), but one clip failed: the row's
    bar says so in words and is amber, not the green of a clean batch."""
    _signed_in(ui)
    account = ui.window.account
    clean = BatchRun(ui.bridge, make_batch("batch_1_aaa111", total=4))
    clean.start()
    clean.publish_all()
    clean.finish()
    partial = BatchRun(ui.bridge, make_batch("batch_2_bbb222", total=30, job_id="spring-sale"))
    partial.start()
    partial.publish_all(fail={12})
    partial.finish()
    rows = {name.text(): (chip, bar) for name, chip, bar in account._row_widgets}
    chip, bar = rows["spring-sale"]  # the job id names it
    assert chip.text() == "Completed"
    assert bar.text() == "30 / 30 · 1 failed"
    highlight = QPalette.ColorRole.Highlight
    assert bar.palette().color(highlight) == QColor(style.PARTIAL_COLOR)
    _clean_chip, clean_bar = rows["Clip 1 + 3 more"]
    assert clean_bar.text() == "4 / 4"
    assert clean_bar.palette().color(highlight) == style.chip_color(BatchStatus.COMPLETED)
    assert account.headline.text() == "Nothing is publishing right now"
    assert account.detail.text() == "2 batches finished. 1 clip failed."


def test_without_a_tray_the_window_does_not_promise_one(ui: DesktopUi) -> None:
    """No tray and no notification service (the ``ui`` fixture): the banner tells,
    and closing the window quits; the texts say exactly that."""
    _signed_in(ui)
    detail = ui.window.account.detail.text()
    assert "tray tells you" not in detail
    assert "a message at the top of this window tells you when they finish" in detail
    assert "This desktop has no system tray, so closing this window quits" in detail
    ui.window.show_sign_in()
    assert "tray" not in ui.window.sign_in.hint.text()


def test_with_a_notification_service_the_window_says_a_notification_tells(
    loop: object, settings: QSettings
) -> None:
    """No tray, but a session bus: the account view promises desktop notifications,
    as the notifier would send them (its route is asked, not remembered)."""
    bridge = MonitorBridge()
    services = RecordingServices(bridge)
    services.user_email = "ana@example.com"
    ui = DesktopUi(
        services,
        bridge,
        settings=settings,
        dbus_bus="unix:path=/nonexistent/storyclip-test-bus",
        tray_host=DesktopTray(False),
    )
    ui.start()
    assert ui.notifier.route() == "dbus"
    detail = ui.window.account.detail.text()
    assert "a desktop notification tells you when they finish" in detail
    assert "This desktop has no system tray, so closing this window quits" in detail
    ui.tray.dispose()
    ui.window.hide()
    ui.window.deleteLater()
    ui.deleteLater()


def test_with_a_tray_the_window_says_closing_keeps_it_running(
    loop: object, settings: QSettings
) -> None:
    bridge = MonitorBridge()
    services = RecordingServices(bridge)
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(True))
    ui.start()
    assert "from the tray" in ui.window.sign_in.hint.text()
    services.user_email = "ana@example.com"
    ui.on_signed_in()
    assert "keeps StoryClip Desktop running in the system tray" in (ui.window.account.detail.text())
    ui.tray.dispose()
    ui.window.hide()
    ui.window.deleteLater()
    ui.deleteLater()


def test_status_line_names_the_connection_problem(ui: DesktopUi) -> None:
    _signed_in(ui)
    batch = make_batch()
    ui.bridge.batch_added(batch)
    line = ui.window.connection
    cases = [
        (StreamState("reconnecting", retry_in=5), "Connected — reconnecting to live updates…"),
        (StreamState("polling"), "Connected — following by polling (server restarted)"),
        (StreamState("stalled"), "Connected — a batch seems stalled on the server"),
        (StreamState("live"), "Connected — following 1 batch live"),
    ]
    for state, text in cases:
        ui.bridge.stream_state_changed(batch.batch_id, state)
        assert line.text() == text
    ui.bridge.server_reachable_changed(False)
    assert line.text() == "Cannot reach the StoryClip server — retrying…"
    ui.bridge.server_reachable_changed(True)
    assert line.text() == "Connected — following 1 batch live"


def test_vault_message_says_the_session_lasts_until_quit(ui: DesktopUi) -> None:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.vault_message = "no_keyring"
    _signed_in(ui)
    notice = ui.window.account.vault_notice
    assert notice.isVisible()
    assert "kept only until you quit" in notice.text()


def test_sign_out_from_the_menu(ui: DesktopUi, qtbot: object) -> None:
    services = _signed_in(ui)
    ui.bridge.batch_added(make_batch())
    ui.window.sign_out_action.trigger()
    assert ui.question is not None  # a batch is publishing: asked first (test_asking.py)
    ui.question.defaultButton().click()
    qtbot.waitUntil(lambda: ui.window.stack.currentWidget() is ui.window.sign_in)  # type: ignore[attr-defined]
    assert services.calls == [("sign_out",)]
    assert ui.store.batches == []
    assert not ui.window.sign_in.error.isVisible()  # the user asked: no reason shown
    assert not ui.window.refresh_action.isEnabled()


def test_an_expired_session_returns_to_the_form_with_the_reason(ui: DesktopUi) -> None:
    _signed_in(ui)
    ui.window.hide()
    ui.bridge.signed_out("session_expired")
    assert ui.window.stack.currentWidget() is ui.window.sign_in
    assert ui.window.sign_in.error.text().startswith("Your session has expired.")
    assert ui.window.isVisible()  # brought forward: the user must act


def test_geometry_is_remembered(qtbot: object, settings: QSettings) -> None:
    store = BatchStore(MonitorBridge())
    first = MainWindow(store, settings)
    qtbot.addWidget(first)  # type: ignore[attr-defined]
    first.show()
    first.resize(640, 530)
    QApplication.processEvents()
    first.close()  # no tray: the close is accepted (and asks to quit)
    second = MainWindow(store, settings)
    qtbot.addWidget(second)  # type: ignore[attr-defined]
    assert (second.width(), second.height()) == (640, 530)


def test_closing_without_a_tray_quits(ui: DesktopUi, qtbot: object) -> None:
    """After saying so (test_asking.py has the whole question)."""
    ui.start()
    ui.window.close()
    assert ui.question is not None
    with qtbot.waitSignal(ui.quitRequested, timeout=1000):  # type: ignore[attr-defined]
        ui.question.defaultButton().click()


def test_closing_with_a_tray_hides_and_explains_once(
    loop: object, settings: QSettings, qtbot: object
) -> None:
    bridge = MonitorBridge()
    ui = DesktopUi(
        RecordingServices(bridge),
        bridge,
        settings=settings,
        dbus_bus=None,
        tray_host=DesktopTray(True),
    )
    shown: list[tuple[str, str]] = []
    ui.tray.messageShown.connect(lambda title, body: shown.append((title, body)))
    quits: list[bool] = []
    ui.quitRequested.connect(lambda: quits.append(True))
    ui.start()
    assert ui.tray.is_available()
    ui.window.close()
    assert not ui.window.isVisible()
    assert quits == []
    assert [t for t, _b in shown] == ["StoryClip Desktop is still running"]
    ui.show_window()
    ui.window.close()
    assert len(shown) == 1  # explained once, remembered in the settings
    assert settings.value("ui/trayHintShown", type=bool)
    ui.tray.dispose()
    ui.window.deleteLater()
    ui.deleteLater()


def test_quitting_closes_the_windows_quietly(
    ui: DesktopUi, qtbot: object, settings: QSettings
) -> None:
    ui.start()
    ui.open_batches()
    quits: list[bool] = []
    ui.quitRequested.connect(lambda: quits.append(True))
    done = asyncio.ensure_future(ui.aclose())
    qtbot.waitUntil(done.done)  # type: ignore[attr-defined]
    assert done.exception() is None
    assert not ui.window.isVisible()
    assert not ui.dialog.isVisible()
    assert quits == []  # closing the window while quitting is not a second quit
    assert settings.contains("ui/mainWindowGeometry")
    assert settings.contains("ui/batchesDialogGeometry")


def test_a_server_sign_out_keeps_the_email(ui: DesktopUi) -> None:
    """Issue 15: restored from the keyring, the form never held the address; after
    the server ended the session it was empty."""
    _signed_in(ui)
    assert ui.window.sign_in.email.text() == ""
    ui.bridge.signed_out("session_expired")
    assert ui.window.sign_in.email.text() == "ana@example.com"
