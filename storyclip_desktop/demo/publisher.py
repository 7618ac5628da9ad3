"""The simulated publisher standing in for Metricool, and the event fan-out.

One asyncio task per running batch publishes its clips one at a time:
``uploading`` → several ``waiting`` (confirmation polls) → ``published``, or
``error`` with a message, at ``--failure-rate`` (decided by a RNG seeded from
``--seed``, the batch's row id, the clip index and the attempt, so a test gets
the same outcome whatever else runs). A post may force its outcome with
``"simulate": "ok" | "fail" | "fail-once"`` (the demo's failing clips, and
tests; ``fail-once`` fails the first attempt only, for retry-failed).
Scheduled / best-time batches send ``scheduling`` then ``scheduled``.

Default mode stores every change and every event (the event's row number is
its SSE id) in one transaction, resumes ``processing`` batches on start (a clip
caught mid-flight is published again, its ``attempts`` counting both) and obeys
the controls: pause takes effect once the clip in flight ends, cancel at once
(the clip in flight goes back to ``pending``), retry-failed puts failed clips
back to ``pending`` and runs the batch again.

Upstream mode reproduces the deployed publisher and its router exactly, quirks
included (see ``wire-contract.md`` Part 1): clip rows lag the events for good,
``completed`` goes out before the last clip's ``published`` event, nothing
resumes after a restart, and with ``--fail-batch-on-first-error`` the first
failed clip fails the whole batch with ``startTime is not defined``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import ServerConfig
from .store import Store, iso_now, sqlite_now

log = logging.getLogger("storyclip.demo")

FINAL_BATCH = ("completed", "failed", "cancelled")
FINAL_EVENTS = ("completed", "error", "cancelled")
IN_FLIGHT = ("uploading", "waiting_confirmation")
DEPLOYED_BUG = "startTime is not defined"

UPLOAD_ERRORS = (
    "Metricool upload failed: 413 Payload Too Large",
    "Metricool upload failed: video codec not supported (HEVC)",
    "Network error while uploading to Metricool: ECONNRESET",
)
CONFIRM_ERRORS = (
    "Facebook rejected the story: (#100) Invalid video duration",
    "Confirmation timed out after 120 s",
    "Instagram rejected the story: aspect ratio must be 9:16",
)


@dataclass(slots=True)
class Frame:
    """One stream event ready to send: ``seq`` is its id, ``data`` its JSON text.

    ``account_seq`` is its id on the account stream of ``user_id`` (0: not on one:
    upstream mode, or a batch without a user)."""

    seq: int
    data: str
    final: bool
    account_seq: int = 0
    user_id: str = ""


@dataclass
class LiveState:
    """What the router keeps in memory about a batch (upstream's only stream source)."""

    status: str
    published: int
    errors: int
    total: int
    current_story: str | None = None
    current_status: str | None = None
    wait_progress: int | None = None
    updated_at: str = field(default_factory=iso_now)
    seq: int = 0


class Hub:
    """Fans events out to the open streams of each batch, and of each account."""

    def __init__(self) -> None:
        self.subscribers: dict[str, set[asyncio.Queue[Frame | None]]] = {}
        self.accounts: dict[str, set[asyncio.Queue[Frame | None]]] = {}
        self.closed = False

    def subscribe(self, batch_id: str) -> asyncio.Queue[Frame | None]:
        queue: asyncio.Queue[Frame | None] = asyncio.Queue()
        if self.closed:
            queue.put_nowait(None)
        self.subscribers.setdefault(batch_id, set()).add(queue)
        return queue

    def unsubscribe(self, batch_id: str, queue: asyncio.Queue[Frame | None]) -> None:
        subs = self.subscribers.get(batch_id)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self.subscribers[batch_id]

    def subscribe_account(self, user_id: str) -> asyncio.Queue[Frame | None]:
        queue: asyncio.Queue[Frame | None] = asyncio.Queue()
        if self.closed:
            queue.put_nowait(None)
        self.accounts.setdefault(user_id, set()).add(queue)
        return queue

    def unsubscribe_account(self, user_id: str, queue: asyncio.Queue[Frame | None]) -> None:
        subs = self.accounts.get(user_id)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self.accounts[user_id]

    def publish(self, batch_id: str, frame: Frame) -> None:
        for queue in self.subscribers.get(batch_id, ()):
            queue.put_nowait(frame)
        self.publish_account(frame)

    def publish_account(self, frame: Frame) -> None:
        if frame.account_seq:
            for queue in self.accounts.get(frame.user_id, ()):
                queue.put_nowait(frame)

    def open_streams(self) -> int:
        return sum(len(s) for s in self.subscribers.values()) + sum(
            len(s) for s in self.accounts.values()
        )

    def close_all(self) -> None:
        """Server shutdown: every stream ends now (uvicorn waits for open responses)."""
        self.closed = True
        for subs in (*self.subscribers.values(), *self.accounts.values()):
            for queue in subs:
                queue.put_nowait(None)


def new_batch_id() -> str:
    import time

    alphabet = string.ascii_lowercase + string.digits
    tail = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"batch_{int(time.time() * 1000)}_{tail}"


class Publisher:
    """Runs batches and records what happens, as the configured mode dictates."""

    def __init__(self, store: Store, config: ServerConfig, hub: Hub) -> None:
        self.store = store
        self.config = config
        self.hub = hub
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.memory: dict[str, LiveState] = {}
        self._owners: dict[str, str] = {}  # batch id -> user id (account streams)
        self.seed = config.seed if config.seed is not None else secrets.randbelow(2**31)

    # ------------------------------------------------------------ events

    def _event(self, batch_id: str, kind: str, **fields: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {"type": kind, "batchId": batch_id}
        payload.update(fields)
        payload["timestamp"] = iso_now()
        return payload

    def record(self, batch_id: str, payload: dict[str, Any]) -> Frame:
        """Give the event its id (stored in default mode) and return it for sending.

        Call inside the transaction that makes the matching change, then
        :meth:`send` after it commits.
        """
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        final = payload["type"] in FINAL_EVENTS
        if self.config.upstream:
            state = self.memory.get(batch_id)
            seq = 0
            if state is not None:
                state.seq += 1
                seq = state.seq
            return Frame(seq, data, final)
        seq = self.store.append_event(batch_id, data)
        user = self.owner(batch_id)
        if not user:
            return Frame(seq, data, final)
        return Frame(seq, data, final, self.store.append_account_event(user, batch_id, data), user)

    def owner(self, batch_id: str) -> str:
        """The user whose account stream carries this batch ("" for none)."""
        user = self._owners.get(batch_id)
        if user is None:
            row = self.store.one("SELECT user_id FROM publish_batches WHERE batch_id = ?", batch_id)
            user = str(row["user_id"] or "") if row is not None else ""
            self._owners[batch_id] = user
        return user

    def send(self, batch_id: str, *frames: Frame) -> None:
        for frame in frames:
            self.hub.publish(batch_id, frame)

    def counts(self, batch_id: str) -> dict[str, int]:
        row = self.store.one(
            "SELECT total, published, failed FROM publish_batches WHERE batch_id = ?", batch_id
        )
        if row is None:
            return {"published": 0, "errors": 0, "total": 0}
        return {"published": row["published"], "errors": row["failed"], "total": row["total"]}

    # ------------------------------------------------------------ lifecycle

    def create(
        self,
        *,
        user_id: str | None,
        job_id: str | None,
        mode: str,
        scheduled_for: str | None,
        account_id: str | None,
        publish_speed: str | None,
        posts: list[dict[str, Any]],
        batch_id: str | None = None,
        created_at: str | None = None,
    ) -> str:
        """Store a new batch and start publishing it (an empty one completes at once)."""
        batch_id = batch_id or new_batch_id()
        total = len(posts)
        with self.store.tx():
            self.store.run(
                "INSERT INTO publish_batches (batch_id, job_id, user_id, status, publish_mode,"
                " total, scheduled_for, account_id, publish_speed, created_at, updated_at)"
                " VALUES (?, ?, ?, 'processing', ?, ?, ?, ?, ?, ?, ?)",
                batch_id,
                job_id,
                user_id,
                mode,
                total,
                scheduled_for,
                account_id,
                publish_speed,
                created_at or sqlite_now(),
                sqlite_now(),
            )
            for number, post in enumerate(posts, start=1):
                self.store.run(
                    "INSERT INTO publish_batch_clips (batch_id, clip_index, post_id, url, title,"
                    " sim_outcome) VALUES (?, ?, ?, ?, ?, ?)",
                    batch_id,
                    number,
                    post.get("id"),
                    post["url"],
                    post.get("text"),
                    post.get("simulate"),
                )
            created = self._created(batch_id, user_id, mode, total)
        self.memory[batch_id] = LiveState("processing", 0, 0, total)
        if created is not None:
            self.hub.publish_account(created)
        self.start(batch_id)
        return batch_id

    def _created(self, batch_id: str, user_id: str | None, mode: str, total: int) -> Frame | None:
        """A new batch on its user's account stream (default mode), in the creating
        transaction; its own stream starts with ``connected`` as before, so this
        event goes to the account stream only."""
        if self.config.upstream or not user_id:
            return None
        self._owners[batch_id] = user_id
        payload = self._event(
            batch_id, "created", status="processing", publishMode=mode, total=total
        )
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        seq = self.store.append_account_event(user_id, batch_id, data)
        return Frame(0, data, False, seq, user_id)

    def start(self, batch_id: str) -> None:
        task = self.tasks.get(batch_id)
        if task is not None and not task.done():
            return
        self.tasks[batch_id] = asyncio.create_task(self._run_guarded(batch_id))

    def recover(self, resumes: Callable[[Any], bool] = lambda _row: True) -> int:
        """Default mode on start: resume every ``processing`` batch from its clip rows
        (those of its ``publish_batches`` rows that ``resumes`` accepts)."""
        rows = self.store.all("SELECT * FROM publish_batches WHERE status = 'processing'")
        resumed = 0
        for row in rows:
            batch_id = str(row["batch_id"])
            if batch_id not in self.tasks and resumes(row):
                resumed += 1
                self.start(batch_id)
        return resumed

    async def stop_all(self) -> None:
        tasks = [t for t in self.tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def running(self) -> int:
        return sum(1 for t in self.tasks.values() if not t.done())

    async def _run_guarded(self, batch_id: str) -> None:
        try:
            if self.config.upstream:
                await self._run_upstream(batch_id)
            else:
                await self._run_default(batch_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("publisher crashed on batch %s", batch_id)

    # ------------------------------------------------------------ simulation

    def _rng(self, batch_id: str, index: int, attempt: int) -> random.Random:
        row = self.store.one("SELECT id FROM publish_batches WHERE batch_id = ?", batch_id)
        rowid = int(row["id"]) if row is not None else 0
        # A simulation, not cryptography: reproducible per (seed, batch, clip, attempt).
        return random.Random(f"{self.seed}:{rowid}:{index}:{attempt}")  # noqa: S311

    def _outcome(self, batch_id: str, clip: Any, attempt: int) -> tuple[str | None, str]:
        """``(None, "")`` to succeed, or ``(stage, message)`` with stage upload|confirm."""
        rng = self._rng(batch_id, int(clip["clip_index"]), attempt)
        forced = clip["sim_outcome"]
        if forced in ("ok", "fail", "fail-once"):
            fails = forced == "fail" or (forced == "fail-once" and attempt == 1)
        else:
            fails = rng.random() < self.config.failure_rate
        if not fails:
            return None, ""
        if rng.random() < 0.5:
            return "upload", rng.choice(UPLOAD_ERRORS)
        return "confirm", rng.choice(CONFIRM_ERRORS)

    def _steps(self) -> tuple[float, float, float]:
        """Seconds for the upload, between two confirmation polls, and to the verdict."""
        seconds = max(0.0, self.config.clip_seconds)
        waits = max(1, self.config.waits)
        return seconds * 0.3, seconds * 0.6 / waits, seconds * 0.1

    def _progress(self, batch_id: str, clip: Any, status: str, **extra: Any) -> dict[str, Any]:
        counts = self.counts(batch_id)
        return self._event(
            batch_id,
            "progress",
            current=int(clip["clip_index"]),
            total=counts["total"],
            published=counts["published"],
            errors=counts["errors"],
            currentStory=clip["post_id"]
            if clip["post_id"] is not None
            else str(clip["clip_index"]),
            status=status,
            **extra,
        )

    def _live(self, batch_id: str, clip: Any | None, status: str | None, wait: int | None) -> None:
        state = self.memory.get(batch_id)
        if state is None:
            return
        counts = self.counts(batch_id)
        state.published, state.errors, state.total = (
            counts["published"],
            counts["errors"],
            counts["total"],
        )
        if clip is not None:
            state.current_story = clip["post_id"] or str(clip["clip_index"])
        state.current_status = status
        state.wait_progress = wait
        state.updated_at = iso_now()

    def _batch_status(self, batch_id: str) -> str | None:
        row = self.store.one("SELECT status FROM publish_batches WHERE batch_id = ?", batch_id)
        return str(row["status"]) if row is not None else None

    # ------------------------------------------------------------ default mode

    async def _run_default(self, batch_id: str) -> None:
        store = self.store
        store.run(
            "UPDATE publish_batches SET started_at = COALESCE(started_at, ?), updated_at = ?"
            " WHERE batch_id = ?",
            sqlite_now(),
            sqlite_now(),
            batch_id,
        )
        upload, poll, verdict = self._steps()
        scheduled = self._publish_mode(batch_id) != "now"
        while True:
            if self._batch_status(batch_id) != "processing":
                return  # paused (resume starts a new task) or cancelled
            clip = store.one(
                "SELECT * FROM publish_batch_clips WHERE batch_id = ? AND status IN"
                " ('pending', 'uploading', 'waiting_confirmation') ORDER BY clip_index LIMIT 1",
                batch_id,
            )
            if clip is None:
                self._finish_default(batch_id)
                return
            await self._clip_default(batch_id, clip, upload, poll, verdict, scheduled)

    def _publish_mode(self, batch_id: str) -> str:
        row = self.store.one(
            "SELECT publish_mode FROM publish_batches WHERE batch_id = ?", batch_id
        )
        return str(row["publish_mode"]) if row is not None else "now"

    def _clip_update(self, batch_id: str, index: int, sql: str, *args: Any) -> None:
        self.store.run(
            f"UPDATE publish_batch_clips SET {sql} WHERE batch_id = ? AND clip_index = ?",  # noqa: S608
            *args,
            batch_id,
            index,
        )

    def _batch_update(self, batch_id: str, sql: str, *args: Any) -> None:
        self.store.run(
            f"UPDATE publish_batches SET {sql}, updated_at = ? WHERE batch_id = ?",  # noqa: S608
            *args,
            sqlite_now(),
            batch_id,
        )

    async def _clip_default(
        self,
        batch_id: str,
        clip: Any,
        upload: float,
        poll: float,
        verdict: float,
        scheduled: bool,
    ) -> None:
        index = int(clip["clip_index"])
        attempt = int(clip["attempts"]) + 1
        with self.store.tx():
            self._clip_update(
                batch_id, index, "status = 'uploading', attempts = ?, error = NULL", attempt
            )
            frame = self.record(batch_id, self._progress(batch_id, clip, "uploading"))
        self._live(batch_id, clip, "uploading", None)
        self.send(batch_id, frame)
        stage, message = self._outcome(batch_id, clip, attempt)
        await asyncio.sleep(upload)
        if stage == "upload":
            self._fail_clip_default(batch_id, clip, message)
            return
        if scheduled:
            with self.store.tx():
                self._clip_update(batch_id, index, "uploaded_at = ?", iso_now())
                frame = self.record(batch_id, self._progress(batch_id, clip, "scheduling"))
            self._live(batch_id, clip, "scheduling", None)
            self.send(batch_id, frame)
            await asyncio.sleep(poll + verdict)
        else:
            waits = max(1, self.config.waits)
            for k in range(1, waits + 1):
                wait = k * 100 // (waits + 1)
                with self.store.tx():
                    if k == 1:
                        self._clip_update(
                            batch_id,
                            index,
                            "status = 'waiting_confirmation', uploaded_at = ?",
                            iso_now(),
                        )
                    frame = self.record(
                        batch_id, self._progress(batch_id, clip, "waiting", waitProgress=wait)
                    )
                self._live(batch_id, clip, "waiting", wait)
                self.send(batch_id, frame)
                await asyncio.sleep(poll)
            await asyncio.sleep(verdict)
        if stage == "confirm":
            self._fail_clip_default(batch_id, clip, message)
            return
        with self.store.tx():
            published_at = iso_now()
            self._clip_update(
                batch_id,
                index,
                "status = 'published', metricool_post_id = ?, facebook_post_id = ?,"
                " published_at = ?, error = NULL",
                f"mc_{secrets.randbelow(10**9):09d}",
                f"{secrets.randbelow(10**15):015d}",
                published_at,
            )
            self._batch_update(batch_id, "published = published + 1, current_index = ?", index)
            status = "scheduled" if scheduled else "published"
            frame = self.record(batch_id, self._progress(batch_id, clip, status))
        self._live(batch_id, clip, status, None)
        self.send(batch_id, frame)

    def _fail_clip_default(self, batch_id: str, clip: Any, message: str) -> None:
        index = int(clip["clip_index"])
        with self.store.tx():
            self._clip_update(batch_id, index, "status = 'failed', error = ?", message)
            self._batch_update(batch_id, "failed = failed + 1, current_index = ?", index)
            frame = self.record(batch_id, self._progress(batch_id, clip, "error", error=message))
        self._live(batch_id, clip, "error", None)
        self.send(batch_id, frame)

    def _finish_default(self, batch_id: str) -> None:
        with self.store.tx():
            counts = self.counts(batch_id)
            all_failed = counts["total"] > 0 and counts["errors"] >= counts["total"]
            if all_failed:
                error = "Every clip failed to publish"
                self._batch_update(
                    batch_id, "status = 'failed', error = ?, completed_at = ?", error, sqlite_now()
                )
                payload = self._event(batch_id, "error", error=error, **counts)
            else:
                self._batch_update(
                    batch_id, "status = 'completed', error = NULL, completed_at = ?", sqlite_now()
                )
                payload = self._event(batch_id, "completed", **counts)
            frame = self.record(batch_id, payload)
        state = self.memory.get(batch_id)
        if state is not None:
            state.status = "failed" if all_failed else "completed"
        self._live(batch_id, None, None, None)
        self.send(batch_id, frame)

    # ------------------------------------------------------------ controls (default)

    def control(self, batch_id: str, action: str) -> tuple[str | None, str]:
        """Apply pause|resume|cancel|retry-failed; ``(error_message, status)``."""
        row = self.store.one("SELECT * FROM publish_batches WHERE batch_id = ?", batch_id)
        if row is None:
            return "Batch not found", ""
        status = str(row["status"])
        frames: list[Frame] = []
        with self.store.tx():
            counts = self.counts(batch_id)
            if action == "pause":
                if status != "processing":
                    return f"Cannot pause a batch that is {status}", status
                self._batch_update(batch_id, "status = 'paused'")
                status = "paused"
                frames.append(
                    self.record(batch_id, self._event(batch_id, "paused", status=status, **counts))
                )
            elif action == "resume":
                if status != "paused":
                    return f"Cannot resume a batch that is {status}", status
                self._batch_update(batch_id, "status = 'processing'")
                status = "processing"
                frames.append(
                    self.record(batch_id, self._event(batch_id, "resumed", status=status, **counts))
                )
            elif action == "cancel":
                if status not in ("processing", "paused"):
                    return f"Cannot cancel a batch that is {status}", status
                self.store.run(
                    "UPDATE publish_batch_clips SET status = 'pending'"
                    " WHERE batch_id = ? AND status IN ('uploading', 'waiting_confirmation')",
                    batch_id,
                )
                self._batch_update(batch_id, "status = 'cancelled', completed_at = ?", sqlite_now())
                status = "cancelled"
                frames.append(
                    self.record(
                        batch_id, self._event(batch_id, "cancelled", status=status, **counts)
                    )
                )
            elif action == "retry-failed":
                if status == "cancelled":
                    return "Cannot retry a cancelled batch", status
                failed = [
                    int(r["clip_index"])
                    for r in self.store.all(
                        "SELECT clip_index FROM publish_batch_clips"
                        " WHERE batch_id = ? AND status = 'failed' ORDER BY clip_index",
                        batch_id,
                    )
                ]
                if not failed:
                    return "The batch has no failed clips to retry", status
                self.store.run(
                    "UPDATE publish_batch_clips SET status = 'pending', error = NULL"
                    " WHERE batch_id = ? AND status = 'failed'",
                    batch_id,
                )
                again = status in ("completed", "failed")  # a new run: a later startedAt
                if again:
                    status = "processing"
                self._batch_update(
                    batch_id,
                    "failed = MAX(0, failed - ?), status = ?, error = NULL,"
                    " completed_at = CASE WHEN ? THEN NULL ELSE completed_at END,"
                    " started_at = CASE WHEN ? THEN ? ELSE started_at END",
                    len(failed),
                    status,
                    again,
                    again,
                    sqlite_now(),
                )
                counts = self.counts(batch_id)
                frames.append(
                    self.record(
                        batch_id,
                        self._event(batch_id, "retrying", status=status, clips=failed, **counts),
                    )
                )
            else:
                return f"Unknown action {action}", status
        if action == "cancel":
            task = self.tasks.get(batch_id)
            if task is not None and not task.done():
                task.cancel()
        state = self.memory.get(batch_id)
        if state is not None:
            state.status = status
        self._live(batch_id, None, None, None)
        self.send(batch_id, *frames)
        if status == "processing":
            self.start(batch_id)
        return None, status

    # ------------------------------------------------------------ upstream mode

    async def _run_upstream(self, batch_id: str) -> None:
        """The deployed publisher + router, bugs and all (wire contract, Part 1)."""
        store = self.store
        self._batch_update(batch_id, "started_at = COALESCE(started_at, ?)", sqlite_now())
        upload, poll, verdict = self._steps()
        scheduled = self._publish_mode(batch_id) != "now"
        clips = store.all(
            "SELECT * FROM publish_batch_clips WHERE batch_id = ? ORDER BY clip_index", batch_id
        )
        state = self.memory.setdefault(batch_id, LiveState("processing", 0, 0, len(clips)))
        if not clips:
            self._complete_upstream(batch_id)
            return
        for position, clip in enumerate(clips, start=1):
            last = position == len(clips)
            index = int(clip["clip_index"])
            stage, _message = self._outcome(batch_id, clip, 1)
            if not scheduled and stage is None:
                # Observed: a clip that ends in error is never written (stays pending).
                self._clip_update(batch_id, index, "status = 'uploading'")
            self._batch_update(batch_id, "current_index = ?", index)
            self._emit_upstream(batch_id, clip, "uploading", None)
            await asyncio.sleep(upload)
            if stage is None or stage == "confirm":
                if scheduled:
                    self._emit_upstream(batch_id, clip, "scheduling", None)
                    await asyncio.sleep(poll + verdict)
                else:
                    waits = max(1, self.config.waits)
                    for k in range(1, waits + 1):
                        # ``waiting`` is never stored: the clip row keeps saying uploading.
                        self._emit_upstream(batch_id, clip, "waiting", k * 100 // (waits + 1))
                        await asyncio.sleep(poll)
                    await asyncio.sleep(verdict)
            if stage is not None:
                if self.config.fail_batch_on_first_error:
                    # The deployed error path throws before it records anything.
                    self._batch_update(
                        batch_id,
                        "status = 'failed', error = ?, completed_at = ?",
                        DEPLOYED_BUG,
                        sqlite_now(),
                    )
                    state.status = "failed"
                    self._live(batch_id, clip, "error", None)
                    self.send(
                        batch_id,
                        self.record(batch_id, self._event(batch_id, "error", error=DEPLOYED_BUG)),
                    )
                    return
                # The clip row stays pending, no error text, attempts 0; only the count rises.
                self._batch_update(batch_id, "failed = failed + 1")
                self._emit_upstream(batch_id, clip, "error", None)
                if last:
                    self._complete_upstream(batch_id)
                continue
            if not scheduled:
                self._clip_update(
                    batch_id, index, "status = 'published', published_at = ?", iso_now()
                )
            self._batch_update(batch_id, "published = published + 1")
            status = "scheduled" if scheduled else "published"
            if last:
                # The router does not wait for its writes: completed overtakes the last event.
                self._complete_upstream(batch_id)
            self._emit_upstream(batch_id, clip, status, None)

    def _emit_upstream(self, batch_id: str, clip: Any, status: str, wait: int | None) -> None:
        self._live(batch_id, clip, status, wait)
        self.send(batch_id, self.record(batch_id, self._progress(batch_id, clip, status)))

    def _complete_upstream(self, batch_id: str) -> None:
        self._batch_update(batch_id, "status = 'completed', completed_at = ?", sqlite_now())
        state = self.memory.get(batch_id)
        if state is not None:
            state.status = "completed"
        self._live(batch_id, None, None, None)
        self.send(
            batch_id,
            self.record(batch_id, self._event(batch_id, "completed", **self.counts(batch_id))),
        )
