"""A small loopback TCP proxy that misbehaves on request, for the fault matrix.

The local backend's fault switches act inside HTTP; some faults live below it,
in TCP, and only something between the client and the server can make them:

* ``hang()``: connections are accepted and never answered (a dead proxy, a
  captive portal, a server whose process is frozen), and connections that were
  open go silent both ways (packets dropped) without being closed;
* ``refuse()``: the listening socket is closed (connection refused: the
  network is gone) and open connections go silent, as in ``hang()``;
* ``cut()``: the path is cut: open connections are reset and every new one is
  accepted (counted, with its time) and reset at once;
* ``forward()``: everything flows again, on the same port;
* ``cut_streams(count, frame)``: the next ``count`` event-stream connections are
  reset (TCP RST) in the middle of their ``frame``-th ``data:`` line.

It runs on the test's own event loop, so it is frozen too when a test blocks
the loop on purpose; that test talks to the backend directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from dataclasses import dataclass, field

STREAM_PATH = b"/api/metricool/stream"
ACCOUNT_PATH = b"/api/metricool/events"


@dataclass
class Cut:
    """One connection reset mid-frame: what the client had received of the body."""

    frame: int
    tail: bytes  # the last bytes forwarded before the reset


@dataclass(eq=False)
class _Conn:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), as a crashed peer or a middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class Proxy:
    """``Proxy(port).start()`` listens on 127.0.0.1 and forwards to ``port``."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._hanging = False
        self._conns: set[_Conn] = set()
        self._cut_left = 0
        self._cut_frame = 1
        self.cuts: list[Cut] = []
        self.accepted = 0
        self.held = 0  # connections accepted and never answered
        self._cutting = False
        self.accept_times: list[float] = []  # time.monotonic() of each accepted connection
        self.max_open = 0  # most connections open at once since reset_counts()
        self.streams_opened = 0  # requests for a stream (per batch or account)

    @property
    def open_connections(self) -> int:
        return len(self._conns)

    def reset_counts(self) -> None:
        self.max_open = len(self._conns)
        self.accept_times.clear()
        self.streams_opened = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Proxy:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    # ------------------------------------------------------------ switches

    def cut(self) -> None:
        """The path is cut: open connections reset, new ones reset as they come."""
        self._cutting = True
        for conn in list(self._conns):
            for writer in (conn.client, conn.upstream):
                if writer is not None:
                    _reset(writer)

    async def forward(self) -> None:
        """Everything flows again (listening again on the same port if refused)."""
        self._cutting = False
        self._hanging = False
        self._flowing.set()
        if self._server is None:
            await self.start()

    def hang(self) -> None:
        """Accept and never answer; open connections go silent."""
        self._hanging = True
        self._flowing.clear()

    async def refuse(self) -> None:
        """Connection refused from now on; open connections go silent."""
        self._flowing.clear()
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    def cut_streams(self, count: int, frame: int = 2) -> None:
        """Reset the next ``count`` stream connections inside their ``frame``-th data line."""
        self._cut_left = count
        self._cut_frame = frame

    async def aclose(self) -> None:
        await self.refuse()
        for conn in list(self._conns):
            for task in conn.tasks:
                task.cancel()
            for writer in (conn.client, conn.upstream):
                if writer is not None:
                    writer.transport.abort()
        tasks = [t for c in self._conns for t in c.tasks]
        await asyncio.gather(*tasks, return_exceptions=True)
        self._conns.clear()

    # ------------------------------------------------------------ plumbing

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.accept_times.append(time.monotonic())
        if self._cutting:
            _reset(writer)
            return
        conn = _Conn(writer)
        self._conns.add(conn)
        self.max_open = max(self.max_open, len(self._conns))
        try:
            if self._hanging:
                self.held += 1
                await self._discard(reader)
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.target)
            except OSError:
                _reset(writer)  # the server is down: the client sees a reset
                return
            conn.upstream = up_writer
            first = await reader.read(65536)
            if not first:
                return
            request_line = first.split(b"\r\n", 1)[0]
            is_stream = STREAM_PATH in request_line
            if is_stream or ACCOUNT_PATH in request_line:
                self.streams_opened += 1
            cut_at = 0
            if is_stream and self._cut_left > 0:
                self._cut_left -= 1
                cut_at = self._cut_frame
            up_writer.write(first)
            conn.tasks = [
                asyncio.ensure_future(self._pump(reader, up_writer)),
                asyncio.ensure_future(self._pump(up_reader, writer, cut_at, conn)),
            ]
            await asyncio.wait(conn.tasks, return_when=asyncio.FIRST_COMPLETED)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for task in conn.tasks:
                task.cancel()
            await asyncio.gather(*conn.tasks, return_exceptions=True)
            for w in (writer, conn.upstream):
                if w is not None:
                    w.transport.abort()
            self._conns.discard(conn)

    @staticmethod
    async def _discard(reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError):
            while await reader.read(65536):
                pass

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        cut_frame: int = 0,
        conn: _Conn | None = None,
    ) -> None:
        frames = 0
        carry = b""
        sent = bytearray()
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                await self._flowing.wait()
                if cut_frame:
                    # Find the cut_frame-th "data:" across chunk boundaries.
                    window = carry + chunk
                    start = 0
                    while True:
                        at = window.find(b"data:", start)
                        if at < 0:
                            break
                        frames += 1
                        start = at + 1
                        if frames == cut_frame:
                            keep = at - len(carry) + len(b"data: {")
                            part = chunk[: max(0, keep)]
                            writer.write(part)
                            await writer.drain()
                            sent += part
                            self.cuts.append(Cut(cut_frame, bytes(sent[-80:])))
                            _reset(writer)
                            if conn is not None and conn.upstream is not None:
                                _reset(conn.upstream)
                            return
                    carry = window[-8:]
                    sent += chunk
                    del sent[:-200]
                writer.write(chunk)
                await writer.drain()
        except OSError:
            return
