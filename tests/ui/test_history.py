"""The history view: pages, filters, clips on demand, figures, CSV; and its doors
(main window menu, tray menu), and that a sign-out leaves nothing of it.

Driven through :class:`RecordingServices` (the session's pages as the ui sees them);
the real session against the local backend is in test_history_session.py.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storyclip_desktop.core.model import Batch, ClipStatus
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.figures import Period, figures, totals
from storyclip_desktop.ui.history_dialog import HistoryDialog
from storyclip_desktop.ui.history_model import HistoryTableModel, batch_name, write_csv

from .fakes import DesktopTray, RecordingServices, make_batch, make_clip

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def ended(n: int, *, hours_ago: float, status: str = "completed", failed: int = 0) -> Batch:
    clips = tuple(
        replace(
            make_clip(i, title=f"Story {n}.{i}"),
            status=ClipStatus.FAILED if i <= failed else ClipStatus.PUBLISHED,
            status_raw="failed" if i <= failed else "published",
            metricool_post_id=None if i <= failed else f"mc_{n}_{i}",
        )
        for i in range(1, 5)
    )
    done = NOW - timedelta(hours=hours_ago)
    return make_batch(
        f"batch_1761725644409_h{n:05d}",
        total=4,
        status=status,
        published=4 - failed,
        failed=failed,
        clips=clips,
        job_id=f"Campaign {n}",
        created_at=done - timedelta(minutes=3),
        started_at=done - timedelta(minutes=3),
        completed_at=done,
    )


def history_of(count: int) -> list[Batch]:
    """Newest first, one every 6 hours; every 5th failed with one failed clip."""
    return [
        ended(n, hours_ago=6 * n, status="failed" if n % 5 == 4 else "completed", failed=n % 5 == 4)
        for n in range(count)
    ]


# ---------------------------------------------------------------- pure parts


def test_figures_per_day_and_week_with_the_gaps() -> None:
    day = datetime(2026, 3, 16, 10, tzinfo=UTC)  # a Monday
    batches = [
        make_batch("a", total=5, status="completed", published=5, completed_at=day),
        make_batch("b", total=4, status="failed", published=1, failed=3, completed_at=day),
        make_batch(
            "c", total=2, status="completed", published=2, completed_at=day + timedelta(days=2)
        ),
        make_batch(
            "d",
            total=3,
            status="completed",
            published=2,
            failed=1,
            completed_at=day + timedelta(days=8),
        ),
    ]
    per_day = figures(batches, "day")
    first = day.astimezone().date()
    assert per_day[0] == Period(first, published=6, failed=3, batches=2)
    assert per_day[1] == Period(first + timedelta(days=1))  # a day without any: still there
    assert len(per_day) == 9
    assert per_day[0].success_rate == pytest.approx(6 / 9)
    assert Period(date(2026, 1, 1)).success_rate is None
    per_week = figures(batches, "week")
    assert [(p.published, p.failed, p.batches) for p in per_week] == [(8, 3, 3), (2, 1, 1)]
    assert all(p.start.weekday() == 0 for p in per_week)
    whole = totals(per_week)
    assert (whole.published, whole.failed, whole.batches) == (10, 4, 4)


def test_csv_has_one_row_per_clip_and_never_a_formula() -> None:
    batch = ended(1, hours_ago=1, status="failed", failed=1)
    batch = replace(
        batch,
        job_id='=HYPERLINK("http://evil")',
        clips=(replace(batch.clips[0], title="+1"), *batch.clips[1:]),
    )
    empty = make_batch("batch_1_empty", total=0, status="completed", clips=(), completed_at=NOW)
    out = io.StringIO()
    assert write_csv(out, [batch, empty]) == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["clip_index"] for r in rows] == ["1", "2", "3", "4", ""]
    assert rows[0]["batch_name"].startswith("'=")
    assert rows[0]["clip_title"] == "'+1"
    assert rows[0]["clip_status"] == "failed"
    assert rows[1]["metricool_post_id"] == "mc_1_2"
    assert rows[1]["batch_finished"] == (NOW - timedelta(hours=1)).isoformat(timespec="seconds")
    assert rows[4]["batch_id"] == "batch_1_empty"


def test_a_batch_is_named_as_everywhere_job_id_else_first_clip_else_short_id() -> None:
    assert batch_name(make_batch("batch_1761725644409_abc123", job_id="Spring")) == "Spring"
    assert batch_name(make_batch("batch_1761725644409_abc123")) == "Clip 1 + 19 more"
    light = make_batch("batch_1761725644409_abc123", clips=())  # a light history page
    assert batch_name(light) == "Batch abc123"


# ---------------------------------------------------------------- the dialog


@pytest.fixture
def services() -> RecordingServices:
    made = RecordingServices(MonitorBridge())
    made.history = history_of(250)
    return made


def open_dialog(qtbot: QtBot, services: RecordingServices) -> HistoryDialog:
    dialog = HistoryDialog(services)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.pageLoaded):
        dialog.present()
    return dialog


def test_pages_load_as_the_view_scrolls(
    loop: object, qtbot: QtBot, services: RecordingServices
) -> None:
    dialog = open_dialog(qtbot, services)
    assert dialog.model.rowCount() == 100
    assert dialog.model.more
    assert dialog.model.data(dialog.model.index(0, HistoryTableModel.NAME)) == "Campaign 0"
    # No clips are read for the list.
    assert all(b.clips == () for b in dialog.model.batches)
    with qtbot.waitSignal(dialog.pageLoaded):
        dialog.table.scrollToBottom()
        dialog.model.fetchMore()
    assert dialog.model.rowCount() == 200
    with qtbot.waitSignal(dialog.pageLoaded):
        dialog.model.fetchMore()
    assert dialog.model.rowCount() == 250
    assert not dialog.model.canFetchMore()
    assert "250" in dialog.status.text()
    # The figures follow what is loaded: 50 failed batches with one failed clip each.
    assert "250 publications" in dialog.figures_label.text()
    assert "950 clips published, 50 failed" in dialog.figures_label.text()
    assert dialog.chart.periods


def test_filters_search_and_clips_on_demand(
    loop: object, qtbot: QtBot, services: RecordingServices
) -> None:
    dialog = open_dialog(qtbot, services)
    with qtbot.waitSignal(dialog.pageLoaded):
        dialog.status_filter.setCurrentIndex(2)  # failed
    assert dialog.model.rowCount() == 50
    assert {b.status_raw for b in dialog.model.batches} == {"failed"}
    with qtbot.waitSignal(dialog.pageLoaded, timeout=3000):
        dialog.search.setText("story 14.3")  # a clip title
    assert [batch_name(b) for b in dialog.model.batches] == ["Campaign 14"]
    with qtbot.waitSignal(dialog.clipsShown) as shown:
        dialog.table.selectRow(0)
    assert shown.args == ["batch_1761725644409_h00014"]
    assert [c.title for c in dialog.clip_model.clips] == [f"Story 14.{i}" for i in range(1, 5)]
    assert "Campaign 14" in dialog.clips_title.text()
    # A date range (local days, the end day included).
    dialog.search.clear()
    dialog.status_filter.setCurrentIndex(0)
    last = services.history[0].completed_at
    assert last is not None
    local = last.astimezone()
    with qtbot.waitSignal(dialog.pageLoaded, timeout=3000):
        dialog.between.setChecked(True)
        dialog.date_from.setDate(local.date())
        dialog.date_to.setDate(local.date())
    for batch in dialog.model.batches:
        assert batch.completed_at is not None
        assert batch.completed_at.astimezone().date() == local.date()
    assert 1 <= dialog.model.rowCount() <= 4


def test_remembered_source_says_what_it_cannot_show(
    loop: object, qtbot: QtBot, services: RecordingServices
) -> None:
    services.history_source = "remembered"
    dialog = open_dialog(qtbot, services)
    assert dialog.source_note.isVisibleTo(dialog)
    assert "keeps no history" in dialog.source_note.text()


def test_export_writes_one_row_per_clip(
    loop: object, qtbot: QtBot, services: RecordingServices, tmp_path: Path
) -> None:
    services.history = history_of(60)
    dialog = open_dialog(qtbot, services)
    target = tmp_path / "history.csv"
    with qtbot.waitSignal(dialog.exported, timeout=5000) as done:
        dialog.export_to(str(target))
    assert done.args == [str(target), 240]
    with target.open(encoding="utf-8") as written:
        rows = list(csv.DictReader(written))
    assert len(rows) == 240
    assert rows[0]["batch_name"] == "Campaign 0"
    qtbot.waitUntil(dialog.export_button.isEnabled)


def test_history_opens_from_the_menus_and_goes_with_the_session(
    loop: object, qtbot: QtBot, qapp: QApplication, settings: QSettings, services: RecordingServices
) -> None:
    assert services.bridge is not None
    ui = DesktopUi(
        services, services.bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(True)
    )
    try:
        ui.start()
        services.user_email = "ana@example.com"
        ui.on_signed_in()
        assert ui.window.history_action.isEnabled()
        assert ui.tray.history_action.isEnabled()
        ui.window.history_action.trigger()
        dialog = ui.history_dialog
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 100)
        assert dialog.isVisible()
        ui.tray.history_action.trigger()
        assert ui.history_dialog is dialog  # one dialog, brought forward
        services.bridge.signed_out("user")
        assert ui.history_dialog is None
        assert not ui.window.history_action.isEnabled()
    finally:
        ui.window.hide()
        ui.tray.dispose()
        ui.window.deleteLater()
        ui.deleteLater()


# ---------------------------------------------------------------- screenshots


def realistic_history() -> list[Batch]:
    """Five weeks of a creator's publishing, newest first: two or three a day, a
    failed clip now and then, one batch failed and one cancelled."""
    names = ["Morning routine", "Valencia tour", "Behind the scenes", "Recipe: tortilla"]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    made: list[Batch] = []
    for n in range(90):
        hours = n * 9 + (n % 4)
        clips = 4 + n % 5
        failed = 1 if n % 6 == 2 else (3 if n % 17 == 5 else 0)
        status = "failed" if n % 31 == 7 else "cancelled" if n % 37 == 11 else "completed"
        done = now - timedelta(hours=hours)
        published = clips - failed if status != "cancelled" else clips // 2
        rows = []
        for i in range(1, clips + 1):
            ok = failed < i <= failed + published
            raw = "published" if ok else "failed" if i <= failed else "pending"
            rows.append(
                replace(
                    make_clip(i, title=f"{names[n % 4]}, part {i}"),
                    status=ClipStatus.from_raw(raw),
                    status_raw=raw,
                    attempts=1 if ok else 3 if i <= failed else 0,
                    error="Metricool rejected the video" if i <= failed else None,
                    published_at=done - timedelta(minutes=clips - i) if ok else None,
                )
            )
        batch = make_batch(
            f"batch_1761725644409_s{n:05d}",
            total=clips,
            status=status,
            published=published,
            failed=failed,
            clips=tuple(rows),
            job_id=f"{names[n % 4]} #{90 - n}",
            created_at=done - timedelta(minutes=clips + 1),
            started_at=done - timedelta(minutes=clips + 1),
            completed_at=done,
        )
        made.append(batch)
    return made


@pytest.mark.parametrize(("lang", "dark"), [("en", False), ("es", False), ("en", True)])
def test_history_screenshots(
    loop: object, qtbot: QtBot, qapp: QApplication, lang: str, dark: bool
) -> None:
    from storyclip_desktop.ui.resources import install_translator

    from .test_screenshots import OUT, _dark_palette, _looks_drawn

    install_translator(qapp, lang)
    old_palette = qapp.palette()
    if dark:
        qapp.setPalette(_dark_palette())
    suffix = ("-" + lang if lang != "en" else "") + ("-dark" if dark else "")
    services = RecordingServices(MonitorBridge())
    services.history = realistic_history()
    try:
        dialog = HistoryDialog(services)
        qtbot.addWidget(dialog)
        dialog.resize(940, 760)
        with qtbot.waitSignal(dialog.pageLoaded):
            dialog.present()
        with qtbot.waitSignal(dialog.clipsShown):
            dialog.table.selectRow(2)
        OUT.mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()
        image = dialog.grab()
        assert image.save(str(OUT / f"history{suffix}.png"))
        _looks_drawn(image.toImage())
        dialog.per.setCurrentIndex(1)
        QApplication.processEvents()
        image = dialog.chart.grab()
        assert image.save(str(OUT / f"history-weeks{suffix}.png"))
        assert len(dialog.chart.periods) >= 5
    finally:
        qapp.setPalette(old_palette)
        install_translator(qapp, "en")
