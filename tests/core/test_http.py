"""core/http.py: the shared request plumbing (body caps, Retry-After, the one
401 -> refresh -> retry path), tested over loopback.

The pool tests use a tiny raw-asyncio HTTP/1.1 server in the test: it answers
with a chunked (no Content-Length), keep-alive, oversized "502 Bad Gateway"
HTML page exactly as a proxy does, which the local backend never does on its
own. No mocks: the client's real connection pool is what is under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest

from storyclip_desktop.core.api import ApiError, StoryClipApi

pytestmark = pytest.mark.anyio

_REST_POOL = 10  # core/api.py's REST pool size
_PAGE = b"<html><body>" + b"<p>502 Bad Gateway</p>" * 5000 + b"</body></html>"  # ~110 KB


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Tokens:
    async def access_token(self) -> str:
        return "token-1"

    async def token_rejected(self, token: str) -> str:
        return "token-2"


@dataclass
class ProxyLike:
    """Keep-alive HTTP/1.1 server: ``/api/metricool/batch/*`` and batch ``b1``'s
    stream get an oversized chunked page (``status``); other streams a short
    event stream, everything else an empty active list."""

    status: bytes = b"502 Bad Gateway"
    url: str = ""
    connections: int = 0
    requests: list[str] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                target = head.split(b" ", 2)[1].decode()
                self.requests.append(target)
                if target.startswith(("/api/metricool/batch/", "/api/metricool/stream?batchId=b1")):
                    writer.write(
                        b"HTTP/1.1 " + self.status + b"\r\nContent-Type: text/html\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n"
                    )
                    for start in range(0, len(_PAGE), 8192):
                        chunk = _PAGE[start : start + 8192]
                        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    writer.write(b"0\r\n\r\n")
                elif target.startswith("/api/metricool/stream"):
                    body = b": hello\n\n"
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                    )
                else:
                    body = b'{"success": true, "batches": []}'
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                    )
                try:
                    await writer.drain()
                except ConnectionError:
                    return
        finally:
            writer.close()


@contextlib.contextmanager
def app_loop_hooks() -> Iterator[list[str]]:
    """Async-generator hooks as on the app's loop: qasync's loop installs none, so
    a response iterator dropped half-read is finalised by the garbage collector,
    synchronously, wherever that happens (plain asyncio would schedule a proper
    ``aclose()`` and hide the leak). Entered inside the test: asyncio sets its own
    hooks each time the loop starts running. Yields what reached the unraisable
    hook meanwhile (what the app would print to stderr)."""
    saved = sys.get_asyncgen_hooks()
    unraisable = sys.unraisablehook
    reported: list[str] = []
    sys.unraisablehook = lambda hook_args: reported.append(repr(hook_args.exc_value))
    sys.set_asyncgen_hooks(firstiter=None, finalizer=None)
    try:
        yield reported
        gc.collect()
    finally:
        sys.set_asyncgen_hooks(*saved)
        sys.unraisablehook = unraisable


@pytest.fixture
async def proxy() -> AsyncIterator[ProxyLike]:
    server_state = ProxyLike()
    server = await asyncio.start_server(server_state.handle, "127.0.0.1", 0)
    server_state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield server_state
        server.close()


@pytest.mark.parametrize(
    ("status", "max_body"),
    [
        # an error status: the error-body read (capped at 64 KiB) refuses the page
        (b"502 Bad Gateway", 16 << 20),
        # a success status over the success cap: the body read refuses it
        (b"200 OK", 32 << 10),
    ],
)
async def test_refused_oversized_chunked_answers_leak_no_pooled_connection(
    proxy: ProxyLike, status: bytes, max_body: int
) -> None:
    """More oversized chunked answers than the pool has connections, then a normal
    call: it must succeed at once, not wait out its timeout for a free connection."""
    proxy.status = status
    api = StoryClipApi(proxy.url, "key-1", Tokens(), timeout=5, max_body=max_body)
    try:
        with app_loop_hooks():  # what reaches stderr: the next test
            for _ in range(_REST_POOL + 2):
                with pytest.raises(ApiError) as caught:
                    await api.batch("b1")
                assert caught.value.kind in ("unavailable", "protocol")
            del caught
            gc.collect()
            started = time.monotonic()
            async with asyncio.timeout(3):
                assert await api.active_batches("u1") == []
            assert time.monotonic() - started < 2.0
    finally:
        await api.aclose()


async def test_refused_stream_error_pages_leak_no_pooled_connection(proxy: ProxyLike) -> None:
    """The same for opening streams (their own pool, here of 2): four refused
    oversized error pages, then a stream opens at once."""
    api = StoryClipApi(proxy.url, "key-1", Tokens(), timeout=5, max_streams=2)
    try:
        with app_loop_hooks():
            for _ in range(4):
                with pytest.raises(ApiError) as caught:
                    async with api.open_stream("b1"):
                        pass
                assert caught.value.kind == "unavailable"
            del caught
            async with asyncio.timeout(3), api.open_stream("ok") as response:
                assert response.status_code == 200
    finally:
        await api.aclose()


async def test_a_refused_answer_leaves_nothing_for_the_garbage_collector(
    proxy: ProxyLike, capfd: pytest.CaptureFixture[str]
) -> None:
    """No half-iterated response generator is finalised later outside its task:
    no "async generator ignored GeneratorExit" / "cancel scope in a different
    task" reaches the loop's exception handler, the unraisable hook or stderr."""
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(str(context)))
    try:
        api = StoryClipApi(proxy.url, "key-1", Tokens(), timeout=5)
        try:
            with app_loop_hooks() as unraisable:
                for _ in range(3):
                    with pytest.raises(ApiError):
                        await api.batch("b1")
        finally:
            await api.aclose()
        for _ in range(5):  # let finalizers scheduled on the loop run
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert unraisable == []
    assert reported == []
    err = capfd.readouterr().err
    assert "GeneratorExit" not in err
    assert "cancel scope" not in err
