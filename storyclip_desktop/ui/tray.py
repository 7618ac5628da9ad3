"""The tray icon: idle, publishing or problem; a menu with a status line on top."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtDBus import QDBusConnection
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from storyclip_desktop.core.model import BatchStatus

from .resources import TrayState, icon
from .store import BatchStore
from .texts import batch_name_text, fill, plural

#: How many running batches the tray menu lists by name.
_MENU_BATCHES = 5

__all__ = ["SystemTrayHost", "TrayHost", "TrayIcon", "TrayState", "status_notifier_tray"]


def status_notifier_tray() -> bool:
    """Whether Qt's tray icon is a StatusNotifierItem (KDE, GNOME's AppIndicator
    extension): then its messages are ``Notify`` calls that Qt sends with the body
    unescaped, and the notifier prefers its own D-Bus route.

    Qt makes the same check, with the same synchronous call to the bus daemon
    itself (not to a notification daemon), when it creates the tray icon.
    """
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    interface = bus.interface()
    if interface is None:
        return False
    reply = interface.isServiceRegistered("org.kde.StatusNotifierWatcher")
    return bool(reply.isValid() and reply.value())


class TrayHost(Protocol):
    """The desktop's tray host, as the tray icon asks about it."""

    def available(self) -> bool:
        """A tray host exists on this desktop now (asked each time: one may come or go)."""

    def messages_via_dbus(self) -> bool:
        """Qt shows this tray's messages as ``Notify`` calls (asked once)."""


class SystemTrayHost:
    """This desktop's own answers (Qt's and the session bus's)."""

    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def messages_via_dbus(self) -> bool:
        return status_notifier_tray()


