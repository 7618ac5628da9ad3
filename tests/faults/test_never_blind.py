"""Never go blind (issue 13): a stream that keeps failing is replaced by polling.

The core against the real local backend: the stream path answers an error for
as long as the test says (the backend's ``fail_next`` switch), while the batch
runs on; the user must still see it end, with the server's counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.backend import Backend
from tests.faults.conftest import LogCapture, Rig, Row, assert_finished_once
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio

STREAM = "/api/metricool/stream"


@pytest.mark.parametrize(
    ("status", "mode"),
    [(502, "default"), (500, "default"), (503, "upstream")],
    ids=["502-html", "500-json", "503-upstream"],
)
async def test_stream_failing_for_good_falls_back_to_polling(
    backend_factory: Callable[..., Backend],
    rig: Rig,
    row: Row,
    logs: LogCapture,
    status: int,
    mode: str,
) -> None:
    """A stream that answers only errors is replaced by polling, then streamed again."""
    row.scenario = f"stream answers HTTP {status} for good ({mode})"
    backend = backend_factory(mode=mode, clip_seconds=0.1)
    client = await rig.client(backend)
    rec = client.recorder
    backend.faults(fail_next=10**6, fail_status=status, fail_path_prefix=STREAM, retry_after=0)
    batch_id = backend.create_batch(60)  # 6 s: long enough for both phases
    await rig.monitor(client)
    await until(lambda: rec.last_state(batch_id) == "polling", what="polling instead")
    # Polling reads the summary: the batch's progress is seen without any stream.
    await until(lambda: rec.published(batch_id) >= 3, what="progress while polling")
    polls = [e for e in logs.events("error") if e.get("batch_id") == batch_id and e.get("status")]
    assert polls, "each refused stream open is logged with its status"
    assert all(e["status"] == status for e in polls), polls
    backend.reset_faults()
    back = time.monotonic()
    live = await until(
        lambda: rec.first_state_after(batch_id, back, "live", "finished"), what="stream again"
    )
    row.recovered(live - back)
    await until(lambda: rec.finished, what="finish")
    assert_finished_once(rec, [batch_id])
    assert_exact(rec.finished[0], backend)
    row.detail = f"polled while the stream answered {status}; back to live; exact"


async def test_stream_failing_until_the_end_still_shows_the_end(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row
) -> None:
    """A stream that never opens: the batch's end is still seen, exact and once."""
    backend = backend_factory(clip_seconds=0.05)
    client = await rig.client(backend)
    rec = client.recorder
    backend.faults(fail_next=10**6, fail_status=502, fail_path_prefix=STREAM)
    ids = [backend.create_batch(12), backend.create_batch(8, fail=[3])]
    await rig.monitor(client)
    await until(lambda: len(rec.finished) == 2, what="both ends seen")
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)
    row.detail = "2 batches, stream 502 throughout; both ends exact, once each"
