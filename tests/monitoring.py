"""What the monitor tests share: a recording listener, waiting, exactness.

Used by tests/core/test_monitor.py and the fault matrix in tests/faults/: the
monitor is judged by what it tells its listener, and a batch by whether it ends
with what the server's database says.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from storyclip_desktop.core.model import Batch, StreamState
from tests.backend import Backend


async def until(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:  # noqa: ASYNC109
    """Wait for a condition while the loop keeps running (never a bare sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        await asyncio.sleep(0.02)


@dataclass
class Recorder:
    """A MonitorListener that keeps everything it is told, with times, for assertions."""

    added: list[str] = field(default_factory=list)
    added_at: dict[str, float] = field(default_factory=dict)
    updates: list[tuple[Batch, Sequence[int]]] = field(default_factory=list)
    finished: list[Batch] = field(default_factory=list)
    states: dict[str, list[tuple[float, StreamState]]] = field(default_factory=dict)
    reachable: list[bool] = field(default_factory=list)
    signed_out_reasons: list[str] = field(default_factory=list)
    latest: dict[str, Batch] = field(default_factory=dict)

    def batch_added(self, batch: Batch) -> None:
        self.added.append(batch.batch_id)
        self.added_at[batch.batch_id] = time.monotonic()
        self.latest[batch.batch_id] = batch

    def batch_updated(self, batch: Batch, changed_clips: Sequence[int]) -> None:
        self.updates.append((batch, list(changed_clips)))
        self.latest[batch.batch_id] = batch

    def batch_finished(self, batch: Batch) -> None:
        self.finished.append(batch)

    def stream_state_changed(self, batch_id: str, state: StreamState) -> None:
        self.states.setdefault(batch_id, []).append((time.monotonic(), state))

    def server_reachable_changed(self, reachable: bool) -> None:
        self.reachable.append(reachable)

    def signed_out(self, reason: str) -> None:
        self.signed_out_reasons.append(reason)

    # helpers

    def finished_ids(self) -> list[str]:
        return [b.batch_id for b in self.finished]

    def state_names(self, batch_id: str) -> list[str]:
        return [s.state for _, s in self.states.get(batch_id, [])]

    def states_of(self, batch_id: str) -> list[StreamState]:
        return [s for _, s in self.states.get(batch_id, [])]

    def last_state(self, batch_id: str) -> str | None:
        states = self.states.get(batch_id)
        return states[-1][1].state if states else None

    def first_state_after(self, batch_id: str, since: float, *names: str) -> float | None:
        """When the batch's stream first reached one of ``names`` after ``since``."""
        for at, state in self.states.get(batch_id, []):
            if at >= since and state.state in names:
                return at
        return None

    def published(self, batch_id: str) -> int:
        batch = self.latest.get(batch_id)
        return batch.published if batch else 0


def assert_exact(batch: Batch, backend: Backend) -> None:
    """The batch as reported says what the server says: the summary's counts, equal
    to the clip rows. In upstream mode a failed clip's row stays ``pending`` for
    good (the deployed database lags the events), so there the failed clips are
    the pending rows the stream said failed, as many as the summary counts."""
    rows = backend.clip_rows(batch.batch_id)
    summary = backend.batch(batch.batch_id)
    assert (batch.status_raw, batch.published, batch.failed, batch.total) == (
        summary["status"], summary["published"], summary["failed"], summary["total"],
    )  # fmt: skip
    shown = [c.status.value for c in batch.clips]
    stored = [r["status"] for r in rows]
    assert batch.published == stored.count("published")
    if backend.mode == "upstream":
        assert [s == "published" for s in shown] == [s == "published" for s in stored]
        assert shown.count("failed") == batch.failed
        assert all(r == "pending" for s, r in zip(shown, stored, strict=True) if s == "failed")
    else:
        assert batch.failed == stored.count("failed")
        assert shown == stored
