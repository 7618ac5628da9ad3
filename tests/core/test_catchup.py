"""Catch-up: batches that ended unseen are announced once, wherever the app was.

Against the local backend as a real process (default mode: a history by finish
time; upstream mode: none, so the remembered batches are re-read). What is checked
is what a user would check: each such batch gets exactly one ``batch_finished``
with the server's exact counts, nothing from before the first sign-in, and the
``catch_up`` log line says what was looked at. The week-away case counts the
requests and bytes on the wire through a counting transport over the real
network (it changes nothing the server says).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from keyring.backends import fail

from storyclip_desktop.core.api import StoryClipApi
from storyclip_desktop.core.auth import AuthClient
from storyclip_desktop.core.catchup import is_news, next_cursor, start_of
from storyclip_desktop.core.memory import HistoryCursor, MonitorMemory, RememberedBatch
from storyclip_desktop.core.model import (
    PART_ONE,
    Batch,
    BatchStatus,
    ServerCapabilities,
    parse_timestamp,
)
from storyclip_desktop.core.monitor import BatchMonitor
from storyclip_desktop.core.stream import FollowPolicy
from storyclip_desktop.core.tokens import SessionManager
from storyclip_desktop.core.vault import Vault
from tests.backend import Backend
from tests.monitoring import Recorder, until

pytestmark = pytest.mark.anyio

FAST = FollowPolicy(
    base_delay=0.05, max_delay=0.5, watchdog=1.0, poll_initial=0.1, poll_max=0.3,
    stream_retry_every=0.5, stall_after=2.0, stalled_poll=0.5,
    settle_delays=(0.05, 0.1, 0.2, 0.4, 0.8), healthy_after=0.5,
)  # fmt: skip
HISTORY = ServerCapabilities(history=True, history_cursor=True, advertised=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Wire:
    """What went over the wire: every request's path and query, and the bytes read."""

    requests: list[httpx.URL] = field(default_factory=list)
    received: int = 0

    def reset(self) -> None:
        self.requests.clear()
        self.received = 0


class _Counted(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, wire: Wire) -> None:
        self._inner = inner
        self._wire = wire

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._wire.received += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class CountingTransport(httpx.AsyncBaseTransport):
    """The real network transport, counting requests and response bytes."""

    def __init__(self, wire: Wire) -> None:
        self._real = httpx.AsyncHTTPTransport()
        self._wire = wire

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._wire.requests.append(request.url)
        response = await self._real.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Counted(response.stream, self._wire)
        return response

    async def aclose(self) -> None:
        await self._real.aclose()


@dataclass
class Client:
    api: StoryClipApi
    sessions: SessionManager
    wire: Wire


@pytest.fixture
async def connect() -> AsyncIterator[Callable[[Backend], Awaitable[Client]]]:
    made: list[tuple[Client, AuthClient]] = []

    async def make(backend: Backend) -> Client:
        auth = AuthClient(backend.auth_url, backend.anon_key)
        sessions = SessionManager(auth, Vault(backend=fail.Keyring()))
        await sessions.sign_in(backend.email, backend.password)
        wire = Wire()
        api = StoryClipApi(
            backend.api_url, backend.api_key, sessions, transport=CountingTransport(wire)
        )
        client = Client(api, sessions, wire)
        made.append((client, auth))
        return client

    yield make
    for client, auth in made:
        await client.api.aclose()
        await auth.aclose()


def monitor_for(
    client: Client,
    recorder: Recorder,
    memory: MonitorMemory | Path,
    caps: ServerCapabilities = HISTORY,
    interval: float = 0.5,
) -> BatchMonitor:
    user_id = client.sessions.user_id
    assert user_id
    if isinstance(memory, Path):
        memory = MonitorMemory(memory)
    return BatchMonitor(
        client.api,
        user_id,
        recorder,
        memory,
        policy=FAST,
        discovery_interval=interval,
        capabilities=caps,
    )


def catch_ups(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        dict(r.fields)  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", None) == "catch_up"
    ]


def finished_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        dict(r.fields)  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", None) == "batch_finished"
    ]


