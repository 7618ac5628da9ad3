"""Backend killed (SIGKILL) and restarted five times under a running batch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from tests.backend import Backend
from tests.faults.conftest import Rig, Row, assert_finished_once
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio

RESTARTS = 5


async def test_default_mode_five_restarts_end_exact(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """Backend SIGKILLed + restarted 5x in a 20-clip batch (default mode)."""
    backend = backend_factory(clip_seconds=0.3, waits=2)
    client = await rig.client(backend)
    rec = client.recorder
    batch_id = backend.create_batch(20, fail=[7, 13])
    monitor = await rig.monitor(client)
    recoveries = []
    for _ in range(RESTARTS):
        seen = rec.published(batch_id)
        await until(lambda s=seen: rec.published(batch_id) > s, what="progress before the kill")
        await asyncio.to_thread(backend.kill)
        await asyncio.to_thread(backend.restart)
        back = time.monotonic()
        await until(
            lambda b=back: rec.first_state_after(batch_id, b, "live", "finished"),
            what="live again",
        )
        took = (rec.first_state_after(batch_id, back, "live", "finished") or back) - back
        recoveries.append(took)
        row.recovered(took)
    assert not rec.finished, "the batch must still run after five restarts"
    await until(lambda: rec.finished, timeout=30, what="finish")
    await until(lambda: monitor.follower(batch_id) is None, what="follower closed")
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    assert (rec.finished[0].published, rec.finished[0].failed) == (18, 2)
    assert monitor.duplicate_events == 0  # Last-Event-ID replay: nothing applied twice
    assert backend.starts == RESTARTS + 1
    row.detail = (
        f"{RESTARTS} SIGKILL+restart; restart->live "
        + "/".join(f"{t:.2f}" for t in recoveries)
        + " s; 18/2 exact, 1 finish, 0 duplicate events"
    )


async def test_upstream_five_restarts_orphan_stalls_new_batches_end(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """Backend SIGKILLed + restarted 5x in a 20-clip batch (upstream mode)."""
    backend = backend_factory(mode="upstream", clip_seconds=0.25, waits=2)
    client = await rig.client(backend)
    rec = client.recorder
    orphan = backend.create_batch(20)
    monitor = await rig.monitor(client)
    await until(lambda: rec.published(orphan) >= 2, what="some progress")
    fresh_ids: list[str] = []
    first_restart = 0.0
    for n in range(RESTARTS):
        await asyncio.to_thread(backend.kill)
        await asyncio.to_thread(backend.restart)
        back = time.monotonic()
        if n == 0:
            first_restart = back
            await until(lambda b=back: rec.first_state_after(orphan, b, "polling"), what="polling")
        fresh = backend.create_batch(2)  # started after this restart: must end exactly
        fresh_ids.append(fresh)
        live = await until(
            lambda f=fresh, b=back: rec.first_state_after(f, b, "live", "finished"),
            what="fresh batch followed",
        )
        row.recovered(live - back)
        await until(lambda f=fresh: f in rec.finished_ids(), what="fresh batch finished")
    await until(lambda: rec.last_state(orphan) == "stalled", timeout=15, what="stalled")
    polled = rec.first_state_after(orphan, first_restart, "polling")
    stalled = rec.first_state_after(orphan, first_restart, "stalled")
    assert polled is not None
    assert stalled is not None
    assert polled < stalled
    # Never a false end: the server keeps saying processing, and so does the monitor.
    assert backend.batch(orphan)["status"] == "processing"
    assert rec.latest[orphan].status_raw == "processing"
    assert_finished_once(rec, fresh_ids)
    for batch in rec.finished:
        assert_exact(batch, backend)
    assert monitor.follower(orphan) is not None  # still watched, slowly
    row.detail = (
        f"{RESTARTS} SIGKILL+restart; orphan polling after "
        f"{polled - first_restart:.2f} s, stalled after {stalled - first_restart:.2f} s "
        f"(stall_after 2 s), never finished; {len(fresh_ids)} later batches exact"
    )
