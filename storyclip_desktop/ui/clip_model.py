"""The clips of one batch as a table: a model updated row by row, and its view.

A progress event changes one clip, so the model compares the new clips with the
ones it shows and emits ``dataChanged`` for the rows that differ: the view keeps
its scroll position, selection and sort, and a 200-clip batch costs one row
repaint per event. A model reset happens only when the clips themselves are
replaced (another batch, clips reordered), never on progress.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from itertools import compress, count
from operator import is_not
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QMetaMethod,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QDesktopServices,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from storyclip_desktop.core.model import Clip, ClipStatus
from storyclip_desktop.core.text import shorten

from . import style
from .resources import clip_status_icon
from .texts import clip_status_text, fill, format_time

__all__ = ["ClipTableModel", "ClipTableView", "RawValueRole", "plain_tooltip"]

RawValueRole = Qt.ItemDataRole.UserRole + 1
"""The cell's raw value (int, str or float), for sorting and for tests."""

ErrorRole = Qt.ItemDataRole.UserRole + 2
"""The clip's full error text (or "")."""

_ERROR_PREVIEW = 120

# Sort order of statuses: what needs attention first when sorted ascending.
_STATUS_ORDER = {
    ClipStatus.FAILED: 0,
    ClipStatus.UPLOADING: 1,
    ClipStatus.WAITING_CONFIRMATION: 2,
    ClipStatus.SCHEDULING: 3,
    ClipStatus.PENDING: 4,
    ClipStatus.SCHEDULED: 5,
    ClipStatus.PUBLISHED: 6,
    ClipStatus.UNKNOWN: 7,
}

_ModelIndex = QModelIndex | QPersistentModelIndex

# The change signals that show someone follows a model, per model class.
_MODEL_SIGNALS: dict[type, list[QMetaMethod]] = {}


