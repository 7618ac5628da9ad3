"""The network goes away for a while and comes back; batches started meanwhile."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.backend import Backend
from tests.faults.conftest import OUTAGE_SECONDS, LogCapture, Rig, Row, assert_finished_once
from tests.faults.proxy import Proxy
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio

CLIP_SECONDS = 0.2


# The default per-test limit is 120 s; FAULTS_OUTAGE_SECONDS=120 needs more.
@pytest.mark.timeout(max(120.0, OUTAGE_SECONDS + 90))
async def test_network_gone_then_back(
    backend_factory: Callable[..., Backend],
    rig: Rig,
    row: Row,
    logs: LogCapture,
    proxy_to: Callable[[Backend], Proxy],
) -> None:
    """Network gone (connections refused, open ones silent), then back."""
    row.scenario = f"Network gone for {OUTAGE_SECONDS:g} s, then back"
    backend = backend_factory(clip_seconds=CLIP_SECONDS)
    proxy = await proxy_to(backend).start()
    client = await rig.client(backend, base_url=proxy.url)
    rec = client.recorder
    # One batch ends during the outage, one outlives it.
    short = backend.create_batch(8)
    long_clips = int((OUTAGE_SECONDS + 4) / CLIP_SECONDS)
    long = backend.create_batch(long_clips, fail=[3])
    await rig.monitor(client)
    await until(lambda: all(rec.last_state(i) == "live" for i in (short, long)), what="live")
    await proxy.refuse()
    gone = time.monotonic()
    await until(lambda: rec.reachable == [False], what="unreachable noticed")
    noticed = time.monotonic() - gone
    # Started from the web app while this machine is offline (still running when
    # the network is back: one that starts and ends unseen is not this app's to know).
    meanwhile = backend.create_batch(long_clips - 5)
    await until(lambda: time.monotonic() - gone >= OUTAGE_SECONDS, timeout=OUTAGE_SECONDS + 5,
                what="the outage")  # fmt: skip
    assert rec.reachable == [False], "one notice per outage, not one per retry"
    assert not rec.finished
    assert backend.batch(short)["status"] == "completed"  # it ended while we could not see
    failures = len(logs.events("error", since=time.time() - OUTAGE_SECONDS))
    await proxy.forward()
    back = time.monotonic()
    await until(lambda: rec.reachable == [False, True], what="reachable again")
    reach = time.monotonic() - back
    await until(
        lambda: (
            rec.first_state_after(long, back, "live", "finished") and short in rec.finished_ids()
        ),
        what="live again",
    )
    live = (rec.first_state_after(long, back, "live", "finished") or back) - back
    row.recovered(live)
    await until(lambda: len(rec.finished) == 3, timeout=OUTAGE_SECONDS + 20, what="all finished")
    assert rec.reachable == [False, True]
    assert meanwhile in rec.added
    assert_finished_once(rec, [short, long, meanwhile])
    for batch in rec.finished:
        assert_exact(batch, backend)
    row.detail = (
        f"noticed in {noticed:.2f} s; 1 unreachable + 1 back notice over {failures} failed "
        f"calls; back->reachable {reach:.2f} s; 3 batches exact (1 ended, 1 started offline)"
    )
