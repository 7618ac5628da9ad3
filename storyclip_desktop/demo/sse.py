"""A raw ASGI Server-Sent-Events response.

Written by hand (no sse-starlette) because the backend needs control that a
generic streaming response does not give: one chunk per event, a stream that
ends at once when the server shuts down (uvicorn waits for open responses),
and a way to drop the connection mid-body for the fault switches (returning
without finishing the body makes uvicorn close the socket, which the client
sees as a broken chunked body, exactly like a proxy cutting a stream).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def frame_text(data: str, event_id: int | None = None, retry_ms: int | None = None) -> bytes:
    """One SSE event block; ``data`` is one JSON line (never holds a newline)."""
    head = ""
    if retry_ms is not None:
        head += f"retry: {retry_ms}\n"
    if event_id is not None:
        head += f"id: {event_id}\n"
    return f"{head}data: {data}\n\n".encode()


PING = b": ping\n\n"


class StreamIO:
    """What a stream body sees: a way to write, and whether the client left."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.disconnected = asyncio.Event()
        self.written = 0

    async def write(self, chunk: bytes) -> None:
        if self.disconnected.is_set():
            return
        self.written += 1
        await self._send({"type": "http.response.body", "body": chunk, "more_body": True})


class EventStreamResponse(Response):
    """Runs ``body(io)``; a true result ends the response cleanly, false drops it."""

    def __init__(
        self,
        body: Callable[[StreamIO], Awaitable[bool]],
        headers: list[tuple[str, str]],
        on_disconnect: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(status_code=200)
        self.produce = body
        self.stream_headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers
        ]
        self.on_disconnect = on_disconnect

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        io = StreamIO(send)
        start = {"type": "http.response.start", "status": 200, "headers": self.stream_headers}
        await send(start)

        async def watch() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    io.disconnected.set()
                    if self.on_disconnect is not None:
                        self.on_disconnect()
                    return

        watcher = asyncio.create_task(watch())
        try:
            complete = await self.produce(io)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if complete and not io.disconnected.is_set():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        # Not complete: return with the body unfinished; uvicorn closes the socket.
