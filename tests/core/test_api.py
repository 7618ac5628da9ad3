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
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from keyring.backends import fail

from storyclip_desktop.core.api import ApiError, StoryClipApi, batch_path
from storyclip_desktop.core.auth import AuthClient, AuthError
from storyclip_desktop.core.http import parse_retry_after
from storyclip_desktop.core.tokens import SessionManager
from storyclip_desktop.core.vault import Vault
from tests.backend import Backend

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    """A wall clock that can be set off, as a machine whose clock is wrong."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


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
    segment = summary.target[len(prefix) :]
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
        "userId": ["u1"],
        "status": ["completed,failed"],
        "limit": ["50"],
    }


def test_empty_ids_are_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="empty"):
        batch_path("")


# ---------------------------------------------------------------- byte-level faults


def _api(
    handler: Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response], **kw: object
) -> StoryClipApi:
    return StoryClipApi(
        "http://storyclip.test",
        "key-1",
        FixedTokens(),
        transport=httpx.MockTransport(handler),
        **kw,  # type: ignore[arg-type]
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
    api = _api(
        lambda r: httpx.Response(200, headers={"Content-Type": "application/json"}, stream=stream),
        max_body=1 << 20,
    )
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
    api = _api(
        lambda r: httpx.Response(
            200,
            headers={"Content-Type": "application/json", "Content-Length": str(20 << 30)},
            stream=stream,
        )
    )
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
    api = _api(
        lambda r: httpx.Response(
            200,
            headers={"Content-Type": "application/json"},
            stream=Trickle(lambda: _broken(b'{"success": true, "batch": {"batchId"')),
        )
    )
    try:
        with pytest.raises(ApiError) as err:
            await api.batch("b1")
    finally:
        await api.aclose()
    assert err.value.kind == "network"


async def test_a_5xx_page_cut_off_mid_body_is_still_unavailable() -> None:
    """MockTransport: a proxy's 502 HTML page whose connection drops mid-page."""
    api = _api(
        lambda r: httpx.Response(
            502,
            headers={"Content-Type": "text/html"},
            stream=Trickle(lambda: _broken(b"<html><head><title>502 Bad")),
        )
    )
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
        (500, "application/json", b'{"error": "Failed to fetch batch", "message": "db"}', "server"),
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

    api = _api(
        lambda r: httpx.Response(
            200, headers={"Content-Type": "application/json"}, stream=Trickle(drip)
        ),
        timeout=0.5,
    )
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
    [
        (200, "text/html", "protocol"),
        (200, "application/json", "protocol"),
        (204, "text/event-stream", "protocol"),
        (503, "text/html", "unavailable"),
    ],
)
async def test_a_stream_is_checked_before_it_is_handed_out(
    status: int, ctype: str, kind: str
) -> None:
    """MockTransport: wrong content types and statuses on the stream endpoint."""
    api = _api(
        lambda r: httpx.Response(
            status,
            headers={"Content-Type": ctype},
            content=b"data: {}\n\n" if status != 204 else b"",
        )
    )
    try:
        with pytest.raises(ApiError) as err:
            async with api.open_stream("b1"):
                pytest.fail("the response must not be yielded")
    finally:
        await api.aclose()
    assert err.value.kind == kind


async def test_a_stream_content_type_with_parameters_is_accepted() -> None:
    """MockTransport: ``text/event-stream; charset=utf-8`` is still an event stream."""
    api = _api(
        lambda r: httpx.Response(
            200,
            headers={"Content-Type": "text/event-stream; charset=utf-8"},
            content=b'data: {"type": "connected"}\n\n',
        )
    )
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
    assert (
        parse_retry_after(
            format_datetime(now - timedelta(hours=1), usegmt=True), now=now.timestamp()
        )
        == 0
    )


# ---------------------------------------------------------------- the local backend


@pytest.fixture(scope="module")
def server() -> Iterator[Backend]:
    """Default mode, clips slow enough (0.2 s) that a 30-clip batch runs for a while."""
    with Backend(clip_seconds=0.2, waits=1) as backend:
        yield backend


@pytest.fixture(scope="module")
def upstream() -> Iterator[Backend]:
    with Backend(mode="upstream", clip_seconds=0.2, waits=1) as backend:
        yield backend


@pytest.fixture
def srv(server: Backend) -> Iterator[Backend]:
    yield server
    server.reset_faults()


