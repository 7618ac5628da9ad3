"""The UI as one object the app builds: windows, tray and notifications, wired.

``app.py`` creates a :class:`MonitorBridge` (the monitor's listener), the
services, and then ``DesktopUi(services, bridge)``; everything the user sees
follows from the bridge's signals (through the store and its coalescer) and the
user's actions call the services.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from storyclip_desktop.config import DEFAULT_WEB_APP_URL, AppSettings, load_settings, log_dir
from storyclip_desktop.core.controls import ControlOutcome, ControlSource
from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.model import Batch
from storyclip_desktop.core.reasons import SIGN_IN_REASONS
from storyclip_desktop.core.session import DEMO_EMAIL, DEMO_PASSWORD

from .bridge import MonitorBridge
from .main_window import MainWindow
from .notify import Notifier, Route
from .notify.banner import BannerBackend
from .notify.dbus import DesktopNotifications, desktop_entry
from .notify.tray import TrayBackend
from .resources import icon_path
from .services import AppServices
from .session_bridge import SessionBridge
from .store import BatchStore
from .tasks import spawn
from .texts import fill, memory_text, sign_in_error, signed_out_text, vault_text
from .tray import TrayHost, TrayIcon

if TYPE_CHECKING:
    # Imported when first opened: the settings pull in the connection check (httpx)
    # and the keyring, which the first window does not need (start-up time); the
    # dialog's cards and clip tables are not needed before there are batches.
    from .about import AboutDialog
    from .batches_dialog import ActiveBatchesDialog
    from .history_dialog import HistoryDialog
    from .settings_dialog import SettingsBackend, SettingsDialog

__all__ = ["DesktopUi"]

_TRAY_HINT_KEY = "ui/trayHintShown"
_log = get_logger("ui")


class DesktopUi(QObject):
    """Main window, active-batches dialog, tray icon and notifier, on one store.

    It is also the main window's :class:`~storyclip_desktop.ui.main_window.Surroundings`:
    whether the tray keeps the app running, and the notifier's current route.

    Signals:
        quitRequested(): the user asked to quit; the app cancels its tasks, awaits
            :meth:`aclose` and quits.
        refreshBusyChanged(bool): a refresh started or ended.
        settingsApplied(object, bool): settings were saved (``AppSettings``) and
            whether the servers or the API key changed (the app restarts its services).
        demoRequested(): "Try the demo" in the first-launch settings.
    """

    quitRequested = Signal()
    refreshBusyChanged = Signal(bool)
    settingsApplied = Signal(object, bool)
    demoRequested = Signal()

    def __init__(
        self,
        services: AppServices,
        bridge: MonitorBridge,
        *,
        settings: QSettings | None = None,
        dbus_bus: str | None = "SESSION",
        tray_host: TrayHost | None = None,
        window: MainWindow | None = None,
        coalesce_ms: int = 0,
        session_events: SessionBridge | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``window``: a main window already shown (the app shows it before the rest
        of the UI exists, start-up time); it gets this UI's store and tray.
        ``tray_host``: the desktop's tray host (by default this desktop's).
        ``coalesce_ms``: views redraw at most once per this interval (the app passes
        the screen's frame interval, ``coalescer.frame_interval_ms()``); 0: at once.
        ``session_events``: the adapter the session reports to (one is made if none)."""
        super().__init__(parent)
        self.services = services
        self.bridge = bridge
        self.settings = settings if settings is not None else QSettings()
        self.store = BatchStore(bridge, self, coalesce_ms=coalesce_ms)
        self._refreshing = False
        self._dialog: ActiveBatchesDialog | None = None
        #: Set by the app: what the settings dialog saves and checks through.
        self.settings_backend: SettingsBackend | None = None
        self.allow_insecure = False
        self.api_key_overridden = False
        #: Set by the app: the servers come from the command line or the environment
        #: (then the settings can be saved without them).
        self.servers_given = False
        self.web_app_url = DEFAULT_WEB_APP_URL
        self._last_email: str | None = None
        self.log_folder: Path = log_dir()
        self.settings_dialog: SettingsDialog | None = None
        #: The question on screen before something is lost (quit, sign out), if any.
        self.question: QMessageBox | None = None
        self.about_dialog: AboutDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self._memory_problem: str | None = None
        self._minimized = False
        #: The session's listener (core.events.SessionListener): the app hands it to
        #: the session; its signals drive the sign-in, settings and first-look views.
        self.session_events = session_events if session_events is not None else SessionBridge()
        self.session_events.setParent(self)

        self.tray = TrayIcon(self.store, tray_host, self)
        if window is None:
            window = MainWindow(self.store, self.settings, self)
        else:
            window.attach_store(self.store)
            window.set_surroundings(self)
        self.window = window
        dbus = None
        if dbus_bus:
            dbus = DesktopNotifications(
                dbus_bus,
                app_name=self.tr("StoryClip Desktop"),
                app_icon=QUrl.fromLocalFile(str(icon_path("app"))).toString(),
                desktop_entry=desktop_entry(),
                parent=self,
            )
        self.dbus = dbus
        self.notifier = Notifier(
            BannerBackend(self.window.banner, self),
            TrayBackend(self.tray, self),
            dbus,
            self,
        )

        w = self.window
        w.ask_before_closing = True
        w.quitRequested.connect(lambda: self.request_quit())
        w.closeRequested.connect(lambda: self.request_quit(closing_window=True))
        w.hiddenToTray.connect(self._explain_tray_once)
        w.openBatchesRequested.connect(lambda: self.open_batches())
        w.openHistoryRequested.connect(lambda: self.open_history())
        w.refreshRequested.connect(self.refresh)
        w.signOutRequested.connect(self.request_sign_out)
        w.sign_in.submitted.connect(self._sign_in)
        w.sign_in.setupRequested.connect(lambda: self.open_settings(first_run=True))
        w.sign_in.demoRequested.connect(self._try_demo)
        w.settingsRequested.connect(lambda: self.open_settings())
        w.aboutRequested.connect(self.open_about)
        w.logFolderRequested.connect(self.open_log_folder)
        w.diagnosticsRequested.connect(self.copy_diagnostics)

        t = self.tray
        t.openRequested.connect(self.show_window)
        t.batchesRequested.connect(lambda: self.open_batches())
        t.batchRequested.connect(self.open_batches)
        t.historyRequested.connect(lambda: self.open_history())
        t.refreshRequested.connect(self.refresh)
        t.signOutRequested.connect(self.request_sign_out)
        t.settingsRequested.connect(lambda: self.open_settings())
        t.quitRequested.connect(lambda: self.request_quit())

        self.notifier.activated.connect(self._on_notification_activated)
        self.notifier.failedClipsRequested.connect(self.show_failed_clips)
        self.notifier.retryRequested.connect(
            lambda batch_id: self.control(batch_id, "retry-failed", "notification")
        )
        self.notifier.can_retry = self._can_retry
        # After the store took the batch's final state (and every pending update).
        self.store.coalescer.batchFinished.connect(self._on_batch_finished)
        bridge.serverReachableChanged.connect(self.notifier.server_reachable)
        bridge.signedOut.connect(self._on_signed_out)
        self.store.batchChanged.connect(self._failure_seen_if_shown)

        ev = self.session_events
        ev.signedIn.connect(self._session_signed_in)
        ev.signInFailed.connect(self._auto_sign_in_failed)
        ev.settingsNeeded.connect(lambda: self.open_settings(first_run=True))
        ev.sessionReset.connect(self.session_reset)
        ev.memoryProblem.connect(self._memory_problem_changed)
        ev.activeBatchesFound.connect(self._active_batches_found)

    # ------------------------------------------------------------ start

    def start(self, minimized: bool = False) -> None:
        """Show the tray icon, and the window unless ``minimized`` and a tray exists.

        Closing the last window never quits by itself: quitting is the user's
        explicit choice (``quitRequested``), or closing the window without a tray.
        """
        QApplication.setQuitOnLastWindowClosed(False)
        self._minimized = minimized
        if self.tray.host_available():
            self.tray.show()
        # A window shown before the tray existed (the app's first window) learns now
        # whether it has one (its sign-in hint, and what closing it does).
        self.window.set_surroundings(self)
        if self.services.user_email:
            self.on_signed_in()
        if not minimized or not self.tray.is_available():
            self.show_window()

    def on_signed_in(self) -> None:
        """The session is there (form, restored from the keyring, or environment)."""
        self.window.set_demo(self.demo_mode)
        self.window.sign_in.set_needs_server(False)
        self._last_email = self.services.user_email or self._last_email
        self.window.show_account(self.services.user_email, self.notice_text())
        self.tray.set_signed_in(True)

    def notice_text(self) -> str:
        """The account view's standing notice: what this app cannot keep (the session
        without a keyring, the announced batches without a writable data folder)."""
        parts = (vault_text(self.services.vault_message), memory_text(self._memory_problem))
        return "\n".join(p for p in parts if p)

    def show_memory_problem(self, code: str | None) -> str:
        """The monitor's memory cannot be saved or read (``MonitorMemory.problem``);
        the notice now shown (also while signed out: the next sign-in shows it)."""
        self._memory_problem = code
        text = self.notice_text()
        if self.window.signed_in:
            self.window.account.set_vault_message(text)
        return text

    def show_window(self) -> None:
        self.window.bring_forward()

    @property
    def demo_mode(self) -> bool:
        """The app runs on the local demo backend (``--demo`` or "Try the demo")."""
        return bool(getattr(self.services, "demo", False))

    def tray_available(self) -> bool:
        """Closing the main window keeps the app running in the tray (Surroundings)."""
        return self.tray.is_available()

    def notification_route(self) -> Route:
        """How the user hears of a finished batch now (Surroundings)."""
        return self.notifier.route()

    @property
    def dialog(self) -> ActiveBatchesDialog:
        """The active-batches dialog, built at first use."""
        if self._dialog is None:
            from .batches_dialog import ActiveBatchesDialog

            dialog = ActiveBatchesDialog(self.store, self.settings, self.window)
            dialog.refreshRequested.connect(self.refresh)
            dialog.batch_actions.capabilities = lambda: self.services.capabilities
            dialog.batch_actions.update()
            dialog.controlRequested.connect(lambda bid, action: self.control(bid, action, "dialog"))
            dialog.shown.connect(self.tray.batches_seen)
            dialog.set_busy(self._refreshing)
            dialog.web_app_url = self.web_app_url
            self._dialog = dialog
        return self._dialog

    def open_batches(self, batch_id: str | None = None) -> ActiveBatchesDialog:
        """Show the dialog (on ``batch_id``'s card when given)."""
        dialog = self.dialog
        dialog.open_on(batch_id)
        return dialog

    def open_history(self) -> HistoryDialog:
        """Show the history (made at first use; its rows are read from the session)."""
        if self.history_dialog is None:
            from .history_dialog import HistoryDialog

            self.history_dialog = HistoryDialog(self.services, self.settings)
            log_event(_log, "dialog_opened", reason="history")
        self.history_dialog.present()
        return self.history_dialog

    def _drop_history(self) -> None:
        """The session ended: the next user must see nothing of this one's history."""
        dialog, self.history_dialog = self.history_dialog, None
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()

    def announce_active(
        self, count: int, batch_id: str | None = None, batch_ids: tuple[str, ...] = ()
    ) -> None:
        """Active batches were found (at start or sign-in): tell the user once."""
        if count > 0:
            self.notifier.announce_active(count, batch_id, batch_ids)

    def show_failed_clips(self, batch_id: str) -> ActiveBatchesDialog:
        """The dialog on ``batch_id`` with only its failed clips listed (a notice's action)."""
        dialog = self.open_batches(batch_id)
        card = dialog.cards.get(batch_id)
        if card is not None and card.table is not None:
            card.table.proxy.set_failed_only(True)
        return dialog

    # ------------------------------------------------------------ acting on a batch

    def _can_retry(self) -> bool:
        caps = self.services.capabilities
        return caps is not None and "retry-failed" in caps.controls

    def control(self, batch_id: str, action: str, source: ControlSource) -> None:
        """Pause, resume, cancel or retry a batch through the session (issue 16): the
        dialog's buttons wait for the answer, and what went wrong is said in the
        dialog (opened on the batch when the action came from a notice)."""
        if self._dialog is not None:
            self._dialog.control_started(batch_id)

        def answered(outcome: ControlOutcome) -> None:
            from .batch_actions import outcome_text

            text = outcome_text(outcome)
            if text and source == "notification":
                self.open_batches(batch_id)
            if self._dialog is not None:
                self._dialog.control_finished(batch_id, text)

        async def run() -> None:
            answered(await self.services.control(batch_id, action, source))

        def failed(_exc: BaseException) -> None:
            if self._dialog is not None:
                self._dialog.control_finished(batch_id, "")

        spawn(run(), where="ui.control", on_error=failed)

    # ------------------------------------------------------------ actions

    def _sign_in(self, email: str, password: str, remember: bool) -> None:
        view = self.window.sign_in

        def failed(exc: BaseException) -> None:
            reason = getattr(exc, "reason", None)
            known = reason if isinstance(reason, str) and reason in SIGN_IN_REASONS else None
            view.failed(sign_in_error(known), clear_password=known == "invalid_credentials")

        # The account view follows from the session's signedIn, as for every sign-in.
        spawn(self.services.sign_in(email, password, remember), where="ui.sign_in", on_error=failed)

    # ------------------------------------------------------------ asking first

    def request_quit(self, closing_window: bool = False) -> QMessageBox | None:
        """Quit, after asking when something would be lost: batches still publishing
        (no notices until the app runs again), or, closing the window without a tray,
        that this quits (and stops the demo server). The question, or None (quit now)."""
        running = len(self.store.running()) if self.window.signed_in else 0
        sentences = []
        if closing_window:
            sentences.append(
                self.tr(
                    "This desktop has no system tray, so closing this window quits "
                    "StoryClip Desktop."
                )
            )
            if self.demo_mode:
                sentences.append(self.tr("The demo server on this computer stops too."))
        if running:
            sentences.append(
                self.tr(
                    "%n publication(s) are still publishing. The server keeps publishing "
                    "them, but you get no notices about them until StoryClip Desktop runs again.",
                    "",
                    running,
                )
            )
        if not sentences:
            self.quitRequested.emit()
            return None
        return self._ask(
            "quit", self.tr("Quit StoryClip Desktop?"), " ".join(sentences), self.tr("&Quit"),
            self.quitRequested.emit, running,
        )  # fmt: skip

    def request_sign_out(self) -> QMessageBox | None:
        """Sign out, after asking while batches publish (their notices stop)."""
        running = len(self.store.running())
        if not running:
            self.sign_out()
            return None
        return self._ask(
            "sign_out", self.tr("Sign out?"),
            self.tr(
                "%n publication(s) are still publishing. The server keeps publishing them, "
                "but you get no notices about them until you sign in again.",
                "",
                running,
            ),
            self.tr("&Sign out"),
            self.sign_out, running,
        )  # fmt: skip

    def _ask(
        self,
        what: str,
        title: str,
        text: str,
        confirm: str,
        on_yes: Callable[[], None],
        running: int,
    ) -> QMessageBox:
        """A window-modal question that never blocks the loop (``open``, not ``exec``)."""
        if self.question is not None:
            self.question.close()
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.window)
        box.setObjectName("question")
        box.setTextFormat(Qt.TextFormat.PlainText)
        yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(yes)
        box.setAccessibleName(title)

        def answered() -> None:
            agreed = box.clickedButton() is yes
            log_event(_log, "question_answered", what=what, agreed=agreed)
            if self.question is box:
                self.question = None
            box.deleteLater()
            if agreed:
                on_yes()

        box.finished.connect(answered)
        self.question = box
        log_event(_log, "question_asked", what=what, running=running)
        self.show_window()
        box.open()
        return box

    def sign_out(self) -> None:
        def done() -> None:
            # Whatever the server said, this app forgets the session's view.
            self.store.clear()
            self._drop_history()
            self.window.show_sign_in()
            self.tray.set_signed_in(False)
            self._offer_demo_account()

        spawn(self.services.sign_out(), where="ui.sign_out", on_done=done)

    def refresh(self) -> None:
        """Re-read everything; a refresh already running is not started again."""
        if self._refreshing or not self.window.signed_in:
            return
        self._set_refreshing(True)

        def failed(exc: BaseException) -> None:
            reason = getattr(exc, "reason", None)
            if isinstance(reason, str) and reason in SIGN_IN_REASONS:
                text = sign_in_error(reason)
            else:
                text = self.tr("Could not refresh. Check your connection and try again.")
            if self._dialog is not None:
                self._dialog.set_refresh_error(text)

        spawn(
            self.services.refresh(),
            where="ui.refresh",
            on_error=failed,
            on_done=lambda: self._set_refreshing(False),
        )

    @property
    def refreshing(self) -> bool:
        return self._refreshing

    def _set_refreshing(self, busy: bool) -> None:
        self._refreshing = busy
        self.window.set_busy(busy)
        if self._dialog is not None:
            self._dialog.set_busy(busy)
        self.refreshBusyChanged.emit(busy)

    # ------------------------------------------------------------ settings and help

    def apply_settings(self, settings: AppSettings) -> None:
        """Settings that act at once: which notifications to show, the web app's address."""
        self.notifier.set_preferences(settings)
        self.web_app_url = settings.web_app_url
        if self._dialog is not None:
            self._dialog.web_app_url = settings.web_app_url

    def open_settings(self, first_run: bool = False) -> SettingsDialog | None:
        """Show the settings dialog (one at a time); None when the app gave no backend."""
        if self.settings_backend is None:
            return None
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()  # a closed one: a new one reads fresh values
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.settings_backend,
            first_run=first_run,
            allow_insecure=self.allow_insecure,
            api_key_overridden=self.api_key_overridden,
            servers_required=not (self.servers_given or self.demo_mode),
            parent=self.window,
        )
        dialog.applied.connect(self._settings_saved)
        dialog.demoRequested.connect(self._try_demo)
        if first_run:
            # Cancelled: the sign-in form says there is no server and how to get one.
            dialog.rejected.connect(lambda: self.window.sign_in.set_needs_server(True))
        self.settings_dialog = dialog
        log_event(_log, "settings_opened", first_run=first_run)
        dialog.open()
        return dialog

    def _try_demo(self) -> None:
        self.window.sign_in.set_needs_server(False)
        self.demoRequested.emit()

    def _settings_saved(self, settings: AppSettings, servers_changed: bool) -> None:
        if servers_changed:
            self.window.sign_in.set_needs_server(False)
        self.apply_settings(settings)
        self.settingsApplied.emit(settings, servers_changed)

    def session_reset(self) -> None:
        """The app drops its services (new servers): forget the batches, ask to sign in."""
        self.store.clear()
        self._drop_history()
        self.window.show_sign_in()
        self.tray.set_signed_in(False)
        self.window.set_demo(self.demo_mode)
        self._offer_demo_account()

    def _offer_demo_account(self) -> None:
        """Signed out of the demo: its (public) account is filled in, ready to sign in."""
        if self.demo_mode:
            form = self.window.sign_in
            form.email.setText(DEMO_EMAIL)
            form.password.setText(DEMO_PASSWORD)
            form.show_error(
                fill(self.tr("Demo server: sign in as %1 to see its sample batches."), DEMO_EMAIL),
                notice=True,
            )

    def open_about(self) -> AboutDialog:
        if self.about_dialog is None:
            from .about import AboutDialog

            self.about_dialog = AboutDialog(self.window)
        self.about_dialog.show()
        self.about_dialog.raise_()
        return self.about_dialog

    def open_log_folder(self) -> bool:
        """Open the log folder in the file manager (made first, so there is one to open)."""
        with contextlib.suppress(OSError):
            self.log_folder.mkdir(parents=True, exist_ok=True)
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_folder)))
        if not opened:
            self.window.statusBar().showMessage(
                self.tr("Could not open a file manager. The log folder is %1").replace(
                    "%1", str(self.log_folder)
                ),
                15000,
            )
        return bool(opened)

    def copy_diagnostics(self) -> None:
        """Versions, settings and the last log lines, redacted, to the clipboard."""

        from .about import diagnostics_text

        async def run() -> None:
            backend = self.settings_backend
            key = await backend.load_api_key() if backend is not None else None
            settings = load_settings(self.settings)
            demo = getattr(self.services, "demo_backend", None) if self.demo_mode else None
            text = diagnostics_text(
                settings,
                self.log_folder,
                api_key_stored=bool(key),
                secrets=[key],
                demo_url=str(getattr(demo, "url", "")) if self.demo_mode else None,
            )
            QApplication.clipboard().setText(text)
            log_event(_log, "diagnostics_copied", chars=len(text))
            self.window.statusBar().showMessage(
                self.tr("Diagnostics copied to the clipboard (keys and tokens removed)."), 8000
            )

        spawn(run(), where="ui.diagnostics")

    # ------------------------------------------------------------ the session's news

    def _session_signed_in(self, _email: object) -> None:
        self.on_signed_in()
        if self.services.vault_message is not None:
            # What the account view now says: the session ends with the app.
            log_event(
                _log,
                "vault_notice",
                logging.WARNING,
                reason=self.services.vault_message,
                text=self.notice_text(),
            )

    def _auto_sign_in_failed(self, reason: str) -> None:
        known = reason if reason in SIGN_IN_REASONS else None
        self.window.sign_in.failed(sign_in_error(known), clear_password=False)

    def _memory_problem_changed(self, problem: object) -> None:
        code = problem if isinstance(problem, str) else None
        text = self.show_memory_problem(code)
        log_event(
            _log,
            "memory_problem",
            logging.WARNING if code else logging.INFO,
            problem=code,
            text=text,
        )

    def _active_batches_found(self, batch_ids: list[str]) -> None:
        """At sign-in: say once what is publishing, and show it unless started minimized."""
        if not batch_ids:
            return
        self.announce_active(len(batch_ids), batch_ids[0], tuple(batch_ids))
        if not self._minimized:
            self.open_batches()
            log_event(_log, "dialog_opened", reason="active_batches", count=len(batch_ids))

    # ------------------------------------------------------------ news

    def _on_batch_finished(self, batch: Batch) -> None:
        self.notifier.announce_finished(batch)

    def _failure_seen_if_shown(self, _batch_id: str, _changed: list[int]) -> None:
        # A failure that lands in the open dialog has been seen: no lasting badge.
        if self._dialog is not None and self._dialog.isVisible():
            self.tray.batches_seen()

    def _on_signed_out(self, reason: str) -> None:
        self._drop_history()
        self.window.show_sign_in(signed_out_text(reason))
        form = self.window.sign_in
        if self._last_email and not form.email.text():
            # The server ended the session: the user signs in again as the same person
            # (restored from the keyring, the form had never held the address).
            form.email.setText(self._last_email)
            form.password.setFocus()
        self.tray.set_signed_in(False)
        if reason != "user":
            self.show_window()

    def _on_notification_activated(self, batch_id: object) -> None:
        if isinstance(batch_id, str):
            self.open_batches(batch_id)
        elif self.window.signed_in and self.store.batches:
            self.open_batches()
        else:
            self.show_window()

    def _explain_tray_once(self) -> None:
        if self.settings.value(_TRAY_HINT_KEY, False, type=bool):
            return
        self.settings.setValue(_TRAY_HINT_KEY, True)
        if self.tray.can_show_messages():
            self.tray.show_message(
                self.tr("StoryClip Desktop is still running"),
                self.tr(
                    "It keeps following your batches from here. "
                    "Choose Quit in this menu to close it."
                ),
            )

    # ------------------------------------------------------------ quit

    async def aclose(self) -> None:
        """Quitting: save the windows' geometry, close them, remove the tray icon and
        close the D-Bus connection (await it before the loop closes)."""
        # Ends still being gathered or waiting for their route are told now (a desktop
        # notification outlives the app); the memory already counts them as announced.
        self.notifier.drain()
        self.window.set_quitting()
        for other in (
            self.question,
            self._dialog,
            self.settings_dialog,
            self.about_dialog,
            self.history_dialog,
        ):
            if other is not None:
                other.close()
        self.window.close()
        self.tray.dispose()
        if self.dbus is not None:
            await self.dbus.aclose()
