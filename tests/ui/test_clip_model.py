"""The clip table model: row-by-row updates, sorting on raw values, plain tooltips, copy."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.model import ClipStatus
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.clip_model import ClipTableModel, ClipTableView, RawValueRole
from storyclip_desktop.ui.store import BatchStore

from .fakes import XSS_TITLE, BatchRun, make_batch, make_clip


class Recorder:
    """Every structural or data signal a model emits, in order."""

    def __init__(self, model: ClipTableModel) -> None:
        self.changed: list[tuple[int, int, int, int]] = []
        self.resets = 0
        self.inserted: list[tuple[int, int]] = []
        model.dataChanged.connect(self._changed)
        model.modelAboutToBeReset.connect(self._reset)
        model.rowsInserted.connect(lambda _p, first, last: self.inserted.append((first, last)))

    def _changed(self, top: QModelIndex, bottom: QModelIndex, _roles: object = None) -> None:
        self.changed.append((top.row(), top.column(), bottom.row(), bottom.column()))

    def _reset(self) -> None:
        self.resets += 1


def test_one_data_changed_row_per_progress_event_and_never_a_reset(qtmodeltester: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    run = BatchRun(bridge, make_batch(total=20))
    run.start()
    model = ClipTableModel(store.batch(run.batch.batch_id).clips)  # type: ignore[union-attr]
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    recorder = Recorder(model)
    store.batchChanged.connect(
        lambda batch_id, _changed: model.set_clips(store.batch(batch_id).clips)  # type: ignore[union-attr]
    )

    run.publish_all(fail={7})
    run.finish()

    # 20 clips x (uploading, published|failed) = 40 progress events; finish changes no clip.
    assert run.updates == 40
    assert len(recorder.changed) == 40
    assert all(top == bottom and c0 == 0 and c1 == 5 for top, c0, bottom, c1 in recorder.changed)
    rows = [top for top, _c0, _bottom, _c1 in recorder.changed]
    assert rows == [r for r in range(20) for _ in (0, 1)]
    assert recorder.resets == 0
    assert recorder.inserted == []
    assert model.index(6, ClipTableModel.STATUS).data() == "Failed"
    assert model.index(6, ClipTableModel.ERROR).data() == "Metricool rejected clip 7"
    assert model.index(19, ClipTableModel.STATUS).data() == "Published"


def test_a_summary_that_changes_neighbouring_rows_sends_one_range(qtmodeltester: object) -> None:
    clips = tuple(make_clip(i) for i in range(1, 11))
    model = ClipTableModel(clips)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    recorder = Recorder(model)
    new = list(clips)
    for row in (2, 3, 4, 8):
        new[row] = replace(new[row], status=ClipStatus.PUBLISHED, status_raw="published")
    model.set_clips(new)
    assert recorder.changed == [(2, 0, 4, 5), (8, 0, 8, 5)]
    assert recorder.resets == 0
    # The same clips again: nothing to say.
    model.set_clips(tuple(new))
    assert len(recorder.changed) == 2


def test_clips_that_appear_later_are_inserted_not_reset(qtmodeltester: object) -> None:
    model = ClipTableModel((make_clip(1), make_clip(2)))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    recorder = Recorder(model)
    model.set_clips((make_clip(1, "published"), make_clip(2), make_clip(3, "uploading")))
    assert recorder.inserted == [(2, 2)]
    assert recorder.changed == [(0, 0, 0, 5)]
    assert recorder.resets == 0
    assert model.rowCount() == 3
    # Other clips altogether (another batch): a reset is the honest signal.
    model.set_clips((make_clip(7),))
    assert recorder.resets == 1
    assert model.rowCount() == 1


def test_sorting_uses_raw_values(qapp: QApplication) -> None:
    clips = tuple(
        make_clip(
            i, "published" if i % 3 == 0 else ("failed" if i == 5 else "pending"), attempts=i % 4
        )
        for i in range(1, 13)
    )
    view = ClipTableView(ClipTableModel(clips))
    proxy = view.proxy
    proxy.sort(ClipTableModel.INDEX, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 0).data() for r in range(3)] == [12, 11, 10]
    proxy.sort(ClipTableModel.STATUS, Qt.SortOrder.AscendingOrder)
    statuses = [proxy.index(r, ClipTableModel.STATUS).data() for r in range(12)]
    assert statuses[0] == "Failed"
    assert statuses[-4:] == ["Published"] * 4
    assert proxy.index(0, ClipTableModel.STATUS).data(RawValueRole) == 0
    view.deleteLater()


def test_unknown_status_keeps_its_raw_value(qapp: QApplication) -> None:
    model = ClipTableModel((make_clip(1, "teleporting"),))
    assert model.index(0, ClipTableModel.STATUS).data() == "Unknown (teleporting)"
    assert model.index(0, ClipTableModel.STATUS).data(Qt.ItemDataRole.DecorationRole) is not None


def test_untrusted_title_and_error_are_plain_in_cells_and_tooltips(qapp: QApplication) -> None:
    error = "Upload refused: " + XSS_TITLE + " " + "x" * 300
    model = ClipTableModel((make_clip(1, "failed", title=XSS_TITLE, error=error),))
    assert model.index(0, ClipTableModel.TITLE).data() == XSS_TITLE
    title_tip = model.index(0, ClipTableModel.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img src=x&gt;&lt;b&gt;hi&lt;/b&gt;" in title_tip
    assert "<img" not in title_tip
    assert "<b>" not in title_tip
    shown = model.index(0, ClipTableModel.ERROR).data()
    assert shown.endswith("…")
    assert len(shown) == 120
    tip = model.index(0, ClipTableModel.ERROR).data(Qt.ItemDataRole.ToolTipRole)
    assert "x" * 300 in tip
    assert "<img" not in tip


@pytest.mark.parametrize("via", ["keyboard", "method"])
def test_copy_a_rows_error(qtbot: object, via: str) -> None:
    clips = (make_clip(1, "published"), make_clip(2, "failed", error=XSS_TITLE + " boom"))
    view = ClipTableView(ClipTableModel(clips))
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.show()
    view.setCurrentIndex(view.proxy.index(1, 0))
    QGuiApplication.clipboard().clear()
    if via == "keyboard":
        qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    else:
        assert view.copy_error()
    assert QGuiApplication.clipboard().text() == XSS_TITLE + " boom"
    # A row without an error copies the whole row instead.
    view.setCurrentIndex(view.proxy.index(0, 0))
    assert view.copy_error()
    assert QGuiApplication.clipboard().text().split("\t")[:3] == ["1", "Clip 1", "Published"]
