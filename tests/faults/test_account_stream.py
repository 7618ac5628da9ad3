"""One stream for the account, through a TCP relay of the test's own (tests/faults/proxy.py).

The local backend in default mode advertises its account stream; the monitor
then follows every batch over one connection. The relay counts the client's
connections, and cuts and restores the path.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from storyclip_desktop.core.model import PART_ONE, ServerCapabilities
from storyclip_desktop.core.stream import FollowPolicy
from tests.backend import Backend
from tests.faults.conftest import FAST, LogCapture, Rig, assert_finished_once
from tests.faults.proxy import Proxy
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio

ACCOUNT = replace(PART_ONE, account_stream=True, advertised=True)
#: The shipped timings of reconnects and probes (1 s doubling to 30 s), quick settles.
SHIPPED = replace(FollowPolicy(), settle_delays=FAST.settle_delays, healthy_after=0.5)


def caps(account: bool) -> ServerCapabilities:
    return ACCOUNT if account else PART_ONE


async def test_fifty_batches_over_at_most_three_connections(
    backend_factory: Callable[..., Backend],
    rig: Rig,
    logs: LogCapture,
    proxy_to: Callable[[Backend], Proxy],
) -> None:
    """50 running batches: once the app has started, at most 3 connections to the
    backend (the account stream and two for summaries), every batch exact at the end."""
    backend = backend_factory(clip_seconds=0.1, failure_rate=0.1, seed=7)
    ids = [backend.create_batch(30 + n % 7) for n in range(50)]
    proxy = await proxy_to(backend).start()
    client = await rig.client(backend, base_url=proxy.url)
    rec = client.recorder
    started = proxy.accepted  # the sign-in's connection to the auth routes
    monitor = await rig.monitor(client, policy=SHIPPED, capabilities=caps(True))
    assert monitor.account is not None
    await until(lambda: all(rec.last_state(i) in ("live", "finished") for i in ids), what="live")
    live_log = [e for e in logs.events("stream_state") if e.get("state") == "live"]
    assert {e["batch_id"] for e in live_log} >= {i for i in ids if rec.last_state(i) == "live"}
    await until(lambda: len(rec.finished) == 50, timeout=60, what="all 50 finished")
    assert proxy.max_open <= 3 + 1, f"{proxy.max_open} connections at once"  # + sign-in's
    assert proxy.accepted - started <= 3, f"{proxy.accepted - started} connections opened"
    assert monitor.account.connects == 1
    assert proxy.streams_opened == 1
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)


async def test_a_new_batch_is_live_within_two_seconds(
    backend_factory: Callable[..., Backend], rig: Rig, logs: LogCapture
) -> None:
    """Published from the web app while the app runs: live over the account stream
    long before the next discovery (30 s here)."""
    backend = backend_factory(clip_seconds=0.2)
    client = await rig.client(backend)
    rec = client.recorder
    monitor = await rig.monitor(
        client, policy=SHIPPED, discovery_interval=30.0, capabilities=caps(True)
    )
    await until(lambda: monitor.account is not None and monitor.account.live, what="stream")
    seen: list[float] = []
    for _ in range(3):
        published = time.monotonic()
        batch_id = backend.create_batch(10)
        await until(lambda: rec.last_state(batch_id) == "live", timeout=2.0, what="live in 2 s")  # noqa: B023
        seen.append(time.monotonic() - published)
    assert max(seen) < 2.0
    await until(lambda: len(rec.finished) == 3, timeout=20, what="all finished")
    for batch in rec.finished:
        assert_exact(batch, backend)


CUT_SECONDS = 60.0


@pytest.mark.timeout(CUT_SECONDS + 120)
async def test_path_cut_for_a_minute_is_one_offline_state(
    backend_factory: Callable[..., Backend],
    rig: Rig,
    logs: LogCapture,
    proxy_to: Callable[[Backend], Proxy],
) -> None:
    """The path cut for 60 s: one offline notice, at most one connection attempt at
    a time and no more than 12 a minute; once restored, every batch current within
    5 s of the next probe."""
    backend = backend_factory(clip_seconds=0.5)
    short = backend.create_batch(20)  # ends during the cut
    long = backend.create_batch(int((CUT_SECONDS + 60) / 0.5))  # outlives it
    proxy = await proxy_to(backend).start()
    client = await rig.client(backend, base_url=proxy.url)
    rec = client.recorder
    monitor = await rig.monitor(client, policy=SHIPPED, capabilities=caps(True))
    await until(lambda: rec.last_state(long) == "live", what="live")
    proxy.cut()
    cut_at = time.monotonic()
    await until(lambda: rec.reachable == [False], timeout=5, what="offline within seconds")
    await until(lambda: time.monotonic() - cut_at >= CUT_SECONDS, timeout=CUT_SECONDS + 5,
                what="the cut")  # fmt: skip
    assert rec.reachable == [False], "one notice per outage"
    attempts = [t - cut_at for t in proxy.accept_times if t >= cut_at]
    assert len(attempts) <= 12 + 2, attempts  # the drop itself may cost one or two
    settled = [t for t in attempts if t >= 3.0]
    gaps = [b - a for a, b in itertools.pairwise(settled)]
    assert all(g >= 0.5 for g in gaps), f"attempts overlap: {attempts}"
    assert all(g <= 30.0 + 1.0 for g in gaps), f"probes more than 30 s apart: {attempts}"
    assert monitor.connectivity.probes >= 4
    assert backend.batch(short)["status"] == "completed"
    await proxy.forward()
    restored = time.monotonic()
    await until(lambda: any(t >= restored for t in proxy.accept_times), timeout=35,
                what="the next probe")  # fmt: skip
    probe = min(t for t in proxy.accept_times if t >= restored)
    truth = backend.batch(long)
    await until(
        lambda: (
            short in rec.finished_ids()
            and rec.last_state(long) == "live"
            and rec.published(long) >= truth["published"]
        ),
        timeout=5,
        what="every batch current within 5 s of the probe",
    )
    current = time.monotonic() - probe
    assert rec.reachable == [False, True]
    events = logs.events("connectivity")
    assert [e["state"] for e in events] == ["online", "offline", "resumed"]
    await until(lambda: len(rec.finished) == 2, timeout=90, what="both finished")
    assert_finished_once(rec, [short, long])
    for batch in rec.finished:
        assert_exact(batch, backend)
    print(f"cut {CUT_SECONDS:g} s: {len(attempts)} attempts; current {current:.2f} s after probe")


async def test_backend_restart_is_one_reconnect(
    backend_factory: Callable[..., Backend], rig: Rig, logs: LogCapture
) -> None:
    """A restart of the local backend: one reconnect of the one stream (with
    Last-Event-ID), exact counts for every batch."""
    backend = backend_factory(clip_seconds=0.1)
    ids = [backend.create_batch(60) for _ in range(20)]
    client = await rig.client(backend)
    rec = client.recorder
    monitor = await rig.monitor(client, policy=FAST, capabilities=caps(True))
    account = monitor.account
    assert account is not None
    await until(lambda: all(rec.last_state(i) == "live" for i in ids), what="live")
    backend.restart()
    await until(lambda: account.connects == 2 and account.live, timeout=20, what="reconnected")
    await until(lambda: len(rec.finished) == 20, timeout=60, what="all finished")
    assert account.connects == 2, "one reconnect, not twenty"
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)


async def test_upstream_keeps_one_stream_per_batch(
    backend_factory: Callable[..., Backend], rig: Rig, logs: LogCapture
) -> None:
    """Without an account stream (the deployed backend), one follower per batch."""
    backend = backend_factory(mode="upstream", clip_seconds=0.05)
    ids = [backend.create_batch(10) for _ in range(2)]
    client = await rig.client(backend)
    monitor = await rig.monitor(client, capabilities=caps(False))
    assert monitor.account is None
    await until(lambda: len(client.recorder.finished) == 2, what="finished")
    assert_finished_once(client.recorder, ids)
