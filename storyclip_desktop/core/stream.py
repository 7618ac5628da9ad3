"""One batch's live stream: connect, read, reconnect, poll, catch up.

The REST summary is the truth and the stream is a fast path (design rules), so
the follower re-reads the summary after every (re)connect and after `completed`
and `error` events, watches a silent stream against the summary, falls back to
polling when the stream answers 404 while the batch still runs (the deployed
backend after a restart), and declares the batch stalled when nothing changes
for a long time. It reports to a sink; what is news is the monitor's decision.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from .api import ApiError, StoryClipApi
from .auth import AuthError
from .log import get_logger, log_event
from .model import (
    Batch,
    CompletedEvent,
    ConnectedEvent,
    ErrorEvent,
    ProgressEvent,
    ProtocolError,
    StreamEvent,
    StreamState,
    StreamStateName,
    parse_event,
)
from .sse import SSEDecoder, SSEError, SSEMessage

__all__ = [
    "Backoff",
    "BatchFollower",
    "FollowPolicy",
    "FollowerSink",
    "OnlineGate",
    "failure_fields",
]

_log = get_logger("stream")

# How long one stream may apply events without letting the rest of the app run.
_SHARE = 0.001


@dataclass(frozen=True, slots=True)
class FollowPolicy:
    """Timings of one follower; tests shorten them, the app ships these defaults.

    The watchdog must be longer than the quietest healthy stream: the deployed
    backend sends nothing while a clip waits up to two minutes for confirmation,
    so a silent stream is only suspected, then checked against the summary.
    """

    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.5
    watchdog: float = 45.0
    poll_initial: float = 2.0
    poll_max: float = 30.0
    stream_retry_every: float = 60.0
    stall_after: float = 900.0
    stalled_poll: float = 300.0
    settle_delays: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
    healthy_after: float = 10.0
    # Failed connections in a row (none of them gave an event or a heartbeat)
    # after which the summary is polled instead, as after a 404: a stream that
    # answers 5xx, a redirect or an HTML page for good must not hide the batch.
    fallback_after: int = 5


class Backoff:
    """Exponential backoff with jitter, capped; the server's ``retry:`` is the base.

    Jitter spreads the reconnects of many streams after a restart so they do not
    hit the server in the same millisecond (unlike a fixed 100 ms retry loop).
    """

    def __init__(
        self,
        policy: FollowPolicy,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._policy = policy
        self._rng = rng
        self.base = policy.base_delay
        self.attempt = 0

    def next(self, at_least: float = 0.0) -> float:
        raw = min(self._policy.max_delay, self.base * (2**self.attempt))
        self.attempt = min(self.attempt + 1, 30)
        delay: float = raw * (1.0 - self._policy.jitter * float(self._rng()))
        return max(delay, min(at_least, self._policy.max_delay * 4))

    def reset(self) -> None:
        self.attempt = 0


class FollowerSink(Protocol):
    """Where a follower reports; the monitor implements it."""

    def follower_summary(self, batch: Batch) -> None: ...

    def follower_event(self, batch_id: str, event: StreamEvent) -> None: ...

    def follower_state(self, batch_id: str, state: StreamState) -> None: ...

    def follower_reachable(self, reachable: bool) -> None: ...

    def follower_signed_out(self, batch_id: str) -> None: ...


class OnlineGate(Protocol):
    """What a follower waits for before it touches the network: the app's one
    offline state (core.connectivity.Connectivity) instead of a loop per batch."""

    async def wait_online(self) -> None: ...


class _Stale(Exception):
    """The watchdog found the summary moved on while the stream said nothing."""


class _Trickle(Exception):
    """Bytes came for a whole watchdog period, but no complete event and no
    heartbeat: partial bytes are not life (a slowloris server, a broken proxy)."""


class _Dropped(Exception):
    """The connection broke while reading (reset, truncated frame, server killed)."""


def failure_fields(exc: BaseException) -> dict[str, Any]:
    """What went wrong with one read, precisely enough to act on from the log:
    the kind, the HTTP status, the field and value refused, the transport error
    (``ConnectTimeout``, ``ReadTimeout``...), never just "network"."""
    fields: dict[str, Any]
    if isinstance(exc, ApiError):
        fields = {"kind": exc.kind, "message": str(exc)}
        if exc.status is not None:
            fields["status"] = exc.status
        if exc.code:
            fields["code"] = exc.code
        cause = exc.__cause__
        if isinstance(cause, ProtocolError):
            fields["field"] = cause.field
            fields["value"] = cause.value
    elif isinstance(exc, ProtocolError):  # SSEError too
        fields = {"kind": "protocol", "field": exc.field, "value": exc.value}
        fields["message"] = exc.reason
    elif isinstance(exc, AuthError):
        fields = {"kind": "auth", "message": f"auth {exc.reason}"}
    elif isinstance(exc, _Stale):
        fields = {"kind": "stale", "message": "the summary moved on while the stream was silent"}
    elif isinstance(exc, _Trickle):
        fields = {"kind": "trickle", "message": "bytes without a complete event or heartbeat"}
    elif isinstance(exc, _Dropped):
        fields = {"kind": "dropped", "message": str(exc)}
    else:
        fields = {"kind": type(exc).__name__, "message": str(exc)}
    return fields


class _Watchdog:
    """The watchdog of one connection: silence for ``policy.watchdog`` seconds
    (no event; heartbeats count as life) starts a summary check beside the
    reading; only when that check proves the stream dead (or the batch over, or
    fails) and the stream said nothing meanwhile is the reader stopped, by
    cancelling it with the verdict to raise. One timer, re-armed when it fires,
    instead of one per chunk."""

    def __init__(
        self,
        follower: BatchFollower,
        loop: asyncio.AbstractEventLoop,
        decoder: SSEDecoder,
        reader: asyncio.Task[Any],
    ) -> None:
        self._follower = follower
        self._loop = loop
        self._decoder = decoder
        self._reader = reader
        self._period = follower._policy.watchdog
        self._deadline = loop.time() + self._period
        self._comments = self._comments_at_open = decoder.comments
        self._events = 0
        self.bytes = 0  # bytes read on this connection (the reader counts them)
        self._bytes_mark = 0  # ... when the last event came or the timer last fired
        self._check: asyncio.Task[None] | None = None
        self._verdict: BaseException | bool | None = None
        self._cancelled = False
        self._closed = False
        self.busy = False  # the reader is applying events (not waiting for bytes)
        self._timer = loop.call_at(self._deadline, self._due)

    def heard_anything(self) -> bool:
        """Whether this connection gave a complete event or a heartbeat."""
        return self._events > 0 or self._decoder.comments != self._comments_at_open

    def heard(self, now: float) -> None:
        """An event came: the stream is alive for another period."""
        self._events += 1
        self._deadline = now + self._period
        self._comments = self._decoder.comments
        self._bytes_mark = self.bytes

    def _arm(self, when: float) -> None:
        if not self._closed:
            self._timer = self._loop.call_at(when, self._due)

    def _due(self) -> None:
        now = self._loop.time()
        if now < self._deadline:
            self._arm(self._deadline)  # an event came since: look again then
            return
        self._deadline = now + self._period
        # Bytes in this period that completed nothing: liveness counts complete
        # events and heartbeats only, never partial bytes (issue 13).
        trickled = self.bytes != self._bytes_mark
        self._bytes_mark = self.bytes
        if self._decoder.comments != self._comments or self.busy:
            # Heartbeats, or the reader is busy with an event: alive.
            self._comments = self._decoder.comments
            self._arm(self._deadline)
            return
        self._check = asyncio.ensure_future(self._run_check(self._events, trickled))

    async def _run_check(self, events_before: int, trickled: bool) -> None:
        verdict: BaseException | bool | None
        try:
            await self._follower._watchdog_check()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # what the reader would have raised: it raises it now
            verdict = exc
        else:
            verdict = True if self._follower.finished else None
            if verdict is None and trickled and self._events == events_before:
                verdict = _Trickle()  # the summary agrees, but the bytes are no stream
        if verdict is not True and (verdict is None or self._events != events_before):
            self._arm(self._deadline)  # alive, or it spoke meanwhile: its word wins
            return
        if self.busy:
            # Finished while the reader applies an event: it sees that itself.
            return
        self._verdict = verdict
        self._cancelled = True
        self._reader.cancel()

    def verdict_if_mine(self) -> BaseException | bool | None:
        """What the reader must do after a CancelledError: the watchdog's verdict
        when the watchdog alone cancelled it, else None (a real cancellation)."""
        if not self._cancelled:
            return None
        self._cancelled = False
        if self._reader.uncancel() > 0:
            return None
        return self._verdict

    async def close(self) -> None:
        self._closed = True
        self._timer.cancel()
        check, self._check = self._check, None
        if check is not None and not check.done():
            check.cancel()
            with contextlib.suppress(BaseException):
                await check


class BatchFollower:
    """Follows one batch until the summary says it is final, or until stopped.

    Only one task runs per follower; ``poke()`` cuts any wait short (refresh).
    """

    def __init__(
        self,
        api: StoryClipApi,
        batch_id: str,
        sink: FollowerSink,
        policy: FollowPolicy | None = None,
        *,
        last_summary: Batch | None = None,
        rng: Callable[[], float] = random.random,
        gate: OnlineGate | None = None,
    ) -> None:
        self._api = api
        self._gate = gate
        self.batch_id = batch_id
        self._sink = sink
        self._policy = policy or FollowPolicy()
        self._backoff = Backoff(self._policy, rng)
        self._last_event_id: str | None = None
        self._summary = last_summary
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._state: StreamState | None = None
        self._finished = False
        loop = asyncio.get_running_loop()
        self._last_change = loop.time()
        self._last_poll_sig: tuple[object, ...] | None = None
        # (published, failed, current index) as far as this follower has been told
        self._told: tuple[int, int, int] = (0, 0, 0)
        # Connections in a row that failed before giving an event or a heartbeat.
        self._failures = 0
        self._heard = False  # the current connection gave an event or a heartbeat

    # ------------------------------------------------------------ control

    @property
    def state(self) -> StreamState | None:
        return self._state

    @property
    def finished(self) -> bool:
        return self._finished

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def poke(self) -> None:
        """Cut the current wait short: re-read the summary and reconnect now."""
        self._backoff.reset()
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if not self._finished:
            self._set_state("closed")

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    # ------------------------------------------------------------ reporting

    def _set_state(
        self, name: StreamStateName, retry_in: float | None = None, detail: str | None = None
    ) -> None:
        state = StreamState(name, None if retry_in is None else round(retry_in, 1), detail)
        if state == self._state:
            return
        self._state = state
        fields: dict[str, Any] = {"batch_id": self.batch_id, "state": name}
        if retry_in is not None:
            fields["retry_in"] = state.retry_in
        if detail:
            fields["detail"] = detail
        log_event(_log, "stream_state", **fields)
        self._sink.follower_state(self.batch_id, state)

    def _summary_changed(self, batch: Batch) -> bool:
        sig = (batch.status, batch.published, batch.failed, batch.total, batch.current_index)
        changed = sig != self._last_poll_sig
        self._last_poll_sig = sig
        return changed

    def _tell(self, published: int, failed: int, current: int) -> None:
        told = self._told
        self._told = (max(told[0], published), max(told[1], failed), max(told[2], current))

    def _take_summary(self, batch: Batch) -> None:
        self._tell(batch.published, batch.failed, batch.current_index or 0)
        if self._summary_changed(batch):
            self._last_change = asyncio.get_running_loop().time()
        self._summary = batch
        if batch.is_final:
            self._finished = True
        self._sink.follower_summary(batch)
        if batch.is_final:
            self._set_state("finished")

    async def _read_summary(self) -> Batch:
        batch = await self._api.batch(self.batch_id)
        self._sink.follower_reachable(True)
        self._take_summary(batch)
        return batch

    async def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` or until poked; True when poked."""
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            return False
        return True

    # ------------------------------------------------------------ main loop

    async def _run(self) -> None:
        mode = "stream"
        poll_delay = self._policy.poll_initial
        next_stream_try = 0.0
        poll_detail: str | None = None  # why the stream is not used (None: a 404)
        loop = asyncio.get_running_loop()
        try:
            while not self._finished:
                if self._gate is not None:
                    await self._gate.wait_online()
                if mode == "stream":
                    at_least = 0.0
                    fall_back = False
                    try:
                        await self._stream_once()
                        if self._finished:
                            break
                        detail = "stream ended"
                    except ApiError as exc:
                        self._read_failed("stream", exc)
                        if exc.kind == "not_found":
                            fall_back, detail = True, ""
                        else:
                            if exc.kind in ("network", "unavailable"):
                                self._sink.follower_reachable(False)
                            detail = exc.kind
                            at_least = exc.retry_after or 0.0
                    except (_Stale, _Trickle, _Dropped, ProtocolError, SSEError) as exc:
                        self._read_failed("stream", exc)
                        detail = type(exc).__name__.strip("_")
                    except AuthError as exc:
                        # Not the stream's fault: no token at all. Not counted.
                        delay = self._backoff.next(at_least=self._auth_failed(exc))
                        self._set_state("reconnecting", delay, f"auth {exc.reason}")
                        await self._sleep(delay)
                        continue
                    # A connection that gave an event or a heartbeat opened cleanly:
                    # the count of failures in a row starts again after it.
                    self._failures = 0 if self._heard else self._failures + 1
                    if fall_back or self._failures >= self._policy.fallback_after:
                        # Poll the summary instead; the stream is tried again now and then.
                        mode = "poll"
                        poll_detail = detail or None
                        poll_delay = self._policy.poll_initial
                        next_stream_try = loop.time() + self._policy.stream_retry_every
                        continue
                    delay = self._backoff.next(at_least=at_least)
                    self._set_state("reconnecting", delay, detail)
                    await self._sleep(delay)
                    continue
                # polling: the stream is gone (404) or keeps failing while the batch runs
                at_least = 0.0  # Retry-After of a refused poll: no sooner than that
                try:
                    await self._read_summary()
                except ApiError as exc:
                    if exc.kind == "not_found":
                        # The batch itself is gone from the server: nothing left to follow.
                        self._set_state("closed", detail="batch not found")
                        return
                    self._read_failed("poll", exc)
                    if exc.kind in ("network", "unavailable"):
                        self._sink.follower_reachable(False)
                    poll_delay = min(self._policy.poll_max, poll_delay * 2)
                    at_least = exc.retry_after or 0.0
                except AuthError as exc:
                    at_least = self._auth_failed(exc)
                    poll_delay = min(self._policy.poll_max, poll_delay * 2)
                if self._finished:
                    break
                stalled = loop.time() - self._last_change >= self._policy.stall_after
                # As Backoff.next: a Retry-After typo must not park the batch for a day.
                at_least = min(at_least, self._policy.max_delay * 4)
                if stalled:
                    delay = max(self._policy.stalled_poll, at_least)
                    self._set_state("stalled", delay, poll_detail)
                else:
                    delay = max(poll_delay, at_least)
                    self._set_state("polling", delay, poll_detail)
                    poll_delay = min(self._policy.poll_max, poll_delay * 1.5)
                poked = await self._sleep(delay)
                if poked or loop.time() >= next_stream_try:
                    mode = "stream"
                    next_stream_try = loop.time() + self._policy.stream_retry_every
        except AuthError as exc:
            if exc.reason == "session_expired":
                self._set_state("closed", detail="signed out")
                self._sink.follower_signed_out(self.batch_id)
                return
            raise
        if self._finished:
            self._set_state("finished")

    def _read_failed(self, where: str, exc: BaseException) -> None:
        """Every failed read says where, for which batch, and exactly why (issue 13)."""
        log_event(
            _log,
            "error",
            logging.WARNING,
            where=where,
            batch_id=self.batch_id,
            **failure_fields(exc),
        )

    def _auth_failed(self, exc: AuthError) -> float:
        """A token refresh failed. Signed out ends the follower (re-raised); a passing
        failure (auth server offline, rate limited, a 5xx) is retried like any other
        outage, no sooner than the server asked: returns that minimum delay."""
        if exc.reason == "session_expired":
            raise exc
        if exc.reason == "network":
            self._sink.follower_reachable(False)
        return exc.retry_after or 0.0

    async def _stream_once(self) -> None:
        """One connection: open, re-read the summary, read until it ends or fails."""
        self._heard = False
        self._set_state("connecting")
        loop = asyncio.get_running_loop()
        try:
            async with self._api.open_stream(self.batch_id, self._last_event_id) as response:
                self._sink.follower_reachable(True)
                await self._read_summary()
                if self._finished:
                    return
                self._set_state("live")
                opened = loop.time()
                decoder = SSEDecoder()
                if self._last_event_id:
                    decoder.last_event_id = self._last_event_id
                await self._read_events(response, decoder, opened)
        except (httpx.TransportError, httpx.StreamError, OSError) as exc:
            raise _Dropped(f"{type(exc).__name__} {exc}".strip()) from exc

    async def _read_events(
        self, response: httpx.Response, decoder: SSEDecoder, opened: float
    ) -> None:
        # Chunks are read directly (no task and no timer per chunk: under a steady
        # load of small chunks those were a fifth of the cost of an event); the
        # watchdog is one lazily re-armed timer, and its summary check runs beside
        # the reading, so it never cancels, and so closes, a stream that is alive.
        loop = asyncio.get_running_loop()
        reader = asyncio.current_task()
        assert reader is not None
        watch = _Watchdog(self, loop, decoder, reader)
        chunks = response.aiter_bytes()
        # When the app is busy, the next chunks are already read (httpx hands them
        # over without waiting) and one stream could go on for as long as it has
        # bytes: each stream lets the rest of the app (the UI) in every _SHARE.
        share_ends = idle_since = loop.time()
        try:
            async for chunk in chunks:
                watch.bytes += len(chunk)
                now = loop.time()
                if now - idle_since > _SHARE:
                    share_ends = now + _SHARE  # we waited for these bytes: a new share
                watch.busy = True
                for message in decoder.feed(chunk):
                    now = loop.time()
                    watch.heard(now)
                    await self._handle_message(message, decoder, opened, now)
                    if self._finished:
                        return
                    if now >= share_ends:
                        await asyncio.sleep(0)
                        share_ends = loop.time() + _SHARE
                watch.busy = False
                idle_since = loop.time()
                if idle_since >= share_ends:
                    await asyncio.sleep(0)
                    share_ends = idle_since = loop.time() + _SHARE
        except asyncio.CancelledError:
            verdict = watch.verdict_if_mine()
            if verdict is None:
                raise  # stop(), or the task's owner: not ours to swallow
            if isinstance(verdict, BaseException):
                raise verdict from None
            return  # the watchdog found the batch finished
        finally:
            await watch.close()
            if watch.heard_anything():
                self._heard = True  # it opened cleanly: its end is not a failure in a row
            # Close the connection first, in this task: httpcore's generators
            # under aiter_bytes() then find it closed when they are finalized,
            # instead of taking its locks from another task.
            await response.aclose()
            await chunks.aclose()  # type: ignore[attr-defined]
            # The connection is over: a partial event is discarded (the spec's rule).
            decoder.end()
            # An id-only block moves the last event id without dispatching a message.
            if decoder.last_event_id:
                self._last_event_id = decoder.last_event_id

    async def _handle_message(
        self, message: SSEMessage, decoder: SSEDecoder, opened: float, now: float
    ) -> None:
        if decoder.retry is not None:
            self._backoff.base = max(0.1, decoder.retry / 1000.0)
        if message.last_event_id:
            self._last_event_id = message.last_event_id
        if now - opened >= self._policy.healthy_after:
            self._backoff.reset()
        if message.event not in ("message", ""):
            return
        try:
            event = parse_event(message.data, message.last_event_id or None)
        except ProtocolError as exc:
            log_event(
                _log,
                "error",
                logging.WARNING,
                where="stream",
                batch_id=self.batch_id,
                message=str(exc),
            )
            return
        if isinstance(event, ProgressEvent):
            self._tell(event.published, event.errors, event.current)
        elif isinstance(event, ConnectedEvent | CompletedEvent):
            self._tell(event.published, event.errors, 0)
        self._sink.follower_event(self.batch_id, event)
        if isinstance(event, CompletedEvent | ErrorEvent):
            await self._settle()

    async def _watchdog_check(self) -> None:
        """A silent stream is alive only while the summary agrees nothing moved.

        The summary may lag the events (deployed backend), so only progress the
        stream never told us about proves the stream dead.
        """
        told = self._told
        batch = await self._read_summary()
        if self._finished:
            return
        if (
            batch.published > told[0]
            or batch.failed > told[1]
            or (batch.current_index or 0) > told[2]
        ):
            raise _Stale()

    async def _settle(self) -> None:
        """After `completed`/`error` the database may lag: re-read until it is final."""
        for delay in (0.0, *self._policy.settle_delays):
            if delay:
                await asyncio.sleep(delay)
            try:
                await self._read_summary()
            except ApiError as exc:
                if exc.kind == "not_found":
                    raise
                self._read_failed("settle", exc)
                continue
            if self._finished:
                return
