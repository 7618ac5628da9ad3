"""Upstream mode: the deployed backend of wire contract Part 1, quirks included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.backend import Backend, wait_for
from tests.demo.sse import Block, blocks, collect


@pytest.fixture
def upstream(backend_factory: Callable[..., Backend]) -> Backend:
    return backend_factory(mode="upstream", clip_seconds=0.05)


def stream(
    backend: Backend, batch_id: str, timeout: float | httpx.Timeout = 5.0, **headers: str
) -> Any:
    return backend.http.stream(
        "GET",
        f"{backend.url}/api/metricool/stream",
        params={"batchId": batch_id},
        headers={**backend.api_headers(), **headers},
        timeout=timeout,
    )


def read_until_quiet(response: httpx.Response) -> tuple[list[Block], bool]:
    """Every block until the server goes quiet (read timeout); and whether it closed."""
    got: list[Block] = []
    try:
        for block in blocks(response):
            got.append(block)
    except httpx.ReadTimeout:
        return got, False
    return got, True


def test_stream_is_data_only_never_closes_and_completed_overtakes_last_event(
    upstream: Backend,
) -> None:
    batch_id = upstream.create_batch(4, fail=[2])
    with stream(upstream, batch_id, timeout=httpx.Timeout(5.0, read=1.0)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-cache"
        got, closed = read_until_quiet(response)
    assert not closed, "the deployed stream never ends by itself"
    for block in got:
        assert block.id is None
        assert block.retry is None
        assert block.event is None
        assert block.comments == []
        assert len(block.data) == 1
    events = [b.payload for b in got]
    assert events[0]["type"] == "connected"
    # completed comes before the last clip's published progress event.
    assert [e["type"] for e in events[-2:]] == ["completed", "progress"]
    assert events[-1]["status"] == "published"
    assert events[-1]["current"] == 4
    assert (events[-2]["published"], events[-2]["errors"], events[-2]["total"]) == (3, 1, 4)
    for event in events:
        assert event["batchId"] == batch_id
        assert event["timestamp"].endswith("Z")
        assert "error" not in event
        assert "waitProgress" not in event
    statuses = [e["status"] for e in events if e["type"] == "progress"]
    assert "waiting" in statuses
    assert "error" in statuses


def test_database_lags_the_events(upstream: Backend) -> None:
    batch_id = upstream.create_batch(3, fail=[2])
    summary = upstream.wait_batch_final(batch_id, timeout=10)
    assert summary["status"] == "completed"
    assert (summary["published"], summary["failed"], summary["total"]) == (2, 1, 3)
    clips = {c["index"]: c for c in summary["clips"]}
    errored = clips[2]
    assert errored["status"] == "pending"
    assert errored["error"] is None
    assert errored["attempts"] == 0
    for index in (1, 3):
        assert clips[index]["status"] == "published"
        assert clips[index]["metricoolPostId"] is None
        assert clips[index]["attempts"] == 0


def test_waiting_is_never_stored(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=1.0, waits=2)
    batch_id = backend.create_batch(1)
    with stream(backend, batch_id) as response:
        collect(response, stop=lambda b: b.payload.get("status") == "waiting")
        (row,) = backend.clip_rows(batch_id)
    assert row["status"] == "uploading"


def test_scheduled_clips_stay_pending(upstream: Backend) -> None:
    batch_id = upstream.create_batch(2, mode="scheduled")
    summary = upstream.wait_batch_final(batch_id, timeout=10)
    assert summary["published"] == 2
    assert [c["status"] for c in summary["clips"]] == ["pending", "pending"]


def test_whole_batch_fails_on_first_error_switch(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.05, fail_batch_on_first_error=True)
    batch_id = backend.create_batch(5, fail=[3])
    with stream(backend, batch_id, timeout=httpx.Timeout(5.0, read=1.0)) as response:
        got, closed = read_until_quiet(response)
    assert not closed
    last = got[-1].payload
    assert last["type"] == "error"
    assert last["error"] == "startTime is not defined"
    summary = backend.wait_batch_final(batch_id, timeout=5)
    assert summary["status"] == "failed"
    assert summary["error"] == "startTime is not defined"
    assert (summary["published"], summary["failed"], summary["total"]) == (2, 0, 5)
    assert [c["status"] for c in summary["clips"]][2:] == ["pending"] * 3


def test_late_connection_gets_no_replay_and_finished_batch_answers_connected(
    upstream: Backend,
) -> None:
    batch_id = upstream.create_batch(2)
    done = upstream.wait_batch_final(batch_id, timeout=10)
    with stream(
        upstream, batch_id, timeout=httpx.Timeout(5.0, read=0.5), **{"Last-Event-ID": "0"}
    ) as r:
        got, closed = read_until_quiet(r)
    assert not closed
    assert len(got) == 1
    connected = got[0].payload
    assert connected["type"] == "connected"
    assert connected["status"] == "completed"
    assert (connected["published"], connected["errors"], connected["total"]) == (
        done["published"],
        0,
        2,
    )


def test_controls_answer_and_do_nothing(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.1)
    batch_id = backend.create_batch(4)
    for action in ("pause", "cancel", "resume", "retry-failed"):
        answer = backend.control(batch_id, action)
        assert answer.status_code == 200
        assert set(answer.json()) == {"batchId", "action", "status", "timestamp"}
        assert answer.json()["action"] == action
    assert backend.control("batch_0_unknown", "pause").status_code == 200
    summary = backend.wait_batch_final(batch_id, timeout=10)
    assert summary["status"] == "completed"
    assert summary["published"] == 4
    # Part 2 routes do not exist upstream.
    post = backend.http.post(
        f"{backend.url}/api/metricool/batch/{batch_id}/pause", headers=backend.api_headers()
    )
    assert post.status_code in (404, 405)
    history = backend.http.get(
        f"{backend.url}/api/metricool/batches", headers=backend.api_headers()
    )
    assert history.status_code == 404


def test_active_list_trusts_the_query_and_misses_batches_without_user(upstream: Backend) -> None:
    url = f"{upstream.url}/api/metricool/batches/active"
    missing = upstream.http.get(url, headers=upstream.api_headers())
    assert (missing.status_code, missing.json()["code"]) == (400, "MISSING_USER_ID")
    mine = upstream.create_batch(200)
    orphan = upstream.create_batch(200, user_id="")
    # Anybody may ask for anybody's list: no token, no check.
    listed = upstream.http.get(
        url, params={"userId": upstream.user_id}, headers=upstream.api_headers()
    )
    assert listed.status_code == 200
    assert [b["batchId"] for b in listed.json()["batches"]] == [mine]
    assert listed.json()["count"] == 1
    # The batch stored with no user id is in no list, but answers by id.
    assert upstream.batch(orphan)["status"] == "processing"
    row = upstream.batch_row(orphan)
    assert row is not None
    assert row["user_id"] is None
    # The count quirk on demand: computed before filtering.
    upstream.faults(active_count_extra=2)
    assert (
        upstream.http.get(
            url, params={"userId": upstream.user_id}, headers=upstream.api_headers()
        ).json()["count"]
        == 3
    )


def test_status_endpoint_memory_form(upstream: Backend) -> None:
    batch_id = upstream.create_batch(200)
    upstream.faults(status_memory_form=True)
    wait_for(lambda: upstream.batch(batch_id)["published"] >= 1, timeout=5)
    body = upstream.http.get(
        f"{upstream.url}/api/metricool/status",
        params={"batchId": batch_id},
        headers=upstream.api_headers(),
    ).json()
    assert "clips" not in body
    assert body["currentStory"].startswith("post_")
    assert body["currentStatus"] in ("uploading", "waiting", "published")
    assert body["updatedAt"].endswith("Z")
    assert set(body["posts"]) == {"total", "published", "failed"}


def test_no_capabilities_answer_like_the_deployed_backend(upstream: Backend) -> None:
    answer = upstream.http.get(
        f"{upstream.api_url}/api/metricool/capabilities", headers=upstream.api_headers()
    )
    assert answer.status_code == 404
