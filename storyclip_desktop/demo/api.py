"""The StoryClip API under ``/api/metricool`` (wire contract, Part 1 and Part 2).

Every call needs ``X-Api-Key`` (401 ``MISSING_API_KEY`` / ``INVALID_API_KEY``;
a database key without the ``publish`` scope gets 403 ``INSUFFICIENT_SCOPE``
on the calls that change something).

Default mode (Part 2): the user is the ``sub`` of a verified bearer token.
``/batches/active``, ``/batches`` (history) and batch creation need one (401
``MISSING_TOKEN``); a bad or expired token is 401 ``INVALID_TOKEN`` anywhere; a
``userId`` (query or body) naming someone else is 403 ``FORBIDDEN_USER``; a
by-id call with a token for another user's batch is 403 too (without a token
the API key alone is the guard, as in Part 1). ``/batches/active`` lists
``processing`` and ``paused`` batches.

History, default mode: ``GET /batches`` lists the user's ended batches by finish
time (``completedAt``), newest first (``order=desc``) or oldest first
(``order=asc``); ``finishedAfter`` (inclusive) with ``afterId`` is a cursor a
catch-up resumes from, ``finishedBefore`` closes a date range, ``q`` searches job
ids, batch ids and clip titles, ``clips=none`` leaves the clip lists out, and
``limit`` (at most 200) / ``offset`` page. ``/capabilities`` says
``historyCursor: true`` so a client knows these exist.

Stream, default mode: every event has an ``id:`` (its row in
``publish_batch_events``, monotonic per batch, stable across restarts); the
first block carries ``retry:``. The first event is always ``connected`` with
the batch's current status and counts; its id is where the stream continues
from: the client's ``Last-Event-ID`` when it sent a usable one (the missed
events follow), else the last stored id (or the one before the final event of
a finished batch, which is then sent). A ``: ping`` comment goes out after
``--heartbeat`` seconds without a write. After ``completed``, ``error`` or
``cancelled`` the stream ends. ``paused``, ``resumed`` and ``retrying`` events
carry ``status`` and the counts.

Account stream, default mode (``GET /api/metricool/events``): the per-batch
stream generalised to every batch of the bearer's user (token required, 401
``MISSING_TOKEN``; a ``userId`` naming someone else is 403). Each event is the
batch stream's own JSON (``batchId`` included) with an id of one sequence per
database (row of ``account_events``, so ``Last-Event-ID`` resumes across
restarts), plus ``created`` when a batch is made (``status``, ``publishMode``,
``total``). The first event is ``connected`` (``scope: "account"``, ``userId``,
``replayed``) carrying ``retry:`` and the id the stream continues from; the
missed events follow it (at most ``ACCOUNT_REPLAY``; further behind, it starts
from now). Heartbeats as above; the stream ends only when the server stops.

Upstream mode (Part 1 exactly): data-only frames, no replay, no heartbeat, the
stream never ends by itself, 404 for any batch this process did not create,
controls that answer and do nothing, ``userId`` trusted from the query, and a
batch's user id taken from a body ``userId`` (else stored empty).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .extensions import StreamBreak
from .publisher import FINAL_BATCH, FINAL_EVENTS, Frame
from .sse import PING, EventStreamResponse, StreamIO, frame_text
from .store import iso_now
from .web import (
    BadRequest,
    api_error,
    check_batch_id,
    opt_obj,
    opt_str,
    query_int,
    read_json_object,
)

if TYPE_CHECKING:
    from .server import Backend

log = logging.getLogger("storyclip.demo")

PUBLISH_MODES = ("now", "scheduled", "bestTime")
CONTROLS = ("pause", "resume", "cancel", "retry-failed")
CONTROL_TARGET = {
    "pause": "paused",
    "resume": "processing",
    "cancel": "cancelled",
    "retry-failed": "processing",
}
KNOWN_STATUSES = ("processing", "paused", "completed", "failed", "cancelled")
MAX_POSTS = 1000
#: At most this many missed events are replayed on the account stream; further
#: behind, the stream starts from now (the client re-reads the summaries anyway).
ACCOUNT_REPLAY = 20_000


def clip_json(row: Any) -> dict[str, Any]:
    return {
        "index": row["clip_index"],
        "url": row["url"],
        "title": row["title"],
        "status": row["status"],
        "metricoolPostId": row["metricool_post_id"],
        "facebookPostId": row["facebook_post_id"],
        "error": row["error"],
        "attempts": row["attempts"],
        "uploadedAt": row["uploaded_at"],
        "publishedAt": row["published_at"],
    }


def _query_time(request: Request, key: str) -> str | None:
    """A time query (ISO 8601 with ``Z`` or an offset, or SQLite's shape) as the
    store's own ``YYYY-MM-DD HH:MM:SS`` in UTC, to compare with stored times."""
    raw = request.query_params.get(key)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) > 64:
            raise ValueError(raw)
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(400, f"INVALID_{key.upper()}", f"{key} must be an ISO 8601 time") from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp.strftime("%Y-%m-%d %H:%M:%S")


