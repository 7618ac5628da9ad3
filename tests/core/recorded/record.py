"""Record the merge fixtures in this folder from the local backend (run by hand).

    .venv/bin/python -m tests.core.recorded.record [NAME ...]

Each scenario runs one batch on a fresh local backend (``upstream`` mode behaves
as the deployed backend, quirks included; wire contract, Part 1) and writes
``NAME.json``: ``steps``, in the order the client met them, each either
``{"summary": <the batch object of GET /batch/{id}>}`` or ``{"frame": "<the SSE
frame as sent, 'data: {...}\\n\\n'>"}``. A summary is read before the stream
opens, right after every frame that ends a clip or the batch (what a watchdog
poll or the follower's settle would read then: the lagging database shows), and
once the stream has been quiet for a second. ``tests/core/test_merge.py`` replays
them; they are data, so re-recording changes ids and timestamps only.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.backend import FINAL_STATUSES, Backend

HERE = Path(__file__).resolve().parent
ENDS_A_CLIP = ("published", "error", "scheduled")


def record(backend: Backend, batch_id: str, about: str, recipe: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"summary": backend.batch(batch_id)}]
    headers = {"X-Api-Key": backend.api_key, "Accept": "text/event-stream"}
    if backend.mode == "default":
        headers["Authorization"] = f"Bearer {backend.access_token()}"
        headers["Last-Event-ID"] = "0"  # replay from the first event
    buffer = ""
    deadline = time.monotonic() + 30
    with backend.http.stream(
        "GET",
        f"{backend.url}/api/metricool/stream",
        params={"batchId": batch_id},
        headers=headers,
        timeout=httpx.Timeout(10.0, read=1.0),
    ) as response:
        assert response.status_code == 200, response.status_code
        try:
            for text in response.iter_text():
                buffer += text
                while "\n\n" in buffer:
                    frame, buffer = buffer.split("\n\n", 1)
                    steps.append({"frame": frame + "\n\n"})
                    payload = _payload(frame)
                    if payload.get("type") in ("completed", "error") or (
                        payload.get("type") == "progress" and payload.get("status") in ENDS_A_CLIP
                    ):
                        steps.append({"summary": backend.batch(batch_id)})
                assert time.monotonic() < deadline
        except httpx.ReadTimeout:
            pass  # upstream never closes a stream: a second of silence ends it
    final = backend.wait_batch_final(batch_id, timeout=20)
    assert final["status"] in FINAL_STATUSES
    steps.append({"summary": final})
    return {"about": about, "recorded_with": recipe, "steps": steps}


def _payload(frame: str) -> dict[str, Any]:
    data = [line[5:].lstrip() for line in frame.split("\n") if line.startswith("data:")]
    if not data:
        return {}
    value = json.loads("\n".join(data))
    return value if isinstance(value, dict) else {}


Scenario = tuple[dict[str, Any], Callable[[Backend], str], str]


def _paused_then_cancelled(backend: Backend) -> str:
    """A batch the user pauses, resumes and then cancels while it runs (timers)."""
    batch_id = backend.create_batch(6)
    for delay, action in ((0.5, "pause"), (1.5, "resume"), (2.2, "cancel")):
        timer = threading.Timer(delay, backend.control, (batch_id, action))
        timer.daemon = True
        timer.start()
    return batch_id


SCENARIOS: dict[str, Scenario] = {
    "upstream-clip-fails": (
        {"mode": "upstream", "clip_seconds": 0.3, "waits": 2},
        lambda b: b.create_batch(4, fail=[3]),
        "The deployed backend: clip 3 of 4 fails (its event says `error`, its row stays "
        "`pending`), `waiting` is never stored, and `completed` overtakes clip 4's "
        "`published` event.",
    ),
    "upstream-batch-fails": (
        {"mode": "upstream", "clip_seconds": 0.3, "waits": 2, "fail_batch_on_first_error": True},
        lambda b: b.create_batch(4, fail=[2]),
        "The deployed publisher's bug: the first failed clip (2 of 4) fails the whole "
        "batch with `startTime is not defined`; counts do not add up, clips 3-4 stay pending.",
    ),
    "upstream-scheduled": (
        {"mode": "upstream", "clip_seconds": 0.3, "waits": 2},
        lambda b: b.create_batch(3, mode="scheduled"),
        "Scheduled mode upstream: events say `scheduling` / `scheduled`, every clip row "
        "stays `pending` for good.",
    ),
    "upstream-empty": (
        {"mode": "upstream", "clip_seconds": 0.3},
        lambda b: b.create_batch(0),
        "An empty batch completes at once with `progress: null`; its stream (same "
        "server process) answers `connected` with status `completed`.",
    ),
    "default-with-ids": (
        {"mode": "default", "clip_seconds": 0.2, "waits": 2},
        lambda b: b.create_batch(3, fail=[2]),
        "The local backend's default mode: every frame has an `id:`, the first a "
        "`retry:`; clip 2 of 3 fails and its row says so.",
    ),
    "default-paused-cancelled": (
        {"mode": "default", "clip_seconds": 0.3, "waits": 1},
        _paused_then_cancelled,
        "The local backend's controls: the batch is paused (a `paused` event), resumed "
        "(`resumed`) and cancelled (`cancelled`, final) while it runs.",
    ),
}


def main(names: list[str]) -> int:
    for name in names or list(SCENARIOS):
        options, create, about = SCENARIOS[name]
        recipe = f"tests/core/recorded/record.py {name}: Backend({options})"
        with Backend(**options) as backend:
            recording = record(backend, create(backend), about, recipe)
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(recording, indent=1, ensure_ascii=False) + "\n")
        print(f"{path.name}: {len(recording['steps'])} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
