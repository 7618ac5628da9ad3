"""One batch in the active-batches dialog: status, progress, counts, stream, clips.

The clip table is built the first time the card is expanded: a dialog with a
hundred batches of two hundred clips keeps a hundred small models (which only
reference the core's immutable clips) and creates views only for what the user
opens.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from storyclip_desktop.core.model import Batch, BatchStatus, StreamState
from storyclip_desktop.core.text import shorten

from . import style
from .clip_model import ClipTableModel, ClipTableView, plain_tooltip
from .labels import breakable, color_label, plain_label
from .texts import (
    batch_name_text,
    batch_status_text,
    fill,
    format_time,
    plural,
    stream_state_text,
)

__all__ = [
    "BatchCard",
    "StatusChip",
    "breakable",
    "color_label",
    "display_error",
    "plain_label",
    "progress_color",
    "set_progress",
]

_ERROR_MAX = 300
_TOOLTIP_MAX = 2000

_STREAM_TONES = {
    "connecting": "grey",
    "live": "green",
    "reconnecting": "amber",
    "polling": "amber",
    "stalled": "red",
    "closed": "grey",
    "finished": "grey",
}


def set_progress(bar: QProgressBar, value: int, maximum: int, text: str) -> None:
    """Set a progress bar without painting it now.

    ``QProgressBar.setValue`` repaints synchronously (about 75 µs offscreen, for
    every bar, every time); with updates off it only schedules a repaint, which Qt
    merges with everything else into the next frame.
    """
    bar.setUpdatesEnabled(False)
    try:
        bar.setRange(0, maximum)
        bar.setValue(value)
        bar.setFormat(text)
    finally:
        bar.setUpdatesEnabled(True)


def progress_color(batch: Batch, palette: QPalette) -> QColor:
    """The bar's colour: the chip's, except that a completed batch with failed
    clips is amber, not green (the user must see that something failed)."""
    if batch.status is BatchStatus.PROCESSING:
        return palette.color(QPalette.ColorRole.Highlight)
    if batch.status is BatchStatus.COMPLETED and batch.failed > 0:
        return QColor(style.PARTIAL_COLOR)
    return style.chip_color(batch.status)


def display_error(text: str, limit: int = _ERROR_MAX) -> str:
    """A server error as a label shows it: one paragraph, at most ``limit``
    characters, and long unbroken runs (URLs, ids) given break points so a
    word-wrapped label never widens its window."""
    return breakable(shorten(text, limit))


class StatusChip(QLabel):
    """A batch status as a small rounded pill with white text, painted by hand so
    it looks the same under every style (style sheets would switch the widget
    to the style-sheet style and lose the rounded corners on some platforms).

    Signals:
        none of its own.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        self.status: BatchStatus | None = None
        self._color = style.chip_color(BatchStatus.UNKNOWN)

    def set_batch(self, batch: Batch) -> None:
        self.status = batch.status
        self._color = style.chip_color(batch.status)
        self.setText(batch_status_text(batch))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self.text()) + 20, fm.height() + 6)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = rect.height() / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._color)
        painter.drawRoundedRect(rect, radius, radius)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(self.font())
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text())
        painter.end()


def _name_key(batch: Batch) -> tuple[object, ...]:
    first = batch.clips[0].title if batch.clips else None
    return (batch.batch_id, batch.job_id, first, batch.total, len(batch.clips))


def _chip_key(batch: Batch) -> tuple[object, ...]:
    return (batch.status, batch.status_raw)


def _progress_key(batch: Batch) -> tuple[object, ...]:
    return (batch.total, batch.done, batch.failed, batch.status)


def _counts_key(batch: Batch) -> tuple[object, ...]:
    return (batch.published, batch.failed, batch.pending, batch.status)


def _times_key(batch: Batch) -> tuple[object, ...]:
    return (batch.started_at, batch.created_at, batch.scheduled_for, batch.completed_at,
            batch.status)  # fmt: skip


