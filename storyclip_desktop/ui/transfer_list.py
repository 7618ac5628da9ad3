"""The batches as a compact transfer list: one row per batch, as qBittorrent shows
its torrents (name, status, progress, counts, stream, started, time left).

A model keyed by batch id: an update changes one row and emits ``dataChanged``
for that row only (the view keeps its selection, scroll and sort); every cell
has a raw value (:data:`RawValueRole`) to sort on and for tests. A delegate
paints only the progress column, with its text beside the bar, never across the
bar's fill edge. A proxy filters by status (All / Publishing / Finished / Failed)
and searches names and clip titles.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any, Literal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from storyclip_desktop.core.model import Batch, BatchStatus, StreamState

from .batch_card import progress_color
from .clip_model import RawValueRole
from .texts import (
    batch_name_text,
    batch_status_text,
    fill,
    format_time,
    plural,
    stream_state_text,
)

__all__ = [
    "BatchFilterProxy",
    "BatchListModel",
    "BatchListView",
    "ProgressDelegate",
    "StatusFilter",
    "estimate_left",
]

_ModelIndex = QModelIndex | QPersistentModelIndex
StatusFilter = Literal["all", "publishing", "finished", "failed"]

#: What the search looks in: the batch's name, job id and clip titles (lowercase).
SearchRole = Qt.ItemDataRole.UserRole + 10
#: The row's batch id.
BatchIdRole = Qt.ItemDataRole.UserRole + 11


def estimate_left(batch: Batch, now: datetime) -> float | None:
    """Seconds left at the pace of the batch's clips so far, as transfer apps show;
    None while nothing tells the pace (no start time, no clip done) or when nothing
    is left to do."""
    if batch.status is not BatchStatus.PROCESSING or batch.started_at is None:
        return None
    done, left = batch.done, batch.pending
    if done <= 0 or left <= 0:
        return None
    started = batch.started_at
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    elapsed = (now - started).total_seconds()
    if elapsed <= 0:
        return None
    return elapsed / done * left


def duration_text(seconds: float) -> str:
    """ "45 s", "3 min", "1 h 05 min": short, as a list column has room for."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return fill(QApplication.translate("BatchListModel", "%1 s"), whole)
    minutes = math.ceil(whole / 60)
    if minutes < 60:
        return fill(QApplication.translate("BatchListModel", "%1 min"), minutes)
    return fill(
        QApplication.translate("BatchListModel", "%1 h %2 min"),
        minutes // 60,
        f"{minutes % 60:02d}",
    )


