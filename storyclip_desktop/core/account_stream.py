"""The signed-in user's account stream: every batch on one connection.

Where the server offers it (capabilities ``account_stream``: the local backend's
``GET /api/metricool/events``), the monitor follows all its batches through this
one stream instead of one :class:`~.stream.BatchFollower` each: a new batch is
seen the moment it is created (its ``created`` event), the number of connections
does not grow with the number of batches, and a server restart is one reconnect
(with ``Last-Event-ID``) followed by one re-read of the summaries, not fifty.

The REST summary stays the truth: after every (re)connect the sink re-reads the
summaries (one active-list call), and after a batch's end or a control change it
re-reads that batch. Each followed batch still gets its own ``stream_state``
lines (``live`` when its events start to flow over this stream, ``reconnecting``
when the stream drops, ``finished`` at its end), so the log reads the same as
with per-batch streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from .api import ApiError, StoryClipApi
from .auth import AuthError
from .log import get_logger, log_event
from .model import (
    ProtocolError,
    StreamEvent,
    StreamState,
    StreamStateName,
    UnknownEvent,
    parse_event,
)
from .sse import SSEDecoder, SSEError
from .stream import Backoff, FollowPolicy, OnlineGate

__all__ = ["AccountSink", "AccountStream", "OnlineGate"]

_log = get_logger("stream")

# How long the stream may apply events without letting the rest of the app run.
_SHARE = 0.002
#: Event types that change a batch's status: its summary is re-read at once.
STATUS_EVENTS = frozenset({"completed", "error", "cancelled", "paused", "resumed", "retrying"})


class AccountSink(Protocol):
    """Where the account stream reports; the monitor implements it."""

    async def account_connected(self) -> None:
        """The stream is open: re-read the summaries (missed events follow it)."""

    def account_event(self, batch_id: str, event: StreamEvent) -> None:
        """One event of one batch, as a batch's own stream would have given it."""

    def account_batch_news(self, batch_id: str, kind: str) -> None:
        """``created``, an end or a control change: read that batch's summary now."""

    def follower_state(self, batch_id: str, state: StreamState) -> None: ...

    def follower_reachable(self, reachable: bool) -> None: ...

    def account_signed_out(self) -> None:
        """No token can be had any more: the stream ended for good."""

    def account_failed(self) -> None:
        """A connection failed or ended; the stream reconnects after its backoff."""


class _Silent(Exception):
    """Nothing (no event, no heartbeat) for the watchdog period: a dead connection."""


