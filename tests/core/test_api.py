"""The StoryClip REST client: headers, URL encoding of ids, the 401 → refresh →
retry rule, error mapping, caps and deadlines, and the separate stream pool.

Most tests run against the local backend over loopback with a real signed-in
session. Two kinds do not:

* URL encoding is checked on the wire with a tiny loopback HTTP server that
  records the request line exactly as it arrived (the local backend, like most
  servers, decodes the path before routing, which would hide what was sent).
* Byte-level faults no real server here produces on demand (a body cut off
  mid-way, a 200 with an HTML page, an endless trickle, 17 MB of JSON, a
  redirect) use ``httpx.MockTransport``; each such test says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from storyclip_desktop.core.api import ApiError, StoryClipApi, batch_path
from storyclip_desktop.core.auth import parse_retry_after

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FixedTokens:
    """A token source for tests where the token is not what is tested."""

    def __init__(self) -> None:
        self.rejected: list[str] = []

    async def access_token(self) -> str:
        return "token-1"

    async def token_rejected(self, token: str) -> str:
        self.rejected.append(token)
        return "token-2"


# ---------------------------------------------------------------- a wire recorder


@dataclass
class Recorded:
    target: str
    headers: dict[str, str]


@dataclass
class Recorder:
    """A loopback HTTP/1.1 server that records each request head and answers 404
    ``BATCH_NOT_FOUND`` (or what ``answer`` says), then closes the connection."""

    requests: list[Recorded] = field(default_factory=list)
    answer: bytes = b""
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        _method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        self.requests.append(Recorded(target, headers))
        writer.write(self.answer)
        await writer.drain()
        writer.close()


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    body = b'{"error":"Batch not found","code":"BATCH_NOT_FOUND"}'
    rec = Recorder()
    rec.answer = (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    server = await asyncio.start_server(rec.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    rec.url = f"http://127.0.0.1:{port}"
    async with server:
        yield rec
        server.close()


HOSTILE_IDS = [
    "a/b",
    "../../batches/active?userId=someone",
    "x?userId=y#frag",
    "..",
    ".",
    "%2F..%2F",
    "x&batchId=other",
    "ñandú clip",
    "batch_1761725644409_abc123",
]


@pytest.mark.parametrize("batch_id", HOSTILE_IDS)
async def test_a_batch_id_cannot_change_the_path_or_the_query(
    recorder: Recorder, batch_id: str
) -> None:
    api = StoryClipApi(recorder.url, "key-1", FixedTokens(), timeout=5)
    try:
        with pytest.raises(ApiError) as batch_err:
            await api.batch(batch_id)
        with pytest.raises(ApiError) as status_err:
            await api.status(batch_id)
        with pytest.raises(ApiError):
            async with api.open_stream(batch_id, last_event_id="41"):
                pass
    finally:
        await api.aclose()
    assert batch_err.value.kind == "not_found"
    assert batch_err.value.code == "BATCH_NOT_FOUND"
    assert status_err.value.kind == "not_found"

    summary, status, stream = recorder.requests
    prefix = "/api/metricool/batch/"
    assert summary.target.startswith(prefix)
    segment = summary.target[len(prefix):]
    assert not any(c in segment for c in "/?#"), summary.target
    assert segment not in (".", "..")
    assert unquote(segment) == batch_id
    for rec, path in ((status, "/api/metricool/status"), (stream, "/api/metricool/stream")):
        parts = urlsplit(rec.target)
        assert parts.path == path
        assert parse_qs(parts.query) == {"batchId": [batch_id]}
        assert parts.fragment == ""


async def test_every_call_carries_the_api_key_and_the_bearer(recorder: Recorder) -> None:
    api = StoryClipApi(recorder.url + "/", "key-1", FixedTokens(), timeout=5)
    try:
        for call in (api.batch("b1"), api.active_batches("u1"), api.history("u1")):
            with pytest.raises(ApiError):
                await call
        with pytest.raises(ApiError):
            async with api.open_stream("b1", last_event_id="17"):
                pass
        with pytest.raises(ApiError):
            async with api.open_stream("b1"):
                pass
    finally:
        await api.aclose()
    for rec in recorder.requests:
        assert rec.headers["x-api-key"] == "key-1"
        assert rec.headers["authorization"] == "Bearer token-1"
    stream, fresh = recorder.requests[-2:]
    assert stream.headers["accept"] == "text/event-stream"
    assert stream.headers["cache-control"] == "no-cache"
    assert stream.headers["last-event-id"] == "17"
    assert "last-event-id" not in fresh.headers
    assert recorder.requests[0].headers["accept"] == "application/json"
    history = urlsplit(recorder.requests[2].target)
    assert parse_qs(history.query) == {
        "userId": ["u1"], "status": ["completed,failed"], "limit": ["50"],
    }


def test_empty_ids_are_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="empty"):
        batch_path("")


# ---------------------------------------------------------------- byte-level faults


def _api(handler: Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response],
         **kw: object) -> StoryClipApi:
    return StoryClipApi(
        "http://storyclip.test", "key-1", FixedTokens(),
        transport=httpx.MockTransport(handler), **kw,  # type: ignore[arg-type]
    )


class Trickle(httpx.AsyncByteStream):
    """Yields chunks from a generator function, counting what was pulled."""

    def __init__(self, chunks: Callable[[], AsyncIterator[bytes]]) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.chunks():
            self.pulled += len(chunk)
            yield chunk


async def test_a_huge_body_is_cut_off_at_the_cap() -> None:
    """MockTransport: 64 MB of JSON without a Content-Length (chunked)."""

    async def endless() -> AsyncIterator[bytes]:
        yield b'{"success": true, "batches": ['
        for _ in range(1024):
            yield b" " * 65536

    stream = Trickle(endless)
    api = _api(lambda r: httpx.Response(200, headers={"Content-Type": "application/json"},
                                        stream=stream), max_body=1 << 20)
    try:
        with pytest.raises(ApiError) as err:
            await api.active_batches("u1")
    finally:
        await api.aclose()
    assert err.value.kind == "protocol"
    assert "too large" in str(err.value)
    assert stream.pulled <= (1 << 20) + 2 * 65536


async def test_a_declared_huge_body_is_refused_before_reading() -> None:
    """MockTransport: a Content-Length of 20 GB."""
    stream = Trickle(lambda: _one(b"{}"))
    api = _api(lambda r: httpx.Response(
        200, headers={"Content-Type": "application/json", "Content-Length": str(20 << 30)},
        stream=stream))
    try:
        with pytest.raises(ApiError) as err:
            await api.batch("b1")
    finally:
        await api.aclose()
    assert err.value.kind == "protocol"
    assert stream.pulled == 0


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _broken(first: bytes) -> AsyncIterator[bytes]:
    yield first
    raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


async def test_a_success_cut_off_mid_body_is_a_network_error() -> None:
    """MockTransport: the connection drops after half the JSON."""
    api = _api(lambda r: httpx.Response(
        200, headers={"Content-Type": "application/json"},
        stream=Trickle(lambda: _broken(b'{"success": true, "batch": {"batchId"'))))
    try:
        with pytest.raises(ApiError) as err:
            await api.batch("b1")
    finally:
        await api.aclose()
    assert err.value.kind == "network"


async def test_a_5xx_page_cut_off_mid_body_is_still_unavailable() -> None:
    """MockTransport: a proxy's 502 HTML page whose connection drops mid-page."""
    api = _api(lambda r: httpx.Response(
        502, headers={"Content-Type": "text/html"},
        stream=Trickle(lambda: _broken(b"<html><head><title>502 Bad"))))
    try:
        with pytest.raises(ApiError) as err:
            await api.batch("b1")
    finally:
        await api.aclose()
    assert (err.value.kind, err.value.status) == ("unavailable", 502)


