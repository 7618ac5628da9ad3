"""The batch monitor and its followers against the local backend, both modes.

Real HTTP, real SSE, real SQLite: the backend runs as its own process and is
killed and restarted under the monitor. What is checked is what a user would
check: every batch ends with the server's exact counts (equal to the clip rows
in the database), each finish is reported exactly once (also across a restart
of the monitor), an orphaned batch is shown as stalled and never as finished.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail

from storyclip_desktop.core.api import StoryClipApi
from storyclip_desktop.core.auth import AuthClient
from storyclip_desktop.core.memory import MonitorMemory
from storyclip_desktop.core.model import (
    Batch,
    BatchStatus,
    ClipStatus,
    ConnectedEvent,
    StreamEvent,
)
from storyclip_desktop.core.monitor import BatchMonitor
from storyclip_desktop.core.stream import Backoff, FollowPolicy
from storyclip_desktop.core.tokens import SessionManager
from storyclip_desktop.core.vault import Vault
from tests.backend import Backend
from tests.monitoring import Recorder, assert_exact, until

pytestmark = pytest.mark.anyio

FAST = FollowPolicy(
    base_delay=0.05, max_delay=0.5, watchdog=1.0, poll_initial=0.1, poll_max=0.3,
    stream_retry_every=0.5, stall_after=2.0, stalled_poll=0.5,
    settle_delays=(0.05, 0.1, 0.2, 0.4, 0.8), healthy_after=0.5,
)  # fmt: skip


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Client:
    api: StoryClipApi
    sessions: SessionManager
    auth: AuthClient


@pytest.fixture
async def connect() -> AsyncIterator[Callable[[Backend], Awaitable[Client]]]:
    made: list[Client] = []

    async def make(backend: Backend) -> Client:
        auth = AuthClient(backend.auth_url, backend.anon_key)
        sessions = SessionManager(auth, Vault(backend=fail.Keyring()))
        await sessions.sign_in(backend.email, backend.password)
        api = StoryClipApi(backend.api_url, backend.api_key, sessions)
        client = Client(api, sessions, auth)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.api.aclose()
        await client.auth.aclose()


def new_monitor(
    client: Client, recorder: Recorder, memory_path: Path, **kwargs: Any
) -> BatchMonitor:
    user_id = client.sessions.user_id
    assert user_id
    kwargs.setdefault("policy", FAST)
    kwargs.setdefault("discovery_interval", 0.5)
    return BatchMonitor(client.api, user_id, recorder, MonitorMemory(memory_path), **kwargs)


def running(batch_id: str, total: int) -> Batch:
    """What the last run remembered of a batch it saw running."""
    return Batch(
        batch_id=batch_id,
        status=BatchStatus.PROCESSING,
        status_raw="processing",
        total=total,
        published=0,
        failed=0,
    )


# ---------------------------------------------------------------- default mode


async def test_three_batches_followed_to_the_end_each_reported_once(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.1)
    client = await connect(backend)
    ids = [
        backend.create_batch(8),
        backend.create_batch(5, fail=[2, 4]),
        backend.create_batch(3, fail=[1, 2, 3]),
    ]
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "memory.json")
    await monitor.start()
    try:
        await until(lambda: len(recorder.finished) == 3, what="three finishes")
        assert sorted(recorder.finished_ids()) == sorted(ids)
        for batch in recorder.finished:
            assert_exact(batch, backend)
        by_id = {b.batch_id: b for b in recorder.finished}
        assert (by_id[ids[1]].published, by_id[ids[1]].failed) == (3, 2)
        assert (by_id[ids[2]].published, by_id[ids[2]].failed) == (0, 3)
        # Finished streams are closed, and nothing is reported twice later on.
        await monitor.refresh()
        await until(lambda: all(monitor.follower(i) is None for i in ids), what="followers gone")
        assert len(recorder.finished) == 3
    finally:
        await monitor.stop()


async def test_progress_reaches_the_listener_row_by_row(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.1, waits=2)
    client = await connect(backend)
    batch_id = backend.create_batch(4)
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json")
    await monitor.start()
    try:
        await until(lambda: recorder.finished, what="finish")
    finally:
        await monitor.stop()
    seen = {
        (index, next(c.status for c in batch.clips if c.index == index))
        for batch, changed in recorder.updates
        for index in changed
    }
    # Each clip after the first (which may start before the monitor) was seen
    # uploading, waiting for confirmation and published, live.
    for index in range(2, 5):
        assert (index, ClipStatus.UPLOADING) in seen
        assert (index, ClipStatus.WAITING_CONFIRMATION) in seen
        assert (index, ClipStatus.PUBLISHED) in seen
    # No update ever moved a clip backwards or counted above the total.
    for batch, _changed in recorder.updates:
        assert 0 <= batch.published + batch.failed <= batch.total
    assert "live" in recorder.state_names(batch_id)
    assert recorder.state_names(batch_id)[-1] == "finished"


async def test_a_reread_summary_keeps_what_the_monitor_holds(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    """A re-read summary (discovery every 30 s, a refresh, the watchdog) where one
    clip changed: the views are told that row only, and the monitor keeps its own
    objects for everything else, so the parsed copies die at once. Keeping the
    parsed ones instead pinned the memory their parse used: the app's RSS grew by
    10 MiB at each discovery of 20,000 clips (``tests/bench/run.py --only memory``
    measures that; this checks its cause)."""
    backend = backend_factory(clip_seconds=30.0)
    client = await connect(backend)
    batch_id = backend.create_batch(6)
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json", discovery_interval=60.0)
    await monitor.start()
    try:
        await until(lambda: recorder.last_state(batch_id) == "live", what="live")
        read = await client.api.batch(batch_id)  # a fresh parse: new objects throughout
        before = monitor.batches[batch_id]
        renamed = tuple(replace(c, title="Renamed") if c.index == 4 else c for c in read.clips)
        monitor.follower_summary(replace(read, clips=renamed))
        after = monitor.batches[batch_id]
        told = recorder.updates[-1]
    finally:
        await monitor.stop()
    assert told == (after, [4])
    assert [c.title for c in after.clips if c.index == 4] == ["Renamed"]
    kept = [now is was for was, now in zip(before.clips, after.clips, strict=True)]
    # Clip 1 may have moved on meanwhile; clips 2, 3, 5 and 6 wait 30 s each.
    assert kept[1:] == [True, True, False, True, True]
    assert after.batch_id is before.batch_id
    assert after.created_at is before.created_at


async def test_discovery_waits_for_the_servers_retry_after(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An active list refused with 503 and Retry-After: the next discovery waits
    for it (capped, as the followers' delays are: 4 x max_delay = 2 s here)
    instead of asking again after its own 0.3 s interval."""
    backend = backend_factory()
    client = await connect(backend)
    asked: list[float] = []
    real = client.api.active_batches

    async def timed(user_id: str) -> list[Batch]:
        asked.append(time.monotonic())
        return await real(user_id)

    monkeypatch.setattr(client.api, "active_batches", timed)  # the real call, timed
    monitor = new_monitor(client, Recorder(), tmp_path / "m.json", discovery_interval=0.3)
    await monitor.start()
    try:
        await until(lambda: len(asked) >= 2, what="discovery every 0.3 s")
        backend.faults(
            fail_next=1, fail_status=503, retry_after=60,
            fail_path_prefix="/api/metricool/batches/active",
        )  # fmt: skip
        refused = len(asked)  # the next one is refused (or the one in flight)
        await until(lambda: len(asked) >= refused + 2, timeout=10, what="two more discoveries")
    finally:
        await monitor.stop()
    assert backend.faults()["fail_next"] == 0
    gaps = sorted(asked[i + 1] - asked[i] for i in range(refused - 1, refused + 1))
    assert gaps[0] < 1.0  # the interval, around the refusal
    assert gaps[1] >= 1.9  # the server's pause after it, capped at 2 s