def assert_counts(batch: Batch, backend: Backend) -> None:
    """Announced with the server's exact status and counts (equal to its clip rows;
    a batch found on catch-up comes without its clips, which the view reads on demand)."""
    summary = backend.batch(batch.batch_id)
    assert (batch.status_raw, batch.published, batch.failed, batch.total) == (
        summary["status"], summary["published"], summary["failed"], summary["total"],
    )  # fmt: skip
    rows = [r["status"] for r in backend.clip_rows(batch.batch_id)]
    assert batch.published == rows.count("published")


def ended(batch_id: str, at: datetime | None, status: str = "completed") -> Batch:
    return Batch(
        batch_id=batch_id,
        status=BatchStatus.from_raw(status),
        status_raw=status,
        total=3,
        published=3,
        failed=0,
        completed_at=at,
    )


# ---------------------------------------------------------------- the pure rules


def test_news_is_a_batch_that_ended_after_the_first_sign_in_and_was_never_announced() -> None:
    since = datetime(2026, 1, 10, 12, 0, 0, 700_000, tzinfo=UTC).timestamp()
    before = datetime(2026, 1, 10, 11, 59, 59, tzinfo=UTC)
    same_second = datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)
    after = datetime(2026, 1, 11, tzinfo=UTC)
    assert not is_news(ended("b", before), None, since)
    assert is_news(ended("b", same_second), None, since)  # the server stores seconds
    assert is_news(ended("b", after), None, since)
    running = Batch("b", BatchStatus.PROCESSING, "processing", 3, 0, 0, completed_at=None)
    assert not is_news(running, None, since)
    told = RememberedBatch("b", "completed", 3, 0, 3, True, True, 0.0)
    assert not is_news(ended("b", after), told, since)
    # Seen (remembered) after the first sign-in, never announced: news whenever it ended.
    seen = RememberedBatch("b", "processing", 1, 0, 3, False, False, 0.0)
    assert is_news(ended("b", before), seen, since)
    assert start_of(since) == same_second


def test_the_cursor_moves_to_the_last_batch_of_a_page() -> None:
    at = datetime(2026, 1, 10, 12, 0, 5, tzinfo=UTC)
    page = [ended("a", at - timedelta(seconds=3)), ended("b", at)]
    assert next_cursor(page, None) == HistoryCursor("2026-01-10T12:00:05Z", "b")
    old = HistoryCursor("2026-01-01T00:00:00Z", "z")
    assert next_cursor([], old) == old


def test_memory_keeps_the_first_sign_in_and_the_cursor(tmp_path: Path) -> None:
    path = tmp_path / "memory.json"
    memory = MonitorMemory(path)
    assert memory.since("u1", now=1000.0) == 1000.0
    assert memory.since("u1", now=2000.0) == 1000.0  # set once
    memory.set_cursor("u1", HistoryCursor("2026-01-10T12:00:05Z", "b"))
    assert memory.save()
    again = MonitorMemory(path)
    assert again.since("u1") == 1000.0
    assert again.cursor("u1") == HistoryCursor("2026-01-10T12:00:05Z", "b")
    assert again.cursor("u2") is None


# ---------------------------------------------------------------- default mode