class BatchCard(QFrame):
    """A batch's card; ``update_batch`` and ``set_stream`` keep it current.

    Signals:
        expandedChanged(bool): the clip table was shown or hidden.
    """

    expandedChanged = Signal(bool)

    def __init__(
        self, batch: Batch, stream: StreamState | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("batchCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFrameShadow(QFrame.Shadow.Raised)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self._batch = batch
        self._shown: Batch | None = None  # the batch the labels show
        self._stream: StreamState | None = None
        self._retry_deadline: float | None = None
        self.model = ClipTableModel(batch.clips, self)
        self.table: ClipTableView | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)

        top = QHBoxLayout()
        top.setSpacing(8)
        self.title = plain_label(parent=self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.08)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chip = StatusChip(self)
        # A completed batch with failed clips keeps the server's "Completed" chip;
        # this note beside it says that not everything was published.
        self.failure_note = plain_label(parent=self)
        self.failure_note.setObjectName("failureNote")
        self.failure_note.setVisible(False)
        self.times = plain_label(parent=self)
        self.times.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        top.addWidget(self.title)
        top.addWidget(self.chip)
        top.addWidget(self.failure_note)
        top.addStretch(1)
        top.addWidget(self.times)
        layout.addLayout(top)

        # The text beside the bar, not on it: on the bar it was split across the
        # fill's edge, half on each colour, hard to read in either palette.
        bar_row = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress_text = plain_label(parent=self)
        self.progress_text.setObjectName("progressText")
        bar_row.addWidget(self.progress, 1)
        bar_row.addWidget(self.progress_text)
        layout.addLayout(bar_row)

        middle = QHBoxLayout()
        self.counts = plain_label(parent=self)
        self.stream_label = plain_label(parent=self)
        self.stream_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        middle.addWidget(self.counts)
        middle.addStretch(1)
        middle.addWidget(self.stream_label)
        layout.addLayout(middle)

        self.error = plain_label(parent=self)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.error)

        self._expanded = False
        self.toggle = QToolButton(self)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.clicked.connect(lambda: self.set_expanded(not self._expanded))
        layout.addWidget(self.toggle)
        self._table_layout = layout

        self.update_batch(batch)
        self.set_stream(stream)

    # ------------------------------------------------------------ state

    @property
    def batch(self) -> Batch:
        return self._batch

    @property
    def batch_id(self) -> str:
        return self._batch.batch_id

    @property
    def expanded(self) -> bool:
        return self._expanded

    def update_batch(self, batch: Batch) -> None:
        """Show ``batch``. Only what differs from the batch shown last is set again:
        under load this runs once a frame for every batch that moved, and mostly
        one count moved (a label set to the same text still costs a relayout)."""
        old, self._shown = self._shown, batch
        self._batch = batch
        if old is None or _name_key(old) != _name_key(batch):
            # The name can change while the batch runs (its first clip's title arrives).
            self.title.setText(batch_name_text(batch))
            self.title.setToolTip(plain_tooltip(batch.batch_id))
        if old is None or _chip_key(old) != _chip_key(batch):
            self.chip.set_batch(batch)
        if old is None or _progress_key(old) != _progress_key(batch):
            self._update_progress(batch)
        if old is None or _counts_key(old) != _counts_key(batch):
            if batch.status is BatchStatus.CANCELLED:
                # Nothing is pending in a cancelled batch: what is left will not be published.
                template = self.tr("Published: %1 · Failed: %2 · Not published: %3")
            else:
                template = self.tr("Published: %1 · Failed: %2 · Pending: %3")
            self.counts.setText(fill(template, batch.published, batch.failed, batch.pending))
            if batch.failed > 0:
                self.failure_note.setText("● " + plural().failed_clips(batch.failed))
                self._color(self.failure_note, "red")
            self.failure_note.setVisible(batch.failed > 0)
        if old is None or _times_key(old) != _times_key(batch):
            self.times.setText(self._times_text(batch))
        if old is None or old.error != batch.error:
            if batch.error:
                self.error.setText(fill(self.tr("Server error: %1"), display_error(batch.error)))
                self.error.setToolTip(plain_tooltip(batch.error[:_TOOLTIP_MAX]))
                self._color(self.error, "red")
                self.error.setVisible(True)
            else:
                self.error.clear()
                self.error.setToolTip("")
                self.error.setVisible(False)
        if old is None or len(old.clips) != len(batch.clips):
            self.toggle.setText(plural().clips_label(len(batch.clips)))
            self.toggle.setEnabled(bool(batch.clips))
        self.model.set_clips(batch.clips)
        if batch.is_final:
            self._show_stream()

    def _update_progress(self, batch: Batch) -> None:
        total = batch.total
        if total <= 0:
            set_progress(self.progress, 1 if batch.is_final else 0, 1, self.tr("No clips"))
        else:
            text = plural().clips_progress(batch.done, total, batch.failed)
            set_progress(self.progress, batch.done, total, text)
        self.progress_text.setText(self.progress.text())
        self.progress.setAccessibleName(self.progress.text())
        palette = self.progress.palette()
        palette.setColor(QPalette.ColorRole.Highlight, progress_color(batch, self.palette()))
        self.progress.setPalette(palette)

    def _times_text(self, batch: Batch) -> str:
        parts: list[str] = []
        if batch.started_at is not None:
            parts.append(fill(self.tr("Started %1"), format_time(batch.started_at)))
        elif batch.created_at is not None:
            parts.append(fill(self.tr("Created %1"), format_time(batch.created_at)))
        if batch.scheduled_for is not None and not batch.is_final:
            parts.append(fill(self.tr("Scheduled for %1"), format_time(batch.scheduled_for)))
        if batch.completed_at is not None:
            parts.append(fill(self.tr("Ended %1"), format_time(batch.completed_at)))
        return " · ".join(parts)

    def set_stream(self, state: StreamState | None) -> None:
        self._stream = state
        if state is not None and state.state == "reconnecting" and state.retry_in:
            self._retry_deadline = time.monotonic() + state.retry_in
        else:
            self._retry_deadline = None
        self._show_stream()

    @property
    def counting_down(self) -> bool:
        return self._retry_deadline is not None

    def tick(self) -> None:
        """Refresh the "reconnecting in N s" countdown (called a few times a second)."""
        if self._retry_deadline is not None:
            self._show_stream()
            if time.monotonic() >= self._retry_deadline:
                self._retry_deadline = None

    def _show_stream(self) -> None:
        state = self._stream
        if state is None or self._batch.is_final:
            # A finished batch's chip says it all; a late "live" must not show.
            self.stream_label.clear()
            self.stream_label.setVisible(False)
            return
        remaining = None
        if self._retry_deadline is not None:
            remaining = max(0.0, self._retry_deadline - time.monotonic())
        self.stream_label.setText("● " + stream_state_text(state, remaining))
        self._color(self.stream_label, _STREAM_TONES.get(state.state, "grey"))
        self.stream_label.setVisible(True)

    def _color(self, label: QLabel, tone: str) -> None:
        color_label(label, tone, self.palette())

    # ------------------------------------------------------------ clips

    def set_expanded(self, expanded: bool) -> None:
        """Show or hide the clip table (built the first time it is shown)."""
        if expanded == self._expanded and (self.table is not None or not expanded):
            return
        self._expanded = expanded
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        if expanded and self.table is None:
            self.table = ClipTableView(self.model, self)
            self._table_layout.addWidget(self.table)
        if self.table is not None:
            self.table.setVisible(expanded)
        self.expandedChanged.emit(expanded)
