"""Load: 50 batches x 20 clips followed by 50 open streams, to completion.

Every batch's final counts must equal its clip rows, and every stream must see
its batch end with consecutive ids. Wall time and the server's CPU time are
printed (``-s``) and attached to the test report as properties, for the notes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import pytest

from tests.backend import Backend

BATCHES = 50
CLIPS = 20


async def _follow(
    client: httpx.AsyncClient, backend: Backend, batch_id: str
) -> list[dict[str, Any]]:
    """Read one stream from the start (Last-Event-ID 0) until the server closes it."""
    import json

    headers = {**backend.api_headers(), "Last-Event-ID": "0"}
    events: list[dict[str, Any]] = []
    async with client.stream(
        "GET", f"{backend.url}/api/metricool/stream", params={"batchId": batch_id}, headers=headers
    ) as response:
        assert response.status_code == 200
        event_id: str | None = None
        async for line in response.aiter_lines():
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                payload = json.loads(line[6:])
                payload["_id"] = int(event_id or -1)
                events.append(payload)
    return events


async def _follow_all(backend: Backend, batch_ids: list[str]) -> list[list[dict[str, Any]]]:
    limits = httpx.Limits(max_connections=BATCHES + 10, max_keepalive_connections=BATCHES + 10)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0)) as client:
        return await asyncio.gather(*(_follow(client, backend, b) for b in batch_ids))


def _run_load(backend: Backend) -> dict[str, float]:
    server = psutil.Process(backend.pid)
    cpu_before = server.cpu_times()
    started = time.monotonic()
    token = backend.access_token()
    batch_ids = [backend.create_batch(CLIPS, token=token) for _ in range(BATCHES)]
    created = time.monotonic() - started
    streams = asyncio.run(_follow_all(backend, batch_ids))
    wall = time.monotonic() - started
    cpu_after = server.cpu_times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    (span,) = backend._rows(
        "SELECT MAX(created_at) - MIN(created_at) AS s FROM publish_batch_events"
    )

    events = 0
    for batch_id, got in zip(batch_ids, streams, strict=True):
        assert got[0]["type"] == "connected"
        assert got[-1]["type"] == "completed", got[-1]
        ids = [e["_id"] for e in got[1:]]
        assert ids == list(range(1, len(ids) + 1)), "every event once, in order"
        events += len(got)
        summary = backend.batch(batch_id)
        rows = backend.clip_rows(batch_id)
        published = sum(r["status"] == "published" for r in rows)
        failed = sum(r["status"] == "failed" for r in rows)
        assert summary["status"] == "completed"
        assert (summary["published"], summary["failed"], summary["total"]) == (
            published,
            failed,
            CLIPS,
        )
        assert published + failed == CLIPS
        final = got[-1]
        assert (final["published"], final["errors"], final["total"]) == (published, failed, CLIPS)
    return {
        "wall_s": wall,
        "create_s": created,
        "server_publish_span_s": float(span["s"]),
        "server_cpu_s": cpu,
        "events": float(events),
    }


@pytest.mark.parametrize("clip_seconds", [0.02])
def test_fifty_batches_fifty_streams(
    backend_factory: Callable[..., Backend],
    record_property: Callable[[str, object], None],
    clip_seconds: float,
) -> None:
    backend = backend_factory(clip_seconds=clip_seconds, failure_rate=0.1, seed=11)
    figures = _run_load(backend)
    simulated = CLIPS * clip_seconds
    for name, value in figures.items():
        record_property(name, round(value, 3))
    print(
        f"\nload {BATCHES}x{CLIPS} at {clip_seconds}s/clip: wall {figures['wall_s']:.2f} s"
        f" (creating {figures['create_s']:.2f} s; first to last event on the server"
        f" {figures['server_publish_span_s']:.2f} s, {simulated:.2f} s per batch alone),"
        f" server CPU {figures['server_cpu_s']:.2f} s, {figures['events']:.0f} events"
        f" received, {figures['events'] / figures['wall_s']:.0f} events/s"
    )
    assert backend.info()["open_streams"] == 0


@pytest.mark.slow
def test_fifty_batches_at_a_visible_pace(
    backend_factory: Callable[..., Backend], record_property: Callable[[str, object], None]
) -> None:
    """The same load with clips of 0.25 s (5 s per batch): the server stays mostly idle."""
    backend = backend_factory(clip_seconds=0.25, failure_rate=0.1, seed=11)
    figures = _run_load(backend)
    for name, value in figures.items():
        record_property(name, round(value, 3))
    print(
        f"\nload {BATCHES}x{CLIPS} at 0.25s/clip: wall {figures['wall_s']:.2f} s,"
        f" server CPU {figures['server_cpu_s']:.2f} s ({figures['events']:.0f} events)"
    )
    assert figures["server_cpu_s"] < figures["wall_s"]
