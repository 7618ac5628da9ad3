"""The one adapter between the core's monitor and Qt.

:class:`MonitorBridge` is the monitor's listener (``core.events.MonitorListener``,
checked by mypy below) and turns each call into a Qt signal on the same thread,
so the core stays free of Qt. It does nothing else: the frame-rate merging of
updates is :mod:`.coalescer`'s, the latest state of every batch :mod:`.store`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from storyclip_desktop.core.model import Batch, StreamState

if TYPE_CHECKING:
    from storyclip_desktop.core.events import MonitorListener

__all__ = ["MonitorBridge"]


class MonitorBridge(QObject):
    """Re-emits the monitor's listener calls as Qt signals, one signal per call.

    Views do not connect here for batch news: they follow the
    :class:`~storyclip_desktop.ui.store.BatchStore`, whose updates pass through a
    :class:`~storyclip_desktop.ui.coalescer.UpdateCoalescer` (at most one redraw a
    frame; the pending updates go out before the coalescer's ``batchFinished``).

    Signals:
        batchAdded(Batch): a batch the monitor now follows.
        batchUpdated(Batch, list[int]): new state; the 1-based clip indexes that
            changed. Every update, as it comes.
        batchFinished(Batch): the batch ended; emitted once per batch (the core decides).
        streamStateChanged(str, StreamState): a batch's live stream changed state.
        serverReachableChanged(bool): the server stopped or started answering.
        signedOut(str): the session ended; the reason (user, session_expired, ...).
    """

    batchAdded = Signal(object)
    batchUpdated = Signal(object, list)
    batchFinished = Signal(object)
    streamStateChanged = Signal(str, object)
    serverReachableChanged = Signal(bool)
    signedOut = Signal(str)

    def batch_added(self, batch: Batch) -> None:
        self.batchAdded.emit(batch)

    def batch_updated(self, batch: Batch, changed_clips: Sequence[int]) -> None:
        self.batchUpdated.emit(batch, list(changed_clips))

    def batch_finished(self, batch: Batch) -> None:
        self.batchFinished.emit(batch)

    def stream_state_changed(self, batch_id: str, state: StreamState) -> None:
        self.streamStateChanged.emit(batch_id, state)

    def server_reachable_changed(self, reachable: bool) -> None:
        self.serverReachableChanged.emit(reachable)

    def signed_out(self, reason: str) -> None:
        self.signedOut.emit(reason)


if TYPE_CHECKING:

    def _bridge_is_a_listener(bridge: MonitorBridge) -> MonitorListener:
        return bridge  # mypy checks the duck typing against the protocol