class AccountStream:
    """Reads the account stream until stopped, reconnecting with backoff (see the
    module docstring). One task; ``poke()`` cuts a wait short."""

    def __init__(
        self,
        api: StoryClipApi,
        sink: AccountSink,
        gate: OnlineGate,
        policy: FollowPolicy | None = None,
        *,
        watchdog: float = 45.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._api = api
        self._sink = sink
        self._gate = gate
        self._policy = policy or FollowPolicy()
        self._backoff = Backoff(self._policy, rng)
        self._watchdog = watchdog
        self._last_event_id: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._live = False
        self._followed: dict[str, StreamState] = {}
        self.connects = 0  # connections opened (tests, the benchmark)

    # ------------------------------------------------------------ control

    @property
    def live(self) -> bool:
        return self._live

    @property
    def last_event_id(self) -> str | None:
        return self._last_event_id

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def poke(self) -> None:
        """Reconnect now if waiting (back online, a wake, a refresh)."""
        self._backoff.reset()
        self._wake.set()

    async def stop(self, state: StreamStateName = "closed") -> None:
        """Close the stream; every followed batch reads ``state`` (closed)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._live = False
        for batch_id in list(self._followed):
            self._set(batch_id, state)

    # ------------------------------------------------------------ batches

    def adopt(self, batch_id: str) -> None:
        """Follow this batch over the stream: ``live`` now if the stream is."""
        if batch_id not in self._followed:
            self._followed[batch_id] = StreamState("closed")
        self._set(batch_id, "live" if self._live else "connecting")

    def release(self, batch_id: str, finished: bool = True) -> None:
        """The batch ended (or is no longer followed)."""
        if batch_id in self._followed:
            self._set(batch_id, "finished" if finished else "closed")
            del self._followed[batch_id]

    def _set(
        self,
        batch_id: str,
        name: StreamStateName,
        retry_in: float | None = None,
        detail: str | None = None,
    ) -> None:
        state = StreamState(name, None if retry_in is None else round(retry_in, 1), detail)
        if self._followed.get(batch_id) == state:
            return
        self._followed[batch_id] = state
        fields: dict[str, Any] = {"batch_id": batch_id, "state": name, "via": "account"}
        if retry_in is not None:
            fields["retry_in"] = state.retry_in
        if detail:
            fields["detail"] = detail
        log_event(_log, "stream_state", **fields)
        self._sink.follower_state(batch_id, state)

    def _all(
        self, name: StreamStateName, retry_in: float | None = None, detail: str | None = None
    ) -> None:
        for batch_id in list(self._followed):
            self._set(batch_id, name, retry_in, detail)

    # ------------------------------------------------------------ loop

    async def _sleep(self, seconds: float, at_least: float = 0.0) -> None:
        """Wait ``seconds``, or until poked, but never less than ``at_least`` (the
        server's Retry-After: a poke does not cut that short)."""
        loop = asyncio.get_running_loop()
        hold_until = loop.time() + at_least
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))
        if loop.time() < hold_until:
            await asyncio.sleep(hold_until - loop.time())

    async def _run(self) -> None:
        while True:
            await self._gate.wait_online()
            detail: str
            at_least = 0.0
            try:
                await self._connect_once()
                detail = "stream ended"
            except ApiError as exc:
                if exc.kind in ("network", "unavailable"):
                    self._sink.follower_reachable(False)
                detail, at_least = exc.kind, exc.retry_after or 0.0
            except AuthError as exc:
                if exc.reason == "session_expired":
                    self._live = False
                    self._sink.account_failed()
                    self._all("closed", detail="signed out")
                    self._sink.account_signed_out()
                    return
                if exc.reason == "network":
                    self._sink.follower_reachable(False)
                detail, at_least = f"auth {exc.reason}", exc.retry_after or 0.0
            except (httpx.TransportError, httpx.StreamError, OSError) as exc:
                self._sink.follower_reachable(False)
                detail = type(exc).__name__
            except (_Silent, ProtocolError, SSEError) as exc:
                detail = type(exc).__name__.strip("_")
            self._live = False
            self._sink.account_failed()
            delay = self._backoff.next(at_least=at_least)
            log_event(_log, "account_stream", state="reconnecting", retry_in=round(delay, 1),
                      detail=detail)  # fmt: skip
            self._all("reconnecting", delay, detail)
            await self._sleep(delay, min(at_least, delay))

    async def _connect_once(self) -> None:
        async with self._api.open_account_stream(self._last_event_id) as response:
            self.connects += 1
            self._sink.follower_reachable(True)
            loop = asyncio.get_running_loop()
            opened = loop.time()
            decoder = SSEDecoder()
            if self._last_event_id:
                decoder.last_event_id = self._last_event_id
            # Open: the batches the summaries find now are followed live at once;
            # the summaries first (the truth), then the events that follow them.
            self._live = True
            await self._sink.account_connected()
            log_event(_log, "account_stream", state="live", batches=len(self._followed))
            self._all("live")
            await self._read(response, decoder, opened)

    async def _read(self, response: httpx.Response, decoder: SSEDecoder, opened: float) -> None:
        loop = asyncio.get_running_loop()
        chunks = response.aiter_bytes()
        share_ends = loop.time() + _SHARE
        try:
            async with asyncio.timeout(loop.time() + self._watchdog) as deadline:
                async for chunk in chunks:
                    now = loop.time()
                    deadline.reschedule(now + self._watchdog)  # heartbeats count as life
                    if now - opened >= self._policy.healthy_after:
                        self._backoff.reset()
                    for message in decoder.feed(chunk):
                        if decoder.retry is not None:
                            self._backoff.base = max(0.1, decoder.retry / 1000.0)
                        if message.last_event_id:
                            self._last_event_id = message.last_event_id
                        if message.event in ("message", ""):
                            self._handle(message.data, message.last_event_id or None)
                        if loop.time() >= share_ends:
                            await asyncio.sleep(0)
                            share_ends = loop.time() + _SHARE
        except TimeoutError:
            raise _Silent() from None
        finally:
            await response.aclose()
            await chunks.aclose()  # type: ignore[attr-defined]
            decoder.end()
            if decoder.last_event_id:
                self._last_event_id = decoder.last_event_id

    def _handle(self, data: str, event_id: str | None) -> None:
        try:
            event = parse_event(data, event_id)
        except ProtocolError as exc:
            log_event(_log, "error", logging.WARNING, where="account_stream", message=str(exc))
            return
        batch_id = event.batch_id
        if not batch_id:
            return  # the stream's own `connected`
        kind = event.type if isinstance(event, UnknownEvent) else _kind(event)
        if not isinstance(event, UnknownEvent) or kind not in ("created",):
            self._sink.account_event(batch_id, event)
        if kind == "created" or kind in STATUS_EVENTS:
            self._sink.account_batch_news(batch_id, kind)


def _kind(event: StreamEvent) -> str:
    name = type(event).__name__
    return {
        "ConnectedEvent": "connected",
        "ProgressEvent": "progress",
        "CompletedEvent": "completed",
        "ErrorEvent": "error",
    }.get(name, name)
