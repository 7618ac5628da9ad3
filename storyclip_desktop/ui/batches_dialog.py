"""The batches dialog: a compact transfer list (one row per batch, filters, search,
"Clear finished"), the selected batch's actions (pause, resume, cancel, retry
failed: buttons, the row's context menu, shortcuts; ui/batch_actions.py), and
under it the selected batch's card with its clips; live, non-modal, and never
larger than the screen it is on."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
    QPalette,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storyclip_desktop.config import DEFAULT_WEB_APP_URL
from storyclip_desktop.core.model import Batch, BatchStatus

from .batch_actions import ACTIONS, BatchActions
from .batch_card import BatchCard, plain_label
from .store import BatchStore
from .texts import plural
from .transfer_list import BatchListModel, BatchListView, StatusFilter

__all__ = ["ActiveBatchesDialog"]

_AUTO_EXPAND_UP_TO = 3
_GEOMETRY_KEY = "ui/batchesDialogGeometry"


def _sort_key(batch: Batch) -> datetime | None:
    return batch.created_at or batch.started_at


class ActiveBatchesDialog(QDialog):
    """Cards for every batch in the store, newest first; follows the store live.

    Signals:
        refreshRequested(): the user asked to re-read everything from the server.
        shown(): the dialog became visible (the tray clears its problem badge).
        controlRequested(str, str): the user chose an action on a batch (a cancel
            confirmed): its id and pause / resume / cancel / retry-failed.
    """

    refreshRequested = Signal()
    shown = Signal()
    controlRequested = Signal(str, str)

    def __init__(
        self, store: BatchStore, settings: QSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("activeBatchesDialog")
        self.setModal(False)
        self.setWindowTitle(self.tr("Active batches — StoryClip"))
        self.setSizeGripEnabled(True)
        self._store = store
        self._settings = settings
        self._busy = False
        self._refresh_error = ""
        self.cards: dict[str, BatchCard] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        heading = QLabel(self.tr("Active batches"), self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        heading.setFont(font)
        self.summary = plain_label(parent=self)
        titles.addWidget(heading)
        titles.addWidget(self.summary)
        header.addLayout(titles)
        header.addStretch(1)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(90)
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.setVisible(False)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
        )
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Read every batch again from the server (F5)"))
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.setAccessibleName(self.tr("Refresh"))
        header.addWidget(self.busy_bar, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(header)

        # Filters, search and "Clear finished", as transfer apps have them.
        tools = QHBoxLayout()
        tools.setSpacing(4)
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[StatusFilter, QPushButton] = {}
        filters: tuple[tuple[StatusFilter, str], ...] = (
            ("all", self.tr("&All")),
            ("publishing", self.tr("&Publishing")),
            ("finished", self.tr("F&inished")),
            ("failed", self.tr("Fai&led")),
        )
        for key, label in filters:
            button = QPushButton(label, self)
            button.setObjectName(f"filter_{key}")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setAccessibleName(label.replace("&", ""))
            button.setChecked(key == "all")
            button.toggled.connect(lambda on, k=key: self._filter_toggled(k, on))
            self.filter_group.addButton(button)
            self.filter_buttons[key] = button
            tools.addWidget(button)
        tools.addSpacing(8)
        self.search = QLineEdit(self)
        self.search.setObjectName("batchSearch")
        self.search.setPlaceholderText(self.tr("Search names and clip titles"))
        self.search.setAccessibleName(self.tr("Search batches"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        tools.addWidget(self.search, 1)
        self.clear_button = QPushButton(self.tr("&Clear finished"), self)
        self.clear_button.setObjectName("clearFinished")
        self.clear_button.setAutoDefault(False)
        self.clear_button.setAccessibleName(self.tr("Clear finished batches from this list"))
        self.clear_button.setToolTip(
            self.tr("Remove the finished batches from this list (the server keeps them)")
        )
        self.clear_button.clicked.connect(self.clear_finished)
        tools.addWidget(self.clear_button)
        #: Where "Open in StoryClip" goes (the settings' web app address).
        self.web_app_url = DEFAULT_WEB_APP_URL
        self.web_button = QPushButton(self.tr("Open in &StoryClip"), self)
        self.web_button.setObjectName("openWebApp")
        self.web_button.setAutoDefault(False)
        self.web_button.setToolTip(self.tr("Open the StoryClip web app in the browser"))
        self.web_button.clicked.connect(self.open_web_app)
        tools.addWidget(self.web_button)
        layout.addLayout(tools)
        QShortcut(QKeySequence(self.tr("Ctrl+F")), self, self.search.setFocus)

        # The selected batch's actions, enabled per state and per server.
        self.batch_actions = BatchActions(self)
        self.batch_actions.requested.connect(self.controlRequested)
        self.row_menu: QMenu | None = None
        acts = QHBoxLayout()
        acts.setSpacing(4)
        self.control_buttons: dict[str, QToolButton] = {}
        for name in ACTIONS:
            tool = QToolButton(self)
            tool.setObjectName(f"control_{name}")
            tool.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            tool.setDefaultAction(self.batch_actions.actions[name])
            acts.addWidget(tool)
            self.control_buttons[name] = tool
        self.control_message = plain_label(parent=self)
        self.control_message.setObjectName("controlMessage")
        self.control_message.setWordWrap(True)
        self.control_message.setVisible(False)
        acts.addSpacing(8)
        acts.addWidget(self.control_message, 1)
        layout.addLayout(acts)

        self.list_model = BatchListModel(self)
        self.list = BatchListView(self.list_model, self)
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._row_menu)
        self._cleared: set[str] = set()
        self._selected: str | None = None

        self.notice = plain_label(parent=self)
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        layout.addWidget(self.notice)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        container = QWidget(self.scroll_area)
        container.setObjectName("batchCards")
        self._cards_layout = QVBoxLayout(container)
        self._cards_layout.setContentsMargins(0, 0, 4, 0)
        self._cards_layout.setSpacing(10)
        self.empty = QLabel(
            self.tr(
                "No batch is publishing right now.\n"
                "Batches you publish from StoryClip appear here while they run."
            ),
            container,
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._cards_layout.addWidget(self.empty)
        self._cards_layout.addStretch(1)
        self.scroll_area.setWidget(container)
        self.scroll_area.setAccessibleName(self.tr("The selected batch and its clips"))
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.scroll_area)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 360])  # the list, and the selected batch's clips
        layout.addWidget(self.splitter, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refreshRequested.emit)

        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)
        # The time-left column follows the clock while the dialog shows.
        self._clock = QTimer(self)
        self._clock.setInterval(5000)
        self._clock.timeout.connect(self.list_model.tick)

        store.batchInserted.connect(self._on_inserted)
        store.batchChanged.connect(self._on_changed)
        store.streamChanged.connect(self._on_stream)
        store.cleared.connect(self._on_cleared)
        # The header counts every card: once per store change, not once per batch
        # (a coalesced update changes many batches at once).
        store.changed.connect(self._update_header)

        for batch in store.batches:
            self._add_card(batch)
        self._update_header()
        self.resize(880, 640)
        if settings is not None:
            geometry = settings.value(_GEOMETRY_KEY)
            if isinstance(geometry, QByteArray | bytes):
                self.restoreGeometry(QByteArray(geometry))
        self.fit_screen()

    # ------------------------------------------------------------ public

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool) -> None:
        """Show that a refresh is under way (and refuse a second one meanwhile)."""
        self._busy = busy
        self.busy_bar.setVisible(busy)
        self.refresh_button.setEnabled(not busy)
        self.refresh_button.setText(self.tr("Refreshing…") if busy else self.tr("Refresh"))
        if busy:
            self._refresh_error = ""
        self._update_header()

    def set_refresh_error(self, text: str) -> None:
        self._refresh_error = text
        self._update_header()

    def open_on(self, batch_id: str | None = None) -> bool:
        """Show the dialog, raised; with ``batch_id``, select its row (clearing a filter
        that hides it) and show its card expanded."""
        self.show()
        self.raise_()
        self.activateWindow()
        if batch_id is None:
            return True
        card = self.cards.get(batch_id)
        if card is None:
            return False
        self._cleared.discard(batch_id)
        if not self.list.select_batch(batch_id):
            self.search.clear()
            self.filter_buttons["all"].setChecked(True)
            self.list.select_batch(batch_id)
        self._show_card(batch_id)
        card.set_expanded(True)
        QTimer.singleShot(0, lambda: self._scroll_to(batch_id))
        return True

    def control_started(self, batch_id: str) -> None:
        """An action on ``batch_id`` was sent: no second one until it is answered."""
        self.control_message.setVisible(False)
        self.batch_actions.set_pending(batch_id, True)

    def control_finished(self, batch_id: str, text: str) -> None:
        """The action on ``batch_id`` was answered; ``text``: what went wrong ("" if
        nothing did), shown until the next action."""
        self.batch_actions.set_pending(batch_id, False)
        self.control_message.setText(text)
        self.control_message.setVisible(bool(text))

    def _row_menu(self, pos: QPoint) -> None:
        """Right click on a row: select it, then its actions."""
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        self.list.selectRow(index.row())
        if self.row_menu is not None:
            self.row_menu.deleteLater()
        self.row_menu = self.batch_actions.menu(self)
        self.row_menu.popup(self.list.viewport().mapToGlobal(pos))

    def open_web_app(self) -> bool:
        """The StoryClip web app in the browser (the wire contract knows no address
        for one publication there, so the app's own start page)."""
        return bool(QDesktopServices.openUrl(QUrl(self.web_app_url)))

    def set_filter(self, status: StatusFilter) -> None:
        """Show only the batches of that status (All / Publishing / Finished / Failed)."""
        if not self.filter_buttons[status].isChecked():
            self.filter_buttons[status].setChecked(True)
        self.list.filter.set_status(status)
        self._keep_a_selection()

    def _filter_toggled(self, status: StatusFilter, on: bool) -> None:
        if on:
            self.set_filter(status)

    def _search_changed(self, text: str) -> None:
        self.list.filter.set_search(text)
        self._keep_a_selection()

    def clear_finished(self) -> int:
        """Take the finished batches off this list (the server and the main window keep
        them); how many went."""
        finished = {bid for bid, card in self.cards.items() if card.batch.is_final}
        if not finished:
            return 0
        self._cleared |= finished
        self.list_model.remove(finished)
        for batch_id in finished:
            card = self.cards.pop(batch_id)
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self._keep_a_selection()
        self._update_header()
        return len(finished)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        batch_id = self.list.selected_batch_id()
        if batch_id is not None:
            self._show_card(batch_id)

    def _keep_a_selection(self) -> None:
        """A filter or a clear hid the selected row: the first row shown is selected."""
        selected = self.list.selected_batch_id()
        if selected is not None:
            self._show_card(selected)
            return
        if self.list.filter.rowCount() > 0:
            self.list.selectRow(0)
        else:
            self._show_card(None)

    def _show_card(self, batch_id: str | None) -> None:
        """Only the selected batch's card shows under the list."""
        if batch_id == self._selected and (batch_id is None or batch_id in self.cards):
            return
        self._selected = batch_id
        for bid, card in self.cards.items():
            card.setVisible(bid == batch_id)
        selected = self.cards.get(batch_id) if batch_id is not None else None
        self.batch_actions.set_batch(selected.batch if selected is not None else None)

    def fit_screen(self) -> None:
        """Never larger than the screen's free area (at 2x scale 880 x 640 logical
        pixels did not fit, and Refresh and Close were off the screen)."""
        screen = self.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        width = min(self.width(), max(320, free.width() - 40))
        height = min(self.height(), max(240, free.height() - 60))
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        if not free.contains(frame):
            self.move(
                max(free.left(), min(frame.left(), free.right() - frame.width())),
                max(free.top(), min(frame.top(), free.bottom() - frame.height())),
            )

    def _scroll_to(self, batch_id: str) -> None:
        card = self.cards.get(batch_id)
        if card is not None:
            self._cards_layout.activate()
            self.scroll_area.ensureWidgetVisible(card, 0, 0)
            card.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ store

    def _add_card(self, batch: Batch) -> BatchCard:
        card = BatchCard(batch, self._store.stream(batch.batch_id), self.scroll_area.widget())
        position = self._insert_position(batch)
        self._cards_layout.insertWidget(position, card)
        self.cards[batch.batch_id] = card
        if len(self.cards) <= _AUTO_EXPAND_UP_TO and batch.status is BatchStatus.PROCESSING:
            card.set_expanded(True)
        self.list_model.put(batch)
        self.list_model.set_stream(batch.batch_id, self._store.stream(batch.batch_id))
        if self.list.selected_batch_id() is None:
            self.list.select_batch(batch.batch_id)
        card.setVisible(batch.batch_id == self._selected)
        return card

    def _insert_position(self, batch: Batch) -> int:
        """Newest first; batches without a time go after those with one."""
        key = _sort_key(batch)
        # Layout items: [empty label, card..., stretch]
        for i in range(1, self._cards_layout.count() - 1):
            item = self._cards_layout.itemAt(i)
            widget = item.widget() if item is not None else None
            if not isinstance(widget, BatchCard):
                continue
            other = _sort_key(widget.batch)
            if key is not None and (other is None or key > other):
                return i
        return self._cards_layout.count() - 1

    def _on_inserted(self, batch_id: str) -> None:
        batch = self._store.batch(batch_id)
        if batch is not None and batch_id not in self.cards and batch_id not in self._cleared:
            self._add_card(batch)

    def _on_changed(self, batch_id: str, _changed: list[int]) -> None:
        batch = self._store.batch(batch_id)
        card = self.cards.get(batch_id)
        if batch is None:
            return
        if card is None:
            if batch_id in self._cleared and batch.is_final:
                return  # cleared from the list: a late update does not bring it back
            self._cleared.discard(batch_id)
            self._add_card(batch)
        else:
            card.update_batch(batch)
            self.list_model.put(batch)
            if batch_id == self._selected:
                self.batch_actions.set_batch(batch)

    def _on_stream(self, batch_id: str) -> None:
        card = self.cards.get(batch_id)
        if card is None:
            return
        card.set_stream(self._store.stream(batch_id))
        self.list_model.set_stream(batch_id, self._store.stream(batch_id))
        if card.counting_down and not self._countdown.isActive():
            self._countdown.start()

    def _tick(self) -> None:
        counting = False
        for card in self.cards.values():
            if card.counting_down:
                card.tick()
                counting = counting or card.counting_down
        if not counting:
            self._countdown.stop()

    def _on_cleared(self) -> None:
        for card in self.cards.values():
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self.cards.clear()
        self._cleared.clear()
        self._selected = None
        self.batch_actions.set_batch(None)
        self.list_model.clear()
        self._update_header()

    def _update_header(self) -> None:
        running = sum(1 for c in self.cards.values() if c.batch.status is BatchStatus.PROCESSING)
        finished = sum(1 for c in self.cards.values() if c.batch.is_final)
        paused = sum(1 for c in self.cards.values() if c.batch.status is BatchStatus.PAUSED)
        failed = sum(c.batch.failed for c in self.cards.values())
        self.summary.setText(plural().batches_summary(running, finished, failed, paused))
        self.empty.setVisible(not self.cards)
        self.clear_button.setEnabled(finished > 0)
        notices: list[str] = []
        if not self._store.reachable:
            notices.append(
                self.tr(
                    "Cannot reach the StoryClip server. Showing the last known state; "
                    "retrying in the background."
                )
            )
        if self._refresh_error:
            notices.append(self._refresh_error)
        self.notice.setText("\n".join(notices))
        self.notice.setVisible(bool(notices))

    # ------------------------------------------------------------ window

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_screen()
        self._clock.start()
        self.batch_actions.update()  # what the server supports may be known since
        self.shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_geometry()
        self._clock.stop()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._save_geometry()
        super().done(result)

    def _save_geometry(self) -> None:
        if self._settings is not None:
            self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
