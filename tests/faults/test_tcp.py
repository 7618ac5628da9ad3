"""Faults below HTTP: a silent stream, a server that never answers, resets mid-frame."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from tests.backend import Backend
from tests.faults.conftest import API_TIMEOUT, FAST, LogCapture, Rig, Row, assert_finished_once
from tests.faults.proxy import Proxy
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio


def reconnects(logs: LogCapture, batch_id: str, detail: str) -> list[dict[str, object]]:
    return [
        e
        for e in logs.events("stream_state")
        if e.get("batch_id") == batch_id
        and e.get("state") == "reconnecting"
        and e.get("detail") == detail
    ]


async def test_stalled_stream_caught_by_watchdog(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row, logs: LogCapture
) -> None:
    """Stream stalled longer than the watchdog (fault switch)."""
    backend = backend_factory(clip_seconds=0.15, heartbeat=60)
    backend.faults(stall_streams_after=2)  # every stream goes silent after 2 events
    client = await rig.client(backend)
    rec = client.recorder
    batch_id = backend.create_batch(20)
    await rig.monitor(client)
    await until(lambda: reconnects(logs, batch_id, "Stale"), what="watchdog reconnect")
    await until(lambda: len(reconnects(logs, batch_id, "Stale")) >= 2, what="second stall")
    backend.reset_faults()
    ended = time.monotonic()
    await until(lambda: rec.first_state_after(batch_id, ended, "live", "finished"), what="live")
    row.recovered((rec.first_state_after(batch_id, ended, "live", "finished") or 0) - ended)
    await until(lambda: rec.finished, what="finish after the stall")
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    stale = len(reconnects(logs, batch_id, "Stale"))
    row.detail = f"watchdog {FAST.watchdog:g} s caught {stale} silent streams; exact"


async def test_proxy_that_never_answers(
    backend_factory: Callable[..., Backend],
    rig: Rig,
    row: Row,
    logs: LogCapture,
    proxy_to: Callable[[Backend], Proxy],
) -> None:
    """Proxy accepts connections and never answers (then forwards)."""
    backend = backend_factory(clip_seconds=0.3)
    proxy = await proxy_to(backend).start()
    client = await rig.client(backend, base_url=proxy.url)
    rec = client.recorder
    batch_id = backend.create_batch(20)
    await rig.monitor(client)
    await until(lambda: rec.published(batch_id) >= 1 and rec.last_state(batch_id) == "live",
                what="live")  # fmt: skip
    hung_at = time.time()
    proxy.hang()
    # REST calls give up after the API deadline; the stream is caught by the
    # watchdog, and its reopening gives up after twice the deadline.
    await until(lambda: reconnects(logs, batch_id, "network"), timeout=10, what="stream timeout")
    await until(
        lambda: [e for e in logs.events("error", since=hung_at) if e.get("where") == "discovery"],
        timeout=10, what="REST timeout",
    )  # fmt: skip
    await until(lambda: proxy.held >= 1, what="a connection held unanswered")
    await asyncio.sleep(2 * API_TIMEOUT)  # observation window: retries keep timing out
    assert not rec.finished
    await proxy.forward()
    back = time.monotonic()
    await until(lambda: rec.first_state_after(batch_id, back, "live", "finished"), what="live")
    row.recovered((rec.first_state_after(batch_id, back, "live", "finished") or 0) - back)
    await until(lambda: rec.finished, what="finish")
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    assert rec.reachable == [False, True]
    row.detail = (
        f"API timeout {API_TIMEOUT:g} s; {proxy.held} connections held, "
        f"{len(reconnects(logs, batch_id, 'network'))} stream timeouts; exact"
    )


@pytest.mark.parametrize("mode", ["default", "upstream"])
async def test_connection_reset_mid_frame(
    backend_factory: Callable[..., Backend],
    rig: Rig,
    row: Row,
    logs: LogCapture,
    proxy_to: Callable[[Backend], Proxy],
    mode: str,
) -> None:
    """Connection reset (RST) inside an event frame."""
    row.scenario += f" ({mode})"
    backend = backend_factory(mode=mode, clip_seconds=0.25, waits=2)
    proxy = await proxy_to(backend).start()
    client = await rig.client(backend, base_url=proxy.url)
    rec = client.recorder
    batch_id = backend.create_batch(12, fail=[4])
    cuts = 4
    proxy.cut_streams(cuts, frame=3)
    monitor = await rig.monitor(client)
    await until(lambda: len(proxy.cuts) == cuts, what="every cut made")
    last_cut = time.monotonic()
    await until(lambda: rec.first_state_after(batch_id, last_cut, "live", "finished"), what="live")
    row.recovered((rec.first_state_after(batch_id, last_cut, "live", "finished") or 0) - last_cut)
    await until(lambda: rec.finished, what="finish")
    for cut in proxy.cuts:
        assert b"data: {" in cut.tail, cut.tail
        assert not cut.tail.endswith(b"\n\n"), cut.tail
    assert len(reconnects(logs, batch_id, "Dropped")) >= cuts
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    assert monitor.duplicate_events == 0
    row.detail = f"{cuts} streams reset inside frame 3; exact, 0 duplicate events"
