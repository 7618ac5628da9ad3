"""Coalesced updates: views redraw at most once a frame, and end exactly on the model.

The app builds its bridge with ``coalesce_ms`` (the screen's frame interval);
a burst of events then reaches the store and the views as one update per batch
per frame, carrying each batch's latest state and every clip that changed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.model import StreamState
from storyclip_desktop.ui.batches_dialog import ActiveBatchesDialog
from storyclip_desktop.ui.bridge import BatchStore, MonitorBridge, frame_interval_ms
from storyclip_desktop.ui.clip_model import ClipTableModel

from .fakes import BatchRun, make_batch


def test_first_update_at_once_then_one_merged_update_per_frame(qtbot: object) -> None:
    bridge = MonitorBridge(coalesce_ms=40)
    seen: list[list[tuple[str, int, list[int]]]] = []
    bridge.batchesUpdated.connect(
        lambda items: seen.append([(b.batch_id, b.published, c) for b, c in items])
    )
    bridge.batchUpdated.connect(lambda *_: seen.append([("immediate", 0, [])]))
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
    qtbot.waitUntil(lambda: not bridge._window.isActive(), timeout=2000)  # type: ignore[attr-defined,union-attr]
    bridge.batch_updated(make_batch("b", total=10, published=1), [4])
    assert seen[2] == [("b", 1, [4])]


def test_finished_and_signed_out_keep_their_order(qapp: QApplication) -> None:
    bridge = MonitorBridge(coalesce_ms=10_000)
    store = BatchStore(bridge)
    order: list[str] = []
    store.batchChanged.connect(lambda i, c: order.append(f"changed {i} {c}"))
    bridge.batchFinished.connect(lambda b: order.append(f"finished {b.batch_id}"))
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
    bridge.flush()
    assert store.batches == []


def test_the_store_says_changed_once_per_coalesced_update(qapp: QApplication) -> None:
    bridge = MonitorBridge(coalesce_ms=10_000)
    store = BatchStore(bridge)
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
    bridge.flush()
    assert changes == ["batch a [2]", "batch b [2]", "batch c [2]", "inserted d", "changed"]
    assert [b.published for b in store.batches] == [2, 2, 2, 0]


def test_a_burst_of_events_ends_exactly_on_the_last_state(qtbot: object) -> None:
    bridge = MonitorBridge(coalesce_ms=16)
    store = BatchStore(bridge)
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
    qtbot.waitUntil(lambda: card.progress.text() == "200 / 200 clips", timeout=5000)  # type: ignore[attr-defined]
    assert len(redraws) < 20  # 400 events, a handful of frames
    assert card.counts.text() == "Published 199 · Failed 1 · Pending 0"
    model = card.model
    assert model.index(6, ClipTableModel.STATUS).data() == "Failed"
    assert model.index(6, ClipTableModel.ERROR).data() == "no"
    assert model.index(199, ClipTableModel.STATUS).data() == "Published"
    assert store.batch(run.batch.batch_id) == run.batch
    run.finish()
    assert card.chip.text() == "Completed"
    bridge.stream_state_changed(run.batch.batch_id, StreamState("finished"))
    assert card.stream_label.isHidden()


def test_frame_interval_follows_the_screen(qapp: QApplication) -> None:
    interval = frame_interval_ms()
    assert 8 <= interval <= 33
    rate = qapp.primaryScreen().refreshRate()
    if rate > 0:
        assert interval == max(8, min(33, round(1000 / rate)))
