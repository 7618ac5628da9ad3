"""The history: ended publications, filtered and searched, their clips on demand,
figures per day or week, and a CSV export.

Pages come from the session (``AppServices.history_page``): the server's history
where it has one, else the batches this app remembers (the dialog then says what
it cannot show). Rows are light (no clips); a row's clips are read when it is
selected; the next page when the view scrolls to the end.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QDate, QModelIndex, QSettings, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.model import Batch, HistoryPage, HistoryQuery

from .clip_model import ClipTableModel, ClipTableView
from .figures import FiguresChart, Per, figures, totals
from .history_model import HistoryTableModel, batch_name, write_csv
from .labels import plain_label
from .services import AppServices
from .tasks import spawn
from .texts import fill

__all__ = ["HistoryDialog"]

_log = get_logger("ui")
_GEOMETRY_KEY = "ui/historyDialogGeometry"
PAGE = 100
EXPORT_PAGE = 50

_STATUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("all", ("completed", "failed", "cancelled")),
    ("completed", ("completed",)),
    ("failed", ("failed",)),
    ("cancelled", ("cancelled",)),
)


class HistoryDialog(QDialog):
    """Ended publications, newest first, with figures; non-modal.

    Signals:
        pageLoaded(int): a page arrived (the number of rows now loaded).
        clipsShown(str): the clips of this batch are shown.
        exported(str, int): the CSV was written (its path, its rows).
    """

    pageLoaded = Signal(int)
    clipsShown = Signal(str)
    exported = Signal(str, int)

    def __init__(
        self,
        services: AppServices,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyDialog")
        self.setModal(False)
        self.setWindowTitle(self.tr("History — StoryClip"))
        self.setSizeGripEnabled(True)
        self._services = services
        self._settings = settings
        self._generation = 0
        self._source = ""
        self._shown_clips: str | None = None

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(self._build_filters())
        self.source_note = plain_label(parent=self)
        self.source_note.setObjectName("historySourceNote")
        self.source_note.setWordWrap(True)
        self.source_note.hide()
        layout.addWidget(self.source_note)

        split = QSplitter(Qt.Orientation.Vertical, self)
        self.model = HistoryTableModel(self)
        self.model.moreWanted.connect(self._load)
        self.table = QTableView(split)
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName(self.tr("Ended publications"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(HistoryTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column in range(1, HistoryTableModel.COLUMN_COUNT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        clips_box = QWidget(split)
        clips_layout = QVBoxLayout(clips_box)
        clips_layout.setContentsMargins(0, 0, 0, 0)
        self.clips_title = plain_label(self.tr("Select a publication to see its clips."), clips_box)
        clips_layout.addWidget(self.clips_title)
        self.clip_model = ClipTableModel(parent=self)
        self.clips = ClipTableView(self.clip_model, clips_box)
        self.clips.setAccessibleName(self.tr("Clips of the selected publication"))
        clips_layout.addWidget(self.clips)

        figures_box = QWidget(split)
        figures_layout = QVBoxLayout(figures_box)
        figures_layout.setContentsMargins(0, 0, 0, 0)
        per_row = QHBoxLayout()
        self.figures_label = plain_label(parent=figures_box)
        self.figures_label.setObjectName("historyFigures")
        self.figures_label.setWordWrap(True)
        per_row.addWidget(self.figures_label, 1)
        self.per = QComboBox(figures_box)
        self.per.setAccessibleName(self.tr("Figures per"))
        self.per.addItem(self.tr("Per day"), "day")
        self.per.addItem(self.tr("Per week"), "week")
        self.per.currentIndexChanged.connect(self._update_figures)
        per_row.addWidget(self.per)
        figures_layout.addLayout(per_row)
        self.chart = FiguresChart(figures_box)
        figures_layout.addWidget(self.chart, 1)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 2)
        layout.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.status = plain_label(parent=self)
        self.status.setObjectName("historyStatus")
        buttons.addWidget(self.status, 1)
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.clicked.connect(self._choose_export)
        buttons.addWidget(self.export_button)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.search.setFocus)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.reload)
        self.resize(900, 720)
        if settings is not None:
            geometry = settings.value(_GEOMETRY_KEY)
            if isinstance(geometry, QByteArray | bytes):
                self.restoreGeometry(QByteArray(geometry))

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status_filter = QComboBox(self)
        self.status_filter.setAccessibleName(self.tr("Status"))
        names = {
            "all": self.tr("All ended"),
            "completed": self.tr("Completed"),
            "failed": self.tr("Failed"),
            "cancelled": self.tr("Cancelled"),
        }
        for key, statuses in _STATUSES:
            self.status_filter.addItem(names[key], statuses)
        self.status_filter.currentIndexChanged.connect(self.reload)
        row.addWidget(self.status_filter)
        self.between = QCheckBox(self.tr("Ended between"), self)
        self.between.toggled.connect(self._dates_toggled)
        row.addWidget(self.between)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-7), self)
        self.date_to = QDateEdit(today, self)
        for edit, name in ((self.date_from, self.tr("From")), (self.date_to, self.tr("To"))):
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
            edit.setEnabled(False)
            edit.dateChanged.connect(self.reload)
            row.addWidget(edit)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search names and clip titles"))
        self.search.setAccessibleName(self.tr("Search"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        row.addWidget(self.search, 1)
        return row

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.reload()

    # ------------------------------------------------------------ the query

    def query(self) -> HistoryQuery:
        """What the filters say (dates in local time, the end date included)."""
        statuses = self.status_filter.currentData() or _STATUSES[0][1]
        after = before = None
        if self.between.isChecked():
            start = self.date_from.dateTime()
            start.setTime(QTime(0, 0))
            end = self.date_to.dateTime().addDays(1)
            end.setTime(QTime(0, 0))
            after = datetime.fromtimestamp(start.toSecsSinceEpoch(), UTC)
            before = datetime.fromtimestamp(end.toSecsSinceEpoch(), UTC)
        return HistoryQuery(
            statuses=tuple(statuses),
            finished_after=after,
            finished_before=before,
            search=self.search.text().strip()[:200],
        )

    def reload(self) -> None:
        """Start again from the first page with the current filters."""
        self._generation += 1
        self._shown_clips = None
        self.clip_model.set_clips(())
        self.clips_title.setText(self.tr("Select a publication to see its clips."))
        self.model.reset()
        self._update_figures()
        self._load(0)

    def _load(self, offset: int) -> None:
        generation = self._generation
        query = self.query()
        self.status.setText(self.tr("Loading…"))
        started = time.perf_counter()

        async def load() -> None:
            page = await self._services.history_page(query, offset, PAGE)
            if generation != self._generation:
                return  # the filters changed meanwhile
            self._page_arrived(page, started)

        def failed(_exc: BaseException) -> None:
            if generation == self._generation:
                self.model.load_failed()
                self.status.setText(self.tr("The history could not be loaded. Try again later."))

        spawn(load(), where="ui.history", on_error=failed)

    def _page_arrived(self, page: HistoryPage, started: float) -> None:
        self.model.append(page.batches, page.more)
        self._set_source(page.source)
        rows = self.model.rowCount()
        self.status.setText(fill(self.tr("%1 publications loaded"), rows))
        log_event(
            _log,
            "history_page",
            logging.DEBUG,
            rows=len(page.batches),
            loaded=rows,
            more=page.more,
            source=page.source,
            ms=round(1000 * (time.perf_counter() - started)),
        )
        self._update_figures()
        self.pageLoaded.emit(rows)

    def _set_source(self, source: str) -> None:
        if source == self._source:
            return
        self._source = source
        if source == "remembered":
            self.source_note.setText(
                self.tr(
                    "This server keeps no history: these are the publications this app "
                    "saw. Publications that started and ended while the app was not "
                    "running, or that it never saw, are not here, and their clip titles "
                    "cannot be searched."
                )
            )
        self.source_note.setVisible(source == "remembered")

    # ------------------------------------------------------------ clips on demand

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        batch = self.model.batch_at(current.row())
        if batch is None:
            return
        self._shown_clips = batch.batch_id
        self.clip_model.set_clips(())
        self.clips_title.setText(fill(self.tr("Loading the clips of %1…"), batch_name(batch)))
        generation = self._generation

        async def load() -> None:
            full = await self._services.batch(batch.batch_id)
            if generation != self._generation or self._shown_clips != batch.batch_id:
                return
            self.clip_model.set_clips(full.clips)
            self.clips_title.setText(fill(self.tr("Clips of %1"), batch_name(batch)))
            self.clipsShown.emit(batch.batch_id)

        def failed(_exc: BaseException) -> None:
            if self._shown_clips == batch.batch_id:
                self.clips_title.setText(self.tr("The clips could not be loaded."))

        spawn(load(), where="ui.history_clips", on_error=failed)

    # ------------------------------------------------------------ figures

    def _update_figures(self) -> None:
        per: Per = "week" if self.per.currentData() == "week" else "day"
        periods = figures(self.model.batches, per)
        self.chart.set_periods(periods, per)
        whole = totals(periods)
        if whole.batches == 0:
            self.figures_label.setText(self.tr("No ended publications loaded."))
            return
        rate = whole.success_rate
        self.figures_label.setText(
            fill(
                self.tr("%1 publications: %2 clips published, %3 failed, success rate %4%"),
                whole.batches,
                whole.published,
                whole.failed,
                "–" if rate is None else f"{100 * rate:.1f}",
            )
        )

    # ------------------------------------------------------------ export

    def _choose_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the history"), "storyclip-history.csv", self.tr("CSV (*.csv)")
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """Write every publication the filters select, one row per clip (the clips
        are read page by page for the export)."""
        query = self.query()
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting…"))

        async def export() -> None:
            batches: list[Batch] = []
            offset = 0
            while True:
                page = await self._services.history_page(query, offset, EXPORT_PAGE, clips=True)
                if page.source == "remembered":
                    # No history to page with clips: each remembered batch by id.
                    for light in page.batches:
                        batches.append(await self._services.batch(light.batch_id))
                else:
                    batches.extend(page.batches)
                offset += len(page.batches)
                if not page.more or not page.batches:
                    break
            text = io.StringIO(newline="")
            rows = write_csv(text, batches)
            # The file is written off the Qt thread (a slow disk must not freeze the ui).
            await asyncio.to_thread(Path(path).write_text, text.getvalue(), "utf-8")
            self.status.setText(fill(self.tr("Exported %1 rows."), rows))
            log_event(_log, "history_exported", rows=rows, batches=len(batches))
            self.exported.emit(path, rows)

        def failed(_exc: BaseException) -> None:
            self.status.setText(self.tr("The history could not be exported."))

        spawn(
            export(),
            where="ui.history_export",
            on_error=failed,
            on_done=lambda: self.export_button.setEnabled(True),
        )

    # ------------------------------------------------------------ window

    def present(self) -> None:
        """Show (loading the first page the first time) and bring forward."""
        if self.model.rowCount() == 0 and not self.model.more:
            self.reload()
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._settings is not None:
            self._settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)