def progress_of(row: Any) -> int | None:
    total = int(row["total"])
    if total <= 0:
        return None
    done = int(row["published"]) + int(row["failed"])
    return min(100, math.floor(100 * done / total + 0.5))


class StoryClipApi:
    """Routes of ``/api/metricool`` over the backend's store and publisher."""

    def __init__(self, backend: Backend) -> None:
        self.b = backend
        self.store = backend.store
        self.config = backend.config

    # ------------------------------------------------------------ helpers

    def summary(self, row: Any, with_clips: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "batchId": row["batch_id"],
            "jobId": row["job_id"],
            "status": row["status"],
            "publishMode": row["publish_mode"],
            "total": row["total"],
            "published": row["published"],
            "failed": row["failed"],
            "currentIndex": row["current_index"],
            "progress": progress_of(row),
            "scheduledFor": row["scheduled_for"],
            "createdAt": row["created_at"],
            "startedAt": row["started_at"],
            "completedAt": row["completed_at"],
            "error": row["error"],
        }
        if with_clips:
            body["clips"] = [clip_json(c) for c in self._clips(str(row["batch_id"]))]
        return body

    def _clips(self, batch_id: str) -> list[Any]:
        return self.store.all(
            "SELECT * FROM publish_batch_clips WHERE batch_id = ? ORDER BY clip_index", batch_id
        )

    def _batch_row(self, batch_id: str) -> Any:
        return self.store.one("SELECT * FROM publish_batches WHERE batch_id = ?", batch_id)

    def _check_key(self, request: Request, scope: str = "read") -> None:
        key = request.headers.get("x-api-key")
        if not key:
            raise BadRequest(401, "MISSING_API_KEY", "API key required (X-Api-Key header)")
        scopes = self.b.api_key_scopes(key)
        if scopes is None:
            raise BadRequest(401, "INVALID_API_KEY", "Invalid API key")
        if scope not in scopes:
            raise BadRequest(403, "INSUFFICIENT_SCOPE", f"This API key lacks the {scope} scope")

    def _token_user(self, request: Request) -> str | None:
        """The verified bearer's user id (default mode), None without a bearer."""
        if self.config.upstream:
            return None
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise BadRequest(401, "INVALID_TOKEN", "Authorization must be 'Bearer <token>'")
        try:
            claims = self.b.auth.verify(token.strip())
        except jwt.ExpiredSignatureError:
            raise BadRequest(401, "INVALID_TOKEN", "The access token has expired") from None
        except jwt.InvalidTokenError:
            raise BadRequest(401, "INVALID_TOKEN", "Invalid access token") from None
        return str(claims["sub"])

    def _required_user(self, request: Request, named: str | None) -> str:
        user = self._token_user(request)
        if user is None:
            raise BadRequest(401, "MISSING_TOKEN", "Authorization: Bearer <token> is required")
        if named is not None and named != user:
            raise BadRequest(403, "FORBIDDEN_USER", "userId does not match the signed-in user")
        return user

    def _owned_batch(self, request: Request, batch_id: str) -> Any:
        row = self._batch_row(batch_id)
        user = self._token_user(request)
        if row is None:
            raise BadRequest(404, "BATCH_NOT_FOUND", "Batch not found")
        if user is not None and row["user_id"] and row["user_id"] != user:
            raise BadRequest(403, "FORBIDDEN_USER", "This batch belongs to another user")
        return row

    @staticmethod
    def _user_query(request: Request) -> str | None:
        raw = request.query_params.get("userId")
        if raw is None or raw == "":
            return None
        if len(raw) > 200 or "\x00" in raw:
            raise BadRequest(400, "INVALID_USER_ID", "userId is not a valid user id")
        return raw

    async def _guard(self, request: Request, handler: Any, *args: Any) -> Response:
        try:
            result: Response = await handler(request, *args)
        except BadRequest as exc:
            return api_error(exc.status, exc.code, exc.message)
        return result

    # ------------------------------------------------------------ endpoints

    async def active(self, request: Request) -> Response:
        return await self._guard(request, self._active)

    async def _active(self, request: Request) -> Response:
        self._check_key(request)
        named = self._user_query(request)
        if self.config.upstream:
            if named is None:
                raise BadRequest(400, "MISSING_USER_ID", "userId is required")
            rows = self.store.all(
                "SELECT * FROM publish_batches WHERE user_id = ? AND status = 'processing'"
                " ORDER BY created_at DESC, id DESC",
                named,
            )
        else:
            user = self._required_user(request, named)
            rows = self.store.all(
                "SELECT * FROM publish_batches WHERE user_id = ?"
                " AND status IN ('processing', 'paused') ORDER BY created_at DESC, id DESC",
                user,
            )
        batches = [self.summary(r) for r in rows]
        count = self.b.ext.active_count(len(rows))
        return JSONResponse({"success": True, "batches": batches, "count": count})

    async def capabilities(self, request: Request) -> Response:
        return await self._guard(request, self._capabilities)

    async def _capabilities(self, request: Request) -> Response:
        """What this server supports beyond Part 1 of the wire contract, so a client
        finds out once, without acting on any batch (default mode only: the deployed
        backend has no such route and answers 404)."""
        self._check_key(request)
        return JSONResponse(
            {
                "success": True,
                "history": True,
                "controls": list(CONTROLS),
                "accountStream": True,
                "historyCursor": True,
            }
        )

    async def history(self, request: Request) -> Response:
        return await self._guard(request, self._history)

    async def _history(self, request: Request) -> Response:
        """Finished batches, by finish time (``completedAt``; a batch that never
        finished counts by its creation).

        ``order``: ``desc`` (default, newest first, for a history view) or ``asc``
        (for a catch-up). ``finishedAfter`` (inclusive, ISO 8601 or SQLite time) and
        ``afterId`` (only with it: batches finished at that same second with a larger
        id) make a cursor that a catch-up resumes from without an offset;
        ``finishedBefore`` (exclusive) closes a date range. ``q`` keeps batches whose
        job id, batch id or any clip title contains it. ``clips=none`` leaves the clip
        lists out, so a catch-up after a week away reads counts, not thousands of clips.
        """
        self._check_key(request)
        user = self._required_user(request, self._user_query(request))
        raw = request.query_params.get("status") or "completed,failed,cancelled"
        statuses = [s.strip() for s in raw.split(",") if s.strip()]
        unknown = [s for s in statuses if s not in KNOWN_STATUSES]
        if unknown or not statuses or len(statuses) > len(KNOWN_STATUSES):
            raise BadRequest(
                400, "INVALID_STATUS", "status must list: " + ", ".join(KNOWN_STATUSES)
            )
        limit = query_int(request, "limit", 50, 1, 200)
        offset = query_int(request, "offset", 0, 0, 1_000_000)
        order = request.query_params.get("order") or "desc"
        if order not in ("asc", "desc"):
            raise BadRequest(400, "INVALID_ORDER", "order must be asc or desc")
        clips = request.query_params.get("clips") or "all"
        if clips not in ("all", "none"):
            raise BadRequest(400, "INVALID_CLIPS", "clips must be all or none")
        after = _query_time(request, "finishedAfter")
        before = _query_time(request, "finishedBefore")
        after_id = request.query_params.get("afterId")
        if after_id is not None and (after is None or len(after_id) > 200):
            raise BadRequest(400, "INVALID_AFTER_ID", "afterId needs finishedAfter")
        search = request.query_params.get("q") or None
        if search is not None and (len(search) > 200 or "\x00" in search):
            raise BadRequest(400, "INVALID_Q", "q is too long")
        finished = "COALESCE(completed_at, created_at)"
        where = ["user_id = ?", f"status IN ({','.join('?' for _ in statuses)})"]
        args: list[Any] = [user, *statuses]
        if after is not None and after_id is not None:
            where.append(f"({finished} > ? OR ({finished} = ? AND batch_id > ?))")
            args += [after, after, after_id]
        elif after is not None:
            where.append(f"{finished} >= ?")
            args.append(after)
        if before is not None:
            where.append(f"{finished} < ?")
            args.append(before)
        if search is not None:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{escaped}%"
            where.append(
                "(job_id LIKE ? ESCAPE '\\' OR batch_id LIKE ? ESCAPE '\\' OR EXISTS ("
                "SELECT 1 FROM publish_batch_clips c WHERE c.batch_id = publish_batches.batch_id"
                " AND c.title LIKE ? ESCAPE '\\'))"
            )
            args += [like, like, like]
        direction = "ASC" if order == "asc" else "DESC"
        rows = self.store.all(
            f"SELECT * FROM publish_batches WHERE {' AND '.join(where)}"  # noqa: S608
            f" ORDER BY {finished} {direction}, batch_id {direction} LIMIT ? OFFSET ?",
            *args,
            limit,
            offset,
        )
        batches = [self.summary(r, with_clips=clips == "all") for r in rows]
        return JSONResponse({"success": True, "batches": batches, "count": len(batches)})

    async def batch(self, request: Request) -> Response:
        return await self._guard(request, self._batch)

    async def _batch(self, request: Request) -> Response:
        self._check_key(request)
        batch_id = check_batch_id(request.path_params.get("batch_id"))
        row = self._owned_batch(request, batch_id)
        return JSONResponse({"success": True, "batch": self.summary(row)})

    async def status(self, request: Request) -> Response:
        return await self._guard(request, self._status)

    async def _status(self, request: Request) -> Response:
        self._check_key(request)
        batch_id = check_batch_id(request.query_params.get("batchId"))
        row = self._owned_batch(request, batch_id)
        body: dict[str, Any] = {
            "batchId": batch_id,
            "status": row["status"],
            "progress": progress_of(row),
            "createdAt": row["created_at"],
            "startedAt": row["started_at"],
            "completedAt": row["completed_at"],
            "posts": {
                "total": row["total"],
                "published": row["published"],
                "failed": row["failed"],
            },
        }
        body["clips"] = [clip_json(c) for c in self._clips(batch_id)]
        body["error"] = row["error"]
        return JSONResponse(self.b.ext.status_body(body, self.b.publisher.memory.get(batch_id)))

    async def publish(self, request: Request) -> Response:
        return await self._guard(request, self._publish)

    async def _publish(self, request: Request) -> Response:
        self._check_key(request, "publish")
        body = await read_json_object(request)
        named = opt_str(body, "userId", max_len=200)
        if self.config.upstream:
            user: str | None = named
        else:
            user = self._required_user(request, named)
        posts = self._posts(body)
        schedule = opt_obj(body, "schedule")
        mode = opt_str(schedule, "mode", "schedule.") or "now"
        if mode not in PUBLISH_MODES:
            raise BadRequest(
                400, "INVALID_SCHEDULE", "schedule.mode must be one of " + ", ".join(PUBLISH_MODES)
            )
        scheduled_at = opt_str(schedule, "scheduledAt", "schedule.", max_len=64)
        if mode == "scheduled" and not scheduled_at:
            raise BadRequest(400, "INVALID_SCHEDULE", "schedule.scheduledAt is required")
        settings = opt_obj(body, "settings")
        account = opt_str(settings, "accountId", "settings.", max_len=200, numbers=True)
        speed = opt_str(settings, "publishSpeed", "settings.", max_len=50)
        job_id = opt_str(body, "jobId", max_len=200, numbers=True)
        batch_id = self.b.publisher.create(
            user_id=user,
            job_id=job_id,
            mode=mode,
            scheduled_for=scheduled_at if mode == "scheduled" else None,
            account_id=account,
            publish_speed=speed,
            posts=posts,
        )
        return JSONResponse(
            {
                "success": True,
                "batchId": batch_id,
                "jobId": job_id,
                "status": "processing",
                "publishMode": mode,
                "posts": {"total": len(posts), "queued": len(posts)},
                "createdAt": iso_now(),
                "message": f"Publishing {len(posts)} stories",
            }
        )

    @staticmethod
    def _posts(body: dict[str, Any]) -> list[dict[str, Any]]:
        raw = body.get("posts")
        if raw is None:
            raise BadRequest(400, "MISSING_POSTS", "posts array is required")
        if not isinstance(raw, list):
            raise BadRequest(400, "INVALID_POSTS", "posts must be an array")
        if len(raw) > MAX_POSTS:
            raise BadRequest(400, "INVALID_POSTS", f"at most {MAX_POSTS} posts per batch")
        posts: list[dict[str, Any]] = []
        for number, post in enumerate(raw):
            where = f"posts[{number}]."
            if not isinstance(post, dict):
                raise BadRequest(400, "INVALID_POSTS", f"posts[{number}] must be an object")
            url = opt_str(post, "url", where, max_len=4096)
            if not url:
                raise BadRequest(400, "INVALID_POSTS", f"{where}url is required")
            simulate = opt_str(post, "simulate", where, max_len=10)
            if simulate not in (None, "ok", "fail", "fail-once"):
                raise BadRequest(
                    400, "INVALID_POSTS", f"{where}simulate must be ok, fail or fail-once"
                )
            posts.append(
                {
                    "id": opt_str(post, "id", where, max_len=200, numbers=True),
                    "url": url,
                    "text": opt_str(post, "text", where, max_len=5000),
                    "simulate": simulate,
                }
            )
        return posts

    # ------------------------------------------------------------ controls

    def _control_route(self, action: str, by_path: bool) -> Any:
        async def endpoint(request: Request) -> Response:
            path_id = request.path_params.get("batch_id", "") if by_path else None
            return await self._guard(request, self._control, action, path_id)

        return endpoint

    async def _control(self, request: Request, action: str, path_id: str | None) -> Response:
        self._check_key(request, "publish")
        raw = path_id if path_id is not None else request.query_params.get("batchId")
        batch_id = check_batch_id(raw)
        if self.config.upstream:
            # The deployed handlers acknowledge and do nothing at all.
            return JSONResponse(
                {
                    "batchId": batch_id,
                    "action": action,
                    "status": CONTROL_TARGET[action],
                    "timestamp": iso_now(),
                }
            )
        self._owned_batch(request, batch_id)
        error, status = self.b.publisher.control(batch_id, action)
        if error is not None:
            return api_error(409, "INVALID_STATE", error, batchId=batch_id, status=status)
        return JSONResponse(
            {
                "success": True,
                "batchId": batch_id,
                "action": action,
                "status": status,
                "timestamp": iso_now(),
            }
        )

    # ------------------------------------------------------------ stream

    async def stream(self, request: Request) -> Response:
        row: Any = None
        try:
            self._check_key(request)
            batch_id = check_batch_id(request.query_params.get("batchId"))
            if self.config.upstream:
                if batch_id not in self.b.publisher.memory:
                    raise BadRequest(404, "BATCH_NOT_FOUND", "Batch not found")
            else:
                row = self._owned_batch(request, batch_id)
        except BadRequest as exc:
            return api_error(exc.status, exc.code, exc.message)
        if self.config.upstream:
            return self._upstream_stream(batch_id)
        resume_from = self._last_event_id(request)
        own = self.b.ext.stream(row, resume_from, self._headers())
        if own is not None:
            return own
        return self._default_stream(batch_id, resume_from)

    @staticmethod
    def _last_event_id(request: Request) -> int | None:
        raw = request.headers.get("last-event-id")
        if raw is None:
            raw = request.query_params.get("lastEventId")
        if raw is None:
            return None
        raw = raw.strip()
        if not raw.isdigit() or len(raw) > 18:
            return None
        return int(raw)

    def _connected(self, batch_id: str, status: str, counts: dict[str, int]) -> str:
        payload = {
            "type": "connected",
            "batchId": batch_id,
            "status": status,
            "published": counts["published"],
            "errors": counts["errors"],
            "total": counts["total"],
            "timestamp": iso_now(),
        }
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)

    def _headers(self) -> list[tuple[str, str]]:
        content_type = (
            "text/event-stream" if self.config.upstream else "text/event-stream; charset=utf-8"
        )
        headers = [
            ("Content-Type", content_type),
            ("Cache-Control", "no-cache"),
            ("Connection", "keep-alive"),
        ]
        if not self.config.upstream:
            headers.append(("X-Accel-Buffering", "no"))
        return headers

    def _default_stream(self, batch_id: str, resume_from: int | None) -> Response:
        hub = self.b.hub
        publisher = self.b.publisher
        store = self.store
        queue = hub.subscribe(batch_id)
        # Everything below up to the first await runs at once: no event can slip
        # between reading the stored ones and listening for new ones.
        row = self._batch_row(batch_id)
        last = store.last_event_seq(batch_id)
        status = str(row["status"])
        if status in FINAL_BATCH:
            stored = store.events_after(batch_id, last - 1) if last else []
            if not stored or json.loads(stored[-1][1]).get("type") not in FINAL_EVENTS:
                # A batch finished before events were stored (e.g. made in upstream mode).
                kind = "completed" if status == "completed" else "error"
                if status == "cancelled":
                    kind = "cancelled"
                payload: dict[str, Any] = {
                    "type": kind,
                    "batchId": batch_id,
                    **publisher.counts(batch_id),
                }
                if kind == "error":
                    payload["error"] = row["error"] or "The batch failed"
                payload["timestamp"] = iso_now()
                last = publisher.record(batch_id, payload).seq
        if resume_from is not None and resume_from <= last:
            start = resume_from
        elif status in FINAL_BATCH:
            start = max(0, last - 1)
        else:
            start = last
        backlog = [
            Frame(seq, data, json.loads(data).get("type") in FINAL_EVENTS)
            for seq, data in store.events_after(batch_id, start)
        ]
        connected = self._connected(batch_id, status, publisher.counts(batch_id))
        ext = self.b.ext
        heartbeat = max(0.05, self.config.heartbeat)
        retry_ms = self.config.retry_ms

        async def body(io: StreamIO) -> bool:
            sent = 0

            async def emit(chunk: bytes) -> StreamBreak | None:
                """Write one event; what to do instead of going on, if anything."""
                nonlocal sent
                await io.write(chunk)
                sent += 1
                return ext.stream_break(sent, idle=False)

            try:
                if brk := ext.stream_break(0, idle=False):
                    return await brk(io)
                if brk := await emit(frame_text(connected, start, retry_ms)):
                    return await brk(io)
                seen = start
                for frame in backlog:
                    seen = frame.seq
                    if brk := await emit(frame_text(frame.data, frame.seq)):
                        return await brk(io)
                    if frame.final:
                        return True
                while True:
                    try:
                        async with asyncio.timeout(heartbeat):
                            item = await queue.get()
                    except TimeoutError:
                        if brk := ext.stream_break(sent, idle=True):
                            return await brk(io)
                        await io.write(PING)
                        continue
                    if item is None:
                        return True  # shutdown or client gone
                    if item.seq <= seen:
                        continue
                    seen = item.seq
                    if brk := await emit(frame_text(item.data, item.seq)):
                        return await brk(io)
                    if item.final:
                        return True
            finally:
                hub.unsubscribe(batch_id, queue)

        return EventStreamResponse(
            body, self._headers(), on_disconnect=lambda: queue.put_nowait(None)
        )

    def _upstream_stream(self, batch_id: str) -> Response:
        hub = self.b.hub
        queue = hub.subscribe(batch_id)
        state = self.b.publisher.memory[batch_id]
        counts = {"published": state.published, "errors": state.errors, "total": state.total}
        connected = self._connected(batch_id, state.status, counts)

        ext = self.b.ext

        async def body(io: StreamIO) -> bool:
            sent = 0
            try:
                while True:
                    if brk := ext.stream_break(sent, idle=False):
                        return await brk(io)
                    if sent == 0:
                        await io.write(frame_text(connected))
                    else:
                        item = await queue.get()
                        if item is None:
                            return True  # shutdown or client gone; never ends by itself
                        await io.write(frame_text(item.data))
                    sent += 1
            finally:
                hub.unsubscribe(batch_id, queue)

        return EventStreamResponse(
            body, self._headers(), on_disconnect=lambda: queue.put_nowait(None)
        )

    # ------------------------------------------------------------ account stream

    async def events(self, request: Request) -> Response:
        """``GET /api/metricool/events``: every batch of the bearer's user on one stream."""
        try:
            self._check_key(request)
            user = self._required_user(request, self._user_query(request))
        except BadRequest as exc:
            return api_error(exc.status, exc.code, exc.message)
        return self._account_stream(user, self._last_event_id(request))

    def _account_stream(self, user: str, resume_from: int | None) -> Response:
        hub = self.b.hub
        store = self.store
        queue = hub.subscribe_account(user)
        # Up to the first await, as for a batch's stream: nothing slips between
        # the stored events read here and the live ones queued from now on.
        last = store.last_account_event(user)
        replay = resume_from is not None and resume_from <= last
        start = resume_from if replay and resume_from is not None else last
        backlog = store.account_events_after(user, start, ACCOUNT_REPLAY + 1) if replay else []
        if len(backlog) > ACCOUNT_REPLAY:
            # Too far behind to replay: the client re-reads the summaries anyway.
            backlog, start = [], last
        connected = json.dumps(
            {
                "type": "connected",
                "scope": "account",
                "userId": user,
                "replayed": len(backlog),
                "timestamp": iso_now(),
            },
            separators=(",", ":"),
        )
        ext = self.b.ext
        heartbeat = max(0.05, self.config.heartbeat)
        retry_ms = self.config.retry_ms

        async def body(io: StreamIO) -> bool:
            sent = 0

            async def emit(chunk: bytes) -> StreamBreak | None:
                nonlocal sent
                await io.write(chunk)
                sent += 1
                return ext.stream_break(sent, idle=False)

            try:
                if brk := ext.stream_break(0, idle=False):
                    return await brk(io)
                if brk := await emit(frame_text(connected, start, retry_ms)):
                    return await brk(io)
                seen = start
                for seq, data in backlog:
                    seen = seq
                    if brk := await emit(frame_text(data, seq)):
                        return await brk(io)
                while True:
                    try:
                        async with asyncio.timeout(heartbeat):
                            item = await queue.get()
                    except TimeoutError:
                        if brk := ext.stream_break(sent, idle=True):
                            return await brk(io)
                        await io.write(PING)
                        continue
                    if item is None:
                        return True  # shutdown or client gone
                    if item.account_seq <= seen:
                        continue
                    seen = item.account_seq
                    if brk := await emit(frame_text(item.data, item.account_seq)):
                        return await brk(io)
            finally:
                hub.unsubscribe_account(user, queue)

        return EventStreamResponse(
            body, self._headers(), on_disconnect=lambda: queue.put_nowait(None)
        )

    # ------------------------------------------------------------ routes

    def routes(self) -> list[Route]:
        base = "/api/metricool"
        routes = [
            Route(f"{base}/batches/active", self.active, methods=["GET"]),
            Route(f"{base}/batch/{{batch_id}}", self.batch, methods=["GET"]),
            Route(f"{base}/status", self.status, methods=["GET"]),
            Route(f"{base}/stream", self.stream, methods=["GET"]),
            Route(f"{base}/publish/stories", self.publish, methods=["POST"]),
        ]
        for action in CONTROLS:
            routes.append(
                Route(
                    f"{base}/{action}", self._control_route(action, by_path=False), methods=["GET"]
                )
            )
        if not self.config.upstream:
            routes.append(Route(f"{base}/capabilities", self.capabilities, methods=["GET"]))
            routes.append(Route(f"{base}/events", self.events, methods=["GET"]))
            routes.append(Route(f"{base}/batches", self.history, methods=["GET"]))
            for action in CONTROLS:
                routes.append(
                    Route(
                        f"{base}/batch/{{batch_id}}/{action}",
                        self._control_route(action, by_path=True),
                        methods=["POST", "GET"],
                    )
                )
        return routes
