"""The backend process killed and restarted mid-batch, and its clean shutdown."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
import pytest

from tests.backend import REPO, Backend, wait_for
from tests.demo.sse import blocks


def open_stream(stack: contextlib.ExitStack, backend: Backend, batch_id: str) -> httpx.Response:
    """An open stream closed with ``stack``."""
    return stack.enter_context(
        backend.http.stream(
            "GET",
            f"{backend.url}/api/metricool/stream",
            params={"batchId": batch_id},
            headers=backend.api_headers(),
            timeout=httpx.Timeout(10.0, read=5.0),
        )
    )


def test_default_mode_resumes_after_kill(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(clip_seconds=0.1, failure_rate=0.2, seed=3)
    batch_id = backend.create_batch(20)
    first_url = backend.url
    with contextlib.ExitStack() as stack:
        response = open_stream(stack, backend, batch_id)
        received = (b for b in blocks(response) if b.data)
        before = [next(received) for _ in range(12)]
        backend.kill()
        with pytest.raises(httpx.RemoteProtocolError):
            # The kill shows on the client as a chunked body cut short.
            for _ in received:
                pass
    killed_at = backend.batch_row(batch_id)
    assert killed_at is not None
    assert killed_at["status"] == "processing"

    backend.start()
    assert backend.url == first_url, "same port after a restart"
    last_id = before[-1].id
    assert last_id is not None
    with backend.http.stream(
        "GET",
        f"{backend.url}/api/metricool/stream",
        params={"batchId": batch_id},
        headers={**backend.api_headers(), "Last-Event-ID": last_id},
        timeout=20,
    ) as resumed:
        after = [b for b in blocks(resumed) if b.data]
    assert after[0].type == "connected"
    assert after[-1].type == "completed"
    ids = [int(b.id or 0) for b in before[1:]] + [int(b.id or 0) for b in after[1:]]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids)), "no event applied twice"
    assert ids == [
        seq for seq, _ in backend.stored_events(batch_id) if seq > int(before[0].id or 0)
    ]
    summary = backend.wait_batch_final(batch_id, timeout=10)
    rows = backend.clip_rows(batch_id)
    published = sum(r["status"] == "published" for r in rows)
    failed = sum(r["status"] == "failed" for r in rows)
    assert (summary["published"], summary["failed"]) == (published, failed)
    assert published + failed == 20
    assert "resumed 1 processing batch" in backend.log()


def test_upstream_mode_orphans_the_batch(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.05)
    batch_id = backend.create_batch(30)
    wait_for(lambda: backend.batch(batch_id)["published"] >= 2, timeout=10)
    backend.kill()
    backend.start()
    gone = backend.http.get(
        f"{backend.url}/api/metricool/stream",
        params={"batchId": batch_id},
        headers=backend.api_headers(),
    )
    assert gone.status_code == 404
    assert gone.json()["code"] == "BATCH_NOT_FOUND"
    frozen = backend.batch(batch_id)
    assert frozen["status"] == "processing"
    # A new batch after the restart runs to its end …
    fresh = backend.create_batch(5)
    assert backend.wait_batch_final(fresh, timeout=10)["status"] == "completed"
    # … while the orphan stays processing with the same counts, for good.
    still = backend.batch(batch_id)
    assert still["status"] == "processing"
    assert (still["published"], still["failed"]) == (frozen["published"], frozen["failed"])
    assert batch_id in [b["batchId"] for b in backend.active()["batches"]]


@pytest.mark.parametrize(
    ("mode", "sig"), [("default", signal.SIGTERM), ("upstream", signal.SIGINT)]
)
def test_signal_stops_promptly_with_open_streams(
    backend_factory: Callable[..., Backend], mode: str, sig: signal.Signals
) -> None:
    backend = backend_factory(mode=mode, clip_seconds=0.5, heartbeat=60)
    batch_id = backend.create_batch(50)
    with contextlib.ExitStack() as stack:
        responses = [open_stream(stack, backend, batch_id) for _ in range(5)]
        for response in responses:
            assert response.status_code == 200
        assert backend.proc is not None
        started = time.monotonic()
        backend.proc.send_signal(sig)
        code = backend.proc.wait(timeout=10)
        elapsed = time.monotonic() - started
    assert code == 0
    assert elapsed < 3.0, f"shutdown took {elapsed:.1f} s"
    assert "Traceback" not in backend.log()


def test_cli_first_line_is_the_url_and_add_user(tmp_path: object) -> None:
    db = f"{tmp_path}/cli.sqlite3"
    added = subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "add-user", "cli@example.com", "pw-123456",
         "--db", db],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    user_id = added.stdout.strip()
    assert len(user_id) == 36
    again = subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "add-user", "cli@example.com", "-",
         "--db", db],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True, input="new-pass\n",
    )  # fmt: skip
    assert again.stdout.strip() == user_id, "same user, password reset"
    backend = Backend(db_path=db, email="cli@example.com", password="new-pass")
    try:
        backend.start()
        assert backend.user_id == user_id
        assert backend.stdout_lines[0] == backend.url
        assert backend.url.startswith("http://127.0.0.1:")
        assert backend.sign_in()["user"]["id"] == user_id
    finally:
        backend.stop()
    bad = subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "serve", "--failure-rate", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "failure-rate" in bad.stderr
