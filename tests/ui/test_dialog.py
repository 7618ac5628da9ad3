"""The active-batches dialog follows real batch updates, refreshes, scrolls and scales."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta

import psutil
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from storyclip_desktop.core.model import BatchStatus, StreamState
from storyclip_desktop.ui import style
from storyclip_desktop.ui.batch_card import BatchCard
from storyclip_desktop.ui.batches_dialog import ActiveBatchesDialog
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.clip_model import ClipTableModel
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.store import BatchStore

from .fakes import T0, XSS_TITLE, BatchRun, RecordingServices, make_batch, make_clip


def _card(dialog: ActiveBatchesDialog, batch_id: str) -> BatchCard:
    return dialog.cards[batch_id]


def test_cards_follow_a_running_batch_to_the_end(qtbot: object, settings: QSettings) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store, settings)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    assert dialog.empty.isVisible()

    run = BatchRun(bridge, make_batch(total=20))
    run.start()
    card = _card(dialog, run.batch.batch_id)
    assert not dialog.empty.isVisible()
    assert card.title.text() == "Clip 1 + 19 more"  # named by its first clip
    assert card.chip.text() == "Processing"
    assert card.progress.text() == "0 / 20 clips"
    assert card.stream_label.text() == "● Live"
    assert card.expanded
    assert card.table is not None
    table = card.table

    for index in range(1, 21):
        run.clip(index, "uploading")
        row_status = card.model.index(index - 1, ClipTableModel.STATUS).data()
        assert row_status == "Uploading"
        run.clip(
            index,
            "error" if index == 4 else "published",
            error="Metricool said no" if index == 4 else None,
        )
        done = index
        assert card.progress.value() == done
        failed = 1 if index >= 4 else 0
        assert card.progress.text() == f"{done} / 20 clips" + (" · 1 failed" if failed else "")
        assert card.counts.text() == (
            f"Published: {done - failed} · Failed: {failed} · Pending: {20 - done}"
        )
        assert card.failure_note.isHidden() == (not failed)
        shown = table.proxy.index(index - 1, ClipTableModel.STATUS).data()
        assert shown == ("Failed" if index == 4 else "Published")

    run.finish()
    # The server's word stays, and the failure is there to see beside it.
    assert card.chip.text() == "Completed"
    assert not card.failure_note.isHidden()
    assert card.failure_note.text() == "● 1 clip failed"
    assert card.progress.text() == "20 / 20 clips · 1 failed"
    bar = card.progress.palette().color(QPalette.ColorRole.Highlight)
    assert bar == QColor(style.PARTIAL_COLOR)
    assert bar != style.chip_color(BatchStatus.COMPLETED)
    assert card.stream_label.isHidden()
    assert "Ended" in card.times.text()
    assert "Started" in card.times.text()
    assert dialog.summary.text() == "Nothing publishing · 1 batch finished · 1 clip failed"


def test_stream_state_lines(qtbot: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    batch = make_batch()
    bridge.batch_added(batch)
    card = _card(dialog, batch.batch_id)
    expected = {
        StreamState("connecting"): "● Connecting…",
        StreamState("live"): "● Live",
        StreamState("reconnecting", retry_in=5): "● Reconnecting in 5 s",
        StreamState("reconnecting"): "● Reconnecting…",
        StreamState("polling", retry_in=30): "● Server restarted, following by polling",
        StreamState("stalled"): "● Stalled: the server stopped working on this batch",
    }
    for state, text in expected.items():
        bridge.stream_state_changed(batch.batch_id, state)
        assert card.stream_label.text() == text


def test_reconnect_countdown_ticks_down(qtbot: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    batch = make_batch()
    bridge.batch_added(batch)
    card = _card(dialog, batch.batch_id)
    bridge.stream_state_changed(batch.batch_id, StreamState("reconnecting", retry_in=3))
    seen = [card.stream_label.text()]

    def ended() -> bool:
        if card.stream_label.text() != seen[-1]:
            seen.append(card.stream_label.text())
        return seen[-1] == "● Reconnecting…"

    qtbot.waitUntil(ended, timeout=6000)  # type: ignore[attr-defined]
    order = [
        "● Reconnecting in 3 s",
        "● Reconnecting in 2 s",
        "● Reconnecting in 1 s",
        "● Reconnecting…",
    ]
    assert seen[0] == order[0]
    assert len(seen) >= 3  # it counted down, not just jumped to the end
    assert seen == sorted(seen, key=order.index)
    qtbot.waitUntil(lambda: not dialog._countdown.isActive(), timeout=3000)  # type: ignore[attr-defined]


def test_status_chips_for_every_status(qtbot: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    chips = {
        "processing": ("Processing", "#2f7de1"),
        "completed": ("Completed", "#2e9d52"),
        "failed": ("Failed", "#d64545"),
        "paused": ("Paused", "#6b7280"),
        "cancelled": ("Cancelled", "#6b7280"),
        "archived": ("Unknown (archived)", "#6b7280"),
    }
    for i, status in enumerate(chips):
        bridge.batch_added(
            make_batch(
                f"batch_1_{status}", total=2, status=status, created_at=T0 + timedelta(minutes=i)
            )
        )
    for status, (text, color) in chips.items():
        chip = _card(dialog, f"batch_1_{status}").chip
        assert chip.text() == text
        assert chip._color.name() == color
    # Newest first.
    order = [dialog._cards_layout.itemAt(i).widget() for i in range(1, 7)]
    assert [c.batch_id for c in order] == [f"batch_1_{s}" for s in reversed(chips)]


def test_untrusted_text_is_literal_on_the_card_and_in_the_table(qtbot: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    batch = make_batch(
        total=1,
        status="failed",
        error=XSS_TITLE,
        clips=(make_clip(1, "failed", title=XSS_TITLE, error=XSS_TITLE),),
    )
    bridge.batch_added(batch)
    card = _card(dialog, batch.batch_id)
    assert card.error.text() == f"Server error: {XSS_TITLE}"
    labels = card.findChildren(QLabel) + dialog.findChildren(QLabel)
    for label in labels:
        if "<" in label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    card.set_expanded(True)
    assert card.table is not None
    assert card.table.proxy.index(0, ClipTableModel.TITLE).data() == XSS_TITLE


def test_open_on_selects_the_batch_and_shows_its_card(qtbot: object) -> None:
    """The list shows every batch, newest first; open_on (a notice's click) selects
    the batch's row, scrolled into view, and shows its card, expanded, under it."""
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    for i in range(30):
        bridge.batch_added(
            make_batch(f"batch_1_{i:04d}", total=5, created_at=T0 + timedelta(minutes=i))
        )
    dialog.resize(700, 500)
    dialog.show()
    view = dialog.list
    first = view.model().index(0, 0).data(Qt.ItemDataRole.UserRole + 11)
    assert first == "batch_1_0029"  # newest first
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)  # type: ignore[attr-defined]
    oldest = "batch_1_0000"  # at the bottom of the list
    assert dialog.open_on(oldest)
    assert view.selected_batch_id() == oldest
    card = _card(dialog, oldest)
    assert card.expanded
    qtbot.waitUntil(card.isVisible)  # type: ignore[attr-defined]
    assert [bid for bid, c in dialog.cards.items() if c.isVisible()] == [oldest]
    row = view.selectionModel().selectedRows()[0]
    assert view.viewport().rect().intersects(view.visualRect(row))
    assert not dialog.open_on("batch_unknown")


