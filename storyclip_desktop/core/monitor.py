"""The signed-in user's batches: discovery, one follower each, one merged state.

The monitor merges REST summaries (the truth for counts and status) with stream
events (fresher, but out of order and ahead of the deployed database), decides
what is news and tells a :class:`MonitorListener`. A batch is reported finished
exactly once per user, across restarts, through :class:`MonitorMemory`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from bisect import bisect_left
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .api import ApiError, StoryClipApi
from .auth import AuthError
from .events import MonitorListener
from .log import get_logger, log_event
from .memory import MonitorMemory
from .model import (
    Batch,
    BatchStatus,
    Clip,
    ClipStatus,
    CompletedEvent,
    ConnectedEvent,
    ErrorEvent,
    ProgressEvent,
    StreamEvent,
    StreamState,
    UnknownEvent,
)
from .stream import BatchFollower, FollowPolicy, failure_fields

__all__ = ["BatchMonitor", "merge_clip_status"]

_log = get_logger("monitor")
#: Event ids longer than this are not compared as numbers (int() refuses 4,300+ digits).
_MAX_ID_DIGITS = 18

# How far along a clip is: a later status never gives way to an earlier one
# that arrives late (events out of order, a summary that lags the events).
_RANK = {
    ClipStatus.PENDING: 0,
    ClipStatus.UNKNOWN: 0,
    ClipStatus.SCHEDULING: 1,
    ClipStatus.UPLOADING: 1,
    ClipStatus.WAITING_CONFIRMATION: 2,
    ClipStatus.SCHEDULED: 3,
    ClipStatus.PUBLISHED: 3,
    ClipStatus.FAILED: 3,
}


def merge_clip_status(current: Clip, told: Clip) -> Clip:
    """The clip as shown: ``told`` wins unless it would move the clip backwards."""
    if _RANK[told.status] < _RANK[current.status] and current.status is not ClipStatus.UNKNOWN:
        return current
    return replace(
        current,
        status=told.status,
        status_raw=told.status_raw,
        error=told.error or current.error,
        attempts=max(current.attempts, told.attempts),
    )


@dataclass(slots=True)
class _Tracked:
    batch: Batch
    told: dict[int, Clip] = field(default_factory=dict)  # clip states from events
    event_error: str | None = None
    last_event_id: int = -1
    finished: bool = False
    follower: BatchFollower | None = None
    # The last clips tuple built here, so known to be sorted with unique indexes:
    # an event then finds its clip by bisection instead of rebuilding the tuple.
    ordered: tuple[Clip, ...] | None = None


class BatchMonitor:
    """Follows every running batch of one user until each one ends.

    Owns its followers and its discovery task; ``stop()`` closes them all
    (sign-out, quit). Runs on the event loop's thread only.
    """

    def __init__(
        self,
        api: StoryClipApi,
        user_id: str,
        listener: MonitorListener,
        memory: MonitorMemory,
        *,
        policy: FollowPolicy | None = None,
        discovery_interval: float = 30.0,
    ) -> None:
        self._api = api
        self.user_id = user_id
        self._listener = listener
        self._memory = memory
        self._policy = policy or FollowPolicy()
        self._interval = discovery_interval
        self._discovery_hold = 0.0  # loop time before which discovery must not ask again
        self._tracked: dict[str, _Tracked] = {}
        self._reachable = True
        self._discovery: asyncio.Task[None] | None = None
        self._discover_lock = asyncio.Lock()
        self._stopped = False
        self._background: set[asyncio.Task[None]] = set()
        self.duplicate_events = 0

    # ------------------------------------------------------------ public

    @property
    def batches(self) -> dict[str, Batch]:
        return {bid: t.batch for bid, t in self._tracked.items()}

    @property
    def reachable(self) -> bool:
        return self._reachable

    def follower(self, batch_id: str) -> BatchFollower | None:
        tracked = self._tracked.get(batch_id)
        return tracked.follower if tracked else None

    async def start(self) -> None:
        """Discover now (remembered batches included), then every ``discovery_interval``."""
        await self.discover()
        if self._discovery is None and not self._stopped:
            self._discovery = asyncio.ensure_future(self._discover_forever())

    async def refresh(self) -> None:
        """Re-read everything: the active list, remembered batches, every summary."""
        await self.discover()
        open_ids = [bid for bid, t in self._tracked.items() if not t.finished]
        await asyncio.gather(*(self._reread(bid) for bid in open_ids))
        for bid in open_ids:
            tracked = self._tracked.get(bid)
            if tracked is not None and tracked.follower is not None:
                tracked.follower.poke()

    async def stop(self) -> None:
        self._stopped = True
        task, self._discovery = self._discovery, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for pending in list(self._background):
            pending.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        followers = [t.follower for t in self._tracked.values() if t.follower is not None]
        for tracked in self._tracked.values():
            tracked.follower = None
        await asyncio.gather(*(f.stop() for f in followers), return_exceptions=True)

    # ------------------------------------------------------------ discovery

    async def _discover_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopped:
            # The interval, or longer when the server asked for a pause (the
            # Retry-After of a 503 or 429 that the last discovery got).
            await asyncio.sleep(max(self._interval, self._discovery_hold - loop.time()))
            try:
                await self.discover()
            except AuthError as exc:
                if exc.reason == "session_expired":
                    return  # signed out: the session manager tells the app
                self._auth_failed("discovery", exc)
            except Exception as exc:  # keep discovering; the log says what broke
                log_event(_log, "error", logging.ERROR, where="discovery", message=repr(exc))

    async def discover(self) -> None:
        """Find running batches: the active list plus every remembered unfinished one.

        The deployed active list can be empty while the user's batches run (it
        filters on a user id nothing stores), so remembered ids are checked too.
        """
        async with self._discover_lock:
            if self._stopped:
                return
            active: list[Batch] = []
            try:
                active = await self._api.active_batches(self.user_id)
                self._set_reachable(True)
            except ApiError as exc:
                self._hold_discovery(exc.retry_after)
                self._api_failed("discovery", exc)
            except AuthError as exc:
                self._hold_discovery(exc.retry_after)
                self._auth_failed("discovery", exc)
            log_event(
                _log,
                "batches_found",
                count=len(active),
                batch_ids=[b.batch_id for b in active],
            )
            listed = set()
            for batch in active:
                listed.add(batch.batch_id)
                self._consider(batch)
            # Remembered batches the list did not give (the deployed list can miss
            # them) or whose follower ended; the listed ones were just read.
            remembered = [
                bid
                for bid, known in self._memory.batches(self.user_id).items()
                if not (known.final and known.announced)
                and bid not in listed
                and (bid not in self._tracked or self._needs_follower(bid))
            ]
            await asyncio.gather(*(self._reread(bid) for bid in remembered))
            for bid in list(self._tracked):
                if self._needs_follower(bid):
                    self._follow(bid)
            self._save_memory()

    def _hold_discovery(self, retry_after: float | None) -> None:
        """No discovery before the server's Retry-After has passed (capped as the
        followers cap theirs: a typo must not stop discovery for a day)."""
        if retry_after:
            wait = min(retry_after, self._policy.max_delay * 4)
            self._discovery_hold = asyncio.get_running_loop().time() + wait

    def _needs_follower(self, batch_id: str) -> bool:
        tracked = self._tracked.get(batch_id)
        if tracked is None or tracked.finished:
            return False
        return tracked.follower is None or tracked.follower.finished

    async def _reread(self, batch_id: str) -> None:
        try:
            batch = await self._api.batch(batch_id)
        except ApiError as exc:
            if exc.kind == "not_found" and batch_id not in self._tracked:
                return  # gone from the server; nothing to show
            self._api_failed("batch", exc, batch_id)
            return
        except AuthError as exc:
            self._auth_failed("batch", exc, batch_id)
            return
        self._set_reachable(True)
        self._consider(batch)

    def _consider(self, summary: Batch) -> None:
        tracked = self._tracked.get(summary.batch_id)
        if tracked is None:
            known = self._memory.get(self.user_id, summary.batch_id)
            tracked = _Tracked(batch=summary)
            self._tracked[summary.batch_id] = tracked
            self._memory.remember(self.user_id, summary)
            if known is not None and known.final and known.announced:
                tracked.finished = True
            self._listener.batch_added(summary)
            self._check_finished(tracked)
        else:
            self._apply_summary(tracked, summary)

    def _follow(self, batch_id: str) -> None:
        tracked = self._tracked[batch_id]
        if self._stopped or tracked.finished:
            return
        follower = BatchFollower(
            self._api, batch_id, self, self._policy, last_summary=tracked.batch
        )
        tracked.follower = follower
        follower.start()

    # ------------------------------------------------------------ follower sink

    def follower_summary(self, batch: Batch) -> None:
        tracked = self._tracked.get(batch.batch_id)
        if tracked is not None:
            self._apply_summary(tracked, batch)

    def follower_event(self, batch_id: str, event: StreamEvent) -> None:
        tracked = self._tracked.get(batch_id)
        if tracked is None or tracked.finished:
            return
        # `connected` carries the id the stream resumes from, so it repeats by design.
        event_id = event.event_id
        if (
            not isinstance(event, ConnectedEvent)
            and event_id is not None
            # str.isdigit() alone takes "²" (int() refuses it) and "١٢" (int() reads
            # it), and int() refuses 5,000 digits: a server's id must not crash the
            # follower. Such ids are not numbers here (no duplicate check), as "x" isn't.
            and 0 < len(event_id) <= _MAX_ID_DIGITS
            and event_id.isascii()
            and event_id.isdigit()
        ):
            number = int(event_id)
            if number <= tracked.last_event_id:
                self.duplicate_events += 1
                return
            tracked.last_event_id = number
        self._apply_event(tracked, event)

    def follower_state(self, batch_id: str, state: StreamState) -> None:
        if batch_id in self._tracked:
            self._listener.stream_state_changed(batch_id, state)

    def follower_reachable(self, reachable: bool) -> None:
        self._set_reachable(reachable)

    def follower_signed_out(self, batch_id: str) -> None:
        tracked = self._tracked.get(batch_id)
        if tracked is not None:
            tracked.follower = None

    # ------------------------------------------------------------ merging

    def _apply_summary(self, tracked: _Tracked, summary: Batch) -> None:
        old = tracked.batch
        if old.is_final and not summary.is_final:
            # A finished batch does not come back to life: a later non-final summary
            # is a stale read (an active list taken before the end, a lagging replica).
            log_event(
                _log,
                "stale_summary",
                logging.DEBUG,
                batch_id=summary.batch_id,
                status=summary.status_raw[:40],
            )
            return
        clips = {c.index: c for c in summary.clips}
        for index, told in list(tracked.told.items()):
            base = clips.get(index)
            if base is None:
                clips[index] = told
                continue
            shown = merge_clip_status(base, told)
            clips[index] = shown
            if shown.status is base.status:
                del tracked.told[index]  # the summary has caught up
        if summary.is_final:
            _failed_left_pending(summary, clips)  # the server's exact final counts
        _reuse(old.clips, clips)
        if summary.is_final:
            merged = replace(summary, clips=_same_tuple(old.clips, clips.values()))
        else:
            run = _same_run(old, summary)
            published, failed = _forward(summary, run.published, run.failed)
            merged = replace(
                summary,
                published=published,
                failed=failed,
                clips=_same_tuple(old.clips, clips.values()),
            )
            tracked.ordered = merged.clips
        if merged.error is None and tracked.event_error:
            merged = replace(merged, error=tracked.event_error)
        self._update(tracked, _keeping(old, merged))

    def _apply_event(self, tracked: _Tracked, event: StreamEvent) -> None:
        batch = tracked.batch
        changed: list[int] = []
        if isinstance(event, ProgressEvent) and not _in_batch(event.current, batch, event.total):
            # A clip index outside the batch is nonsense: no row for it (counts only).
            published, failed = _forward(batch, event.published, event.errors, event.total)
            batch = replace(
                batch, published=published, failed=failed, total=batch.total or event.total
            )
        elif isinstance(event, ProgressEvent):
            # One clip changes: O(log n) to find it and one tuple copy (in C), so a
            # 1,000-clip batch costs about what a 20-clip one does per event.
            index = event.current
            clips = batch.clips
            if clips is not tracked.ordered:
                # Clips as a summary listed them: sorted once by index (unique); the
                # very tuple is kept when it already was, so the next event is fast.
                ordered = _ordered({c.index: c for c in clips}.values())
                clips = tracked.ordered = clips if ordered == clips else ordered
            at = bisect_left(clips, index, key=_clip_index)
            found = clips[at] if at < len(clips) and clips[at].index == index else None
            current = found or Clip(index=index, status=ClipStatus.PENDING, status_raw="pending")
            shown = _told(current, event)
            tracked.told[index] = shown
            if shown is not found:
                if found is not None:
                    listed = list(clips)  # the cheapest copy with one clip replaced
                    listed[at] = shown
                    clips = tuple(listed)
                else:
                    clips = (*clips[:at], shown, *clips[at:])
                tracked.ordered = clips
                changed = [index]
            published, failed = _forward(batch, event.published, event.errors, event.total)
            total = batch.total or event.total
            current_index = max(batch.current_index or 0, index)
            if clips is batch.clips and (published, failed, total, current_index) == (
                batch.published,
                batch.failed,
                batch.total,
                batch.current_index,
            ):
                return  # nothing new (a repeated ``waiting``, say)
            batch = batch.with_progress(published, failed, total, current_index, clips)
        elif isinstance(event, ConnectedEvent | CompletedEvent):
            published, failed = _forward(batch, event.published, event.errors, event.total)
            batch = replace(
                batch, published=published, failed=failed, total=batch.total or event.total
            )
        elif isinstance(event, ErrorEvent):
            tracked.event_error = event.error
            if batch.error is None and event.error:
                batch = replace(batch, error=event.error)
        elif isinstance(event, UnknownEvent):
            log_event(
                _log, "unknown_event", logging.DEBUG, batch_id=batch.batch_id, type=event.type[:40]
            )
            return
        self._update(tracked, batch, changed)

    def _update(self, tracked: _Tracked, batch: Batch, changed: list[int] | None = None) -> None:
        """Keep ``batch`` and tell the listener, when it differs from what it was.

        ``changed``: the clip indexes that differ, when the caller knows them (an
        event changes one clip at most); otherwise every clip is compared.
        """
        old = tracked.batch
        if batch == old:
            return
        tracked.batch = batch
        save = self._memory.remember(self.user_id, batch) and (
            batch.status is not old.status or batch.is_final
        )
        if save and not self._announcing(tracked):
            self._save_memory()  # else _check_finished saves it, announced, once
        if changed is None:
            old_clips = {c.index: c for c in old.clips}
            changed = [
                c.index
                for c in batch.clips
                if (was := old_clips.get(c.index)) is not c and was != c
            ]
        self._listener.batch_updated(batch, changed)
        self._check_finished(tracked)

    def _announcing(self, tracked: _Tracked) -> bool:
        """Whether :meth:`_check_finished` will announce (and save) this batch now."""
        if tracked.finished or not tracked.batch.is_final:
            return False
        known = self._memory.get(self.user_id, tracked.batch.batch_id)
        return known is None or not known.announced

    def _check_finished(self, tracked: _Tracked) -> None:
        batch = tracked.batch
        if not batch.is_final:
            return
        follower, tracked.follower = tracked.follower, None
        if follower is not None and not follower.finished:
            self._spawn(follower.stop())
        if tracked.finished:
            return
        tracked.finished = True
        known = self._memory.get(self.user_id, batch.batch_id)
        if known is not None and known.announced:
            return
        self._memory.remember(self.user_id, batch, announced=True)
        self._save_memory()
        log_event(
            _log,
            "batch_finished",
            batch_id=batch.batch_id,
            status=batch.status_raw,
            published=batch.published,
            failed=batch.failed,
            total=batch.total,
        )
        self._listener.batch_finished(batch)

    # ------------------------------------------------------------ reachability

    def _api_failed(self, where: str, exc: ApiError, batch_id: str | None = None) -> None:
        if exc.kind in ("network", "unavailable"):
            self._set_reachable(False)
        # Precisely what failed (status, content type, field, timeout kind): issue 13.
        fields: dict[str, object] = {"where": where, **failure_fields(exc)}
        if batch_id:
            fields["batch_id"] = batch_id
        log_event(_log, "error", logging.WARNING, **fields)

    def _auth_failed(self, where: str, exc: AuthError, batch_id: str | None = None) -> None:
        """No token for this call. Signed out propagates (the caller stops); a
        passing refresh failure (offline, rate limited) is logged and retried on
        the next round, like a failed API call, instead of ending discovery."""
        if exc.reason == "session_expired":
            raise exc
        if exc.reason == "network":
            self._set_reachable(False)
        fields: dict[str, object] = {"where": where, "message": f"auth {exc.reason}"}
        if batch_id:
            fields["batch_id"] = batch_id
        log_event(_log, "error", logging.WARNING, **fields)

    def _set_reachable(self, reachable: bool) -> None:
        if reachable == self._reachable or self._stopped:
            return
        self._reachable = reachable
        log_event(_log, "server_reachable", reachable=reachable)
        self._listener.server_reachable_changed(reachable)
        if reachable:
            # Back from an outage: what started meanwhile must be found now.
            self._spawn(self._rediscover())

    async def _rediscover(self) -> None:
        try:
            await self.discover()
        except AuthError:
            return

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _save_memory(self) -> None:
        self._memory.save()


def _told(current: Clip, event: ProgressEvent) -> Clip:
    """``merge_clip_status(current, <current as the event tells it>)`` without
    building the told clip, and ``current`` itself when nothing changes (events
    repeat a status: three ``waiting`` per clip)."""
    status = event.clip_status
    if _RANK[status] < _RANK[current.status] and current.status is not ClipStatus.UNKNOWN:
        return current
    error = event.error or current.error
    if (
        status is current.status
        and event.clip_status_raw == current.status_raw
        and error == current.error
    ):
        return current
    return current.with_status(status, event.clip_status_raw, error)


_BATCH_FIELDS = tuple(f.name for f in fields(Batch) if f.name != "clips")


def _keeping(known: Batch, read: Batch) -> Batch:
    """``read`` with each field equal to ``known``'s as ``known``'s very object.

    A summary re-read (discovery every 30 s, the watchdog, the end of a batch)
    parses everything anew, into memory the parse's temporary objects surround.
    Whatever parsed object we keep pins that memory: the allocator cannot return
    an arena while one object in it lives, so a few kept strings made the RSS
    grow by 10 MiB at each discovery of 20,000 clips. Keeping the objects we
    already hold lets the parse's die, and leaves its arenas empty."""
    same = {}
    for name in _BATCH_FIELDS:
        value, was = getattr(read, name), getattr(known, name)
        if value is not was and value == was:
            same[name] = was
    return replace(read, **same) if same else read