@pytest.mark.parametrize(
    ("status", "ctype", "body", "kind"),
    [
        (200, "text/html", b"<html><body>Wi-Fi login</body></html>", "protocol"),
        (200, "application/json", b'{"success": true, "batch": ', "protocol"),
        (200, "application/json", b'{"success": true, "batch": {"batchId": 5}}', "protocol"),
        (500, "text/plain", b"Internal Server Error", "unavailable"),
        (500, "application/json", b'{"error": "Failed to fetch batch", "message": "db"}',
         "server"),
        (418, "application/json", b'{"error": "teapot", "code": "TEAPOT"}', "bad_request"),
        (302, "text/html", b"", "protocol"),
    ],
    ids=["200-html", "200-cut-json", "200-wrong-shape", "500-text", "500-json", "418", "302"],
)
async def test_answers_a_real_backend_cannot_give(
    status: int, ctype: str, body: bytes, kind: str
) -> None:
    """MockTransport: captive-portal pages, broken JSON, redirects (not followed:
    they would carry the API key to another host)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        headers = {"Content-Type": ctype}
        if status == 302:
            headers["Location"] = "http://elsewhere.test/steal"
        return httpx.Response(status, headers=headers, content=body)

    api = _api(handler)
    try:
        with pytest.raises(ApiError) as err:
            await api.batch("b1")
    finally:
        await api.aclose()
    assert err.value.kind == kind
    assert len(seen) == 1
    if body.startswith(b'{"success": true, "batch": {'):
        assert "response.batch." in str(err.value)  # names the field


async def test_a_trickling_server_cannot_hold_a_call_past_its_deadline() -> None:
    """MockTransport: one byte every 0.1 s forever (each read is quick, so only a
    deadline on the whole exchange stops it)."""

    async def drip() -> AsyncIterator[bytes]:
        yield b'{"success": true, "batches": ['
        while True:
            await asyncio.sleep(0.1)
            yield b" "

    api = _api(lambda r: httpx.Response(200, headers={"Content-Type": "application/json"},
                                        stream=Trickle(drip)), timeout=0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        with pytest.raises(ApiError) as err:
            await api.active_batches("u1")
    finally:
        await api.aclose()
    assert err.value.kind == "network"
    assert loop.time() - started < 3


@pytest.mark.parametrize(
    ("status", "ctype", "kind"),
    [(200, "text/html", "protocol"), (200, "application/json", "protocol"),
     (204, "text/event-stream", "protocol"), (503, "text/html", "unavailable")],
)
async def test_a_stream_is_checked_before_it_is_handed_out(
    status: int, ctype: str, kind: str
) -> None:
    """MockTransport: wrong content types and statuses on the stream endpoint."""
    api = _api(lambda r: httpx.Response(status, headers={"Content-Type": ctype},
                                        content=b"data: {}\n\n" if status != 204 else b""))
    try:
        with pytest.raises(ApiError) as err:
            async with api.open_stream("b1"):
                pytest.fail("the response must not be yielded")
    finally:
        await api.aclose()
    assert err.value.kind == kind


async def test_a_stream_content_type_with_parameters_is_accepted() -> None:
    """MockTransport: ``text/event-stream; charset=utf-8`` is still an event stream."""
    api = _api(lambda r: httpx.Response(
        200, headers={"Content-Type": "text/event-stream; charset=utf-8"},
        content=b'data: {"type": "connected"}\n\n'))
    try:
        async with api.open_stream("b1") as response:
            body = await response.aread()
    finally:
        await api.aclose()
    assert body.startswith(b"data:")


def test_retry_after_in_both_forms() -> None:
    now = datetime(2025, 10, 29, 8, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(90)
    assert parse_retry_after("5") == 5
    assert parse_retry_after(" 120 ") == 120
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after("٣") is None  # non-ASCII digit
    assert parse_retry_after("99999999") == 86400
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True),
                             now=now.timestamp()) == 0
