"""Server errors: 500 JSON, 502 HTML page, 503 with Retry-After, 429 from auth."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from tests.backend import Backend
from tests.faults.conftest import FAST, LogCapture, Rig, Row, assert_finished_once
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio

STREAM = "/api/metricool/stream"


def stream_retries(logs: LogCapture, batch_id: str, detail: str) -> list[float]:
    """The ``retry_in`` of each reconnect the log shows for ``detail``."""
    return [
        float(e["retry_in"])  # type: ignore[arg-type]
        for e in logs.events("stream_state")
        if e.get("batch_id") == batch_id
        and e.get("state") == "reconnecting"
        and e.get("detail") == detail
    ]


def assert_waited(logs: LogCapture, batch_id: str, detail: str) -> None:
    """Each reconnect logged with ``retry_in`` was really that long in coming."""
    states = [
        e
        for e in logs.events("stream_state")
        if e.get("batch_id") == batch_id and e.get("state") in ("reconnecting", "connecting")
    ]
    checked = 0
    for before, after in itertools.pairwise(states):
        if before.get("detail") == detail and after.get("state") == "connecting":
            waited = float(after["_at"]) - float(before["_at"])  # type: ignore[arg-type]
            assert waited >= float(before["retry_in"]) - 0.06, (before, after)  # type: ignore[arg-type]
            checked += 1
    assert checked, f"no reconnect after {detail}"


@pytest.mark.parametrize(
    ("status", "kind"), [(500, "server"), (502, "unavailable")], ids=["500-json", "502-html"]
)
async def test_server_errors_backed_off_and_survived(
    backend_factory: Callable[..., Backend],
    rig: Rig,
    row: Row,
    logs: LogCapture,
    status: int,
    kind: str,
) -> None:
    """Server errors on every API call, then on stream opens."""
    row.scenario = f"HTTP {status} ({'JSON body' if status == 500 else 'HTML proxy page'})"
    # retry: 50 ms, so the backoff's doubling shows below FAST's 0.5 s cap.
    backend = backend_factory(clip_seconds=0.13, retry_ms=50)
    client = await rig.client(backend)
    rec = client.recorder
    batch_id = backend.create_batch(40)  # 5 s: outlives both fault phases
    await rig.monitor(client)
    await until(lambda: rec.last_state(batch_id) == "live", what="live")
    # Every StoryClip call fails for a while: summaries, discovery, stream opens.
    failures = 4
    backend.faults(fail_next=failures, fail_status=status, fail_path_prefix="/api/metricool")
    await until(lambda: not backend.faults()["fail_next"], what="faults spent")
    # ...then the stream in particular (the open stream is dropped to force reopens).
    backend.faults(fail_next=4, fail_status=status, fail_path_prefix=STREAM, drop_stream_after=4)
    await until(lambda: len(stream_retries(logs, batch_id, kind)) >= 4, what="stream retries")
    backend.reset_faults()
    ended = time.monotonic()
    live = await until(
        lambda: rec.first_state_after(batch_id, ended, "live", "finished"), what="live again"
    )
    row.recovered(live - ended)
    await until(lambda: rec.finished, what="finish")
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    retries = stream_retries(logs, batch_id, kind)[-4:]
    # Backoff visible in the log, and kept: each failure logs the delay before the
    # next attempt (0.1 s doubling to FAST's 0.5 s cap, minus jitter), and the next
    # attempt comes no sooner. (Its growth is Backoff's unit test in tests/core.)
    assert all(0 < r <= FAST.max_delay for r in retries), retries
    assert_waited(logs, batch_id, kind)
    warnings = [e for e in logs.events("api.error") if e.get("status") == status]
    assert warnings, "each failure is logged with its status"
    if status == 502:
        assert rec.reachable[:2] == [False, True]  # a gateway page means "unavailable"
    row.detail = (
        f"{failures}+4 injected; stream retry_in "
        + ", ".join(f"{r:g}" for r in retries)
        + " s; exact"
    )


async def test_503_retry_after_is_honoured(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row, logs: LogCapture
) -> None:
    """HTTP 503 + Retry-After on the stream (the follower waits at least that long)."""
    backend = backend_factory(clip_seconds=0.25)
    client = await rig.client(backend)
    rec = client.recorder
    batch_id = backend.create_batch(16)
    await rig.monitor(client)
    await until(lambda: rec.last_state(batch_id) == "live", what="live")
    retry_after = 1
    backend.faults(
        fail_next=2, fail_status=503, retry_after=retry_after, fail_path_prefix=STREAM,
        drop_stream_after=3,
    )  # fmt: skip
    await until(lambda: len(stream_retries(logs, batch_id, "unavailable")) >= 2, what="503s")
    backend.faults(drop_stream_after=None)
    ended = time.monotonic()
    live = await until(
        lambda: rec.first_state_after(batch_id, ended, "live", "finished"), what="live again"
    )
    row.recovered(live - ended)
    await until(lambda: rec.finished, what="finish")
    retries = stream_retries(logs, batch_id, "unavailable")
    assert len(retries) == 2
    assert all(r >= retry_after for r in retries), retries
    # And the follower really waited: each reopen came at least Retry-After later.
    assert_waited(logs, batch_id, "unavailable")  # so: at least Retry-After
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    row.detail = f"Retry-After {retry_after} s; logged retry_in {retries} s; exact"


async def test_auth_rate_limited_429_is_honoured(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row, logs: LogCapture
) -> None:
    """HTTP 429 from auth (rate limit) while tokens need refreshing."""
    backend = backend_factory(clip_seconds=0.3, token_ttl=3)
    client = await rig.client(backend)
    client.sessions.retry_interval = 1.0  # the app waits 5 s between refused refreshes
    rec = client.recorder
    ids = [backend.create_batch(20), backend.create_batch(18)]
    await rig.monitor(client)
    await until(lambda: all(rec.last_state(i) == "live" for i in ids), what="live")
    refreshes_before = client.sessions.refresh_count
    limited_at = time.time()
    # Every token request answers 429, and streams drop so reopening needs a token.
    backend.faults(token_rate_limit=0, drop_stream_after=2)
    # The access token (3 s) runs out while refreshes are refused.
    await until(
        lambda: len([e for e in logs.events("auth.refresh_failed", since=limited_at)
                     if e.get("reason") == "rate_limited"]) >= 2,
        timeout=10, what="refused refreshes",
    )  # fmt: skip
    await until(lambda: time.time() > limited_at + 4, what="token expired meanwhile")
    refused = [
        e for e in logs.events("auth.refresh_failed", since=limited_at)
        if e.get("reason") == "rate_limited"
    ]  # fmt: skip
    backend.reset_faults()
    ended = time.time()
    await until(lambda: client.sessions.refresh_count > refreshes_before + len(refused),
                what="a refresh that works")  # fmt: skip
    await until(lambda: len(rec.finished) == 2, timeout=30, what="both finished")
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)
    assert rec.signed_out_reasons == []
    # Honoured: refused refreshes are spaced by the retry interval, not a storm.
    times = [float(e["_at"]) for e in refused]  # type: ignore[arg-type]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g >= client.sessions.retry_interval - 0.05 for g in gaps), gaps
    refreshed = [float(e["_at"]) for e in logs.events("auth.refreshed", since=ended)]  # type: ignore[arg-type]
    row.recovered(refreshed[0] - ended)
    # Followers and discovery that needed a token waited for the next allowed refresh.
    waited = [
        float(e["retry_in"])  # type: ignore[arg-type]
        for e in logs.events("stream_state", since=limited_at)
        if e.get("detail") == "auth rate_limited"
    ]
    skipped = [
        e for e in logs.events("error", since=limited_at) if e.get("message") == "auth rate_limited"
    ]
    assert waited
    assert skipped
    assert all(w > 0 for w in waited)
    row.detail = (
        f"{len(waited)} stream waits {waited[:3]} s, {len(skipped)} discoveries skipped; "
        f"{len(refused)} refreshes refused (429) {', '.join(f'{g:.1f}' for g in gaps)} s apart; "
        "session kept, both batches exact"
    )