async def test_batch_run_while_the_app_was_closed_is_announced_once_at_start(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    backend = backend_factory(clip_seconds=0.05)
    client = await connect(backend)
    memory = tmp_path / "memory.json"
    first = Recorder()
    monitor = monitor_for(client, first, memory)
    await monitor.start()  # the first sign-in with this data folder
    await monitor.stop()
    # The app is closed: a batch starts and ends; the app never saw it.
    unseen = backend.create_batch(5, fail=[2])
    backend.wait_batch_final(unseen, timeout=20)

    again = Recorder()
    monitor = monitor_for(client, again, memory)
    await monitor.start()
    try:
        await until(lambda: again.finished, what="the unseen batch announced")
        await monitor.refresh()  # a later discovery must not repeat it
    finally:
        await monitor.stop()
    assert again.finished_ids() == [unseen]
    assert_counts(again.finished[0], backend)
    assert (again.finished[0].published, again.finished[0].failed) == (4, 1)
    lines = [f for f in finished_lines(caplog) if f["batch_id"] == unseen]
    assert len(lines) == 1
    assert (lines[0]["published"], lines[0]["failed"], lines[0]["total"]) == (4, 1, 5)
    told = catch_ups(caplog)
    assert {c["source"] for c in told} == {"history"}
    assert sum(c["announced"] for c in told) == 1
    assert any(c["found"] == 1 and c["announced"] == 1 for c in told)
    # A third start finds nothing new.
    third = Recorder()
    monitor = monitor_for(client, third, memory)
    await monitor.start()
    await monitor.stop()
    assert third.finished == []


async def test_a_fresh_data_folder_announces_nothing_from_before_its_first_sign_in(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    backend = backend_factory(clip_seconds=0.02)
    client = await connect(backend)
    backend.seed_history(40, days=3, end=datetime.now(UTC) - timedelta(seconds=5))
    earlier = backend.create_batch(2)
    stored = backend.wait_batch_final(earlier, timeout=20)
    ended_at = datetime.fromisoformat(stored["completedAt"].replace(" ", "T") + "+00:00")
    # The server stores whole seconds: the first sign-in comes in a later one.
    await until(lambda: time.time() >= ended_at.timestamp() + 1, what="the next second")
    recorder = Recorder()
    monitor = monitor_for(client, recorder, tmp_path / "memory.json")
    await monitor.start()
    try:
        later = backend.create_batch(2)
        await until(lambda: recorder.finished, what="the batch that ended after sign-in")
        await monitor.refresh()
    finally:
        await monitor.stop()
    assert recorder.finished_ids() == [later]
    assert all(c["announced"] <= 1 for c in catch_ups(caplog))


class TimedRecorder(Recorder):
    """A Recorder that notes when each end was announced."""

    def __init__(self) -> None:
        super().__init__()
        self.finished_at: dict[str, float] = {}

    def batch_finished(self, batch: Batch) -> None:
        self.finished_at[batch.batch_id] = time.monotonic()
        super().batch_finished(batch)


async def test_three_short_batches_each_announced_once_within_one_discovery_interval(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
) -> None:
    """Three 4-second batches one after the other while the app runs, discovery every
    6 s: at least one starts and ends between two discoveries (never in the active
    list when it is asked); each is announced once, within one discovery interval
    of its end. (Without the history catch-up, ``caps=PART_ONE``, this times out.)"""
    backend = backend_factory(clip_seconds=1.0, waits=1)
    client = await connect(backend)
    recorder = TimedRecorder()
    interval = 6.0
    monitor = monitor_for(client, recorder, tmp_path / "memory.json", interval=interval)
    await monitor.start()
    ended_at: dict[str, float] = {}
    try:
        for _ in range(3):
            batch_id = backend.create_batch(4)

            def final(bid: str = batch_id) -> bool:
                row = backend.batch_row(bid)
                return row is not None and row["status"] == "completed"

            await until(final, timeout=20, what="the batch's end")
            ended_at[batch_id] = time.monotonic()
            row = backend.batch_row(batch_id)
            assert row is not None
            began = parse_timestamp(row["created_at"])
            end = parse_timestamp(row["completed_at"])
            assert began is not None
            assert end is not None
            assert timedelta(seconds=3) <= end - began <= timedelta(seconds=6)
        await until(lambda: len(recorder.finished) >= 3, timeout=interval + 3, what="three ends")
        await monitor.refresh()
    finally:
        await monitor.stop()
    assert sorted(recorder.finished_ids()) == sorted(ended_at)
    for batch_id, ended in ended_at.items():
        assert recorder.finished_at[batch_id] - ended <= interval + 1
    for batch in recorder.finished:
        assert_counts(batch, backend)


async def test_a_batch_that_ended_during_an_outage_is_announced_when_the_server_is_back(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The API answers 502 (a proxy's page) while a batch runs and ends: the app is
    offline for it; once the server answers again, the catch-up announces it."""
    caplog.set_level(logging.INFO, logger="storyclip")
    backend = backend_factory(clip_seconds=0.05)
    client = await connect(backend)
    recorder = Recorder()
    monitor = monitor_for(client, recorder, tmp_path / "memory.json", interval=0.3)
    await monitor.start()
    try:
        backend.faults(fail_next=10_000, fail_status=502, fail_path_prefix="/api/metricool")
        await until(lambda: recorder.reachable == [False], what="offline")
        # Written straight into the database: the API itself is down.
        ended_id = backend.seed_history(1, days=0, end=datetime.now(UTC), prefix="outage")[0]
        assert catch_ups(caplog) == [c for c in catch_ups(caplog) if c["announced"] == 0]
        seen = len(catch_ups(caplog))
        backend.reset_faults()
        await until(lambda: recorder.finished, what="announced after the outage")
    finally:
        await monitor.stop()
    assert recorder.reachable == [False, True]
    assert recorder.finished_ids() == [ended_id]
    after = catch_ups(caplog)[seen:]
    assert sum(c["announced"] for c in after) == 1


async def test_catch_up_after_a_week_reads_no_clip_lists(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    record_property: Callable[[str, object], None],
) -> None:
    """A week away with 3,000 batches ended: every one announced once, from light
    history pages only; the cost (requests, bytes) is recorded for the report."""
    caplog.set_level(logging.INFO, logger="storyclip")
    backend = backend_factory()
    client = await connect(backend)
    now = datetime.now(UTC)
    memory = MonitorMemory(tmp_path / "memory.json")
    user_id = client.sessions.user_id or ""
    memory.since(user_id, now=(now - timedelta(days=8)).timestamp())
    day = backend.seed_history(430, days=1, end=now - timedelta(days=6, seconds=1), prefix="d")
    costs: dict[str, tuple[int, int]] = {}

    # Away for the first day: what one day's catch-up costs.
    recorder = Recorder()
    monitor = monitor_for(client, recorder, memory, interval=3600)
    client.wire.reset()
    await monitor.start()
    await monitor.stop()
    costs["day"] = (len(client.wire.requests), client.wire.received)
    assert sorted(recorder.finished_ids()) == sorted(day)

    # Then away for the rest of the week.
    week = backend.seed_history(2570, days=6, end=now - timedelta(seconds=2), prefix="w")
    recorder = Recorder()
    monitor = monitor_for(client, recorder, memory, interval=3600)
    client.wire.reset()
    await monitor.start()
    await monitor.stop()
    costs["week"] = (len(client.wire.requests), client.wire.received)
    assert sorted(recorder.finished_ids()) == sorted(week)
    assert all(b.clips == () for b in recorder.finished)
    paths = [url.path for url in client.wire.requests]
    assert not any(p.startswith("/api/metricool/batch/") for p in paths), paths
    history = [url for url in client.wire.requests if url.path == "/api/metricool/batches"]
    assert history
    assert all(url.params["clips"] == "none" for url in history)
    assert costs["week"][0] <= 2 + len(week) // 200 + 1
    # Each batch announced exactly once, with the numbers the server holds.
    told = finished_lines(caplog)
    assert len(told) == len(day) + len(week)
    assert len({t["batch_id"] for t in told}) == len(told)
    sample = {b.batch_id: b for b in recorder.finished}[week[3]]
    assert (sample.status_raw, sample.published, sample.failed) == ("failed", 5, 1)
    record_property("catch_up_cost", costs)
    print(f"catch-up cost (requests, bytes): {costs}")


# ---------------------------------------------------------------- upstream mode


async def test_upstream_remembered_batch_that_ended_while_closed_is_announced_once(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    backend = backend_factory(mode="upstream", clip_seconds=0.3, waits=1)
    client = await connect(backend)
    memory = tmp_path / "memory.json"
    batch_id = backend.create_batch(4)
    first = Recorder()
    monitor = monitor_for(client, first, memory, caps=PART_ONE)
    await monitor.start()
    await until(lambda: batch_id in first.added, what="the batch seen running")
    await monitor.stop()  # the app closes while it runs
    assert first.finished == []
    backend.wait_batch_final(batch_id, timeout=20)

    again = Recorder()
    monitor = monitor_for(client, again, memory, caps=PART_ONE)
    await monitor.start()
    try:
        await until(lambda: again.finished, what="announced at the next start")
        await monitor.refresh()
    finally:
        await monitor.stop()
    assert again.finished_ids() == [batch_id]
    assert_counts(again.finished[0], backend)
    told = catch_ups(caplog)
    assert {c["source"] for c in told} == {"remembered"}
    assert [c["announced"] for c in told if c["announced"]] == [1]
    assert len([f for f in finished_lines(caplog) if f["batch_id"] == batch_id]) == 1
