"""The batches dialog as a compact transfer list (issue 15): one row per batch with
its name, updated row by row; filters, search, Clear finished, time left; the
dialog fits the screen; every control has a name for assistive technology."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit

from storyclip_desktop.core.model import BatchStatus
from storyclip_desktop.ui.batches_dialog import ActiveBatchesDialog
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.clip_model import RawValueRole
from storyclip_desktop.ui.store import BatchStore
from storyclip_desktop.ui.transfer_list import BatchListModel, duration_text, estimate_left

from .fakes import T0, BatchRun, make_batch, make_clip


def _dialog(qtbot: object) -> tuple[ActiveBatchesDialog, MonitorBridge]:
    bridge = MonitorBridge()
    dialog = ActiveBatchesDialog(BatchStore(bridge))
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    return dialog, bridge


def _names(dialog: ActiveBatchesDialog) -> list[str]:
    model = dialog.list.model()
    return [str(model.index(r, BatchListModel.NAME).data()) for r in range(model.rowCount())]


def _three(bridge: MonitorBridge) -> tuple[BatchRun, BatchRun, BatchRun]:
    spring = BatchRun(
        bridge, make_batch("batch_1_aaa111", total=4, job_id="spring-sale", created_at=T0)
    )
    recap = BatchRun(
        bridge,
        make_batch(
            "batch_2_bbb222",
            total=3,
            created_at=T0 + timedelta(minutes=1),
            clips=tuple(make_clip(i, title=f"Morning recap {i}") for i in range(1, 4)),
        ),
    )
    broken = BatchRun(
        bridge, make_batch("batch_3_ccc333", total=2, created_at=T0 + timedelta(minutes=2))
    )
    for run in (spring, recap, broken):
        run.start()
    spring.publish_all()
    spring.finish()
    broken.publish_all(fail={2})
    broken.finish("failed", error="boom")
    recap.clip(1, "published")
    return spring, recap, broken


def test_one_named_row_per_batch_updated_row_by_row(qtbot: object) -> None:
    dialog, bridge = _dialog(qtbot)
    spring, recap, _broken = _three(bridge)
    assert _names(dialog) == ["Clip 1 + 1 more", "Morning recap 1 + 2 more", "spring-sale"]
    model = dialog.list_model
    changed: list[tuple[int, int, int]] = []
    resets: list[bool] = []
    model.dataChanged.connect(lambda a, b, _r: changed.append((a.row(), a.column(), b.column())))
    model.modelReset.connect(lambda: resets.append(True))
    recap.clip(2, "published")
    row = model.row_of(recap.batch.batch_id)
    assert changed == [(row, 0, BatchListModel.LEFT)]  # that row, and only it
    assert resets == []
    index = model.index(row, BatchListModel.PROGRESS)
    assert index.data() == "2 / 3"
    assert index.data(RawValueRole) == 2 / 3
    assert model.index(row, BatchListModel.STATUS).data() == "Processing"
    assert model.index(model.row_of(spring.batch.batch_id), 1).data() == "Completed"


def test_filters_and_search(qtbot: object) -> None:
    dialog, bridge = _dialog(qtbot)
    _three(bridge)
    dialog.filter_buttons["publishing"].click()
    assert _names(dialog) == ["Morning recap 1 + 2 more"]
    dialog.filter_buttons["finished"].click()
    assert sorted(_names(dialog)) == ["Clip 1 + 1 more", "spring-sale"]
    dialog.filter_buttons["failed"].click()
    assert _names(dialog) == ["Clip 1 + 1 more"]
    dialog.filter_buttons["all"].click()
    dialog.search.setText("recap 3")  # a clip title, not the name
    assert _names(dialog) == ["Morning recap 1 + 2 more"]
    dialog.search.setText("SPRING")
    assert _names(dialog) == ["spring-sale"]
    # The selected batch's card is the one shown under the list.
    assert dialog.list.selected_batch_id() == "batch_1_aaa111"
    assert [b for b, c in dialog.cards.items() if c.isVisible()] == ["batch_1_aaa111"]
    dialog.search.clear()
    assert len(_names(dialog)) == 3


def test_clear_finished_takes_them_off_the_list_for_good(qtbot: object) -> None:
    dialog, bridge = _dialog(qtbot)
    spring, recap, _broken = _three(bridge)
    assert dialog.clear_button.isEnabled()
    dialog.clear_button.click()
    assert _names(dialog) == ["Morning recap 1 + 2 more"]
    assert list(dialog.cards) == [recap.batch.batch_id]
    assert not dialog.clear_button.isEnabled()
    bridge.batch_updated(spring.batch, [])  # a late re-read of a cleared batch
    assert _names(dialog) == ["Morning recap 1 + 2 more"]
    recap.publish_all()
    recap.finish()
    assert dialog.clear_button.isEnabled()
    assert dialog.summary.text().startswith("Nothing publishing")


def test_time_left_from_the_pace_so_far(qtbot: object) -> None:
    batch = make_batch(total=20, published=9, failed=1, started_at=T0)
    assert estimate_left(batch, T0 + timedelta(seconds=100)) == 100.0
    assert estimate_left(make_batch(total=20, started_at=T0), T0 + timedelta(seconds=5)) is None
    done = make_batch(total=2, status="completed", published=2, started_at=T0)
    assert estimate_left(done, T0 + timedelta(seconds=5)) is None
    assert [duration_text(s) for s in (4.2, 100, 3725)] == ["5 s", "2 min", "1 h 03 min"]
    dialog, bridge = _dialog(qtbot)
    dialog.list_model.now = T0 + timedelta(seconds=2 + 40)
    run = BatchRun(bridge, make_batch(total=10))  # started at T0 + 2 s
    run.start()
    for index in range(1, 5):
        run.clip(index, "published")
    row = dialog.list_model.row_of(run.batch.batch_id)
    assert dialog.list_model.index(row, BatchListModel.LEFT).data() == "1 min"  # 4 in 40 s


def test_the_dialog_fits_the_screen(qtbot: object) -> None:
    dialog, _bridge = _dialog(qtbot)
    dialog.resize(6000, 5000)
    dialog.fit_screen()
    screen = dialog.screen() or QGuiApplication.primaryScreen()
    free = screen.availableGeometry()
    assert dialog.width() <= free.width()
    assert dialog.height() <= free.height()


def test_every_control_has_a_name_and_the_list_paints(qtbot: object) -> None:
    dialog, bridge = _dialog(qtbot)
    _three(bridge)
    unnamed = [
        w.objectName() or type(w).__name__
        for w in dialog.findChildren(QAbstractButton) + dialog.findChildren(QLineEdit)
        if w.isVisible() and not (w.accessibleName() or w.text().replace("&", ""))
    ]
    assert unnamed == []
    assert dialog.list.accessibleName() == "Batches"
    assert dialog.search.accessibleName() == "Search batches"
    assert not dialog.list.grab().isNull()  # the progress delegate paints
    assert dialog.list.model().index(0, 0, QModelIndex()).data(Qt.ItemDataRole.ToolTipRole)
    assert BatchStatus.PROCESSING.value == "processing"


def test_links_out_to_the_web_app_and_a_published_post(
    qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Open in StoryClip" goes to the web app's address (a setting, the deployed app
    by default); a published clip with a Facebook post id opens that post."""
    from PySide6.QtGui import QDesktopServices

    from storyclip_desktop.config import AppSettings, load_settings
    from storyclip_desktop.ui.clip_model import post_url

    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True
    )
    dialog, _bridge = _dialog(qtbot)
    assert dialog.web_button.accessibleName() or dialog.web_button.text()
    dialog.web_button.click()
    assert opened == ["https://stories.creatorsflow.app"]
    assert AppSettings().web_app_url == "https://stories.creatorsflow.app"
    assert load_settings(_DictStore({"servers/webAppUrl": "https://my.example"})).web_app_url == (
        "https://my.example"
    )
    published = make_clip(1, "published", facebook_post_id="1234_5678")
    assert post_url(published) == "https://www.facebook.com/1234_5678"
    assert post_url(make_clip(1, "pending", facebook_post_id="1234")) is None
    assert post_url(make_clip(1, "published", facebook_post_id="../evil")) is None
    assert post_url(make_clip(1, "published")) is None


class _DictStore:
    def __init__(self, values: dict[str, object]) -> None:
        self.values = values

    def value(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)

    def setValue(self, key: str, value: object) -> None:
        self.values[key] = value

    def remove(self, key: str) -> None:
        self.values.pop(key, None)


def test_keyboard_moves_through_the_list_and_the_card_follows(qtbot: object) -> None:
    dialog, bridge = _dialog(qtbot)
    _three(bridge)
    view = dialog.list
    with qtbot.waitActive(dialog):  # type: ignore[attr-defined]  # shortcuts need it active
        dialog.activateWindow()
    view.setFocus()
    view.selectRow(0)  # the newest
    first = view.selected_batch_id()
    assert first is not None
    qtbot.keyClick(view, Qt.Key.Key_Down)  # type: ignore[attr-defined]
    second = view.selected_batch_id()
    assert second not in (None, first)
    assert [b for b, c in dialog.cards.items() if c.isVisible()] == [second]
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert dialog.search.hasFocus(), (QApplication.focusWidget(), QApplication.activeWindow())
