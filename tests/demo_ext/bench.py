"""Bench batches: real batches of a user whose streams a benchmark drives.

The client's benchmarks (``tests/bench``) need loads the simulated publisher
cannot give on demand: fifty streams at full speed, streams that stay quiet for
minutes with heartbeats only, a hundred batches of two hundred clips. A bench
batch is an ordinary ``processing`` batch in the database (the active list, the
summary, history and controls treat it like any other; its ``publish_speed`` is
``bench``), but the publisher leaves it alone, also after a restart (the
launcher's ``resumes`` hook says no to it). Its stream
(the normal ``/api/metricool/stream``, same key, token and ownership checks)
sends ``connected``, then only ``: ping`` heartbeats (every ``--heartbeat``
seconds) until the benchmark opens the batch's gate, then the batch's whole
story: five progress events per clip (``uploading``, three ``waiting``,
``published``; ids 1..5 x clips, the publisher's shapes) at ``rate`` events per
second, or as fast as the socket takes them with ``rate`` 0 (several events per
write). Then it marks the batch and its clips published and completed in the
database, in one transaction, and sends ``completed`` (id 5 x clips + 1).

Event n is a pure function of n, so a stream resumed with ``Last-Event-ID``
continues exactly where it left off, and two streams of one batch agree. Gates
and rates live in memory: after a restart every bench batch is quiet until the
next ``go`` (at full speed unless ``go`` gives a rate).

Admin calls (loopback only, like every ``/__admin`` call; JSON bodies):

``POST /__admin/bench/batches`` ``{"email" | "user_id", "count", "clips", "rate"}``
    creates ``count`` bench batches of ``clips`` clips for the user (default
    mode only); answers ``{"batch_ids": [...]}``, newest last.
``POST /__admin/bench/go`` ``{"batch_ids"?, "rate"?}``
    opens the gates (all bench batches of this process when no ids are given),
    optionally with a new rate; answers ``{"started": n, "at": unix time}``.
``GET /__admin/bench``
    counters for the benchmark to check the server kept up: ``open_streams``,
    ``waiting`` (streams at a closed gate), ``sent_events``, ``completed``,
    ``first_event_at`` / ``last_event_at`` (unix time of the first and last
    progress event written).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from storyclip_desktop.demo.publisher import FINAL_BATCH, new_batch_id
from storyclip_desktop.demo.sse import PING, EventStreamResponse, StreamIO, frame_text
from storyclip_desktop.demo.store import iso_now, sqlite_now
from storyclip_desktop.demo.web import BadRequest, read_json_object

if TYPE_CHECKING:
    from storyclip_desktop.demo.server import Backend

BENCH_SPEED = "bench"
EVENTS_PER_CLIP = 5
MAX_BATCHES = 1000
MAX_CLIPS = 5000
# Events per write at full speed: enough to keep the server far ahead of any
# client, few enough that fifty streams interleave (a write yields to the loop).
CHUNK = 20
_STEPS = ("uploading", "waiting", "waiting", "waiting", "published")
_WAIT = ("", ',"waitProgress":25', ',"waitProgress":50', ',"waitProgress":75', "")


@dataclass
class _Plan:
    """What the benchmark said about one bench batch (memory only)."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)
    rate: float = 0.0


def progress_data(batch_id: str, clips: int, n: int, timestamp: str) -> str:
    """The JSON text of event ``n`` (1-based) of a bench batch of ``clips`` clips."""
    step = (n - 1) % EVENTS_PER_CLIP
    clip = (n - 1) // EVENTS_PER_CLIP + 1
    # batch ids are [A-Za-z0-9_-] (checked on the way in): no escaping needed.
    return (
        f'{{"type":"progress","batchId":"{batch_id}","current":{clip},"total":{clips},'
        f'"published":{n // EVENTS_PER_CLIP},"errors":0,"currentStory":"post_{clip}",'
        f'"status":"{_STEPS[step]}"{_WAIT[step]},"timestamp":"{timestamp}"}}'
    )


