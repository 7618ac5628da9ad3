"""StoryClip API of the local backend in its default mode (wire contract Part 1 + Part 2)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from tests.backend import REPO, Backend, wait_for
from tests.demo.sse import blocks, collect

SUMMARY_KEYS = {
    "batchId", "jobId", "status", "publishMode", "total", "published", "failed",
    "currentIndex", "progress", "scheduledFor", "createdAt", "startedAt", "completedAt",
    "error", "clips",
}  # fmt: skip
CLIP_KEYS = {
    "index", "url", "title", "status", "metricoolPostId", "facebookPostId", "error",
    "attempts", "uploadedAt", "publishedAt",
}  # fmt: skip
FINAL_TYPES = {"completed", "error", "cancelled"}


def stream(
    backend: Backend, batch_id: str, last_event_id: str | None = None, timeout: float = 10.0
) -> Any:
    headers = backend.api_headers()
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    return backend.http.stream(
        "GET",
        f"{backend.url}/api/metricool/stream",
        params={"batchId": batch_id},
        headers=headers,
        timeout=timeout,
    )


def counts_from_rows(rows: list[dict[str, Any]]) -> tuple[int, int]:
    return (
        sum(r["status"] == "published" for r in rows),
        sum(r["status"] == "failed" for r in rows),
    )


def test_create_and_summary_shapes(backend: Backend) -> None:
    response = backend.http.post(
        f"{backend.url}/api/metricool/publish/stories",
        headers=backend.api_headers(backend.access_token()),
        json={
            "posts": [{"id": "p1", "url": "https://x.test/1.mp4", "text": "Uno"}],
            "schedule": {"mode": "now"},
            "settings": {"accountId": "a1", "publishSpeed": "normal"},
            "jobId": "job_42",
        },
    )
    assert response.status_code == 200
    created = response.json()
    assert created["status"] == "processing"
    assert created["posts"] == {"total": 1, "queued": 1}
    assert created["jobId"] == "job_42"
    assert created["batchId"].startswith("batch_")
    assert created["createdAt"].endswith("Z")
    summary = backend.wait_batch_final(created["batchId"], timeout=10)
    assert set(summary) == SUMMARY_KEYS
    assert summary["publishMode"] == "now"
    assert summary["progress"] == 100
    assert summary["currentIndex"] == 1
    # SQLite's own timestamp shape for the batch, ISO with Z for the clip.
    assert len(summary["createdAt"]) == 19
    assert summary["createdAt"][10] == " "
    (clip,) = summary["clips"]
    assert set(clip) == CLIP_KEYS
    assert clip["title"] == "Uno"
    assert clip["status"] == "published"
    assert clip["attempts"] == 1
    assert clip["metricoolPostId"].startswith("mc_")
    assert clip["publishedAt"].endswith("Z")

    status = backend.http.get(
        f"{backend.url}/api/metricool/status",
        params={"batchId": created["batchId"]},
        headers=backend.api_headers(),
    ).json()
    assert status["posts"] == {"total": 1, "published": 1, "failed": 0}
    assert status["status"] == "completed"
    assert set(status) == {
        "batchId", "status", "progress", "createdAt", "startedAt", "completedAt", "posts",
        "clips", "error",
    }  # fmt: skip


def test_twenty_clips_to_completion_counts_match_clip_rows(
    backend_factory: Callable[..., Backend],
) -> None:
    backend = backend_factory(failure_rate=0.25, seed=7)
    batch_id = backend.create_batch(20)
    summary = backend.wait_batch_final(batch_id, timeout=30)
    rows = backend.clip_rows(batch_id)
    published, failed = counts_from_rows(rows)
    assert len(rows) == 20
    assert summary["status"] == "completed"
    assert (summary["published"], summary["failed"]) == (published, failed)
    assert published + failed == 20
    assert failed > 0, "seed 7 at 25 % must fail some clips"
    row = backend.batch_row(batch_id)
    assert row is not None
    assert (row["published"], row["failed"]) == (published, failed)
    for clip in rows:
        if clip["status"] == "failed":
            assert clip["error"]
            assert clip["metricool_post_id"] is None
        else:
            assert clip["metricool_post_id"]
            assert clip["error"] is None
        assert clip["attempts"] == 1
    # Same seed, same outcome: the failure pattern is reproducible.
    again = backend_factory(failure_rate=0.25, seed=7)
    other = again.create_batch(20)
    again.wait_batch_final(other, timeout=30)
    assert [r["status"] for r in again.clip_rows(other)] == [r["status"] for r in rows]


def test_stream_order_ids_and_close(backend: Backend) -> None:
    batch_id = backend.create_batch(3, fail=[2])
    with stream(backend, batch_id) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        got = list(blocks(response))  # ends by itself after the final event
    events = [b for b in got if b.data]
    assert events[0].type == "connected"
    assert events[0].retry == "3000"
    assert all(b.retry is None for b in events[1:])
    assert events[-1].type == "completed"
    ids = [int(b.id or "-1") for b in events]
    assert ids[1:] == list(range(ids[0] + 1, ids[0] + len(ids))), "ids are consecutive"
    stored = backend.stored_events(batch_id)
    assert [seq for seq, _ in stored][-len(ids) + 1 :] == ids[1:]
    # Per clip: uploading, waiting (several, with waitProgress), then published / error.
    by_clip: dict[int, list[dict[str, Any]]] = {}
    for _, payload in stored:
        if payload["type"] == "progress":
            by_clip.setdefault(payload["current"], []).append(payload)
    for index, clip_events in by_clip.items():
        kinds = [p["status"] for p in clip_events]
        final = "error" if index == 2 else "published"
        if kinds == ["uploading", "error"]:  # failed at upload
            assert index == 2
            continue
        assert kinds == ["uploading", "waiting", "waiting", "waiting", final]
        waits = [p["waitProgress"] for p in clip_events[1:4]]
        assert waits == sorted(waits)
        assert all(isinstance(w, int) and 0 < w < 100 for w in waits)
    assert by_clip[2][-1]["error"]
    assert "error" not in by_clip[1][-1]
    last = stored[-1][1]
    assert (last["published"], last["errors"], last["total"]) == (2, 1, 3)


def test_last_event_id_replays_what_was_missed(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(clip_seconds=0.1)
    batch_id = backend.create_batch(6)
    with stream(backend, batch_id) as response:
        first = collect(response, limit=6)
    last_id = first[-1].id
    assert last_id is not None
    with stream(backend, batch_id, last_event_id=last_id) as response:
        rest = list(blocks(response))
    rest_events = [b for b in rest if b.data]
    assert rest_events[0].type == "connected"
    assert rest_events[0].id == last_id
    replayed = [int(b.id or 0) for b in rest_events[1:]]
    assert replayed[0] == int(last_id) + 1
    assert rest_events[-1].type == "completed"
    seen = [int(b.id or 0) for b in first[1:]] + replayed
    after_connect = [
        seq for seq, _ in backend.stored_events(batch_id) if seq > int(first[0].id or 0)
    ]
    assert seen == after_connect
    assert len(seen) == len(set(seen)), "no event twice"
    assert seen[-1] == backend.stored_events(batch_id)[-1][0]
    # A finished batch with Last-Event-ID 0 replays everything, then closes.
    with stream(backend, batch_id, last_event_id="0") as response:
        everything = [b for b in blocks(response) if b.data]
    assert [int(b.id or 0) for b in everything[1:]] == [
        s for s, _ in backend.stored_events(batch_id)
    ]


def test_finished_batch_stream_sends_final_event_and_closes(backend: Backend) -> None:
    batch_id = backend.create_batch(2)
    backend.wait_batch_final(batch_id, timeout=10)
    with stream(backend, batch_id) as response:
        got = [b for b in blocks(response) if b.data]
    assert [b.type for b in got] == ["connected", "completed"]
    assert got[0].payload["status"] == "completed"
    assert int(got[1].id or 0) == int(got[0].id or 0) + 1
    # Garbage Last-Event-ID is ignored like none at all.
    with stream(backend, batch_id, last_event_id="abc") as response:
        assert [b.type for b in blocks(response) if b.data] == ["connected", "completed"]


def test_heartbeat_pings_while_paused(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(heartbeat=0.2, clip_seconds=0.2)
    batch_id = backend.create_batch(5)
    assert backend.control(batch_id, "pause").json()["status"] == "paused"
    with stream(backend, batch_id) as response:
        pings = 0
        for block in blocks(response):
            if "ping" in block.comments:
                pings += 1
            if pings >= 3:
                break
    assert pings == 3
    assert backend.batch(batch_id)["status"] == "paused"


def test_pause_resume_cancel(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(clip_seconds=0.1)
    batch_id = backend.create_batch(30)
    paused = backend.control(batch_id, "pause")
    assert paused.status_code == 200
    assert paused.json()["status"] == "paused"
    assert paused.json()["action"] == "pause"
    wait_for(lambda: backend.info()["running_batches"] == 0, timeout=5, what="publisher to stop")
    frozen = backend.batch(batch_id)
    assert frozen["status"] == "paused"
    assert frozen["published"] <= 1, "at most the clip in flight ends after a pause"
    assert backend.control(batch_id, "pause").status_code == 409
    assert backend.active()["batches"][0]["status"] == "paused"
    assert backend.control(batch_id, "resume").json()["status"] == "processing"
    wait_for(lambda: backend.batch(batch_id)["published"] > frozen["published"], timeout=5)
    with stream(backend, batch_id) as response:
        assert backend.control(batch_id, "cancel").json()["status"] == "cancelled"
        got = [b for b in blocks(response) if b.data]
    assert got[-1].type == "cancelled"
    summary = backend.batch(batch_id)
    assert summary["status"] == "cancelled"
    assert summary["completedAt"] is not None
    assert all(c["status"] in ("pending", "published") for c in summary["clips"])
    assert backend.control(batch_id, "resume").status_code == 409
    kinds = [p["type"] for _, p in backend.stored_events(batch_id)]
    assert "paused" in kinds
    assert "resumed" in kinds
    assert kinds[-1] == "cancelled"
    # The Part 1 GET forms are aliases.
    other = backend.create_batch(3)
    alias = backend.http.get(
        f"{backend.url}/api/metricool/pause",
        params={"batchId": other},
        headers=backend.api_headers(backend.access_token()),
    )
    assert alias.status_code == 200
    assert set(alias.json()) >= {"batchId", "action", "status", "timestamp"}


def test_retry_failed_republishes_failed_clips(backend: Backend) -> None:
    batch_id = backend.create_batch(4, fail_once=[2, 4])
    done = backend.wait_batch_final(batch_id, timeout=10)
    assert (done["status"], done["published"], done["failed"]) == ("completed", 2, 2)
    retry = backend.control(batch_id, "retry-failed")
    assert retry.status_code == 200
    assert retry.json()["status"] == "processing"
    final = backend.wait_batch_final(batch_id, timeout=10)
    assert (final["status"], final["published"], final["failed"]) == ("completed", 4, 0)
    attempts = {c["index"]: c["attempts"] for c in final["clips"]}
    assert attempts == {1: 1, 2: 2, 3: 1, 4: 2}
    assert backend.control(batch_id, "retry-failed").status_code == 409


def test_all_clips_failing_fails_the_batch(backend: Backend) -> None:
    batch_id = backend.create_batch(2, fail=[1, 2])
    summary = backend.wait_batch_final(batch_id, timeout=10)
    assert summary["status"] == "failed"
    assert summary["error"]
    assert backend.stored_events(batch_id)[-1][1]["type"] == "error"


def test_empty_batch_completes_with_null_progress(backend: Backend) -> None:
    batch_id = backend.create_batch(0)
    summary = backend.wait_batch_final(batch_id, timeout=5)
    assert summary["status"] == "completed"
    assert summary["progress"] is None
    assert summary["total"] == 0


def test_scheduled_mode_vocabulary(backend: Backend) -> None:
    batch_id = backend.create_batch(2, mode="scheduled", scheduled_at="2030-01-02T03:04:05Z")
    summary = backend.wait_batch_final(batch_id, timeout=10)
    assert summary["publishMode"] == "scheduled"
    assert summary["scheduledFor"] == "2030-01-02T03:04:05Z"
    statuses = [
        p.get("status") for _, p in backend.stored_events(batch_id) if p["type"] == "progress"
    ]
    assert statuses == ["uploading", "scheduling", "scheduled"] * 2


def test_active_and_history_follow_the_token(backend: Backend) -> None:
    running = backend.create_batch(200)
    finished = backend.create_batch(1)
    backend.wait_batch_final(finished, timeout=10)
    active = backend.active()
    assert [b["batchId"] for b in active["batches"]] == [running]
    assert active["count"] == 1
    assert active["success"] is True
    history = backend.http.get(
        f"{backend.url}/api/metricool/batches",
        params={"status": "completed", "limit": 10},
        headers=backend.api_headers(backend.access_token()),
    ).json()
    assert [b["batchId"] for b in history["batches"]] == [finished]
    # Another user sees none of it, and cannot ask for the test user's.
    backend.add_user("other@example.com", "other-password")
    other = backend.sign_in("other@example.com", "other-password")["access_token"]
    assert backend.active(token=other)["batches"] == []
    forbidden = backend.http.get(
        f"{backend.url}/api/metricool/batches/active",
        params={"userId": backend.user_id},
        headers=backend.api_headers(other),
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "FORBIDDEN_USER"
    by_id = backend.http.get(
        f"{backend.url}/api/metricool/batch/{running}", headers=backend.api_headers(other)
    )
    assert by_id.status_code == 403
    mine = backend.http.get(
        f"{backend.url}/api/metricool/batches/active",
        params={"userId": backend.user_id},
        headers=backend.api_headers(backend.access_token()),
    )
    assert mine.status_code == 200
    assert backend.control(running, "cancel").status_code == 200


def test_tokens_are_checked(backend: Backend) -> None:
    url = f"{backend.url}/api/metricool/batches/active"
    missing = backend.http.get(url, headers=backend.api_headers())
    assert missing.status_code == 401
    assert missing.json()["code"] == "MISSING_TOKEN"
    bad = backend.http.get(url, headers=backend.api_headers("not-a-jwt"))
    assert bad.status_code == 401
    assert bad.json()["code"] == "INVALID_TOKEN"
    create = backend.http.post(
        f"{backend.url}/api/metricool/publish/stories",
        headers=backend.api_headers(backend.access_token()),
        json={"posts": [], "userId": "someone-else"},
    )
    assert create.status_code == 403


def test_api_keys(backend: Backend) -> None:
    url = f"{backend.url}/api/metricool/batch/batch_1_abc"
    missing = backend.http.get(url)
    assert (missing.status_code, missing.json()["code"]) == (401, "MISSING_API_KEY")
    wrong = backend.http.get(url, headers={"X-Api-Key": "wrong"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "INVALID_API_KEY")
    assert backend.http.get(url, headers=backend.api_headers()).json()["code"] == "BATCH_NOT_FOUND"
    # A key stored in the database (the CLI), with the read scope only.
    subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "add-api-key", "reader-key",
         "--scopes", "read", "--db", str(backend.db_path)],
        check=True, cwd=REPO, capture_output=True, timeout=60,
    )  # fmt: skip
    reader = {"X-Api-Key": "reader-key", "Authorization": f"Bearer {backend.access_token()}"}
    assert backend.http.get(url, headers=reader).status_code == 404
    refused = backend.http.post(
        f"{backend.url}/api/metricool/publish/stories", headers=reader, json={"posts": []}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "INSUFFICIENT_SCOPE")
    stream_401 = backend.http.get(f"{backend.url}/api/metricool/stream", params={"batchId": "b_1"})
    assert stream_401.status_code == 401


def test_seed_demo(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(seed_demo=True, clip_seconds=0.4)
    token = backend.sign_in("demo@storyclip.app", "storyclip-demo")
    user_id = token["user"]["id"]
    assert user_id == "938d23b6-1f94-5b27-b189-14bb5f074af3"
    active = backend.active(token=token["access_token"])["batches"]
    assert len(active) == 3
    assert all(b["status"] == "processing" for b in active)
    by_size = {b["total"]: b["batchId"] for b in active}
    assert sorted(by_size) == [5, 8, 20]
    failing = {
        size: sum(r["sim_outcome"] == "fail" for r in backend.clip_rows(batch_id))
        for size, batch_id in by_size.items()
    }
    assert failing == {5: 0, 8: 1, 20: 2}
    titles = [c["title"] for c in active[0]["clips"]]
    assert all(titles)
    history = backend.http.get(
        f"{backend.url}/api/metricool/batches",
        headers=backend.api_headers(token["access_token"]),
    ).json()["batches"]
    assert [(b["status"], b["published"], b["total"]) for b in history] == [("completed", 6, 6)]
    # A restart while demo batches run resumes them and seeds nothing more …
    backend.restart()
    again = backend.sign_in("demo@storyclip.app", "storyclip-demo")["access_token"]
    resumed = {b["batchId"] for b in backend.active(token=again)["batches"]}
    assert resumed
    assert resumed <= set(by_size.values())
    # … and the demo batches end, failing clips and all.
    small = backend.wait_batch_final(by_size[5], timeout=20)
    assert (small["status"], small["published"], small["failed"]) == ("completed", 5, 0)


def test_capabilities_say_what_this_server_adds_to_part_one(backend: Backend) -> None:
    """Asked without acting on any batch; the API key is needed as everywhere."""
    url = f"{backend.api_url}/api/metricool/capabilities"
    answer = backend.http.get(url, headers=backend.api_headers())
    assert answer.status_code == 200
    body = answer.json()
    assert body["history"] is True
    assert body["controls"] == ["pause", "resume", "cancel", "retry-failed"]
    assert body["accountStream"] is True
    assert backend.http.get(url).status_code == 401  # no X-Api-Key
