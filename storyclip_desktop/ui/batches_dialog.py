"""The active-batches dialog: one card per batch, live, scrollable, non-modal."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from storyclip_desktop.core.model import Batch, BatchStatus

from .batch_card import BatchCard, plain_label
from .store import BatchStore
from .texts import plural

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
    """

    refreshRequested = Signal()
    shown = Signal()

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
        header.addWidget(self.busy_bar, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(header)

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
        layout.addWidget(self.scroll_area, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refreshRequested.emit)

        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)

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
        """Show the dialog, raised; with ``batch_id``, expand and scroll to its card."""
        self.show()
        self.raise_()
        self.activateWindow()
        if batch_id is None:
            return True
        card = self.cards.get(batch_id)
        if card is None:
            return False
        card.set_expanded(True)
        QTimer.singleShot(0, lambda: self._scroll_to(batch_id))
        return True

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
        if batch is not None and batch_id not in self.cards:
            self._add_card(batch)

    def _on_changed(self, batch_id: str, _changed: list[int]) -> None:
        batch = self._store.batch(batch_id)
        card = self.cards.get(batch_id)
        if batch is None:
            return
        if card is None:
            self._add_card(batch)
        else:
            card.update_batch(batch)

    def _on_stream(self, batch_id: str) -> None:
        card = self.cards.get(batch_id)
        if card is None:
            return
        card.set_stream(self._store.stream(batch_id))
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
        self._update_header()

    def _update_header(self) -> None:
        running = sum(1 for c in self.cards.values() if c.batch.status is BatchStatus.PROCESSING)
        finished = sum(1 for c in self.cards.values() if c.batch.is_final)
        paused = sum(1 for c in self.cards.values() if c.batch.status is BatchStatus.PAUSED)
        failed = sum(c.batch.failed for c in self.cards.values())
        self.summary.setText(plural().batches_summary(running, finished, failed, paused))
        self.empty.setVisible(not self.cards)
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
        self.shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_geometry()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._save_geometry()
        super().done(result)

    def _save_geometry(self) -> None:
        if self._settings is not None:
            self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
