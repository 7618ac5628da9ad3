"""Coalesced updates: views redraw at most once a frame, and end exactly on the model.

The app builds its store with ``coalesce_ms`` (the screen's frame interval): its
coalescer then hands a burst of the bridge's events to the store and the views as
one update per batch per frame, carrying each batch's latest state and every clip
that changed.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.model import BatchStatus, ClipStatus, StreamState
from storyclip_desktop.ui.batches_dialog import ActiveBatchesDialog
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.clip_model import ClipTableModel, ClipTableView, RawValueRole
from storyclip_desktop.ui.coalescer import UpdateCoalescer, frame_interval_ms
from storyclip_desktop.ui.store import BatchStore

from .fakes import BatchRun, make_batch, make_clip


def test_first_update_at_once_then_one_merged_update_per_frame(qtbot: object) -> None:
    bridge = MonitorBridge()
    coalescer = UpdateCoalescer(bridge, 40)
    seen: list[list[tuple[str, int, list[int]]]] = []
    coalescer.batchesUpdated.connect(
        lambda items: seen.append([(b.batch_id, b.published, c) for b, c in items])
    )
    a, b = make_batch("a", total=10), make_batch("b", total=10)
    bridge.batch_updated(a, [1])
    assert seen == [[("a", 0, [1])]]  # the first one is not delayed
    for n in range(1, 6):
        bridge.batch_updated(make_batch("a", total=10, published=n), [n + 1])
    bridge.batch_updated(b, [3])
    assert len(seen) == 1  # the rest waits for the end of the frame
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)  # type: ignore[attr-defined]
    assert seen[1] == [("a", 5, [2, 3, 4, 5, 6]), ("b", 0, [3])]
    # Quiet again: the next update goes out at once.
    qtbot.waitUntil(lambda: not coalescer.in_frame, timeout=2000)  # type: ignore[attr-defined]
    bridge.batch_updated(make_batch("b", total=10, published=1), [4])
    assert seen[2] == [("b", 1, [4])]


def test_finished_and_signed_out_keep_their_order(qapp: QApplication) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge, coalesce_ms=10_000)
    order: list[str] = []
    store.batchChanged.connect(lambda i, c: order.append(f"changed {i} {c}"))
    store.coalescer.batchFinished.connect(lambda b: order.append(f"finished {b.batch_id}"))
    bridge.batch_added(make_batch("a", total=2))
    bridge.batch_updated(make_batch("a", total=2, published=1), [1])  # at once
    bridge.batch_updated(make_batch("a", total=2, published=2), [2])  # pending
    done = make_batch("a", total=2, status="completed", published=2)
    bridge.batch_finished(done)
    # The pending update reaches the store before the batch is announced finished
    # (the store's own batchFinished slot, connected first, records the final state).
    assert order == ["changed a [1]", "changed a [2]", "changed a []", "finished a"]
    assert store.batch("a") == done
    assert store.was_announced("a")
    # A sign-out drops what is pending: the next user sees nothing of this one.
    bridge.batch_added(make_batch("b", total=2))
    bridge.batch_updated(make_batch("b", total=2, published=1), [1])
    bridge.signed_out("user")
    store.coalescer.flush()
    assert store.batches == []


def test_the_store_says_changed_once_per_coalesced_update(qapp: QApplication) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge, coalesce_ms=10_000)
    changes: list[str] = []
    store.changed.connect(lambda: changes.append("changed"))
    store.batchInserted.connect(lambda i: changes.append(f"inserted {i}"))
    store.batchChanged.connect(lambda i, c: changes.append(f"batch {i} {c}"))
    for name in "abc":
        bridge.batch_added(make_batch(name, total=3))
    changes.clear()
    bridge.batch_updated(make_batch("a", total=3, published=1), [1])
    for name in "abc":
        bridge.batch_updated(make_batch(name, total=3, published=2), [2])
    bridge.batch_updated(make_batch("d", total=3), [])  # first heard of in an update
    changes.clear()
    store.coalescer.flush()
    assert changes == ["batch a [2]", "batch b [2]", "batch c [2]", "inserted d", "changed"]
    assert [b.published for b in store.batches] == [2, 2, 2, 0]


def test_a_burst_of_events_ends_exactly_on_the_last_state(qtbot: object) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge, coalesce_ms=16)
    dialog = ActiveBatchesDialog(store)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    run = BatchRun(bridge, make_batch(total=200))
    run.start()
    card = dialog.cards[run.batch.batch_id]
    redraws: list[int] = []
    store.batchChanged.connect(lambda _i, _c: redraws.append(1))
    for index in range(1, 201):
        run.clip(index, "uploading")
        run.clip(index, "error" if index == 7 else "published", error="no" if index == 7 else None)
    qtbot.waitUntil(lambda: card.progress.value() == 200, timeout=5000)  # type: ignore[attr-defined]
    assert len(redraws) < 20  # 400 events, a handful of frames
    assert card.batch == run.batch == store.batch(run.batch.batch_id)
    assert (card.batch.published, card.batch.failed) == (199, 1)
    clips = card.model.clips
    assert clips == run.batch.clips  # every row, not only the last ones
    assert clips[6].status is ClipStatus.FAILED
    assert card.model.index(6, ClipTableModel.ERROR).data() == "no"
    assert clips[199].status is ClipStatus.PUBLISHED
    run.finish()
    assert card.chip.status is BatchStatus.COMPLETED
    bridge.stream_state_changed(run.batch.batch_id, StreamState("finished"))
    assert card.stream_label.isHidden()


def test_frame_interval_follows_the_screen(qapp: QApplication) -> None:
    interval = frame_interval_ms()
    assert 8 <= interval <= 33
    rate = qapp.primaryScreen().refreshRate()
    if rate > 0:
        assert interval == max(8, min(33, round(1000 / rate)))


def test_many_batches_spread_over_frames_oldest_first(qtbot: object) -> None:
    """A frame spends a bounded time on the views: when one batch's update is known
    to take the whole budget, each frame takes one batch, oldest first, and every
    batch still ends on its latest state."""
    bridge = MonitorBridge()
    store = BatchStore(bridge, coalesce_ms=20)
    coalescer = store.coalescer
    frames: list[list[str]] = []
    coalescer.batchesUpdated.connect(lambda items: frames.append([b.batch_id for b, _c in items]))
    names = [f"b{n:02d}" for n in range(5)]
    for name in names:
        bridge.batch_added(make_batch(name, total=5))
    coalescer._cost = 1.0  # one batch "takes" a second: one batch per frame
    bridge.batch_updated(make_batch("first", total=5), [])  # opens the window
    for published in (1, 2):
        for name in names:
            bridge.batch_updated(make_batch(name, total=5, published=published), [published])
    qtbot.waitUntil(lambda: sum(map(len, frames)) == 6, timeout=5000)  # type: ignore[attr-defined]
    assert frames == [["first"], *([name] for name in names)]
    assert all(store.batch(name).published == 2 for name in names)  # type: ignore[union-attr]
    # Cheap views: everything pending goes out in one frame.
    coalescer._cost = 1e-6
    for name in names:
        bridge.batch_updated(make_batch(name, total=5, published=3), [3])
    qtbot.waitUntil(lambda: len(frames) == 7, timeout=5000)  # type: ignore[attr-defined]
    assert frames[-1] == names


def test_a_model_nobody_shows_stays_exact_and_tells_its_first_viewer(qtbot: object) -> None:
    """A collapsed card's model has no view: it keeps the new clips without
    comparing rows (nobody to tell); once something follows it, it reports the
    rows that change, and a view built late shows the current clips."""
    clips = tuple(make_clip(i) for i in range(1, 201))
    model = ClipTableModel(clips)
    later = tuple(replace(c, status=ClipStatus.PUBLISHED, status_raw="published") for c in clips)
    model.set_clips(later)
    assert model.clips == later
    rows: list[tuple[int, int]] = []
    model.dataChanged.connect(
        lambda top, bottom, _roles=None: rows.append((top.row(), bottom.row()))
    )
    last = (
        *later[:9],
        replace(later[9], status=ClipStatus.FAILED, status_raw="failed"),
        *later[10:],
    )
    model.set_clips(last)
    assert rows == [(9, 9)]
    view = ClipTableView(model)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    shown = view.proxy.index(9, ClipTableModel.STATUS).data(RawValueRole)
    assert (
        shown == view.proxy.index(0, ClipTableModel.STATUS).data(RawValueRole) - 6
    )  # failed first
