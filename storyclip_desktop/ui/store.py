"""The latest known state of every batch, for views built (or rebuilt) at any time.

Every batch state enters through one method, :meth:`BatchStore.put`, whether it
came as a new batch, a (coalesced) update or the end of a batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from storyclip_desktop.core.model import Batch, BatchStatus, StreamState

from .bridge import MonitorBridge
from .coalescer import UpdateCoalescer

__all__ = ["BatchStore"]


class BatchStore(QObject):
    """The latest known state of every batch and stream, following a bridge.

    Updates reach it through its :attr:`coalescer` (``coalesce_ms`` 0: each one as
    it comes; the app passes the frame interval). The store updates itself first,
    then emits, so a view reacting to a store signal always reads the new state.

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

    def __init__(
        self,
        bridge: MonitorBridge,
        parent: QObject | None = None,
        *,
        coalesce_ms: int = 0,
    ) -> None:
        super().__init__(parent)
        self._batches: dict[str, Batch] = {}
        self._streams: dict[str, StreamState] = {}
        self._finished: set[str] = set()
        self._reachable = True
        #: Where the updates come from; its ``batchFinished`` follows every pending
        #: update (connect there, not to the bridge's, to read the final state here).
        self.coalescer = UpdateCoalescer(bridge, coalesce_ms, self)
        # The coalescer connected first: a signed-out user's pending updates are
        # dropped before the store is cleared.
        self.coalescer.batchesUpdated.connect(self.put)
        self.coalescer.batchFinished.connect(self._on_finished)
        bridge.batchAdded.connect(self._on_added)
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

    def paused(self) -> list[Batch]:
        return [b for b in self._batches.values() if b.status is BatchStatus.PAUSED]

    def finished(self) -> list[Batch]:
        return [b for b in self._batches.values() if b.is_final]

    def was_announced(self, batch_id: str) -> bool:
        return batch_id in self._finished

    # ------------------------------------------------------------ writing

    def put(self, updates: Sequence[tuple[Batch, Sequence[int]]]) -> None:
        """Record batches' new states (inserting the new ones): the one way in.

        Each batch says ``batchInserted`` or ``batchChanged`` (with its changed
        clips); then ``changed`` once for all of them.
        """
        for batch, changed in updates:
            known = batch.batch_id in self._batches
            self._batches[batch.batch_id] = batch
            if known:
                self.batchChanged.emit(batch.batch_id, list(changed))
            else:
                self.batchInserted.emit(batch.batch_id)
        if updates:
            self.changed.emit()

    def _on_added(self, batch: Batch) -> None:
        self.put([(batch, ())])

    def _on_finished(self, batch: Batch) -> None:
        self._finished.add(batch.batch_id)
        self.put([(batch, ())])

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
