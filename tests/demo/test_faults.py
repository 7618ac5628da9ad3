"""Every fault switch of the tests' backend (tests/demo_ext), and the admin endpoint's guard."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import pytest

from tests.backend import Backend, wait_for
from tests.demo.sse import Block, blocks


def stream(backend: Backend, batch_id: str, read: float = 5.0) -> Any:
    return backend.http.stream(
        "GET",
        f"{backend.url}/api/metricool/stream",
        params={"batchId": batch_id},
        headers=backend.api_headers(),
        timeout=httpx.Timeout(10.0, read=read),
    )


@pytest.mark.parametrize("mode", ["default", "upstream"])
def test_drop_stream_after_n_events(backend_factory: Callable[..., Backend], mode: str) -> None:
    backend = backend_factory(mode=mode, clip_seconds=0.05)
    state = backend.faults(drop_stream_after=4)
    assert state["drop_stream_after"] == 4
    batch_id = backend.create_batch(10)
    got: list[Block] = []
    with stream(backend, batch_id) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            got.extend(blocks(response))
    assert len([b for b in got if b.data]) == 4
    assert got[0].type == "connected"
    # Every new stream is cut the same way, until the switch is reset.
    with stream(backend, batch_id) as response, pytest.raises(httpx.RemoteProtocolError):
        list(blocks(response))
    backend.reset_faults()
    with stream(backend, batch_id, read=1.0) as response:
        first = next(b for b in blocks(response) if b.data)
    assert first.type == "connected"


def test_stall_streams_keeps_them_open_and_silent(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(clip_seconds=0.05, heartbeat=0.1)
    batch_id = backend.create_batch(200)
    backend.faults(stall_streams_after=0)
    with stream(backend, batch_id, read=0.8) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            next(response.iter_bytes())
    backend.faults(stall_streams_after=2)
    got: list[Block] = []
    with stream(backend, batch_id, read=0.8) as response, pytest.raises(httpx.ReadTimeout):
        got.extend(blocks(response))
    assert [b.type for b in got][:1] == ["connected"]
    assert len(got) == 2, "two events, then nothing at all (no pings either)"
    # A stalled stream ends on the server once its client leaves.
    wait_for(lambda: backend.info()["open_streams"] == 0, timeout=5, what="streams to close")


@pytest.mark.parametrize(
    ("status", "kind"), [(500, "application/json"), (502, "text/html"), (503, "text/html"),
                         (504, "text/html")]
)  # fmt: skip
def test_fail_next_requests(backend: Backend, status: int, kind: str) -> None:
    backend.faults(fail_next=2, fail_status=status, retry_after=7)
    url = f"{backend.url}/api/metricool/batch/batch_1_none"
    answers = [backend.http.get(url, headers=backend.api_headers()) for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 404]
    for answer in answers[:2]:
        assert answer.headers["content-type"].startswith(kind)
        if status == 500:
            assert set(answer.json()) == {"error", "message"}
        else:
            assert answer.text.lstrip().startswith("<html>")
            assert str(status) in answer.text
        if status == 503:
            assert answer.headers["retry-after"] == "7"
    assert backend.faults()["fail_next"] == 0


def test_fail_next_only_under_a_prefix(backend: Backend) -> None:
    backend.faults(fail_next=1, fail_status=503, fail_path_prefix="/auth")
    api = backend.http.get(
        f"{backend.url}/api/metricool/batch/batch_1_x", headers=backend.api_headers()
    )
    assert api.status_code == 404
    auth = backend.refresh("whatever")
    assert auth.status_code == 503
    assert backend.refresh("whatever").status_code == 400
    # Streams count too: a stream request can get the proxy page.
    backend.faults(fail_next=1, fail_status=502, fail_path_prefix="/api/metricool/stream")
    batch_id = backend.create_batch(1)
    with stream(backend, batch_id) as response:
        assert response.status_code == 502


def test_delay_responses(backend: Backend) -> None:
    backend.faults(delay=0.4, delay_path_prefix="/api")
    url = f"{backend.url}/api/metricool/batch/batch_1_x"
    started = time.monotonic()
    assert backend.http.get(url, headers=backend.api_headers()).status_code == 404
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    backend.refresh("nope")
    assert time.monotonic() - started < 0.4
    backend.reset_faults()
    started = time.monotonic()
    backend.http.get(url, headers=backend.api_headers())
    assert time.monotonic() - started < 0.4


def test_admin_endpoint_guards(backend: Backend) -> None:
    admin = f"{backend.url}/__admin/faults"
    wrong_type = backend.http.post(
        admin, content=b'{"fail_next": 1}', headers={"content-type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    rebinding = backend.http.get(admin, headers={"host": "evil.example:80"})
    assert rebinding.status_code == 404
    assert backend.http.post(admin, json={"no_such_switch": 1}).status_code == 400
    assert backend.http.post(admin, json={"fail_next": -1}).status_code == 400
    assert backend.http.post(admin, json={"fail_next": "3"}).status_code == 400
    assert backend.http.post(admin, json={"fail_status": 418}).status_code == 400
    assert (
        backend.http.post(
            admin, content=b"{oops", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    assert backend.faults() == backend.reset_faults(), "failed updates changed nothing"
    assert backend.http.delete(admin).status_code == 200
    info = backend.info()
    assert info["mode"] == "default"
    assert info["pid"] == backend.pid


def _outside_address() -> str | None:
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family.name == "AF_INET" and not address.address.startswith("127."):
                return str(address.address)
    return None


def test_admin_refuses_non_loopback_peers(backend_factory: Callable[..., Backend]) -> None:
    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no non-loopback IPv4 address to come from")
    backend = backend_factory(host="0.0.0.0")  # reachable from the outside address
    base = f"http://{outside}:{backend.port}"
    assert backend.http.get(f"{base}/__admin/info").status_code == 404
    assert backend.http.post(f"{base}/__admin/faults", json={"fail_next": 5}).status_code == 404
    assert backend.faults()["fail_next"] == 0
    # The API itself answers from there.
    api = backend.http.get(f"{base}/api/metricool/batch/batch_1_x", headers=backend.api_headers())
    assert api.status_code == 404
    assert api.json()["code"] == "BATCH_NOT_FOUND"


def test_faults_from_the_command_line(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(
        faults={"fail_next": 1, "fail_status": 503, "fail_path_prefix": "/api"}
    )
    first = backend.http.get(
        f"{backend.url}/api/metricool/batch/batch_1_x", headers=backend.api_headers()
    )
    assert first.status_code == 503


def test_bad_faults_on_the_command_line_stop_the_server(tmp_path: object) -> None:
    import subprocess
    import sys

    from tests.backend import LAUNCHER, REPO

    run = subprocess.run(
        [sys.executable, "-m", LAUNCHER, "serve", "--db", f"{tmp_path}/f.db",
         "--faults", '{"fail_status": 418}'],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "fail_status" in run.stderr
    assert run.stdout == ""


def test_flood_stream(backend: Backend) -> None:
    with backend.http.stream("GET", f"{backend.url}/__admin/flood", params={"events": 500}) as r:
        assert r.status_code == 200
        got = [b for b in blocks(r) if b.data]
    assert got[0].type == "connected"
    assert got[-1].type == "completed"
    assert [int(b.id or -1) for b in got] == list(range(502))
    assert got[-1].payload["published"] == got[0].payload["total"] == 100