def test_refresh_calls_the_services_and_shows_it_is_working(ui: DesktopUi, qtbot: object) -> None:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.user_email = "ana@example.com"
    ui.on_signed_in()
    batch = make_batch()
    services.known = [replace(batch, published=3)]
    ui.bridge.batch_added(batch)
    dialog = ui.open_batches()
    services.gate = asyncio.Event()

    dialog.refresh_button.click()
    qtbot.waitUntil(lambda: services.calls == [("refresh",)])  # type: ignore[attr-defined]
    assert dialog.busy
    assert not dialog.refresh_button.isEnabled()
    assert dialog.busy_bar.isVisible()
    assert dialog.refresh_button.text() == "Refreshing…"
    assert ui.window.account.refresh_button.text() == "Refreshing…"
    ui.refresh()  # the tray's or the window's refresh while one runs: ignored
    dialog.refreshRequested.emit()
    services.gate.set()
    qtbot.waitUntil(lambda: not dialog.busy)  # type: ignore[attr-defined]
    assert services.calls == [("refresh",)]
    assert dialog.refresh_button.isEnabled()
    assert not dialog.busy_bar.isVisible()
    assert _card(dialog, batch.batch_id).counts.text().startswith("Published: 3 ")

    services.refresh_error = OSError("boom")
    dialog.refresh_button.click()
    qtbot.waitUntil(lambda: dialog.notice.isVisible())  # type: ignore[attr-defined]
    assert dialog.notice.text() == "Could not refresh. Check your connection and try again."
    assert not dialog.busy