class TrayIcon(QObject):
    """Owns the ``QSystemTrayIcon`` and its menu; shows the store's state.

    "Problem" means the server cannot be reached, a stream is stalled, or a
    batch failed and the user has not opened the dialog since.

    Signals:
        openRequested(): open the main window (icon click, "Open").
        batchesRequested(): open the active-batches dialog.
        historyRequested(): open the history.
        refreshRequested(), settingsRequested(), signOutRequested(), quitRequested():
            menu actions.
        batchRequested(str): a running batch was chosen in the menu (by its name).
        messageClicked(): the user clicked the last tray message.
        messageShown(str, str): a message (title, body) was handed to the tray.
    """

    openRequested = Signal()
    batchesRequested = Signal()
    batchRequested = Signal(str)
    historyRequested = Signal()
    refreshRequested = Signal()
    settingsRequested = Signal()
    signOutRequested = Signal()
    quitRequested = Signal()
    messageClicked = Signal()
    messageShown = Signal(str, str)

    def __init__(
        self,
        store: BatchStore,
        host: TrayHost | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``host``: the desktop's tray host (by default this desktop's)."""
        super().__init__(parent)
        self._store = store
        self._host: TrayHost = host or SystemTrayHost()
        self._messages_via_dbus: bool | None = None
        self._signed_in = False
        self._disposed = False
        self._unseen_failures: set[str] = set()
        self.state = TrayState.IDLE

        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.status_action = QAction(self.menu)
        self.status_action.setEnabled(False)
        self.menu.addAction(self.status_action)
        # The running batches by name (at most _MENU_BATCHES), under the status line.
        self._batch_actions: list[QAction] = []
        self._batch_texts: list[tuple[str, str]] = []
        self._batches_end = self.menu.addSeparator()
        self.open_action = self.menu.addAction(self.tr("Open StoryClip"))
        self.batches_action = self.menu.addAction(self.tr("Active batches…"))
        self.history_action = self.menu.addAction(self.tr("History…"))
        self.refresh_action = self.menu.addAction(self.tr("Refresh"))
        self.menu.addSeparator()
        self.settings_action = self.menu.addAction(self.tr("Settings…"))
        self.sign_out_action = self.menu.addAction(self.tr("Sign out"))
        self.quit_action = self.menu.addAction(self.tr("Quit"))
        self.open_action.triggered.connect(self.openRequested)
        self.batches_action.triggered.connect(self.batchesRequested)
        self.history_action.triggered.connect(self.historyRequested)
        self.refresh_action.triggered.connect(self.refreshRequested)
        self.settings_action.triggered.connect(self.settingsRequested)
        self.sign_out_action.triggered.connect(self.signOutRequested)
        self.quit_action.triggered.connect(self.quitRequested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self.messageClicked)

        store.changed.connect(self.update)
        store.batchChanged.connect(self._note_failure)
        store.cleared.connect(self._unseen_failures.clear)
        self.update()

    # ------------------------------------------------------------ visibility

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def dispose(self) -> None:
        """Remove the icon now (quitting): some tray hosts keep a dead icon otherwise."""
        if self._disposed:
            return
        self._disposed = True
        self.icon.hide()
        self.menu.deleteLater()

    def host_available(self) -> bool:
        """A tray host exists on this desktop (whether or not the icon is shown)."""
        return self._host.available()

    def is_available(self) -> bool:
        """A tray host exists and the icon is shown: closing the window may hide it."""
        return self._host.available() and self.icon.isVisible()

    def can_show_messages(self) -> bool:
        """Offscreen Qt says supportsMessages() with no tray at all: check both."""
        return self.is_available() and QSystemTrayIcon.supportsMessages()

    def messages_via_dbus(self) -> bool:
        """Qt shows this tray's messages as desktop notifications (checked once)."""
        if self._messages_via_dbus is None:
            self._messages_via_dbus = self._host.messages_via_dbus()
        return self._messages_via_dbus

    def show_message(self, title: str, body: str, problem: bool = False) -> None:
        kind = (
            QSystemTrayIcon.MessageIcon.Warning
            if problem
            else QSystemTrayIcon.MessageIcon.Information
        )
        self.icon.showMessage(title, body, kind, 8000)
        self.messageShown.emit(title, body)

    # ------------------------------------------------------------ state

    def set_signed_in(self, signed_in: bool) -> None:
        self._signed_in = signed_in
        self.update()

    def batches_seen(self) -> None:
        """The user opened the dialog: failures are no longer news for the icon."""
        if self._unseen_failures:
            self._unseen_failures.clear()
            self.update()

    def _note_failure(self, batch_id: str, _changed: list[int]) -> None:
        batch = self._store.batch(batch_id)
        if batch is not None and batch.status is BatchStatus.FAILED:
            self._unseen_failures.add(batch_id)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.openRequested.emit()

    def compute_state(self) -> TrayState:
        if not self._signed_in:
            return TrayState.IDLE
        if not self._store.reachable or self._unseen_failures:
            return TrayState.PROBLEM
        running = self._store.running()
        for batch in running:
            stream = self._store.stream(batch.batch_id)
            if stream is not None and stream.state == "stalled":
                return TrayState.PROBLEM
        return TrayState.PUBLISHING if running else TrayState.IDLE

    def status_text(self) -> str:
        if not self._signed_in:
            return self.tr("Not signed in")
        if not self._store.reachable:
            return self.tr("Cannot reach the server")
        texts = plural()
        running = self._store.running()
        if running:
            done = sum(b.done for b in running)
            total = sum(b.total for b in running)
            failed = sum(b.failed for b in running)
            text = fill(
                self.tr("%1 — %2 / %3 clips"),
                texts.batches_publishing(len(running)),
                done,
                total,
            )
            return f"{text} · {texts.failed_clips(failed)}" if failed else text
        paused = len(self._store.paused())
        if self._unseen_failures:
            failures = texts.failed_batches(len(self._unseen_failures))
            text = texts.nothing_publishing()
            if paused:
                text = f"{text} · {texts.paused_batches(paused)}"
            return f"{text} · {failures}"
        finished = self._store.finished()
        return texts.batches_summary(0, len(finished), sum(b.failed for b in finished), paused)

    def update(self) -> None:
        """Refresh icon, tooltip and menu; only what changed is handed to the tray
        host (a StatusNotifierItem tray re-sends the icon over D-Bus on every set)."""
        if self._disposed:
            # Quitting: the menu's actions are being deleted, and the store's last
            # (frame-coalesced) changes may still arrive.
            return
        state = self.compute_state()
        if state is not self.state or self.icon.icon().isNull():
            self.state = state
            self.icon.setIcon(self._icon_for(state))
        text = self.status_text()
        if text != self.status_action.text():
            self.status_action.setText(text)
            self.icon.setToolTip(fill(self.tr("StoryClip Desktop — %1"), text))
        for action in (
            self.batches_action,
            self.history_action,
            self.refresh_action,
            self.sign_out_action,
        ):
            action.setEnabled(self._signed_in)
        self._update_batch_actions()

    def _update_batch_actions(self) -> None:
        """The running batches, named as everywhere else; rebuilt only when a name or
        a count changed (a StatusNotifierItem tray sends the menu over D-Bus)."""
        running = self._store.running() if self._signed_in else []
        texts = plural()
        wanted = [
            (
                b.batch_id,
                f"{batch_name_text(b)} — {texts.short_progress(b.done, b.total, b.failed)}",
            )
            for b in running[:_MENU_BATCHES]
        ]
        if wanted == self._batch_texts:
            return
        for action in self._batch_actions:
            self.menu.removeAction(action)
            action.deleteLater()
        self._batch_actions = []
        for batch_id, text in wanted:
            action = QAction(text, self.menu)
            action.triggered.connect(lambda _=False, bid=batch_id: self.batchRequested.emit(bid))
            self.menu.insertAction(self._batches_end, action)
            self._batch_actions.append(action)
        self._batch_texts = wanted

    @staticmethod
    def _icon_for(state: TrayState) -> QIcon:
        return icon(f"tray-{state.value}")