def _reuse(known: tuple[Clip, ...], clips: dict[int, Clip]) -> None:
    """In ``clips``, each clip equal to the one ``known`` at its index becomes that
    very object (see :func:`_keeping` for why); the views then also see unchanged
    clips by identity. A changed clip stays the parsed one: taking its unchanged
    fields from the old one too cost CPU and, measured, saved no memory."""
    by_index = {c.index: c for c in known}
    for index, clip in clips.items():
        was = by_index.get(index)
        if was is not None and was is not clip and was == clip:
            clips[index] = was


def _same_tuple(known: tuple[Clip, ...], clips: Iterable[Clip]) -> tuple[Clip, ...]:
    """``clips`` in index order, as the very ``known`` tuple when it holds the same
    objects (then the next event finds its clips already ordered)."""
    ordered = _ordered(clips)
    if len(ordered) == len(known) and all(a is b for a, b in zip(ordered, known, strict=True)):
        return known
    return ordered


def _clip_index(clip: Clip) -> int:
    return clip.index


def _ordered(clips: Iterable[Clip]) -> tuple[Clip, ...]:
    return tuple(sorted(clips, key=_clip_index))


def _forward(batch: Batch, published: int, failed: int, total_told: int = 0) -> tuple[int, int]:
    """``batch``'s counts moved forward by what an event (or an earlier state of the
    same run) says, but never past the total: the summary is the truth, and
    counts above its total are shown only when the server's own summary says so
    (``Batch.done`` caps them for display). The summary's total stands; an
    event's total counts only while the summary's is unknown (0)."""
    total = batch.total or total_told
    moved = (max(batch.published, published), max(batch.failed, failed))
    if moved[0] + moved[1] > total:
        return batch.published, batch.failed
    return moved


