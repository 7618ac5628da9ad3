"""The signed-in view of the main window: who, what is publishing, what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette, QShowEvent
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

from storyclip_desktop.core.model import Batch

from .batch_card import StatusChip, color_label, plain_label, progress_color, set_progress
from .resources import app_icon
from .store import BatchStore
from .texts import batch_name_text, batch_status_text, plural

if TYPE_CHECKING:
    from .main_window import Surroundings

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

    def __init__(
        self,
        store: BatchStore,
        parent: QWidget | None,
        surroundings: Surroundings,
    ) -> None:
        """``surroundings``: whether a tray keeps the app running when the window
        closes, and how news reaches the user (the main window asks the UI)."""
        super().__init__(parent)
        self.setObjectName("accountView")
        self._store = store
        self._surroundings = surroundings

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
        self._row_texts: list[QLabel] = []
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

    def showEvent(self, event: QShowEvent) -> None:
        # The tray host or the notification service may have come or gone.
        super().showEvent(event)
        self.update_summary()

    def update_summary(self) -> None:
        texts = plural()
        running = self._store.running()
        paused = self._store.paused()
        finished = self._store.finished()
        sentences: list[str] = []
        if not running and paused:
            # Paused is not "nothing publishing": the batch waits for the user.
            self.headline.setText(texts.paused_batches(len(paused)))
            sentences.append(
                texts.clips_done_so_far(sum(b.done for b in paused), sum(b.total for b in paused))
            )
            if finished:
                sentences.append(self.tr("%n batch(es) finished earlier.", "", len(finished)))
        elif running:
            total = sum(b.total for b in running)
            done = sum(b.done for b in running)
            failed = sum(b.failed for b in running)
            self.headline.setText(texts.batches_publishing(len(running)))
            sentences.append(texts.clips_done_so_far(done, total))
            if failed:
                sentences.append(texts.failed_clips_sentence(failed))
            if paused:
                sentences.append(self.tr("%n batch(es) paused.", "", len(paused)))
            if finished:
                sentences.append(self.tr("%n batch(es) finished earlier.", "", len(finished)))
        else:
            self.headline.setText(self.tr("Nothing is publishing right now"))
            if finished:
                sentences.append(self.tr("%n batch(es) finished.", "", len(finished)))
                failed = sum(b.failed for b in finished)
                if failed:
                    sentences.append(texts.failed_clips_sentence(failed))
            else:
                sentences.append(self.how_you_hear())
        text = " ".join(sentences)
        if self.detail.text() != text:
            self.detail.setText(text)
        self._fill_rows(running + paused + finished)

    def how_you_hear(self) -> str:
        """What happens when a batch finishes, and when this window is closed, on this
        desktop: the tray, a desktop notification, or the banner in this window."""
        route = self._surroundings.notification_route()
        if route == "banner":
            first = self.tr(
                "When you publish from StoryClip, your batches show up here and a message "
                "at the top of this window tells you when they finish."
            )
        else:
            first = self.tr(
                "When you publish from StoryClip, your batches show up here and a desktop "
                "notification tells you when they finish."
            )
        if self._surroundings.tray_available():
            second = self.tr(
                "Closing this window keeps StoryClip Desktop running in the system tray."
            )
        else:
            second = self.tr(
                "This desktop has no system tray, so closing this window quits StoryClip Desktop."
            )
        return f"{first} {second}"

    def _fill_rows(self, batches: list[Batch]) -> None:
        shown = batches[:_LISTED]
        ids = [b.batch_id for b in shown]
        if ids != self._row_ids:
            # Another set of batches: rebuild the rows (rare; progress only updates).
            for row_widgets in [*self._row_widgets, *((t,) for t in self._row_texts)]:
                for widget in row_widgets:
                    self._rows.removeWidget(widget)
                    widget.hide()
                    widget.deleteLater()
            self._row_widgets = []
            self._row_texts = []
            for row in range(len(shown)):
                name = plain_label(parent=self)
                chip = StatusChip(self)
                bar = QProgressBar(self)
                bar.setMaximumHeight(bar.sizeHint().height())
                bar.setTextVisible(False)  # the text beside it, not split across the fill
                text_label = plain_label(parent=self)
                self._rows.addWidget(name, row, 0)
                self._rows.addWidget(chip, row, 1)
                self._rows.addWidget(bar, row, 2)
                self._rows.addWidget(text_label, row, 3)
                self._row_widgets.append((name, chip, bar))
                self._row_texts.append(text_label)
            self._row_ids = ids
        for row, batch in enumerate(shown):
            name, chip, bar = self._row_widgets[row]
            # Under load this runs once a frame: set only what differs.
            label = batch_name_text(batch)
            if name.text() != label:
                name.setText(label)
            if chip.status is not batch.status or chip.text() != batch_status_text(batch):
                chip.set_batch(batch)
            value = batch.done if batch.total else (1 if batch.is_final else 0)
            text = plural().short_progress(batch.done, batch.total, batch.failed)
            if (bar.maximum(), bar.value(), bar.format()) != (max(batch.total, 1), value, text):
                set_progress(bar, value, max(batch.total, 1), text)
                self._row_texts[row].setText(text)
                bar.setAccessibleName(f"{label}: {text}")
            palette = bar.palette()
            color = progress_color(batch, self.palette())
            if palette.color(QPalette.ColorRole.Highlight) != color:
                palette.setColor(QPalette.ColorRole.Highlight, color)
                bar.setPalette(palette)
        hidden = len(batches) - _LISTED
        self.more.setText(plural().more_batches(hidden) if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