class Client:
    """A signed-in client of a backend: session manager (memory-only vault) + API."""

    def __init__(
        self, backend: Backend, clock: Callable[[], float] = time.time, **api_kw: object
    ) -> None:
        self.backend = backend
        self.auth = AuthClient(backend.auth_url, backend.anon_key, timeout=5)
        self.manager = SessionManager(self.auth, Vault(backend=fail.Keyring()), clock=clock)
        self.api = StoryClipApi(backend.api_url, backend.api_key, self.manager, **api_kw)  # type: ignore[arg-type]

    async def __aenter__(self) -> Client:
        await self.manager.sign_in(self.backend.email, self.backend.password, remember=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.api.aclose()
        await self.auth.aclose()

    @property
    def user_id(self) -> str:
        assert self.manager.user_id is not None
        return self.manager.user_id


async def _publish(api: StoryClipApi, clips: int) -> str:
    posts = [
        {"id": f"p{n}", "url": f"https://cdn.example.test/{n}.mp4", "text": f"Clip {n}"}
        for n in range(1, clips + 1)
    ]
    result = await api.publish(posts, {"mode": "now"}, {"accountId": "acct", "publishSpeed": "x"})
    assert result.total == clips
    return result.batch_id


async def test_every_call_against_the_default_backend(srv: Backend) -> None:
    async with Client(srv) as c:
        batch_id = await _publish(c.api, 30)
        active = await c.api.active_batches(c.user_id)
        assert batch_id in [b.batch_id for b in active]
        summary = await c.api.batch(batch_id)
        assert (summary.batch_id, summary.total, len(summary.clips)) == (batch_id, 30, 30)
        report = await c.api.status(batch_id)
        assert (report.batch_id, report.total) == (batch_id, 30)
        paused = await c.api.control(batch_id, "pause")
        assert paused.status_raw == "paused"
        cancelled = await c.api.control(batch_id, "cancel")
        assert cancelled.status_raw == "cancelled"
        history = await c.api.history(c.user_id, statuses=("cancelled",), limit=5)
        assert batch_id in [b.batch_id for b in history]
        final = await c.api.batch(batch_id)
        rows = srv.clip_rows(batch_id)
        assert final.published == sum(r["status"] == "published" for r in rows)
        assert final.status_raw == "cancelled"


async def test_every_call_against_the_upstream_backend(upstream: Backend) -> None:
    """Part 1 as deployed: controls only as GET aliases (our POST falls back), no
    history (not_found), ``userId`` required by the active list."""
    async with Client(upstream) as c:
        batch_id = upstream.create_batch(3)
        active = await c.api.active_batches(upstream.user_id)
        assert batch_id in [b.batch_id for b in active]
        assert (await c.api.batch(batch_id)).total == 3
        assert (await c.api.status(batch_id)).batch_id == batch_id
        echo = await c.api.control(batch_id, "pause")
        assert (echo.batch_id, echo.action) == (batch_id, "pause")
        with pytest.raises(ApiError) as err:
            await c.api.history(upstream.user_id)
        assert err.value.kind == "not_found"
        with pytest.raises(ApiError) as err:
            await c.api.active_batches("")
        assert (err.value.kind, err.value.status, err.value.code) == (
            "bad_request",
            400,
            "MISSING_USER_ID",
        )


async def test_contract_errors_carry_status_code_and_text(srv: Backend) -> None:
    async with Client(srv) as c:
        with pytest.raises(ApiError) as err:
            await c.api.batch("batch_0_doesnotexist")
        assert (err.value.kind, err.value.status, err.value.code) == (
            "not_found",
            404,
            "BATCH_NOT_FOUND",
        )
        assert err.value.detail == "Batch not found"
        with pytest.raises(ApiError) as err:
            await c.api.active_batches("someone-else")
        assert (err.value.kind, err.value.status, err.value.code) == (
            "forbidden",
            403,
            "FORBIDDEN_USER",
        )
        with pytest.raises(ApiError) as err:
            async with c.api.open_stream("batch_0_doesnotexist"):
                pass
        assert (err.value.kind, err.value.code) == ("not_found", "BATCH_NOT_FOUND")
        with pytest.raises(ApiError) as err:
            await c.api.batch("..")  # sent as %2E%2E; this server refuses such ids
        assert (err.value.kind, err.value.code) == ("bad_request", "INVALID_BATCH_ID")


@pytest.mark.parametrize(
    ("status", "kind", "retry_after"),
    [
        (500, "server", None),
        (502, "unavailable", None),
        (503, "unavailable", 7.0),
        (504, "unavailable", None),
    ],
)
async def test_server_failures_and_proxy_pages(
    srv: Backend, status: int, kind: str, retry_after: float | None
) -> None:
    async with Client(srv) as c:
        srv.faults(fail_next=2, fail_status=status, fail_path_prefix="/api", retry_after=7)
        with pytest.raises(ApiError) as err:
            await c.api.active_batches(c.user_id)
        assert (err.value.kind, err.value.status, err.value.retry_after) == (
            kind,
            status,
            retry_after,
        )
        if status == 500:
            assert err.value.detail == "Failed to fetch batch status - Injected fault (500)"
        else:
            assert err.value.detail is None  # an HTML page is never parsed
        with pytest.raises(ApiError) as err:
            async with c.api.open_stream("batch_0_x"):
                pass
        assert err.value.kind == kind
        assert isinstance(await c.api.active_batches(c.user_id), list)


async def test_a_server_slower_than_the_deadline(srv: Backend) -> None:
    async with Client(srv, timeout=0.5) as c:
        srv.faults(delay=3, delay_path_prefix="/api")
        started = time.monotonic()
        with pytest.raises(ApiError) as err:
            await c.api.active_batches(c.user_id)
        assert err.value.kind == "network"
        with pytest.raises(ApiError) as err:
            async with c.api.open_stream("batch_0_x"):
                pass
        assert err.value.kind == "network"
        assert time.monotonic() - started < 4


async def test_a_rejected_token_gets_one_refresh_and_one_retry(
    backend_factory: Callable[..., Backend],
) -> None:
    """This machine's clock runs 10 s behind the server's, so the manager hands out
    a token the server already considers expired: the API answers 401, the client
    asks for a refresh once and the retry succeeds, for REST and for streams."""
    backend = backend_factory(token_ttl=1, clip_seconds=0.2, waits=1)
    clock = Clock()
    async with Client(backend, clock=clock) as c:
        batch_id = backend.create_batch(2)
        clock.offset = -10  # the manager now thinks every token has 11 s to live

        async def expired_on_the_server(token: str) -> None:
            deadline = time.monotonic() + 5
            while True:
                try:
                    await c.auth.get_user(token)
                except AuthError:
                    return
                assert time.monotonic() < deadline, "the token never expired"
                await asyncio.sleep(0.05)  # poll interval

        await expired_on_the_server(await c.manager.access_token())
        assert (await c.api.batch(batch_id)).batch_id == batch_id
        assert c.manager.refresh_count == 1
        # The new token is dead again a second later; the stream does the same dance.
        await expired_on_the_server(await c.manager.access_token())
        async with c.api.open_stream(batch_id) as response:
            assert response.status_code == 200
        assert c.manager.refresh_count == 2


async def test_a_401_after_the_retry_is_final(srv: Backend) -> None:
    """Tokens the server never accepts: one token_rejected, one retry, then
    ``unauthorized``; an API-key 401 is not a token problem and asks for nothing."""
    tokens = FixedTokens()
    api = StoryClipApi(srv.api_url, srv.api_key, tokens, timeout=5)
    try:
        with pytest.raises(ApiError) as err:
            await api.batch("batch_0_x")
        assert (err.value.kind, err.value.code) == ("unauthorized", "INVALID_TOKEN")
        assert tokens.rejected == ["token-1"]
        with pytest.raises(ApiError) as err:
            async with api.open_stream("batch_0_x"):
                pass
        assert (err.value.kind, err.value.code) == ("unauthorized", "INVALID_TOKEN")
        assert tokens.rejected == ["token-1", "token-1"]
    finally:
        await api.aclose()

    wrong_key = StoryClipApi(srv.api_url, "not-a-key", tokens, timeout=5)
    try:
        with pytest.raises(ApiError) as err:
            await wrong_key.batch("batch_0_x")
    finally:
        await wrong_key.aclose()
    assert (err.value.kind, err.value.code) == ("unauthorized", "INVALID_API_KEY")
    assert tokens.rejected == ["token-1", "token-1"]
    assert "not-a-key" not in str(err.value)


async def test_last_event_id_is_sent_and_the_server_replays_after_it(srv: Backend) -> None:
    async with Client(srv) as c:
        batch_id = await _publish(c.api, 2)
        srv.wait_batch_final(batch_id, timeout=20)
        stored = srv.stored_events(batch_id)
        assert len(stored) >= 4
        after = stored[1][0]
        async with c.api.open_stream(batch_id, last_event_id=str(after)) as response:
            text = (await response.aread()).decode()  # default mode: closes at the end
    replayed = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields and '"connected"' not in fields["data"]:
            replayed.append(int(fields["id"]))
    # Everything after the id we sent, and nothing before it (``connected`` is fresh).
    assert replayed == [seq for seq, _ in stored if seq > after]


async def test_open_streams_never_starve_rest_calls(srv: Backend) -> None:
    """100 open streams (the pool is sized for them) and REST calls still answer at
    once; a 101st stream waits for a free connection and gives up at the deadline
    instead of hanging."""
    async with Client(srv, timeout=2, max_streams=100) as c:
        batch_id = await _publish(c.api, 30)
        async with contextlib.AsyncExitStack() as stack:
            opened = await asyncio.gather(
                *[stack.enter_async_context(c.api.open_stream(batch_id)) for _ in range(100)]
            )
            assert all(r.status_code == 200 for r in opened)
            assert srv.info()["open_streams"] >= 100
            loop = asyncio.get_running_loop()
            started = loop.time()
            for _ in range(5):
                await c.api.batch(batch_id)
                await c.api.active_batches(c.user_id)
            rest_seconds = loop.time() - started
            assert rest_seconds < 2, f"10 REST calls took {rest_seconds:.2f} s"
            with pytest.raises(ApiError) as err:
                async with c.api.open_stream(batch_id):
                    pass
            assert err.value.kind == "network"
            assert "too many streams" in str(err.value)
        await c.api.control(batch_id, "cancel")