class Bench:
    """Bench batches of one backend process: creation, gates, streams, counters."""

    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.plans: dict[str, _Plan] = {}
        self.open_streams = 0
        self.waiting = 0
        self.sent_events = 0
        self.completed = 0
        self.first_event_at: float | None = None
        self.last_event_at: float | None = None

    def _plan(self, batch_id: str) -> _Plan:
        plan = self.plans.get(batch_id)
        if plan is None:
            plan = self.plans[batch_id] = _Plan()
        return plan

    # ------------------------------------------------------------ admin

    async def admin(self, request: Request, what: str) -> Response:
        method = request.method
        if what == "bench/batches" and method == "POST":
            return await self._create(request)
        if what == "bench/go" and method == "POST":
            return await self._go(request)
        if what == "bench" and method == "GET":
            return JSONResponse(
                {
                    "batches": len(self.plans),
                    "open_streams": self.open_streams,
                    "waiting": self.waiting,
                    "sent_events": self.sent_events,
                    "completed": self.completed,
                    "first_event_at": self.first_event_at,
                    "last_event_at": self.last_event_at,
                }
            )
        return JSONResponse({"error": "Not found", "code": "NOT_FOUND"}, status_code=404)

    @staticmethod
    def _number(body: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
        value = body.get(key, default)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not low <= value <= high:
            raise BadRequest(400, "INVALID_FIELD", f"{key} must be a number from {low} to {high}")
        return float(value)

    async def _create(self, request: Request) -> Response:
        if self.b.config.upstream:
            raise BadRequest(400, "UNSUPPORTED", "bench batches need the default mode")
        body = await read_json_object(request)
        user = None
        if isinstance(body.get("user_id"), str):
            user = self.b.store.user_by_id(body["user_id"])
        elif isinstance(body.get("email"), str):
            user = self.b.store.user_by_email(body["email"])
        if user is None:
            raise BadRequest(404, "USER_NOT_FOUND", "No such user (give email or user_id)")
        count = int(self._number(body, "count", 1, 1, MAX_BATCHES))
        clips = int(self._number(body, "clips", 20, 1, MAX_CLIPS))
        rate = self._number(body, "rate", 0.0, 0.0, 1_000_000.0)
        if body.get("count", 1) != count or body.get("clips", 20) != clips:
            raise BadRequest(400, "INVALID_FIELD", "count and clips must be whole numbers")
        store = self.b.store
        ids: list[str] = []
        with store.tx():
            for _ in range(count):
                batch_id = new_batch_id()
                now = sqlite_now()
                store.run(
                    "INSERT INTO publish_batches (batch_id, user_id, status, publish_mode, total,"
                    " account_id, publish_speed, created_at, started_at, updated_at)"
                    " VALUES (?, ?, 'processing', 'now', ?, 'acct_bench', ?, ?, ?, ?)",
                    batch_id, user["id"], clips, BENCH_SPEED, now, now, now,
                )  # fmt: skip
                store.conn.executemany(
                    "INSERT INTO publish_batch_clips (batch_id, clip_index, post_id, url, title)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [
                        (batch_id, n, f"post_{n}", f"https://cdn.example.test/bench/{n:04d}.mp4",
                         f"Bench clip {n}")
                        for n in range(1, clips + 1)
                    ],
                )  # fmt: skip
                self._plan(batch_id).rate = rate
                ids.append(batch_id)
        return JSONResponse({"batch_ids": ids})

    async def _go(self, request: Request) -> Response:
        body = await read_json_object(request)
        raw = body.get("batch_ids")
        if raw is None:
            targets = list(self.plans)
        elif isinstance(raw, list) and all(isinstance(i, str) for i in raw):
            targets = list(raw)
        else:
            raise BadRequest(400, "INVALID_FIELD", "batch_ids must be a list of batch ids")
        rate = self._number(body, "rate", 0.0, 0.0, 1_000_000.0) if "rate" in body else None
        for batch_id in targets:
            plan = self._plan(batch_id)
            if rate is not None:
                plan.rate = rate
            plan.gate.set()
        return JSONResponse({"started": len(targets), "at": time.time()})

    # ------------------------------------------------------------ stream

    def stream(self, row: Any, resume_from: int | None, headers: list[tuple[str, str]]) -> Response:
        """The stream of a bench batch (``row`` is its ``publish_batches`` row)."""
        batch_id = str(row["batch_id"])
        clips = int(row["total"])
        last = clips * EVENTS_PER_CLIP
        final = str(row["status"]) in FINAL_BATCH
        status = str(row["status"])
        plan = self._plan(batch_id)
        if final:
            start = last
        elif resume_from is not None and resume_from <= last:
            start = resume_from
        else:
            start = 0
        retry_ms = self.b.config.retry_ms
        heartbeat = max(0.05, self.b.config.heartbeat)

        def connected(published: int) -> str:
            return (
                f'{{"type":"connected","batchId":"{batch_id}","status":"{status}",'
                f'"published":{published},"errors":0,"total":{clips},"timestamp":"{iso_now()}"}}'
            )

        def completed() -> bytes:
            data = (
                f'{{"type":"completed","batchId":"{batch_id}","published":{clips},"errors":0,'
                f'"total":{clips},"timestamp":"{iso_now()}"}}'
            )
            return frame_text(data, last + 1)

        async def body(io: StreamIO) -> bool:
            self.open_streams += 1
            try:
                published = clips if final else start // EVENTS_PER_CLIP
                await io.write(frame_text(connected(published), start, retry_ms))
                if final:
                    await io.write(completed())
                    return True
                if not await self._wait_gate(plan.gate, io, heartbeat):
                    return True
                sent = await self._flood(io, batch_id, clips, start, plan.rate)
                if sent < last:
                    return True  # the client left, or the server is shutting down
                self._complete(batch_id)
                await io.write(completed())
                return True
            finally:
                self.open_streams -= 1

        return EventStreamResponse(body, headers)

    async def _wait_gate(self, gate: asyncio.Event, io: StreamIO, heartbeat: float) -> bool:
        """Heartbeats only until the gate opens; False when the client or server left."""
        if gate.is_set():
            return True
        self.waiting += 1
        try:
            while not gate.is_set():
                waiters = {
                    asyncio.ensure_future(gate.wait()),
                    asyncio.ensure_future(io.disconnected.wait()),
                    asyncio.ensure_future(self.b.shutdown.wait()),
                }
                try:
                    done, _ = await asyncio.wait(
                        waiters, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    for waiter in waiters:
                        waiter.cancel()
                if io.disconnected.is_set() or self.b.shutdown.is_set():
                    return False
                if not done:
                    await io.write(PING)
            return True
        finally:
            self.waiting -= 1

    async def _flood(self, io: StreamIO, batch_id: str, clips: int, start: int, rate: float) -> int:
        """Write events ``start + 1 ..`` at ``rate`` per second (0: at once); the last id sent."""
        loop = asyncio.get_running_loop()
        last = clips * EVENTS_PER_CLIP
        began = loop.time()
        n = start
        while n < last:
            if io.disconnected.is_set() or self.b.shutdown.is_set():
                return n
            if rate > 0:
                due = min(last, start + int((loop.time() - began) * rate) + 1)
            else:
                due = min(last, n + CHUNK)
            if due > n:
                stamp = iso_now()
                chunk = b"".join(
                    frame_text(progress_data(batch_id, clips, k, stamp), k)
                    for k in range(n + 1, due + 1)
                )
                await io.write(chunk)
                now = time.time()
                if self.first_event_at is None:
                    self.first_event_at = now
                self.last_event_at = now
                self.sent_events += due - n
                n = due
            if rate > 0:
                if n < last:
                    await asyncio.sleep(max(0.0, began + (n - start) / rate - loop.time()))
            else:
                await asyncio.sleep(0)  # let the other streams write too
        return n

    def _complete(self, batch_id: str) -> None:
        """Every clip published, the batch completed: what the summary says from now on."""
        store = self.b.store
        stamp, now = iso_now(), sqlite_now()
        with store.tx():
            store.run(
                "UPDATE publish_batch_clips SET status = 'published', attempts = 1,"
                " uploaded_at = COALESCE(uploaded_at, ?), published_at = COALESCE(published_at, ?)"
                " WHERE batch_id = ? AND status <> 'published'",
                stamp, stamp, batch_id,
            )  # fmt: skip
            changed = store.run(
                "UPDATE publish_batches SET status = 'completed', published = total, failed = 0,"
                " current_index = total, completed_at = ?, updated_at = ?"
                " WHERE batch_id = ? AND status = 'processing'",
                now, now, batch_id,
            )  # fmt: skip
        if changed:
            self.completed += 1