class BatchListModel(QAbstractTableModel):
    """One row per batch, in the order they arrive (the view sorts).

    Signals:
        none of its own (the table model's).
    """

    NAME, STATUS, PROGRESS, COUNTS, STREAM, STARTED, LEFT = range(7)
    _COLUMNS = 7

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Batch] = []
        self._row_of: dict[str, int] = {}
        self._streams: dict[str, StreamState] = {}
        self._search: dict[str, str] = {}
        self.now: datetime | None = None  # tests fix the clock; None: the real one

    # ------------------------------------------------------------ updating

    @property
    def batches(self) -> list[Batch]:
        return list(self._rows)

    def row_of(self, batch_id: str) -> int | None:
        return self._row_of.get(batch_id)

    def batch_at(self, row: int) -> Batch | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def put(self, batch: Batch) -> None:
        """Add the batch, or update its row (one ``dataChanged`` for that row)."""
        row = self._row_of.get(batch.batch_id)
        self._search.pop(batch.batch_id, None)
        if row is None:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.append(batch)
            self._row_of[batch.batch_id] = row
            self.endInsertRows()
            return
        if self._rows[row] is batch:
            return
        self._rows[row] = batch
        self.dataChanged.emit(self.index(row, 0), self.index(row, self._COLUMNS - 1))

    def set_stream(self, batch_id: str, state: StreamState | None) -> None:
        if state is None:
            self._streams.pop(batch_id, None)
        else:
            self._streams[batch_id] = state
        row = self._row_of.get(batch_id)
        if row is not None:
            cell = self.index(row, self.STREAM)
            self.dataChanged.emit(cell, cell)

    def tick(self) -> None:
        """The time-left column moves with the clock: repaint it for running rows."""
        for row, batch in enumerate(self._rows):
            if batch.status is BatchStatus.PROCESSING:
                cell = self.index(row, self.LEFT)
                self.dataChanged.emit(cell, cell)

    def remove(self, batch_ids: set[str]) -> None:
        """Drop these rows (Clear finished); the others keep their order."""
        keep = [b for b in self._rows if b.batch_id not in batch_ids]
        if len(keep) == len(self._rows):
            return
        self.beginResetModel()
        self._rows = keep
        self._row_of = {b.batch_id: i for i, b in enumerate(keep)}
        for batch_id in batch_ids:
            self._streams.pop(batch_id, None)
            self._search.pop(batch_id, None)
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._row_of.clear()
        self._streams.clear()
        self._search.clear()
        self.endResetModel()

    # ------------------------------------------------------------ reading

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and section == self.COUNTS:
            return self.tr("Published / failed · total clips")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Name"),
            self.tr("Status"),
            self.tr("Progress"),
            self.tr("Counts"),
            self.tr("Updates"),
            self.tr("Started"),
            self.tr("Time left"),
        )[section]

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        batch = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(batch, col)
        if role == RawValueRole:
            return self._raw(batch, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.NAME:
            return batch.batch_id
        if role == SearchRole:
            return self._search_text(batch)
        if role == BatchIdRole:
            return batch.batch_id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COUNTS, self.LEFT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _left(self, batch: Batch) -> float | None:
        return estimate_left(batch, self.now or datetime.now(UTC))

    def _display(self, batch: Batch, col: int) -> str:
        if col == self.NAME:
            return batch_name_text(batch)
        if col == self.STATUS:
            return batch_status_text(batch)
        if col == self.PROGRESS:
            return plural().short_progress(batch.done, batch.total, batch.failed)
        if col == self.COUNTS:
            return f"{batch.published} / {batch.failed} · {batch.total}"
        if col == self.STREAM:
            state = self._streams.get(batch.batch_id)
            return "" if state is None or batch.is_final else stream_state_text(state)
        if col == self.STARTED:
            return format_time(batch.started_at or batch.created_at)
        left = self._left(batch)
        return "" if left is None else duration_text(left)

    def _raw(self, batch: Batch, col: int) -> int | float | str:
        if col == self.NAME:
            return batch_name_text(batch).casefold()
        if col == self.STATUS:
            return batch.status.value
        if col == self.PROGRESS:
            return batch.done / batch.total if batch.total else (1.0 if batch.is_final else 0.0)
        if col == self.COUNTS:
            return batch.published
        if col == self.STREAM:
            state = self._streams.get(batch.batch_id)
            return "" if state is None else state.state
        if col == self.STARTED:
            # In the order the batches were made (as the cards are), then started.
            when = batch.created_at or batch.started_at
            return when.timestamp() if when is not None else 0.0
        left = self._left(batch)
        return math.inf if left is None else left

    def _search_text(self, batch: Batch) -> str:
        text = self._search.get(batch.batch_id)
        if text is None:
            parts = [batch_name_text(batch), batch.batch_id, batch.job_id or ""]
            parts += [c.title for c in batch.clips if c.title]
            text = self._search[batch.batch_id] = "\n".join(parts).casefold()
        return text


class BatchFilterProxy(QSortFilterProxyModel):
    """Status filter and search over the transfer list; sorts on raw values.

    Signals:
        none of its own (the proxy model's).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(RawValueRole)
        self.setDynamicSortFilter(True)
        self._status: StatusFilter = "all"
        self._needle = ""

    @property
    def status(self) -> StatusFilter:
        return self._status

    def set_status(self, status: StatusFilter) -> None:
        if status != self._status:
            self.beginFilterChange()
            self._status = status
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search(self, text: str) -> None:
        needle = " ".join(text.split()).casefold()
        if needle != self._needle:
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, _parent: _ModelIndex) -> bool:
        source = self.sourceModel()
        if not isinstance(source, BatchListModel):
            return True
        batch = source.batch_at(source_row)
        if batch is None:
            return False
        if not _status_matches(batch, self._status):
            return False
        if self._needle:
            haystack = source.data(source.index(source_row, 0), SearchRole)
            return isinstance(haystack, str) and self._needle in haystack
        return True


def _status_matches(batch: Batch, wanted: StatusFilter) -> bool:
    if wanted == "publishing":
        return not batch.is_final
    if wanted == "finished":
        return batch.is_final
    if wanted == "failed":
        return batch.status is BatchStatus.FAILED or batch.failed > 0
    return True


class ProgressDelegate(QStyledItemDelegate):
    """Paints the progress column: a bar, and its text beside it (never across the
    fill's edge, where half the text would sit on each colour).

    Signals:
        none of its own.
    """

    def __init__(self, model: BatchListModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _ModelIndex) -> None:
        # The selection / hover background as for any cell, without text.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        app_style = widget.style() if widget is not None else QApplication.style()
        app_style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        value = index.data(RawValueRole)
        fraction = float(value) if isinstance(value, int | float) else 0.0
        rect: QRect = option.rect.adjusted(4, 4, -4, -4)
        metrics = option.fontMetrics
        # The text gets what it needs; the bar keeps at least a third of the cell.
        text_width = min(metrics.horizontalAdvance(text) + 8, rect.width() * 2 // 3)
        bar_rect = QRect(rect.left(), rect.top(), rect.width() - text_width, rect.height())
        text_rect = QRect(bar_rect.right() + 6, rect.top(), text_width - 6, rect.height())

        bar = QStyleOptionProgressBar()
        bar.rect = bar_rect
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = round(max(0.0, min(1.0, fraction)) * 1000)
        bar.textVisible = False
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.palette = QPalette(option.palette)
        batch_id = index.data(BatchIdRole)
        row = self._model.row_of(batch_id) if isinstance(batch_id, str) else None
        batch = self._model.batch_at(row) if row is not None else None
        if batch is not None:
            bar.palette.setColor(
                QPalette.ColorRole.Highlight,
                progress_color(batch, option.palette),
            )
        app_style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)

        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        painter.restore()


class BatchListView(QTableView):
    """The compact list: one row per batch, sortable, keyboard-navigable.

    Signals:
        none of its own (QTableView's).
    """

    def __init__(self, model: BatchListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchList")
        self.setAccessibleName(self.tr("Batches"))
        self.source = model
        self.filter = BatchFilterProxy(self)
        self.filter.setSourceModel(model)
        self.setModel(self.filter)
        self.setItemDelegateForColumn(BatchListModel.PROGRESS, ProgressDelegate(model, self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSortingEnabled(True)
        self.sortByColumn(BatchListModel.STARTED, Qt.SortOrder.DescendingOrder)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(BatchListModel.NAME, QHeaderView.ResizeMode.Stretch)
        fm = self.fontMetrics()
        sample = datetime(2026, 12, 30, 23, 58, tzinfo=UTC)
        widths = {
            BatchListModel.STATUS: fm.horizontalAdvance("Processing") + 20,
            BatchListModel.PROGRESS: fm.horizontalAdvance("000 / 000 · 00 failed") + 70,
            BatchListModel.COUNTS: fm.horizontalAdvance("000 / 00 · 000") + 16,
            BatchListModel.STREAM: fm.horizontalAdvance("Reconnecting…") + 16,
            BatchListModel.STARTED: fm.horizontalAdvance(format_time(sample, with_date=True)) + 16,
            BatchListModel.LEFT: fm.horizontalAdvance("0 h 00 min") + 16,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setMinimumSectionSize(fm.horizontalAdvance("000") + 12)
        self.setMinimumHeight(self.verticalHeader().defaultSectionSize() * 4)

    def selected_batch_id(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        batch_id = rows[0].data(BatchIdRole)
        return batch_id if isinstance(batch_id, str) else None

    def select_batch(self, batch_id: str) -> bool:
        """Select the row of ``batch_id`` (when the filter shows it) and scroll to it."""
        row = self.source.row_of(batch_id)
        if row is None:
            return False
        index = self.filter.mapFromSource(self.source.index(row, 0))
        if not index.isValid():
            return False
        self.selectRow(index.row())
        self.scrollTo(index)
        return True