def test_sign_out_empties_the_dialog(qtbot: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    bridge.batch_added(make_batch())
    dialog.show()
    bridge.signed_out("session_expired")
    assert dialog.cards == {}
    assert dialog.empty.isVisible()


@pytest.mark.slow
def test_a_hundred_batches_of_two_hundred_clips(qtbot: object) -> None:
    """Memory and time stay bounded: tables are built only for opened cards."""
    process = psutil.Process()
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    QApplication.processEvents()
    batches = [
        make_batch(
            f"batch_{i:04d}",
            total=200,
            created_at=T0 + timedelta(seconds=i),
            clips=tuple(make_clip(c, title=f"Clip {c} of batch {i}") for c in range(1, 201)),
        )
        for i in range(100)
    ]
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    for batch in batches:
        bridge.batch_added(batch)
    QApplication.processEvents()
    build = time.perf_counter() - started
    grown = (process.memory_info().rss - rss_before) / 2**20
    assert len(dialog.cards) == 100
    assert sum(1 for c in dialog.cards.values() if c.table is not None) <= 3
    # An update on one clip of one batch touches one card and one row.
    run = BatchRun(bridge, batches[50])
    card = _card(dialog, batches[50].batch_id)
    started = time.perf_counter()
    for index in range(1, 201):
        run.clip(index, "published")
    per_event_ms = (time.perf_counter() - started) / 200 * 1000
    assert card.progress.text() == "200 / 200 clips"
    dialog.open_on(batches[0].batch_id)
    QApplication.processEvents()
    print(f"\n100x200: build {build:.2f} s, +{grown:.0f} MiB RSS, {per_event_ms:.2f} ms/event")
    assert build < 20
    assert grown < 250
    assert per_event_ms < 20


def test_the_clips_toggle_builds_the_table_once(qtbot: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    batch = make_batch(total=4, status="completed", published=4)
    bridge.batch_added(batch)
    card = _card(dialog, batch.batch_id)
    qtbot.waitUntil(card.isVisible)  # type: ignore[attr-defined]  # layouts show new children queued
    assert not card.expanded  # finished batches start folded
    assert card.table is None
    assert card.toggle.text() == "Clips (4)"
    qtbot.mouseClick(card.toggle, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    table = card.table
    assert card.expanded
    assert table is not None
    assert table.isVisible()
    assert card.toggle.arrowType() == Qt.ArrowType.DownArrow
    qtbot.mouseClick(card.toggle, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert not card.expanded
    assert not table.isVisible()
    qtbot.mouseClick(card.toggle, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert card.table is table


def test_a_long_server_error_neither_widens_nor_floods_the_card(qtbot: object) -> None:
    """A server error with a 600-character URL in it: the card shows a short,
    wrappable version (the dialog keeps a sane minimum width) and the full text,
    literally, in the tooltip."""
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    error = "Upload failed: https://cdn.example/" + "x" * 600 + " <b>retry</b> " + "y " * 400
    batch = make_batch(status="failed", error=error)
    bridge.batch_added(batch)
    card = _card(dialog, batch.batch_id)
    shown = card.error.text()
    assert shown.startswith("Server error: Upload failed: https://cdn.example/")
    assert len(shown) < 400
    assert shown.endswith("…")
    assert card.error.minimumSizeHint().width() < 400
    assert dialog.minimumSizeHint().width() < 700
    assert "x" * 600 in card.error.toolTip().replace("\u200b", "")
    assert "&lt;b&gt;retry&lt;/b&gt;" in card.error.toolTip()


def test_a_banner_with_a_long_unbroken_reason_keeps_the_window_narrow(ui: DesktopUi) -> None:
    ui.start()
    ui.window.banner.show_message("failed", "Publishing failed", "id=" + "z" * 290, "b_1")
    assert ui.window.banner.body.text().replace("\u200b", "") == "id=" + "z" * 290
    assert ui.window.minimumSizeHint().width() < 600
