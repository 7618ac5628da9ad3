"""The signed-in view of the main window: who, what is publishing, what to do."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from storyclip_desktop.core.model import Batch, BatchStatus

from . import style
from .batch_card import StatusChip, color_label, plain_label, set_progress
from .bridge import BatchStore
from .resources import app_icon
from .texts import batch_status_text, fill, plural, short_id

__all__ = ["AccountView"]

_LISTED = 5


class AccountView(QWidget):
    """User, a summary of their batches, and the main actions.

    Signals:
        openBatchesRequested(): show the active-batches dialog.
        refreshRequested(): re-read everything from the server.
        signOutRequested(): end the session.
    """

    openBatchesRequested = Signal()
    refreshRequested = Signal()
    signOutRequested = Signal()

    def __init__(self, store: BatchStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountView")
        self._store = store

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(12)

        who = QHBoxLayout()
        who.setSpacing(12)
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(QSize(44, 44), self.devicePixelRatioF()))
        who.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        caption = QLabel(self.tr("Signed in as"), self)
        caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.email = plain_label(parent=self)
        self.email.setObjectName("userEmail")
        font = self.email.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.email.setFont(font)
        self.email.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names.addWidget(caption)
        names.addWidget(self.email)
        who.addLayout(names, 1)
        self.sign_out_button = QPushButton(self.tr("Sign out"), self)
        self.sign_out_button.clicked.connect(self.signOutRequested)
        who.addWidget(self.sign_out_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(who)

        self.vault_notice = plain_label(parent=self)
        self.vault_notice.setObjectName("vaultNotice")
        self.vault_notice.setWordWrap(True)
        self.vault_notice.setVisible(False)
        layout.addWidget(self.vault_notice)

        panel = QFrame(self)
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setAutoFillBackground(True)
        panel.setBackgroundRole(QPalette.ColorRole.Base)
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(16, 14, 16, 14)
        panel_layout.setSpacing(8)
        self.headline = plain_label(parent=panel)
        self.headline.setObjectName("summaryHeadline")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.headline.setFont(font)
        self.detail = plain_label(parent=panel)
        self.detail.setWordWrap(True)
        self.detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        panel_layout.addWidget(self.headline)
        panel_layout.addWidget(self.detail)
        self._rows = QGridLayout()
        self._rows.setHorizontalSpacing(10)
        self._rows.setVerticalSpacing(6)
        self._rows.setColumnStretch(2, 1)
        panel_layout.addLayout(self._rows)
        self.more = plain_label(parent=panel)
        self.more.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        panel_layout.addWidget(self.more)
        layout.addWidget(panel)

        actions = QHBoxLayout()
        self.batches_button = QPushButton(self.tr("Active batches…"), self)
        self.batches_button.setObjectName("activeBatchesButton")
        self.batches_button.setDefault(True)
        self.batches_button.clicked.connect(self.openBatchesRequested)
        self.refresh_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload),
            self.tr("Refresh"),
            self,
        )
        self.refresh_button.clicked.connect(self.refreshRequested)
        actions.addWidget(self.batches_button)
        actions.addWidget(self.refresh_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        layout.addStretch(1)

        self._row_widgets: list[tuple[QLabel, StatusChip, QProgressBar]] = []
        self._row_ids: list[str] = []
        store.changed.connect(self.update_summary)
        self.update_summary()

    def set_user(self, email: str | None) -> None:
        self.email.setText(email or "")

    def set_vault_message(self, text: str) -> None:
        self.vault_notice.setText(text)
        color_label(self.vault_notice, "amber", self.palette())
        self.vault_notice.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.refresh_button.setText(self.tr("Refreshing…") if busy else self.tr("Refresh"))

    def update_summary(self) -> None:
        running = self._store.running()
        finished = self._store.finished()
        if running:
            total = sum(b.total for b in running)
            done = sum(b.done for b in running)
            self.headline.setText(plural().batches_publishing(len(running)))
            self.detail.setText(fill(self.tr("%1 of %2 clips done so far."), done, total))
        else:
            self.headline.setText(self.tr("Nothing is publishing right now"))
            self.detail.setText(
                self.tr(
                    "When you publish from StoryClip, your batches show up here and "
                    "the tray tells you when they finish."
                )
            )
        if finished:
            self.detail.setText(f"{self.detail.text()} {plural().finished_batches(len(finished))}.")
        self._fill_rows(running + finished)

    def _fill_rows(self, batches: list[Batch]) -> None:
        shown = batches[:_LISTED]
        ids = [b.batch_id for b in shown]
        if ids != self._row_ids:
            # Another set of batches: rebuild the rows (rare; progress only updates).
            for row_widgets in self._row_widgets:
                for widget in row_widgets:
                    self._rows.removeWidget(widget)
                    widget.hide()
                    widget.deleteLater()
            self._row_widgets = []
            for row in range(len(shown)):
                name = plain_label(parent=self)
                chip = StatusChip(self)
                bar = QProgressBar(self)
                bar.setMaximumHeight(bar.sizeHint().height())
                self._rows.addWidget(name, row, 0)
                self._rows.addWidget(chip, row, 1)
                self._rows.addWidget(bar, row, 2)
                self._row_widgets.append((name, chip, bar))
            self._row_ids = ids
        for row, batch in enumerate(shown):
            name, chip, bar = self._row_widgets[row]
            # Under load this runs once a frame: set only what differs.
            label = fill(self.tr("Batch %1"), short_id(batch.batch_id))
            if name.text() != label:
                name.setText(label)
            if chip.status is not batch.status or chip.text() != batch_status_text(batch):
                chip.set_batch(batch)
            value = batch.done if batch.total else (1 if batch.is_final else 0)
            text = fill(self.tr("%1 / %2"), batch.done, batch.total)
            if (bar.maximum(), bar.value(), bar.format()) != (max(batch.total, 1), value, text):
                set_progress(bar, value, max(batch.total, 1), text)
            palette = bar.palette()
            color = (
                self.palette().color(QPalette.ColorRole.Highlight)
                if batch.status is BatchStatus.PROCESSING
                else style.chip_color(batch.status)
            )
            if palette.color(QPalette.ColorRole.Highlight) != color:
                palette.setColor(QPalette.ColorRole.Highlight, color)
                bar.setPalette(palette)
        hidden = len(batches) - _LISTED
        self.more.setText(plural().more_batches(hidden) if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