def _in_batch(index: int, batch: Batch, total_told: int) -> bool:
    """A 1-based clip index the batch can have (any positive one while the total is unknown)."""
    total = batch.total or total_told
    return index >= 1 and (total == 0 or index <= total)


def _failed_left_pending(summary: Batch, clips: dict[int, Clip]) -> bool:
    """In a completed batch, mark as failed the clips the failed count says failed.

    The deployed database never marks an errored clip: it stays ``pending`` and
    only the batch's ``failed`` count rises. The stream's ``error`` event is then
    the only trace, and it is lost with a dropped connection (no replay there).
    A completed batch has no pending clip left, so when exactly as many clips
    are still pending as failures are not shown, those are the failed ones.
    (A batch *failed* by the deployed bug keeps its unstarted clips pending.)
    Changes ``clips`` in place; True when it did.
    """
    if summary.status is not BatchStatus.COMPLETED:
        return False
    shown_failed = sum(c.status is ClipStatus.FAILED for c in clips.values())
    pending = [c for c in clips.values() if c.status is ClipStatus.PENDING]
    if not pending or len(pending) != summary.failed - shown_failed:
        return False
    for clip in pending:
        clips[clip.index] = replace(clip, status=ClipStatus.FAILED, status_raw="failed")
    return True


def _same_run(old: Batch, new: Batch) -> Batch:
    """Counts from events only carry over while the batch keeps running."""
    if old.status is BatchStatus.PROCESSING or old.status is new.status:
        return old
    return new
