"""The account stream of the local backend (default mode): ``GET /api/metricool/events``.

One stream for every batch of the bearer's user: creation, progress, the end and
control changes, each with ``batchId``; ids of one database-wide sequence, so a
client resumes with ``Last-Event-ID`` across a restart; the user is the token's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import httpx

from tests.backend import Backend
from tests.demo.sse import Block, blocks, collect

EVENTS = "/api/metricool/events"


def account_stream(
    backend: Backend,
    last_event_id: str | None = None,
    token: str | None = None,
    params: dict[str, str] | None = None,
    read: float = 10.0,
) -> Any:
    headers = backend.api_headers(token or backend.access_token())
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    return backend.http.stream(
        "GET",
        f"{backend.url}{EVENTS}",
        headers=headers,
        params=params or {},
        timeout=httpx.Timeout(10.0, read=read),
    )


def finals_of(found: list[Block], ids: set[str]) -> Callable[[Block], bool]:
    """Stop once every batch in ``ids`` has sent its final event."""
    ended: set[str] = set()

    def stop(block: Block) -> bool:
        payload = block.payload
        if payload.get("type") in ("completed", "error", "cancelled"):
            ended.add(str(payload.get("batchId")))
        found.append(block)
        return ids <= ended

    return stop


def test_one_stream_carries_every_batch_of_the_user(backend: Backend) -> None:
    with account_stream(backend) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        received = blocks(response)
        hello = next(received)
        assert hello.type == "connected"
        assert hello.payload["scope"] == "account"
        assert hello.payload["userId"] == backend.user_id
        assert hello.retry is not None
        assert hello.id is not None
        first = backend.create_batch(3, fail=[2])
        second = backend.create_batch(2)
        found: list[Block] = []
        stop = finals_of(found, {first, second})
        for block in received:
            if block.data and stop(block):
                break
    by_batch: dict[str, list[dict[str, Any]]] = {}
    for block in found:
        by_batch.setdefault(block.payload["batchId"], []).append(block.payload)
    assert set(by_batch) == {first, second}
    for batch_id, clips in ((first, 3), (second, 2)):
        kinds = [p["type"] for p in by_batch[batch_id]]
        assert kinds[0] == "created"
        assert by_batch[batch_id][0]["total"] == clips
        assert kinds[-1] == "completed"
        final = by_batch[batch_id][-1]
        summary = backend.batch(batch_id)
        assert (final["published"], final["errors"]) == (summary["published"], summary["failed"])
    ids = [int(b.id or 0) for b in found]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert min(ids) > int(hello.id or 0)


def test_controls_show_on_the_account_stream(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(clip_seconds=0.3)
    batch_id = backend.create_batch(20)
    with account_stream(backend) as response:
        received = (b for b in blocks(response) if b.data)
        assert next(received).type == "connected"
        assert backend.control(batch_id, "pause").status_code == 200
        kinds: list[str] = []
        for block in received:
            kinds.append(str(block.type))
            if block.type == "paused":
                break
        assert backend.control(batch_id, "resume").status_code == 200
        assert backend.control(batch_id, "cancel").status_code == 200
        for block in received:
            kinds.append(str(block.type))
            if block.type == "cancelled":
                break
    assert "resumed" in kinds
    assert kinds[-1] == "cancelled"


def test_resume_with_last_event_id_across_a_restart(
    backend_factory: Callable[..., Backend],
) -> None:
    backend = backend_factory(clip_seconds=0.1)
    batch_id = backend.create_batch(12)
    with account_stream(backend) as response:
        received = (b for b in blocks(response) if b.data)
        hello = next(received)
        before = [next(received) for _ in range(6)]
    backend.kill()
    backend.start()
    last = before[-1].id
    assert last is not None
    with account_stream(backend, last_event_id=last, read=20.0) as resumed:
        found: list[Block] = []
        collect(resumed, finals_of(found, {batch_id}))
    assert found[0].type == "connected"
    after = found[1:]
    assert all(b.payload["batchId"] == batch_id for b in after)
    ids = [int(b.id or 0) for b in before] + [int(b.id or 0) for b in after]
    assert ids == sorted(ids), "in order"
    assert len(set(ids)) == len(ids), "nothing twice"
    assert int(before[0].id or 0) > int(hello.id or 0)
    per_batch = [p for p in (b.payload for b in before + after) if p["type"] != "created"]
    stored = [e for _, e in backend.stored_events(batch_id)]
    assert [p["type"] for p in per_batch] == [e["type"] for e in stored][-len(per_batch) :]
    assert after[-1].type == "completed"
    summary = backend.wait_batch_final(batch_id)
    assert after[-1].payload["published"] == summary["published"] == 12


def test_user_is_the_token_s(backend: Backend) -> None:
    other = backend.add_user("other@example.test", "other-password-1")
    response = backend.http.get(
        f"{backend.url}{EVENTS}",
        headers=backend.api_headers(backend.access_token()),
        params={"userId": other},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN_USER"
    response = backend.http.get(f"{backend.url}{EVENTS}", headers=backend.api_headers())
    assert response.status_code == 401
    assert response.json()["code"] == "MISSING_TOKEN"
    # Another user's batches never show on this user's stream.
    other_token = backend.sign_in("other@example.test", "other-password-1")["access_token"]
    with account_stream(backend) as response:
        received = (b for b in blocks(response) if b.data)
        assert next(received).type == "connected"
        backend.create_batch(1, token=other_token)
        mine = backend.create_batch(1)
        first = next(received)
    assert first.payload["batchId"] == mine


def test_heartbeat_and_upstream_has_no_account_stream(
    backend_factory: Callable[..., Backend],
) -> None:
    backend = backend_factory(heartbeat=0.2)
    with account_stream(backend) as response, contextlib.closing(response):
        received = blocks(response)
        assert next(received).type == "connected"
        assert next(received).comments == ["ping"]
    upstream = backend_factory(mode="upstream")
    response = upstream.http.get(f"{upstream.url}{EVENTS}", headers=upstream.api_headers())
    assert response.status_code == 404
