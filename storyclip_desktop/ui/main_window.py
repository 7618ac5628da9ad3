"""The main window: sign-in or account view, a banner, a connection status line.

The app shows this window before anything else of the UI exists (start-up time,
issue 7), so this module loads only what the sign-in view needs: the account
view (with the cards, the clip table and the core's model) is built when first
used, and the store is attached when the rest of the UI is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from . import style
from .labels import breakable, plain_label
from .resources import app_icon
from .signin import SignInView

if TYPE_CHECKING:
    from .account import AccountView
    from .store import BatchStore

__all__ = ["Banner", "HostTray", "MainWindow", "Surroundings"]

_GEOMETRY_KEY = "ui/mainWindowGeometry"


class Surroundings(Protocol):
    """What this desktop offers the window, asked each time it matters (a tray host
    may come or go; the notification route may rest after a failure)."""

    def tray_available(self) -> bool:
        """Closing the window keeps the app running in the tray."""

    def notification_route(self) -> str:
        """How the user hears of a finished batch: ``tray``, ``dbus`` or ``banner``."""


class NoTray:
    """No tray and no notification service: closing quits, the banner tells."""

    def tray_available(self) -> bool:
        return False

    def notification_route(self) -> str:
        return "banner"


class HostTray:
    """Before the app's own tray icon exists (its first window): a tray host on
    this desktop will show it, so closing the window will hide it there."""

    def tray_available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def notification_route(self) -> str:
        return "tray"


class Banner(QFrame):
    """An in-window notification: the last route when there is no tray and no
    desktop notification service.

    Signals:
        activated(object): the user pressed "Show"; the batch id or None.
    """

    activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._batch_id: str | None = None
        self.kind = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        self.icon = QLabel(self)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.title = plain_label(parent=self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.body = plain_label(parent=self)
        self.body.setWordWrap(True)
        texts.addWidget(self.title)
        texts.addWidget(self.body)
        layout.addLayout(texts, 1)
        self.show_button = QToolButton(self)
        self.show_button.setText(self.tr("Show"))
        self.show_button.clicked.connect(lambda: self.activated.emit(self._batch_id))
        layout.addWidget(self.show_button, 0, Qt.AlignmentFlag.AlignVCenter)
        close = QToolButton(self)
        close.setAutoRaise(True)
        close.setText("✕")
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    def show_message(self, kind: str, title: str, body: str, batch_id: str | None) -> None:
        self.kind = kind
        self._batch_id = batch_id
        self.title.setText(title)
        self.body.setText(breakable(body))
        self.body.setVisible(bool(body))
        from PySide6.QtWidgets import QStyle  # not before the first window: start-up time

        problem = kind in ("failed", "unreachable")
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if problem
            else (QStyle.StandardPixmap.SP_MessageBoxInformation)
        )
        self.icon.setPixmap(self.style().standardIcon(pixmap).pixmap(24, 24))
        palette = self.palette()
        tone = style.tone("red" if problem else "blue", palette)
        base = palette.color(QPalette.ColorRole.Base)
        mixed = tone.toRgb()
        mixed.setRgbF(
            base.redF() * 0.88 + mixed.redF() * 0.12,
            base.greenF() * 0.88 + mixed.greenF() * 0.12,
            base.blueF() * 0.88 + mixed.blueF() * 0.12,
        )
        palette.setColor(QPalette.ColorRole.Window, mixed)
        self.setPalette(palette)
        self.show_button.setVisible(kind != "unreachable")
        self.setVisible(True)


class MainWindow(QMainWindow):
    """Sign-in form or account view; closing it hides it to the tray when there is one.

    Signals:
        quitRequested(): the user asked to quit (menu, Ctrl+Q, or closing without a tray).
        closeRequested(): closing without a tray, where the app asks first
            (``ask_before_closing``); the window stays until the answer.
        hiddenToTray(): the window was closed and the app keeps running in the tray.
        openBatchesRequested(), openHistoryRequested(), refreshRequested(),
            signOutRequested(): user actions.
        settingsRequested(), aboutRequested(), logFolderRequested(),
            diagnosticsRequested(): the Settings and Help menus.
    """

    quitRequested = Signal()
    closeRequested = Signal()
    hiddenToTray = Signal()
    openBatchesRequested = Signal()
    openHistoryRequested = Signal()
    refreshRequested = Signal()
    signOutRequested = Signal()
    settingsRequested = Signal()
    aboutRequested = Signal()
    logFolderRequested = Signal()
    diagnosticsRequested = Signal()

    def __init__(
        self,
        store: BatchStore | None,
        settings: QSettings | None = None,
        surroundings: Surroundings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``store`` may come later (:meth:`attach_store`), before anyone signs in;
        ``surroundings`` too (:meth:`set_surroundings`; until then: no tray)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("StoryClip Desktop"))
        #: Closing without a tray asks first (set by the UI, which asks).
        self.ask_before_closing = False
        self.setWindowIcon(app_icon())
        self._store: BatchStore | None = None
        self._account: AccountView | None = None
        self._settings = settings
        self._surroundings: Surroundings = surroundings or NoTray()
        self._signed_in = False
        self._quitting = False

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 0)
        layout.setSpacing(8)
        self.banner = Banner(central)
        layout.addWidget(self.banner)
        self.stack = QStackedWidget(central)
        self.sign_in = SignInView(self.stack)
        self.stack.addWidget(self.sign_in)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menu()
        self.connection = plain_label(parent=self)
        self.connection.setObjectName("connectionStatus")
        self.connection.setIndent(8)
        self.statusBar().addWidget(self.connection, 1)
        self.statusBar().setSizeGripEnabled(False)

        if store is not None:
            self.attach_store(store)
        self.show_sign_in()
        self.resize(520, 480)
        if settings is not None:
            geometry = settings.value(_GEOMETRY_KEY)
            if isinstance(geometry, QByteArray | bytes):
                self.restoreGeometry(QByteArray(geometry))

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&StoryClip"))
        self.batches_action = QAction(self.tr("&Active batches…"), self)
        self.batches_action.setShortcut(QKeySequence("Ctrl+B"))
        self.batches_action.triggered.connect(self.openBatchesRequested)
        self.history_action = QAction(self.tr("&History…"), self)
        self.history_action.setShortcut(QKeySequence("Ctrl+H"))
        self.history_action.triggered.connect(self.openHistoryRequested)
        self.refresh_action = QAction(self.tr("&Refresh"), self)
        # Its icon comes when the menu first opens: loading QStyle's enums costs the
        # first window about 10 ms (start-up time).
        menu.aboutToShow.connect(self._menu_icons)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.refreshRequested)
        self.sign_out_action = QAction(self.tr("Sign &out"), self)
        self.sign_out_action.triggered.connect(self.signOutRequested)
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Preferences))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.settingsRequested)
        close_action = QAction(self.tr("&Close window"), self)
        close_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        close_action.triggered.connect(self.close)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quitRequested)
        for action in (self.batches_action, self.history_action, self.refresh_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.settings_action)
        menu.addAction(self.sign_out_action)
        menu.addSeparator()
        menu.addAction(close_action)
        menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.log_folder_action = QAction(self.tr("Open &log folder"), self)
        self.log_folder_action.triggered.connect(self.logFolderRequested)
        self.diagnostics_action = QAction(self.tr("&Copy diagnostics"), self)
        self.diagnostics_action.triggered.connect(self.diagnosticsRequested)
        self.about_action = QAction(self.tr("&About StoryClip Desktop"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.aboutRequested)
        for action in (self.log_folder_action, self.diagnostics_action):
            help_menu.addAction(action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _menu_icons(self) -> None:
        if self.refresh_action.icon().isNull():
            from PySide6.QtWidgets import QStyle

            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
            self.refresh_action.setIcon(icon)

    # ------------------------------------------------------------ views

    def attach_store(self, store: BatchStore) -> None:
        """The batches this window shows (once; before the account view is used)."""
        if self._store is not None:
            raise RuntimeError("the main window already has a store")
        self._store = store
        store.changed.connect(self.update_status)

    def set_surroundings(self, surroundings: Surroundings) -> None:
        """Whether closing hides to the tray, and how news arrives: now known from
        the UI's own tray and notifier."""
        self._surroundings = surroundings
        self.sign_in.set_tray_available(surroundings.tray_available())

    def tray_available(self) -> bool:
        """Closing this window keeps the app running in the tray (:class:`Surroundings`)."""
        return self._surroundings.tray_available()

    def notification_route(self) -> str:
        """How the user hears of a finished batch (:class:`Surroundings`)."""
        return self._surroundings.notification_route()

    @property
    def account(self) -> AccountView:
        """The signed-in view, built at first use (it needs the store)."""
        if self._account is None:
            if self._store is None:
                raise RuntimeError("the main window has no store yet")
            from .account import AccountView

            account = AccountView(self._store, self.stack, self)
            self.stack.addWidget(account)
            account.openBatchesRequested.connect(self.openBatchesRequested)
            account.refreshRequested.connect(self.refreshRequested)
            account.signOutRequested.connect(self.signOutRequested)
            self._account = account
        return self._account

    @property
    def signed_in(self) -> bool:
        return self._signed_in

    def show_sign_in(self, notice: str = "") -> None:
        self._signed_in = False
        self.stack.setCurrentWidget(self.sign_in)
        self.sign_in.reset(notice)
        self.sign_in.set_tray_available(self.tray_available())
        for action in (
            self.batches_action,
            self.history_action,
            self.refresh_action,
            self.sign_out_action,
        ):
            action.setEnabled(False)
        self.update_status()

    def show_account(self, email: str | None, vault_text: str = "") -> None:
        self._signed_in = True
        self.account.set_user(email)
        self.account.set_vault_message(vault_text)
        self.sign_in.set_busy(False)
        self.sign_in.password.clear()
        self.stack.setCurrentWidget(self.account)
        for action in (
            self.batches_action,
            self.history_action,
            self.refresh_action,
            self.sign_out_action,
        ):
            action.setEnabled(True)
        self.update_status()

    def set_busy(self, busy: bool) -> None:
        self.account.set_busy(busy)
        self.refresh_action.setEnabled(self._signed_in and not busy)

    @property
    def demo(self) -> bool:
        return getattr(self, "_demo", False)

    def set_demo(self, demo: bool) -> None:
        """Mark demo mode in the title and the status line: the batches shown are the
        local demo server's, not the user's own."""
        self._demo = demo
        title = self.tr("StoryClip Desktop")
        self.setWindowTitle(self.tr("%1 — Demo").replace("%1", title) if demo else title)
        self.update_status()

    def update_status(self) -> None:
        text = self.status_text()
        if self.demo:
            text = self.tr("Demo server · %1").replace("%1", text)
        self.connection.setText(text)

    def status_text(self) -> str:
        """One line about the connection: what a support person would ask first."""
        if not self._signed_in or self._store is None:
            return self.tr("Not signed in")
        if not self._store.reachable:
            return self.tr("Cannot reach the StoryClip server — retrying…")
        running = self._store.running()
        states = [self._store.stream(b.batch_id) for b in running]
        names = [s.state for s in states if s is not None]
        if any(n == "stalled" for n in names):
            return self.tr("Connected — a batch seems stalled on the server")
        if any(n in ("reconnecting", "connecting") for n in names):
            return self.tr("Connected — reconnecting to live updates…")
        if any(n == "polling" for n in names):
            return self.tr("Connected — following by polling (server restarted)")
        if running:
            from .texts import plural

            return plural().following_live(len(running))
        return self.tr("Connected")

    # ------------------------------------------------------------ window

    def bring_forward(self) -> None:
        """Show, un-minimise and raise (tray click, second instance, notification)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def showEvent(self, event: QShowEvent) -> None:
        # Whether a tray exists is known once the app showed its icon (or could not).
        super().showEvent(event)
        self.sign_in.set_tray_available(self.tray_available())

    def set_quitting(self) -> None:
        """The app is quitting: a close from now on is just a close."""
        self._quitting = True

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        if self._quitting:
            event.accept()
            return
        if self.tray_available():
            event.ignore()
            self.hide()
            self.hiddenToTray.emit()
            return
        if self.ask_before_closing:
            event.ignore()  # closing quits here: the UI asks, and quits on a yes
            self.closeRequested.emit()
            return
        event.accept()
        self.quitRequested.emit()

    def save_geometry(self) -> None:
        if self._settings is not None:
            self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
