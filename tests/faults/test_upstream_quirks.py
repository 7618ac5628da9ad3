"""Each quirk of the deployed backend (local backend, upstream mode), and discovery."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from storyclip_desktop.core.memory import MonitorMemory
from storyclip_desktop.core.model import Batch, BatchStatus, ClipStatus
from tests.backend import Backend
from tests.faults.conftest import FAST, Rig, Row, assert_finished_once
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio

SUMMARY = "/api/metricool/batch/"


async def test_completed_before_last_clip_event(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """Upstream quirk: `completed` before the last clip's event."""
    backend = backend_factory(mode="upstream", clip_seconds=0.1)
    client = await rig.client(backend)
    rec = client.recorder
    monitor = await rig.monitor(client)
    ids = []
    for _ in range(3):  # the race is the server's; three batches, three chances to lose it
        batch_id = backend.create_batch(5)
        ids.append(batch_id)
        await until(lambda b=batch_id: b in rec.finished_ids(), what="finish")
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)
        assert batch.published == 5
        assert batch.clips[-1].status is ClipStatus.PUBLISHED  # the summary re-read got it
    assert monitor.duplicate_events == 0
    row.detail = "3 batches of 5: last clip published, 5/0 exact, 1 finish each"


async def test_errored_clips_left_pending_shown_failed(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """Upstream quirk: errored clips left `pending` (shown failed)."""
    backend = backend_factory(mode="upstream", clip_seconds=0.1)
    client = await rig.client(backend)
    rec = client.recorder
    batch_id = backend.create_batch(6, fail=[2, 5])
    await rig.monitor(client)
    await until(lambda: rec.finished, what="finish")
    batch = rec.finished[0]
    assert_exact(batch, backend)
    assert [r["status"] for r in backend.clip_rows(batch_id)][1::3] == ["pending", "pending"]
    assert [c.status for c in batch.clips][1::3] == [ClipStatus.FAILED, ClipStatus.FAILED]
    # ...and never shown pending again after an event said failed.
    for update, _ in rec.updates:
        if update.batch_id == batch_id:
            for clip in update.clips:
                if clip.index == 2 and update.failed >= 1:
                    assert clip.status is ClipStatus.FAILED
    row.detail = "rows pending for good; shown failed, counts 4/2 exact"


async def test_whole_batch_failed_by_first_failed_clip(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """Upstream quirk: whole batch failed by its first failed clip."""
    backend = backend_factory(mode="upstream", clip_seconds=0.1, fail_batch_on_first_error=True)
    client = await rig.client(backend)
    rec = client.recorder
    batch_id = backend.create_batch(6, fail=[3])
    await rig.monitor(client)
    await until(lambda: rec.finished, what="failed batch reported")
    batch = rec.finished[0]
    summary = backend.batch(batch_id)
    assert batch.status_raw == "failed" == summary["status"]
    assert (batch.published, batch.failed, batch.total) == (2, 0, 6) == (
        summary["published"], summary["failed"], summary["total"]
    )  # fmt: skip
    assert batch.error == "startTime is not defined"
    assert [c.status for c in batch.clips[3:]] == [ClipStatus.PENDING] * 3
    assert_finished_once(rec, [batch_id])
    row.detail = "failed, 2/0 of 6 as the server says, its error text, 1 finish"


async def test_batch_orphaned_by_restart_shown_stalled(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """Upstream quirk: batch orphaned by a restart (stalled after 2 s)."""
    backend = backend_factory(mode="upstream", clip_seconds=0.2)
    client = await rig.client(backend)
    rec = client.recorder
    batch_id = backend.create_batch(30)
    await rig.monitor(client)
    await until(lambda: rec.published(batch_id) >= 2, what="progress")
    await asyncio.to_thread(backend.kill)
    await asyncio.to_thread(backend.restart)
    back = time.monotonic()
    polling = await until(lambda: rec.first_state_after(batch_id, back, "polling"), what="poll")
    stalled = await until(
        lambda: rec.first_state_after(batch_id, back, "stalled"), timeout=10, what="stalled"
    )
    row.recovered(polling - back)
    # A refused poll's Retry-After is honoured too (1 s, above the 0.5 s stalled poll).
    backend.faults(fail_next=1, fail_status=503, retry_after=1, fail_path_prefix=SUMMARY)
    refused = time.monotonic()
    waited = await until(
        lambda: [s.retry_in for at, s in rec.states[batch_id] if at > refused and s.retry_in],
        what="a poll after the 503",
    )
    assert waited[0] >= 1.0, waited
    # A few stalled polls later it is still not "finished": the server never ends it.
    await until(lambda: time.monotonic() > stalled + 2 * FAST.stalled_poll, what="slow polls")
    assert rec.finished == []
    assert rec.latest[batch_id].status is BatchStatus.PROCESSING
    assert backend.batch(batch_id)["status"] == "processing"
    row.detail = (
        f"restart->polling {polling - back:.2f} s, ->stalled {stalled - back:.2f} s "
        f"(stall_after {FAST.stall_after:g} s); a 503's Retry-After 1 s kept; never finished"
    )


async def test_empty_active_list_remembered_batch_followed(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row, tmp_path: Path
) -> None:
    """Upstream quirk: active list empty while a known batch runs."""
    backend = backend_factory(mode="upstream", clip_seconds=0.1)
    batch_id = backend.create_batch(8, user_id="")  # stored with no user, as deployed
    client = await rig.client(backend)
    assert backend.active(user_id=backend.user_id)["batches"] == []
    memory = MonitorMemory(tmp_path / "remembered.json")
    memory.remember(
        backend.user_id,
        Batch(batch_id=batch_id, status=BatchStatus.PROCESSING, status_raw="processing",
              total=8, published=0, failed=0),
    )  # fmt: skip
    memory.save()
    rec = client.recorder
    started = time.monotonic()
    await rig.monitor(client, memory=MonitorMemory(tmp_path / "remembered.json"))
    assert rec.added == [batch_id]
    live = await until(lambda: rec.first_state_after(batch_id, started, "live"), what="live")
    row.recovered(live - started)
    await until(lambda: rec.finished, what="finish")
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    assert backend.active(user_id=backend.user_id)["batches"] == []
    row.detail = "active list empty throughout; remembered id followed to an exact end"


async def test_batch_started_elsewhere_picked_up_within_interval(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """Batch started on the server while the monitor runs."""
    interval = 1.0
    row.scenario += f" (discovery every {interval:g} s)"
    backend = backend_factory(clip_seconds=0.2)  # 8 clips: each batch outlives an interval
    client = await rig.client(backend)
    rec = client.recorder
    await rig.monitor(client, discovery_interval=interval)
    delays = []
    ids = []
    for _ in range(3):
        started = time.monotonic()
        batch_id = backend.create_batch(8)
        ids.append(batch_id)
        await until(lambda b=batch_id: b in rec.added_at, timeout=5, what="picked up")
        delays.append(rec.added_at[batch_id] - started)
        await asyncio.sleep(0.35)  # the next one lands at another point of the interval
    await until(lambda: len(rec.finished) == 3, what="all finished")
    assert all(d <= interval + 0.5 for d in delays), delays
    row.recovered(max(delays))
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)
    row.detail = "picked up after " + ", ".join(f"{d:.2f}" for d in delays) + " s; exact"