def post_url(clip: Clip) -> str | None:
    """The public address of a clip's published post, where the server gives one:
    a Facebook post id (the Metricool id has no public page)."""
    post = (clip.facebook_post_id or "").strip()
    if clip.status is not ClipStatus.PUBLISHED or not post or not post.replace("_", "").isalnum():
        return None
    return f"https://www.facebook.com/{post}"


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally: Qt guesses rich text for anything
    that looks like a tag, so the text is escaped inside a rich-text paragraph."""
    escaped = html.escape(text, quote=False)
    return f"<p style='white-space:pre-wrap'>{escaped}</p>"


def clip_title(clip: Clip) -> str:
    if clip.title:
        return clip.title
    return fill(QCoreApplication.translate("ClipTableModel", "Clip %1"), clip.index)


class ClipTableModel(QAbstractTableModel):
    """The clips of one batch: index, title, status, attempts, error, publish time.

    Signals:
        none of its own: views follow Qt's model signals (``dataChanged``,
        ``modelReset``, ...), emitted only for rows that changed.
    """

    INDEX, TITLE, STATUS, ATTEMPTS, ERROR, PUBLISHED = range(6)
    COLUMN_COUNT = 6

    def __init__(self, clips: Sequence[Clip] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clips: tuple[Clip, ...] = tuple(clips)

    # ------------------------------------------------------------ updating

    @property
    def clips(self) -> tuple[Clip, ...]:
        return self._clips

    def set_clips(self, clips: Sequence[Clip]) -> None:
        """Show ``clips``: rows that changed get ``dataChanged``, new clips at the end
        are inserted; only a different set of clips in front resets the model."""
        new = tuple(clips)
        old = self._clips
        if new is old:
            return
        if not self._observed():
            # Nothing shows these rows yet (a card builds its table at first use):
            # there is nobody to tell which rows changed, so nothing to compare.
            self._clips = new
            return
        common = len(old)
        # Rows holding the very same clip object cannot differ: only the others are
        # compared, and finding them runs in C (a 1,000-clip batch with one clip
        # changed costs microseconds, not a thousand Python comparisons).
        moved = list(compress(count(), map(is_not, old, new[:common])))
        if len(new) < common or any(old[row].index != new[row].index for row in moved):
            self.beginResetModel()
            self._clips = new
            self.endResetModel()
            return
        changed = [row for row in moved if old[row] != new[row]]
        self._clips = new[:common]
        last_col = self.COLUMN_COUNT - 1
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))
        if len(new) > common:
            self.beginInsertRows(QModelIndex(), common, len(new) - 1)
            self._clips = new
            self.endInsertRows()

    def _observed(self) -> bool:
        """A view, a proxy or anyone else follows this model's changes."""
        signals = _MODEL_SIGNALS.get(type(self))
        if signals is None:
            signals = _MODEL_SIGNALS[type(self)] = [
                QMetaMethod.fromSignal(signal)
                for signal in (self.dataChanged, self.rowsInserted, self.modelAboutToBeReset,
                               self.modelReset, self.layoutChanged)
            ]  # fmt: skip
        return any(map(self.isSignalConnected, signals)) or bool(self.persistentIndexList())

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._clips)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                (
                    self.tr("#"),
                    self.tr("Title"),
                    self.tr("Status"),
                    self.tr("Attempts"),
                    self.tr("Error"),
                    self.tr("Published"),
                )[section]
                if 0 <= section < self.COLUMN_COUNT
                else None
            )
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if section in (self.INDEX, self.ATTEMPTS):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._clips):
            return None
        clip = self._clips[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(clip, col)
        if role == RawValueRole:
            return self._raw(clip, col)
        if role == Qt.ItemDataRole.DecorationRole and col == self.STATUS:
            return clip_status_icon(clip.status)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS:
            return style.clip_tone(clip.status, QGuiApplication.palette())
        if role == Qt.ItemDataRole.ForegroundRole and col == self.ERROR:
            return style.tone("red", QGuiApplication.palette())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(clip, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.INDEX:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.ATTEMPTS:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == ErrorRole:
            return clip.error or ""
        return None

    def _display(self, clip: Clip, col: int) -> str | int | None:
        if col == self.INDEX:
            return clip.index
        if col == self.TITLE:
            return clip_title(clip)
        if col == self.STATUS:
            return clip_status_text(clip.status, clip.status_raw)
        if col == self.ATTEMPTS:
            return clip.attempts
        if col == self.ERROR:
            if not clip.error:
                return ""
            first = clip.error.strip().splitlines()[0] if clip.error.strip() else ""
            return shorten(first, _ERROR_PREVIEW)
        if col == self.PUBLISHED:
            # Always with its date: a time alone is ambiguous once the day has turned.
            return format_time(clip.published_at, with_date=True)
        return None

    def _raw(self, clip: Clip, col: int) -> int | str | float:
        if col == self.INDEX:
            return clip.index
        if col == self.TITLE:
            return clip_title(clip).casefold()
        if col == self.STATUS:
            return _STATUS_ORDER.get(clip.status, 99)
        if col == self.ATTEMPTS:
            return clip.attempts
        if col == self.ERROR:
            return (clip.error or "").casefold()
        if col == self.PUBLISHED:
            return clip.published_at.timestamp() if clip.published_at else math.inf
        return ""

    def _tooltip(self, clip: Clip, col: int) -> str | None:
        if col == self.TITLE:
            text = clip_title(clip)
            if clip.url:
                text = f"{text}\n{clip.url}"
            return plain_tooltip(text)
        if col == self.ERROR and clip.error:
            return plain_tooltip(clip.error)
        if col == self.STATUS:
            text = clip_status_text(clip.status, clip.status_raw)
            if clip.error:
                text = f"{text}\n{clip.error}"
            return plain_tooltip(text)
        if col == self.PUBLISHED and clip.published_at:
            return plain_tooltip(format_time(clip.published_at, with_date=True))
        return None


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows merged into (first, last) ranges: one signal per range."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


class ClipSortProxy(QSortFilterProxyModel):
    """Sorts on the raw values, so "10" comes after "9" and times sort as times.

    Qt's own comparison (in C++) handles the int, float and str raw values, and
    its sort is stable: ties keep the clip order.

    Signals:
        none of its own (the proxy model's).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(RawValueRole)
        self.setDynamicSortFilter(True)
        self._failed_only = False

    @property
    def failed_only(self) -> bool:
        return self._failed_only

    def set_failed_only(self, failed_only: bool) -> None:
        """Show only the failed clips (a notice's "Show failed clips")."""
        if failed_only != self._failed_only:
            self.beginFilterChange()
            self._failed_only = failed_only
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, _parent: _ModelIndex) -> bool:
        if not self._failed_only:
            return True
        source = self.sourceModel()
        if not isinstance(source, ClipTableModel) or source_row >= len(source.clips):
            return True
        return source.clips[source_row].status is ClipStatus.FAILED


class ClipTableView(QTableView):
    """A compact, sortable clip table; Ctrl+C and the context menu copy an error.

    Signals:
        none of its own (QTableView's).
    """

    VISIBLE_ROWS = 8

    def __init__(self, model: ClipTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = model
        self._proxy = ClipSortProxy(self)
        self._proxy.setSourceModel(model)
        self.setModel(self._proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(ClipTableModel.INDEX, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setShowGrid(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 10)
        hh = self.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setStretchLastSection(False)
        fm = self.fontMetrics()
        widths = {
            ClipTableModel.INDEX: fm.horizontalAdvance("0000") + 34,
            ClipTableModel.STATUS: fm.horizontalAdvance(
                clip_status_text(ClipStatus.WAITING_CONFIRMATION, "")
            )
            + 44,
            ClipTableModel.ATTEMPTS: fm.horizontalAdvance(
                str(model.headerData(ClipTableModel.ATTEMPTS, Qt.Orientation.Horizontal))
            )
            + 28,
            ClipTableModel.PUBLISHED: fm.horizontalAdvance("00/00/0000 00:00") + 16,
        }
        for col, width in widths.items():
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(col, width)
        hh.setSectionResizeMode(ClipTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(ClipTableModel.ERROR, QHeaderView.ResizeMode.Stretch)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        model.rowsInserted.connect(self._fit_height)
        model.modelReset.connect(self._fit_height)
        self._fit_height()

    @property
    def proxy(self) -> ClipSortProxy:
        return self._proxy

    def _fit_height(self) -> None:
        rows = min(max(self._source.rowCount(), 1), self.VISIBLE_ROWS)
        height = (
            self.horizontalHeader().sizeHint().height()
            + rows * self.verticalHeader().defaultSectionSize()
            + 2 * self.frameWidth()
        )
        self.setFixedHeight(height)

    # ------------------------------------------------------------ copying

    def current_clip(self) -> Clip | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        row = self._proxy.mapToSource(index).row()
        clips = self._source.clips
        return clips[row] if 0 <= row < len(clips) else None

    def copy_error(self) -> bool:
        """Copy the current row's error (its whole row when it has none)."""
        clip = self.current_clip()
        if clip is None:
            return False
        text = clip.error if clip.error else self._row_text(clip)
        QGuiApplication.clipboard().setText(text)
        return True

    def copy_row(self) -> bool:
        clip = self.current_clip()
        if clip is None:
            return False
        QGuiApplication.clipboard().setText(self._row_text(clip))
        return True

    def _row_text(self, clip: Clip) -> str:
        parts = [
            str(clip.index),
            clip_title(clip),
            clip_status_text(clip.status, clip.status_raw),
            str(clip.attempts),
            clip.error or "",
            format_time(clip.published_at, with_date=True),
        ]
        return "\t".join(parts)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy) and self.copy_error():
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if index.isValid():
            self.setCurrentIndex(index)
        clip = self.current_clip()
        if clip is None:
            return
        menu = QMenu(self)
        copy_error = QAction(self.tr("Copy error"), menu)
        copy_error.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy_error.setEnabled(bool(clip.error))
        copy_error.triggered.connect(self.copy_error)
        menu.addAction(copy_error)
        copy_row = QAction(self.tr("Copy row"), menu)
        copy_row.triggered.connect(self.copy_row)
        menu.addAction(copy_row)
        open_post = QAction(self.tr("Open the post"), menu)
        open_post.setEnabled(post_url(clip) is not None)
        open_post.triggered.connect(self.open_post)
        menu.addAction(open_post)
        menu.exec(event.globalPos())

    def open_post(self) -> bool:
        """Open the selected clip's published post in the browser, where the server
        gave its id (``facebookPostId``); False when there is none to open."""
        clip = self.current_clip()
        url = post_url(clip) if clip is not None else None
        return url is not None and QDesktopServices.openUrl(QUrl(url))
