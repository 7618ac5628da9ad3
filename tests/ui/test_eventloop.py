"""The app's event loop (qasync with reusable socket readers) behaves as asyncio says.

anyio pauses and resumes a socket's reading around every receive; the loop keeps
the reader's notifier across that instead of rebuilding it. These tests drive
the reader API directly with socket pairs, then an asyncio stream and an httpx
exchange over loopback, on a loop of its own (not the UI tests' shared one).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import warnings
from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from storyclip_desktop.ui.eventloop import READY_SLICE, QtEventLoop

# Closed loops stay referenced: a collected qasync timer object segfaulted once
# (see tests/ui/conftest.py).
_closed: list[QtEventLoop] = []


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[QtEventLoop]:
    """A loop of its own, run with run_until_complete (the conftest's is shared)."""
    event_loop = QtEventLoop(qapp)
    try:
        yield event_loop
    finally:
        if not event_loop.is_closed():
            event_loop.close()
        with warnings.catch_warnings(), contextlib.suppress(Exception):
            warnings.simplefilter("ignore")  # not connected when it never ran: fine
            qapp.aboutToQuit.disconnect(event_loop._after_run_forever)
        _closed.append(event_loop)
        asyncio.set_event_loop(None)


def _pair() -> tuple[socket.socket, socket.socket]:
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    return a, b


def test_readers_fire_pause_resume_and_are_replaced(loop: QtEventLoop) -> None:
    a, b = _pair()
    seen: list[tuple[str, bytes]] = []

    def reader(name: str) -> None:
        try:
            seen.append((name, a.recv(100)))
        except BlockingIOError:
            seen.append((name, b"<nothing>"))

    async def scenario() -> None:
        loop.add_reader(a.fileno(), reader, "first")
        b.send(b"one")
        await _until(lambda: len(seen) == 1)
        # Paused (anyio's pause_reading): data waits, nothing fires.
        assert loop.remove_reader(a.fileno())
        b.send(b"two")
        await asyncio.sleep(0.05)
        assert len(seen) == 1
        # Resumed with another callback: the waiting bytes go to it, once.
        loop.add_reader(a.fileno(), reader, "second")
        await _until(lambda: len(seen) == 2)
        await asyncio.sleep(0.05)
        assert not loop.remove_reader(a.fileno() + 1000)  # never registered
        assert loop.remove_reader(a.fileno())
        assert not loop.remove_reader(a.fileno())  # already removed

    loop.run_until_complete(scenario())
    assert seen == [("first", b"one"), ("second", b"two")]
    a.close()
    b.close()


def test_a_reader_replaced_while_its_readiness_waits_is_not_called(loop: QtEventLoop) -> None:
    """Readiness seen for one registration never reaches the next one."""
    a, b = _pair()
    calls: list[str] = []

    def old() -> None:
        calls.append("old")

    def new() -> None:
        calls.append("new")
        a.recv(10)

    async def scenario() -> None:
        loop.add_reader(a.fileno(), old)
        loop._reader_ready(a.fileno())  # Qt saw it readable: the old callback is queued ...
        loop.remove_reader(a.fileno())  # ... and the reader is replaced before it runs
        loop.add_reader(a.fileno(), new)
        b.send(b"x")
        await _until(lambda: bool(calls))
        await asyncio.sleep(0.05)
        loop.remove_reader(a.fileno())

    try:
        loop.run_until_complete(scenario())
    finally:
        a.close()
        b.close()
    assert calls == ["new"]


def test_descriptor_numbers_reused_by_new_sockets(loop: QtEventLoop) -> None:
    got: list[bytes] = []

    async def scenario() -> None:
        for n in range(5):
            a, b = _pair()
            loop.add_reader(a.fileno(), lambda a=a: got.append(a.recv(10)))
            b.send(f"m{n}".encode())
            await _until(lambda n=n: len(got) == n + 1)
            loop.remove_reader(a.fileno())
            a.close()
            b.close()

    loop.run_until_complete(scenario())
    assert got == [b"m0", b"m1", b"m2", b"m3", b"m4"]


def test_streams_and_http_over_loopback(loop: QtEventLoop) -> None:
    async def scenario() -> tuple[bytes, str]:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            request = await reader.readuntil(b"\r\n\r\n")
            if request.startswith(b"GET"):
                body = b"".join(b"chunk %d\n" % i for i in range(200))
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                )
                for i in range(0, len(body), 37):  # many small writes: many reads
                    writer.write(body[i : i + 37])
                    await writer.drain()
                    await asyncio.sleep(0)
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"PING\r\n\r\n")
        await writer.drain()
        raw = await reader.read()
        writer.close()
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/")
        server.close()
        await server.wait_closed()
        return raw, response.text

    raw, text = loop.run_until_complete(scenario())
    assert raw == b""
    assert text.splitlines() == [f"chunk {i}" for i in range(200)]
    loop.close()
    assert loop.is_closed()


async def _until(predicate: object, within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def test_ready_callbacks_run_in_order_and_in_slices(loop: QtEventLoop) -> None:
    """Fifty callbacks of a millisecond each: they run in the order they were
    scheduled, and a Qt timer due meanwhile fires between two slices, long before
    the last of them (qasync alone would run all fifty first)."""
    order: list[object] = []

    def busy(n: int) -> None:
        ends = time.perf_counter() + 0.001
        while time.perf_counter() < ends:
            pass
        order.append(n)

    async def scenario() -> None:
        for n in range(50):
            loop.call_soon(busy, n)
        timer = QTimer()  # a real Qt timer (a 0 ms singleShot is a posted event)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: order.append("qt"))
        timer.start(0)  # due at once, started after them
        await _until(lambda: len(order) == 51)

    loop.run_until_complete(scenario())
    numbers = [x for x in order if x != "qt"]
    assert numbers == list(range(50))
    assert order.index("qt") < 30  # a slice is READY_SLICE (4 ms), not all 50 ms
    assert READY_SLICE < 0.02