async def test_discovery_reads_each_listed_batch_once(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    """Batches the active list gives are not read again one by one in the same
    discovery (they were: every start cost a second summary per batch); a
    remembered batch the list leaves out still is (the deployed list can)."""
    backend = backend_factory(clip_seconds=30.0)
    client = await connect(backend)
    listed = [backend.create_batch(3), backend.create_batch(3)]
    memory = MonitorMemory(tmp_path / "m.json")
    user_id = client.sessions.user_id
    assert user_id
    memory.remember(user_id, running("batch_not_listed_anymore", 3))
    memory.save()
    reread: list[str] = []

    class Counting(BatchMonitor):
        async def _reread(self, batch_id: str) -> None:
            reread.append(batch_id)
            await super()._reread(batch_id)

    monitor = Counting(client.api, user_id, Recorder(), memory, policy=FAST,
                       discovery_interval=60.0)  # fmt: skip
    await monitor.start()
    try:
        assert set(listed) <= set(monitor.batches)
        assert reread == ["batch_not_listed_anymore"]
    finally:
        await monitor.stop()


class WatchingMonitor(BatchMonitor):
    """The real monitor, noting the id of every event its followers hand it."""

    seen_ids: list[int]

    def follower_event(self, batch_id: str, event: StreamEvent) -> None:
        if not isinstance(event, ConnectedEvent) and event.event_id:
            self.seen_ids.append(int(event.event_id))
        super().follower_event(batch_id, event)


async def test_restart_mid_batch_resumes_with_last_event_id(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.15, waits=2)
    client = await connect(backend)
    batch_id = backend.create_batch(12)
    recorder = Recorder()
    user_id = client.sessions.user_id or ""
    monitor = WatchingMonitor(
        client.api, user_id, recorder, MonitorMemory(tmp_path / "m.json"), policy=FAST
    )
    monitor.seen_ids = []
    await monitor.start()
    try:
        await until(lambda: recorder.latest[batch_id].published >= 3, what="3 published")
        await asyncio.to_thread(backend.kill)
        await until(lambda: "reconnecting" in recorder.state_names(batch_id), what="reconnect")
        killed_at = time.monotonic()
        await asyncio.to_thread(backend.restart)
        await until(
            lambda: recorder.state_names(batch_id)[-1] in ("live", "finished"), what="live again"
        )
        print(f"restart -> live again: {time.monotonic() - killed_at:.2f} s")
        await until(lambda: recorder.finished, what="finish")
    finally:
        await monitor.stop()
    assert recorder.finished_ids() == [batch_id]
    assert_exact(recorder.finished[0], backend)
    # Every event from the first one seen to the last stored arrived exactly once:
    # what happened while the stream was down was replayed (Last-Event-ID), and
    # nothing was applied twice.
    stored = [
        seq
        for seq, payload in backend.stored_events(batch_id)
        if payload.get("type") != "connected"
    ]
    first = monitor.seen_ids[0]
    assert sorted(monitor.seen_ids) == [seq for seq in stored if seq >= first]
    assert monitor.duplicate_events == 0


async def test_announced_once_across_a_monitor_restart(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.1)
    client = await connect(backend)
    first_id = backend.create_batch(3)
    memory = tmp_path / "memory.json"
    first = Recorder()
    monitor = new_monitor(client, first, memory)
    await monitor.start()
    await until(lambda: first.finished, what="first finish")
    await monitor.stop()

    # While "the app is closed", a batch starts and finishes; then the app starts again.
    backend.faults(stall_streams_after=0)
    second_id = backend.create_batch(2)
    backend.wait_batch_final(second_id, timeout=20)
    backend.reset_faults()
    # The active list no longer has it: only memory can tell. Make memory know it.
    mem = MonitorMemory(memory)
    mem.remember(client.sessions.user_id or "", running(second_id, 2))
    mem.save()

    again = Recorder()
    monitor = new_monitor(client, again, memory)
    await monitor.start()
    try:
        await until(lambda: again.finished, what="finish seen on the next start")
        await monitor.refresh()
    finally:
        await monitor.stop()
    assert again.finished_ids() == [second_id]  # the old one is not repeated
    assert first.finished_ids() == [first_id]


async def test_batch_started_while_running_is_picked_up(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.05)
    client = await connect(backend)
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json", discovery_interval=0.3)
    await monitor.start()
    try:
        assert recorder.added == []
        batch_id = backend.create_batch(10)  # as from the web app
        await until(lambda: recorder.finished, what="picked up and finished")
        assert recorder.added == [batch_id]
    finally:
        await monitor.stop()


async def test_silent_stream_is_caught_by_the_watchdog(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.1, heartbeat=60)
    backend.faults(stall_streams_after=2)
    client = await connect(backend)
    batch_id = backend.create_batch(25)
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json")
    await monitor.start()
    try:
        await until(
            lambda: any(
                s.state == "reconnecting" and s.detail == "Stale"
                for s in recorder.states_of(batch_id)
            ),
            what="watchdog reconnect",
        )
        backend.reset_faults()
        await until(lambda: recorder.finished, what="finish after the stall")
    finally:
        await monitor.stop()
    assert_exact(recorder.finished[0], backend)


async def test_dropped_streams_and_server_errors_are_survived(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.1)
    client = await connect(backend)
    batch_id = backend.create_batch(10)
    backend.faults(drop_stream_after=3)
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json")
    await monitor.start()
    try:
        await until(lambda: recorder.state_names(batch_id).count("reconnecting") >= 2, what="drops")
        backend.faults(
            drop_stream_after=None,
            fail_next=3,
            fail_status=502,
            fail_path_prefix="/api/metricool/stream",
        )
        await until(lambda: recorder.finished, what="finish despite faults")
    finally:
        await monitor.stop()
    assert_exact(recorder.finished[0], backend)
    assert recorder.finished_ids() == [batch_id]


# ---------------------------------------------------------------- upstream mode


async def test_upstream_restart_orphans_the_batch_polling_then_stalled(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.2)
    client = await connect(backend)
    orphan = backend.create_batch(30)
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json")
    await monitor.start()
    try:
        await until(lambda: recorder.latest[orphan].published >= 2, what="some progress")
        await asyncio.to_thread(backend.kill)
        await asyncio.to_thread(backend.restart)
        await until(lambda: "polling" in recorder.state_names(orphan), what="polling")
        fresh = backend.create_batch(3)  # started after the restart: must end exactly
        await until(lambda: fresh in recorder.finished_ids(), what="fresh batch finished")
        await until(lambda: "stalled" in recorder.state_names(orphan), timeout=30, what="stalled")
        assert recorder.finished_ids() == [fresh]
        assert backend.batch(orphan)["status"] == "processing"  # the server never ends it
        assert_exact(recorder.finished[0], backend)
    finally:
        await monitor.stop()


async def test_upstream_empty_active_list_still_follows_a_remembered_batch(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.1)
    batch_id = backend.create_batch(5, user_id="")  # stored with no user, as deployed
    client = await connect(backend)
    assert backend.active(user_id=backend.user_id)["batches"] == []
    memory = tmp_path / "m.json"
    mem = MonitorMemory(memory)
    mem.remember(backend.user_id, running(batch_id, 5))
    mem.save()
    recorder = Recorder()
    monitor = new_monitor(client, recorder, memory)
    await monitor.start()
    try:
        await until(lambda: recorder.finished, what="finish")
    finally:
        await monitor.stop()
    assert recorder.finished_ids() == [batch_id]
    assert_exact(recorder.finished[0], backend)


async def test_upstream_errored_clip_is_not_shown_pending_again(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.1)
    client = await connect(backend)
    batch_id = backend.create_batch(5, fail=[3])
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json")
    await monitor.start()
    try:
        await until(lambda: recorder.finished, what="batch reported")
    finally:
        await monitor.stop()
    batch = recorder.finished[0]
    summary = backend.batch(batch_id)
    assert (batch.status_raw, batch.published, batch.failed, batch.total) == (
        summary["status"],
        summary["published"],
        summary["failed"],
        summary["total"],
    )
    assert (batch.published, batch.failed) == (4, 1)
    # The event said clip 3 failed; the lagging summary still says pending.
    assert backend.clip_rows(batch_id)[2]["status"] == "pending"
    clip3 = next(c for c in batch.clips if c.index == 3)
    assert clip3.status is ClipStatus.FAILED


async def test_upstream_whole_batch_failed_by_its_first_failed_clip(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.1, fail_batch_on_first_error=True)
    client = await connect(backend)
    batch_id = backend.create_batch(5, fail=[3])
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json")
    await monitor.start()
    try:
        await until(lambda: recorder.finished, what="failed batch reported")
    finally:
        await monitor.stop()
    batch = recorder.finished[0]
    summary = backend.batch(batch_id)
    # Shown as it is: failed, the server's message, numbers that do not add up.
    assert batch.status_raw == "failed" == summary["status"]
    assert (batch.published, batch.failed, batch.total) == (
        summary["published"],
        summary["failed"],
        summary["total"],
    )
    assert batch.published + batch.failed < batch.total
    assert batch.error == "startTime is not defined"
    assert [c.status for c in batch.clips[3:]] == [ClipStatus.PENDING] * 2


# ---------------------------------------------------------------- pieces


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = FollowPolicy(base_delay=1.0, max_delay=30.0, jitter=0.5)
    top = Backoff(policy, rng=lambda: 0.0)
    assert [top.next() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    low = Backoff(policy, rng=lambda: 1.0)
    assert [low.next() for _ in range(3)] == [0.5, 1, 2]
    honour = Backoff(policy, rng=lambda: 0.0)
    assert honour.next(at_least=12) == 12  # Retry-After wins when longer
    honour.reset()
    assert honour.next() == 1


async def test_unreachable_server_is_reported_once_per_outage(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.3)
    client = await connect(backend)
    backend.create_batch(20)
    recorder = Recorder()
    monitor = new_monitor(client, recorder, tmp_path / "m.json", discovery_interval=0.2)
    await monitor.start()
    try:
        await until(lambda: monitor.batches, what="batch found")
        await asyncio.to_thread(backend.kill)
        await until(lambda: recorder.reachable == [False], what="unreachable")
        # An observation window, not a wait: retries and discoveries keep failing in it.
        await asyncio.sleep(1.5)
        assert recorder.reachable == [False]
        await asyncio.to_thread(backend.restart)
        await until(lambda: recorder.reachable == [False, True], what="back")
    finally:
        await monitor.stop()
