"""The main window: account view, status line, sign-out, geometry, close behaviour."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.model import StreamState
from storyclip_desktop.ui.bridge import BatchStore, MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.main_window import MainWindow

from .fakes import BatchRun, RecordingServices, make_batch


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
    assert (name.text(), chip.text(), bar.text()) == ("Batch abc123", "Processing", "5 / 20")
    second = BatchRun(ui.bridge, make_batch("batch_2_def456", total=4))
    second.start()
    second.publish_all()
    second.finish()
    assert account.headline.text() == "1 batch publishing"
    assert account.detail.text() == "5 of 20 clips done so far. 1 batch finished."
    assert [r[1].text() for r in account._row_widgets] == ["Processing", "Completed"]


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
    ui.start()
    with qtbot.waitSignal(ui.quitRequested, timeout=1000):  # type: ignore[attr-defined]
        ui.window.close()


def test_closing_with_a_tray_hides_and_explains_once(
    loop: object, settings: QSettings, qtbot: object
) -> None:
    bridge = MonitorBridge()
    ui = DesktopUi(
        RecordingServices(bridge),
        bridge,
        settings=settings,
        dbus_bus=None,
        tray_available=lambda: True,
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
