"""Frame-rate coalescing of batch updates: however many events arrive, the views
redraw at most once a frame, and they always end on the latest state.

The monitor's model applies every event; only what the views are told is merged.
"""

from __future__ import annotations

import time
from itertools import islice

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from storyclip_desktop.core.model import Batch

from .bridge import MonitorBridge

__all__ = ["UpdateCoalescer", "frame_interval_ms"]

# What the views spend on one batch's update, at least (seconds); the first guess.
_MIN_COST = 20e-6
_FIRST_COST = 200e-6


def frame_interval_ms() -> int:
    """Milliseconds between two frames of the primary screen (16 at 60 Hz)."""
    screen = QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 60.0
    return max(8, min(33, round(1000 / rate))) if rate > 0 else 16


class UpdateCoalescer(QObject):
    """Merges a bridge's batch updates per frame; the store's only source of updates.

    With ``interval_ms`` > 0 (the app passes the screen's frame interval), the
    first update after a quiet interval is emitted at once; later ones within the
    interval are merged per batch (its latest state and the union of the changed
    clips) and emitted when it ends. When many batches move at once, a frame
    spends about an eighth of its interval on them and the batches left over go
    first in the next frame. Nothing is lost: the pending updates go out before
    this object's ``batchFinished``, and a sign-out drops them (the next user sees
    nothing of this one). With 0 every update is emitted as it comes.

    Signals:
        batchesUpdated(list[tuple[Batch, list[int]]]): updates, at most one per
            batch, oldest first; the changed clip indexes sorted.
        batchFinished(Batch): the bridge's ``batchFinished``, after every pending
            update of any batch went out.
    """

    batchesUpdated = Signal(object)
    batchFinished = Signal(object)

    def __init__(
        self, bridge: MonitorBridge, interval_ms: int = 0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._pending: dict[str, tuple[Batch, set[int]]] = {}
        self._window: QTimer | None = None
        if interval_ms > 0:
            window = QTimer(self)
            window.setSingleShot(True)
            window.setInterval(interval_ms)
            window.timeout.connect(self._window_ended)
            self._window = window
        # An eighth of the frame for the views: the rest is for painting them and
        # for the events (with fifty busy streams the views would take it all).
        self._budget = interval_ms / 8000
        self._cost = _FIRST_COST
        bridge.batchUpdated.connect(self.add)
        bridge.batchFinished.connect(self._finished)
        bridge.signedOut.connect(self._signed_out)

    @property
    def in_frame(self) -> bool:
        """An update went out less than a frame ago: the next ones wait for its end."""
        return self._window is not None and self._window.isActive()

    def add(self, batch: Batch, changed_clips: list[int]) -> None:
        """One update: emitted now, or merged into the batch's pending one."""
        window = self._window
        if window is None:
            self.batchesUpdated.emit([(batch, list(changed_clips))])
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

    def flush(self) -> None:
        """Emit every pending update now (nothing when there are none)."""
        self._flush(None)

    def _window_ended(self) -> None:
        if self._pending:
            assert self._window is not None
            self._window.start()  # still busy: the next flush is a frame away
            self._flush(self._budget)

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

    def _finished(self, batch: Batch) -> None:
        self.flush()
        self.batchFinished.emit(batch)

    def _signed_out(self, _reason: str) -> None:
        self._pending.clear()  # the next user must see nothing of this one
