"""The one adapter between the core's monitor and Qt.

:class:`MonitorBridge` is the monitor's listener (duck-typed against
``core.events.MonitorListener``) and turns each call into a Qt signal, so the
core stays free of Qt. :class:`BatchStore` keeps the latest state of every batch
so any view can be built, or rebuilt, at any time from what is known now.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from storyclip_desktop.core.model import Batch, BatchStatus, StreamState

if TYPE_CHECKING:
    from storyclip_desktop.core.events import MonitorListener

__all__ = ["BatchStore", "MonitorBridge", "frame_interval_ms"]

# What the views spend on one batch's update, at least (seconds); the first guess.
_MIN_COST = 20e-6
_FIRST_COST = 200e-6


def frame_interval_ms() -> int:
    """Milliseconds between two frames of the primary screen (16 at 60 Hz)."""
    screen = QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 60.0
    return max(8, min(33, round(1000 / rate))) if rate > 0 else 16


class MonitorBridge(QObject):
    """Re-emits the monitor's listener calls as Qt signals, on the same thread.

    With ``coalesce_ms`` (the app passes the screen's frame interval), batch
    updates are coalesced: the first update after a quiet interval is emitted at
    once, later ones within the interval are merged per batch (its latest state
    and the union of the changed clips) and emitted when it ends, so the views
    redraw at most once a frame however many events arrive. When many batches
    move at once, a frame spends about an eighth of its interval on them and
    the batches left over go first in the next frame. The core's model is
    unaffected (it applies every event), and nothing is lost: pending updates go
    out before a ``batchFinished``. Without it (the default) every update is
    emitted as it comes.

    Signals:
        batchAdded(Batch): a batch the monitor now follows.
        batchUpdated(Batch, list[int]): new state; the 1-based clip indexes that
            changed (emitted when not coalescing).
        batchesUpdated(list[tuple[Batch, list[int]]]): coalesced updates, at most
            one per batch, oldest first.
        batchFinished(Batch): the batch ended; emitted once per batch (the core decides).
        streamStateChanged(str, StreamState): a batch's live stream changed state.
        serverReachableChanged(bool): the server stopped or started answering.
        signedOut(str): the session ended; the reason (user, session_expired, ...).
    """

    batchAdded = Signal(object)
    batchUpdated = Signal(object, list)
    batchesUpdated = Signal(object)
    batchFinished = Signal(object)
    streamStateChanged = Signal(str, object)
    serverReachableChanged = Signal(bool)
    signedOut = Signal(str)

    def __init__(self, parent: QObject | None = None, *, coalesce_ms: int = 0) -> None:
        super().__init__(parent)
        self._pending: dict[str, tuple[Batch, set[int]]] = {}
        self._window: QTimer | None = None
        if coalesce_ms > 0:
            window = QTimer(self)
            window.setSingleShot(True)
            window.setInterval(coalesce_ms)
            window.timeout.connect(self._window_ended)
            self._window = window
        # An eighth of the frame for the views: the rest is for painting them and
        # for the events (with fifty busy streams the views would take it all).
        self._budget = coalesce_ms / 8000
        self._cost = _FIRST_COST

    def batch_added(self, batch: Batch) -> None:
        self.batchAdded.emit(batch)

    def batch_updated(self, batch: Batch, changed_clips: Sequence[int]) -> None:
        window = self._window
        if window is None:
            self.batchUpdated.emit(batch, list(changed_clips))
            return
        pending = self._pending.get(batch.batch_id)
        if pending is not None:
            pending[1].update(changed_clips)
            self._pending[batch.batch_id] = (batch, pending[1])
        elif window.isActive():
            self._pending[batch.batch_id] = (batch, set(changed_clips))
        else:
            # The first update after a quiet interval is shown at once.
            window.start()
            self.batchesUpdated.emit([(batch, list(changed_clips))])

    def _window_ended(self) -> None:
        if self._pending:
            assert self._window is not None
            self._window.start()  # still busy: the next flush is a frame away
            self._flush(self._budget)

    def flush(self) -> None:
        """Emit every coalesced update now (nothing when there are none)."""
        self._flush(None)

    def _flush(self, budget: float | None) -> None:
        """Emit pending updates, oldest first, in one signal. With a ``budget``
        (seconds), only as many as the views handled in that time lately: a frame
        never spends much more than that on them however many batches moved, the
        rest go first in the next frame (each batch redraws every few frames then,
        never less exactly)."""
        pending = self._pending
        if not pending:
            return
        count = len(pending)
        if budget is not None:
            count = max(1, min(count, int(budget / self._cost)))
        taken = list(islice(pending.items(), count))
        for batch_id, _item in taken:
            del pending[batch_id]
        started = time.perf_counter()
        self.batchesUpdated.emit([(batch, sorted(changed)) for _id, (batch, changed) in taken])
        spent = (time.perf_counter() - started) / len(taken)
        # What one batch costs the views, smoothed (a burst of paint must not starve them).
        self._cost = max(_MIN_COST, 0.7 * self._cost + 0.3 * spent)

    def batch_finished(self, batch: Batch) -> None:
        self.flush()
        self.batchFinished.emit(batch)

    def stream_state_changed(self, batch_id: str, state: StreamState) -> None:
        self.streamStateChanged.emit(batch_id, state)

    def server_reachable_changed(self, reachable: bool) -> None:
        self.serverReachableChanged.emit(reachable)

    def signed_out(self, reason: str) -> None:
        self._pending.clear()  # the next user must see nothing of this one
        self.signedOut.emit(reason)


if TYPE_CHECKING:

    def _bridge_is_a_listener(bridge: MonitorBridge) -> MonitorListener:
        return bridge  # mypy checks the duck typing against the protocol


class BatchStore(QObject):
    """The latest known state of every batch and stream, for views built late.

    The store updates itself first, then emits, so a view reacting to a store
    signal always reads the new state.

    Signals:
        batchInserted(str): a batch id seen for the first time.
        batchChanged(str, list[int]): a known batch changed; the changed clip indexes.
        streamChanged(str): a batch's stream state changed.
        reachableChanged(bool): the server's reachability changed.
        changed(): anything changed (for summaries: tray, status line).
        cleared(): everything was forgotten (sign-out).
    """

    batchInserted = Signal(str)
    batchChanged = Signal(str, list)
    streamChanged = Signal(str)
    reachableChanged = Signal(bool)
    changed = Signal()
    cleared = Signal()

    def __init__(self, bridge: MonitorBridge | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._batches: dict[str, Batch] = {}
        self._streams: dict[str, StreamState] = {}
        self._finished: set[str] = set()
        self._reachable = True
        if bridge is not None:
            bridge.batchAdded.connect(self.put)
            bridge.batchUpdated.connect(self._on_updated)
            bridge.batchesUpdated.connect(self.put_many)
            bridge.batchFinished.connect(self._on_finished)
            bridge.streamStateChanged.connect(self.set_stream)
            bridge.serverReachableChanged.connect(self.set_reachable)
            bridge.signedOut.connect(self.clear)

    # ------------------------------------------------------------ reading

    @property
    def batches(self) -> list[Batch]:
        """Every known batch, in the order they were first seen."""
        return list(self._batches.values())

    def batch(self, batch_id: str) -> Batch | None:
        return self._batches.get(batch_id)

    def stream(self, batch_id: str) -> StreamState | None:
        return self._streams.get(batch_id)

    @property
    def reachable(self) -> bool:
        return self._reachable

    def running(self) -> list[Batch]:
        return [b for b in self._batches.values() if b.status is BatchStatus.PROCESSING]

    def finished(self) -> list[Batch]:
        return [b for b in self._batches.values() if b.is_final]

    def was_announced(self, batch_id: str) -> bool:
        return batch_id in self._finished

    # ------------------------------------------------------------ writing

    def put(self, batch: Batch, changed: Sequence[int] = ()) -> None:
        """Record a batch's new state (inserting it when new)."""
        known = batch.batch_id in self._batches
        self._batches[batch.batch_id] = batch
        if known:
            self.batchChanged.emit(batch.batch_id, list(changed))
        else:
            self.batchInserted.emit(batch.batch_id)
        self.changed.emit()

    def put_many(self, items: Sequence[tuple[Batch, Sequence[int]]]) -> None:
        """Record several batches' new states; ``changed`` once for all of them."""
        for batch, changed in items:
            known = batch.batch_id in self._batches
            self._batches[batch.batch_id] = batch
            if known:
                self.batchChanged.emit(batch.batch_id, list(changed))
            else:
                self.batchInserted.emit(batch.batch_id)
        if items:
            self.changed.emit()

    def _on_updated(self, batch: Batch, changed: list[int]) -> None:
        self.put(batch, changed)

    def _on_finished(self, batch: Batch) -> None:
        self._finished.add(batch.batch_id)
        self.put(batch)

    def set_stream(self, batch_id: str, state: StreamState) -> None:
        self._streams[batch_id] = state
        self.streamChanged.emit(batch_id)
        self.changed.emit()

    def set_reachable(self, reachable: bool) -> None:
        if reachable == self._reachable:
            return
        self._reachable = reachable
        self.reachableChanged.emit(reachable)
        self.changed.emit()

    def clear(self, _reason: str = "") -> None:
        """Forget everything (the session ended: the next user must see nothing of it)."""
        self._batches.clear()
        self._streams.clear()
        self._finished.clear()
        self._reachable = True
        self.cleared.emit()
        self.changed.emit()
