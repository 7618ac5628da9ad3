"""The history's table model (one row per ended batch, loaded page by page) and
its CSV export (one row per clip).

The model holds only what was loaded: light batches without clips, so thousands
of rows cost a few hundred bytes each; the dialog asks for a batch's clips when
it is selected and for the next page when the view scrolls near the end
(``canFetchMore`` / ``fetchMore``, Qt's lazy-loading protocol).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from storyclip_desktop.core.model import Batch

from .style import chip_color
from .texts import batch_name_text, batch_status_text, format_time

__all__ = ["CSV_COLUMNS", "HistoryTableModel", "batch_name", "write_csv"]

_Index = QModelIndex | QPersistentModelIndex


def batch_name(batch: Batch) -> str:
    """The name a person knows a batch by, as every other view shows it (job id, else
    first clip + N more where the clips are loaded, else "Batch abc123")."""
    return batch_name_text(batch)


class HistoryTableModel(QAbstractTableModel):
    """Ended batches, newest first, as pages arrive.

    Signals:
        moreWanted(int): the view scrolled to the end and there is more: load the
            page starting at this row (the dialog asks the session).
    """

    NAME, STATUS, STARTED, FINISHED, PUBLISHED, FAILED, TOTAL = range(7)
    COLUMN_COUNT = 7

    moreWanted = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._batches: list[Batch] = []
        self._more = False
        self._loading = False

    # ------------------------------------------------------------ content

    @property
    def batches(self) -> list[Batch]:
        return list(self._batches)

    @property
    def more(self) -> bool:
        return self._more

    def reset(self) -> None:
        """Empty (a new query): the first page comes next."""
        self.beginResetModel()
        self._batches = []
        self._more = False
        self._loading = True
        self.endResetModel()

    def append(self, batches: Sequence[Batch], more: bool) -> None:
        """A page arrived: add its rows; ``more``: there is a next page."""
        self._loading = False
        self._more = more
        if not batches:
            return
        first = len(self._batches)
        self.beginInsertRows(QModelIndex(), first, first + len(batches) - 1)
        self._batches.extend(batches)
        self.endInsertRows()

    def load_failed(self) -> None:
        """The page could not be had: stop asking until the user tries again."""
        self._loading = False
        self._more = False

    def batch_at(self, row: int) -> Batch | None:
        return self._batches[row] if 0 <= row < len(self._batches) else None

    # ------------------------------------------------------------ lazy loading

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's default
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008 - Qt's default
        if self.canFetchMore(parent):
            self._loading = True
            self.moreWanted.emit(len(self._batches))

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._batches)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            QCoreApplication.translate("HistoryTableModel", "Publication"),
            QCoreApplication.translate("HistoryTableModel", "Status"),
            QCoreApplication.translate("HistoryTableModel", "Started"),
            QCoreApplication.translate("HistoryTableModel", "Finished"),
            QCoreApplication.translate("HistoryTableModel", "Published"),
            QCoreApplication.translate("HistoryTableModel", "Failed"),
            QCoreApplication.translate("HistoryTableModel", "Clips"),
        )[section]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        batch = self.batch_at(index.row()) if index.isValid() else None
        if batch is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return batch_name(batch)
            if column == self.STATUS:
                return batch_status_text(batch)
            if column == self.STARTED:
                return format_time(batch.started_at or batch.created_at, with_date=True)
            if column == self.FINISHED:
                return format_time(batch.completed_at, with_date=True)
            return (batch.published, batch.failed, batch.total)[column - self.PUBLISHED]
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NAME:
            return batch.batch_id  # plain text: a name is user data, never rich text
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return chip_color(batch.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.PUBLISHED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "batch_name",
    "batch_id",
    "batch_status",
    "batch_started",
    "batch_finished",
    "clip_index",
    "clip_title",
    "clip_status",
    "clip_attempts",
    "clip_published_at",
    "metricool_post_id",
    "facebook_post_id",
    "clip_error",
)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


def _cell(text: str | None) -> str:
    """A spreadsheet must not run a title as a formula (CSV injection)."""
    value = text or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(out: IO[str], batches: Iterable[Batch]) -> int:
    """One row per clip (a batch without clips: one row with its own columns only),
    UTC times in ISO 8601. Returns the number of rows written."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for batch in batches:
        head = [
            _cell(batch_name(batch)),
            batch.batch_id,
            batch.status_raw,
            _iso(batch.started_at or batch.created_at),
            _iso(batch.completed_at),
        ]
        if not batch.clips:
            writer.writerow([*head, "", "", "", "", "", "", "", ""])
            rows += 1
        for clip in batch.clips:
            writer.writerow(
                [
                    *head,
                    clip.index,
                    _cell(clip.title),
                    clip.status_raw,
                    clip.attempts,
                    _iso(clip.published_at),
                    _cell(clip.metricool_post_id),
                    _cell(clip.facebook_post_id),
                    _cell(clip.error),
                ]
            )
            rows += 1
    return rows
