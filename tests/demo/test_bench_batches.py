"""Bench batches (tests/demo_ext/bench.py): real batches whose streams a benchmark drives.

The client's benchmarks rely on these streams being exact: quiet (heartbeats
only) until the gate opens, then every event once, in order, with the
publisher's shapes; a summary that agrees when ``completed`` goes out; resumable
with ``Last-Event-ID``; never touched by the publisher, even after a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.backend import Backend, BackendError, wait_for

from .sse import Block, blocks, collect


def bench_batches(backend: Backend, count: int, clips: int, rate: float = 0.0) -> list[str]:
    body = {"email": backend.email, "count": count, "clips": clips, "rate": rate}
    ids: list[str] = backend._json(backend._admin("POST", "/bench/batches", body))["batch_ids"]
    return ids


def go(backend: Backend, **body: Any) -> dict[str, Any]:
    result: dict[str, Any] = backend._json(backend._admin("POST", "/bench/go", body))
    return result


def stats(backend: Backend) -> dict[str, Any]:
    result: dict[str, Any] = backend._json(backend._admin("GET", "/bench"))
    return result


def open_stream(backend: Backend, batch_id: str, last_event_id: int | None = None) -> Any:
    headers = backend.api_headers(backend.access_token())
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    return backend.http.stream(
        "GET", f"{backend.url}/api/metricool/stream", params={"batchId": batch_id}, headers=headers
    )


def test_quiet_until_go_then_every_event_in_order_and_a_summary_that_agrees(
    backend_factory: Callable[..., Backend],
) -> None:
    backend = backend_factory(heartbeat=0.1)
    first, second = bench_batches(backend, 2, clips=3)
    active = {b["batchId"]: b for b in backend.active()["batches"]}
    assert active[first]["status"] == "processing"
    assert active[first]["total"] == 3
    assert [c["status"] for c in active[first]["clips"]] == ["pending"] * 3

    seen: list[Block] = []
    with open_stream(backend, first) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = blocks(response)
        head = next(reader)
        assert head.type == "connected"
        assert head.id == "0"
        assert head.payload["total"] == 3
        # Only heartbeats while the gate is closed.
        pings = [next(reader) for _ in range(3)]
        assert all(p.comments == ["ping"] and not p.data for p in pings)
        assert stats(backend)["waiting"] == 1
        assert go(backend, batch_ids=[first])["started"] == 1
        for block in reader:
            if block.data:
                seen.append(block)
    assert [int(b.id or -1) for b in seen] == list(range(1, 17))
    progress, final = seen[:-1], seen[-1]
    steps = ["uploading", "waiting", "waiting", "waiting", "published"]
    assert [b.payload["status"] for b in progress] == steps * 3
    assert [b.payload["current"] for b in progress] == [c for c in (1, 2, 3) for _ in steps]
    assert [b.payload.get("waitProgress") for b in progress[:5]] == [None, 25, 50, 75, None]
    assert [b.payload["published"] for b in progress[4::5]] == [1, 2, 3]
    assert all(b.payload["type"] == "progress" and b.payload["total"] == 3 for b in progress)
    assert final.payload["type"] == "completed"
    assert (final.payload["published"], final.payload["errors"]) == (3, 0)

    # The summary agreed before `completed` went out; the other batch is untouched.
    summary = backend.batch(first)
    assert (summary["status"], summary["published"], summary["failed"]) == ("completed", 3, 0)
    assert [c["status"] for c in summary["clips"]] == ["published"] * 3
    assert backend.batch(second)["status"] == "processing"
    counters = stats(backend)
    assert (counters["sent_events"], counters["completed"], counters["batches"]) == (15, 1, 2)
    assert counters["first_event_at"] <= counters["last_event_at"]


def test_resumes_after_last_event_id_and_replays_a_finished_batch(backend: Backend) -> None:
    (batch_id,) = bench_batches(backend, 1, clips=4)
    go(backend)
    with open_stream(backend, batch_id, last_event_id=7) as response:
        got = collect(response)
    assert got[0].type == "connected"
    assert got[0].id == "7"
    assert got[0].payload["published"] == 1
    assert [int(b.id or -1) for b in got[1:]] == list(range(8, 22))
    assert got[-1].type == "completed"
    # Finished: connected (completed) and the final event again, then the end.
    with open_stream(backend, batch_id, last_event_id=3) as response:
        again = collect(response)
    assert [(b.type, b.id) for b in again] == [("connected", "20"), ("completed", "21")]
    assert again[0].payload["status"] == "completed"


def test_a_paced_stream_keeps_its_rate(backend: Backend) -> None:
    """100 events at 250 per second cannot arrive in less than 0.4 s."""
    (batch_id,) = bench_batches(backend, 1, clips=20, rate=250)
    arrivals: list[float] = []
    with open_stream(backend, batch_id) as response:
        reader = blocks(response)
        assert next(reader).type == "connected"
        threading.Timer(0.05, lambda: go(backend)).start()
        for block in reader:
            if block.type == "progress":
                arrivals.append(time.monotonic())
    assert len(arrivals) == 100
    assert arrivals[-1] - arrivals[0] >= 99 / 250 * 0.95
    # `go` may change the rate: full speed now for a new batch.
    (fast,) = bench_batches(backend, 1, clips=20, rate=1)
    go(backend, batch_ids=[fast], rate=0)
    with open_stream(backend, fast) as response:
        assert collect(response)[-1].type == "completed"


def test_the_publisher_leaves_bench_batches_alone_across_a_restart(
    backend_factory: Callable[..., Backend],
) -> None:
    backend = backend_factory(clip_seconds=0.02, heartbeat=0.1)
    (batch_id,) = bench_batches(backend, 1, clips=2)
    normal = backend.create_batch(2)
    backend.restart()
    backend.wait_batch_final(normal)  # the publisher resumed the normal batch ...
    row = backend.batch_row(batch_id)
    assert row is not None
    assert (row["status"], row["published"]) == ("processing", 0)  # ... not this one
    assert [r["status"] for r in backend.clip_rows(batch_id)] == ["pending", "pending"]
    with open_stream(backend, batch_id) as response:
        reader = blocks(response)
        assert next(reader).type == "connected"
        assert next(reader).comments == ["ping"]  # quiet again until the next go
        go(backend)
        rest = [b for b in reader if b.data]
    assert [b.type for b in rest] == ["progress"] * 10 + ["completed"]
    assert backend.batch(batch_id)["status"] == "completed"


def test_open_streams_are_counted_and_closed_by_the_client(backend: Backend) -> None:
    ids = bench_batches(backend, 3, clips=1)
    streams = [open_stream(backend, b) for b in ids]
    responses = [s.__enter__() for s in streams]
    # Keep the readers: a dropped httpx byte iterator closes its connection.
    readers = [blocks(r) for r in responses]
    try:
        for reader in readers:
            assert next(reader).type == "connected"
        wait_for(lambda: stats(backend)["open_streams"] == 3, timeout=30, what="3 open streams")
    finally:
        for s in streams:
            s.__exit__(None, None, None)
    wait_for(lambda: stats(backend)["open_streams"] == 0, timeout=30, what="streams closed")


def test_bad_requests(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory()
    cases: list[dict[str, Any]] = [
        {"email": "nobody@example.com"},
        {"email": backend.email, "count": 0},
        {"email": backend.email, "clips": 1.5},
        {"email": backend.email, "rate": -1},
        {"email": backend.email, "count": True},
    ]
    for body in cases:
        with pytest.raises(BackendError, match=r"40[04]"):
            backend._json(backend._admin("POST", "/bench/batches", body))
    with pytest.raises(BackendError, match="400"):
        go(backend, batch_ids="all")
    assert stats(backend)["batches"] == 0
    # Upstream mode has no bench batches (its streams have no ids to resume from).
    upstream = backend_factory(mode="upstream")
    with pytest.raises(BackendError, match="UNSUPPORTED"):
        bench_batches(upstream, 1, clips=1)
    # Admin only: the stream is the normal one, with its key check.
    (batch_id,) = bench_batches(backend, 1, clips=1)
    answer = httpx.get(f"{backend.url}/api/metricool/stream", params={"batchId": batch_id})
    assert answer.status_code == 401
