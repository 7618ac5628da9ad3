"""Pure merging: a batch's summaries and stream events -> the batch as shown.

The REST summary is the truth for a batch's counts and status; the stream is
fresher but out of order and, on the deployed backend, ahead of its database
for good (wire contract, Part 1). These functions hold the rules that reconcile
the two, and nothing else: no I/O, no clock, no asyncio, no logging, so they are
tested from recorded payloads alone. The monitor keeps, per batch, the last
:class:`MergeResult`'s ``batch`` and ``seen`` and hands them back on the next call.

The rules:

* a clip never moves backwards: a later status does not give way to an earlier
  one arriving late (events out of order, a summary that lags the events); a
  terminal status an event told (published, failed) is not shown as pending again
  because the deployed database never stores it;
* counts move forward only, and never past the total, except when the server's
  own summary says so; a final summary's counts are shown exactly as they are;
* ``completed`` and ``error`` events never end a batch: ``completed`` arrives
  before the last clip's ``published`` event upstream, so only a summary read
  after it makes the batch final; an ``error`` event's text is kept until a
  summary brings its own;
* a finished batch does not come back to life through a later non-final summary
  (a stale read); an event whose numeric id is not above the last one is a
  replayed duplicate;
* in a completed batch, clips the database left ``pending`` while its failed
  count rose are the failed ones (their ``error`` events can be lost with a
  dropped connection and are never replayed upstream);
* a clip's attempts, publish time and error follow the stream while the batch
  runs (a clip an event saw published or failed was tried at least once; it was
  published when that event was sent), not only once a summary catches up;
* the local backend's control events (``paused``, ``resumed``, ``cancelled``,
  Part 2) change the batch's status at once: a cancel is final and nothing of
  the batch moves after it, so its event's counts are the batch's last ones;
  in a finished batch a clip an event left in flight (uploading, waiting) is
  shown as the final summary has it.

Unchanged objects are kept by identity (see :func:`_keeping`): the views find
unchanged clips by identity, and memory is not pinned by a re-read's parse.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from types import MappingProxyType
from typing import Literal, NamedTuple

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
    UnknownEvent,
)

__all__ = [
    "NOTHING_SEEN",
    "Ignored",
    "MergeResult",
    "Seen",
    "ToldClips",
    "apply_event",
    "apply_summary",
    "is_new_run",
    "merge_clip_status",
]

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

#: Why an input changed nothing, for the caller's log and counters.
Ignored = Literal["stale_summary", "duplicate_event", "unknown_event"]


class ToldClips(NamedTuple):
    """The clips as the last event about each one left them, by index, kept until
    a summary catches up. Immutable: :meth:`with_clip` copies the few recent
    changes (``recent``), not the whole map (``base``): a 2,000-clip batch makes
    6,000 clip changes, and copying all of it each time made the events of a
    1,000-clip batch about 15 % slower to merge."""

    base: Mapping[int, Clip] = MappingProxyType({})
    recent: Mapping[int, Clip] = MappingProxyType({})

    def get(self, index: int) -> Clip | None:
        return self.recent.get(index) or self.base.get(index)

    def as_dict(self) -> dict[int, Clip]:
        return {**self.base, **self.recent}

    def with_clip(self, index: int, clip: Clip) -> ToldClips:
        if len(self.recent) < _RECENT_MAX:
            return ToldClips(self.base, {**self.recent, index: clip})
        return ToldClips({**self.base, **self.recent, index: clip})

    def without(self, indexes: Iterable[int]) -> ToldClips:
        kept = self.as_dict()
        for index in indexes:
            kept.pop(index, None)
        return ToldClips(kept)


_RECENT_MAX = 32
_NOTHING_TOLD = ToldClips()


class Seen(NamedTuple):
    """What a batch's stream said that its summaries may not say yet.

    ``told``: the clips as the last event about each one left them, until a
    summary catches up; ``error``: the last ``error`` event's text;
    ``last_event_id``: the highest numeric event id applied (duplicates below);
    ``ordered``: the last clips tuple built here, so known to be sorted with
    unique indexes (an event then finds its clip by bisection, not a sort).
    Never changed in place: every call returns a new one when anything moved, so
    a result can be kept or dropped at will.
    """

    told: ToldClips = _NOTHING_TOLD
    error: str | None = None
    last_event_id: int = -1
    ordered: tuple[Clip, ...] | None = None


#: A batch met for the first time: its stream has said nothing yet.
NOTHING_SEEN = Seen()


class MergeResult(NamedTuple):
    """The batch as shown after one summary or event, and what changed.

    ``batch`` is the very ``current`` object when nothing changed (``changed``
    False). ``changed_clips``: the clip indexes whose row differs, in index order
    (empty when only counts, status or error moved). ``became_final``: it just
    reached a final status (the monitor announces it, once). ``added``: there was
    no batch before (a summary of a batch met for the first time). ``ignored``
    says why an input changed nothing when that is worth a log line or a count.
    Named tuples, this and :class:`Seen`, not frozen dataclasses: one of each is
    built per stream event, at a fifth of a frozen dataclass's cost.
    """

    batch: Batch
    seen: Seen
    changed: bool = False
    changed_clips: tuple[int, ...] = ()
    status_changed: bool = False
    counts_changed: bool = False
    became_final: bool = False
    added: bool = False
    ignored: Ignored | None = None


# ---------------------------------------------------------------- clips


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
        published_at=current.published_at or told.published_at,
    )


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
    shown = current.with_status(status, event.clip_status_raw, error)
    if status is ClipStatus.PUBLISHED or status is ClipStatus.FAILED:
        # Live data: tried at least once; published when the event says it was.
        published_at = current.published_at
        if status is ClipStatus.PUBLISHED and published_at is None:
            published_at = event.timestamp
        if shown.attempts < 1 or published_at is not shown.published_at:
            shown = replace(shown, attempts=max(shown.attempts, 1), published_at=published_at)
    return shown


# ---------------------------------------------------------------- summaries


def is_new_run(current: Batch, summary: Batch) -> bool:
    """Whether ``summary`` shows a finished batch started again (retry failed, resume)
    rather than a stale read: the server gave it a later ``startedAt`` (issue 16)."""
    return (
        current.is_final
        and not summary.is_final
        and current.started_at is not None
        and summary.started_at is not None
        and summary.started_at > current.started_at
    )


def apply_summary(current: Batch | None, summary: Batch, seen: Seen = NOTHING_SEEN) -> MergeResult:
    """``summary`` (a REST read: active list, by id, the follower's polls) merged
    into ``current`` with what the stream said (``seen``).

    ``current`` None: a batch met for the first time, shown as the summary says.
    """
    if current is None:
        return MergeResult(
            summary,
            NOTHING_SEEN,
            changed=True,
            changed_clips=tuple(sorted(c.index for c in summary.clips)),
            status_changed=True,
            counts_changed=True,
            became_final=summary.is_final,
            added=True,
        )
    if current.is_final and not summary.is_final:
        # A finished batch does not come back to life: a later non-final summary
        # is a stale read (an active list taken before the end, a lagging replica).
        return MergeResult(current, seen, ignored="stale_summary")
    clips = {c.index: c for c in summary.clips}
    told = seen.told
    caught_up = []
    for index, said in told.as_dict().items() if told.base or told.recent else ():
        base = clips.get(index)
        if base is None:
            clips[index] = said
            continue
        if summary.is_final and not said.status.is_final and base.status is not said.status:
            # The batch is over: a clip an event left in flight is as the server
            # left it (a cancel puts the clip in flight back to pending).
            caught_up.append(index)
            continue
        shown = merge_clip_status(base, said)
        clips[index] = shown
        if shown.status is base.status:
            caught_up.append(index)  # the summary has caught up
    if caught_up:
        told = told.without(caught_up)
    if summary.is_final:
        _failed_left_pending(summary, clips)  # the server's exact final counts
    _reuse(current.clips, clips)
    ordered = seen.ordered
    if summary.is_final:
        merged = replace(summary, clips=_same_tuple(current.clips, clips.values()))
    else:
        run = _same_run(current, summary)
        published, failed = _forward(summary, run.published, run.failed)
        merged = replace(
            summary,
            published=published,
            failed=failed,
            clips=_same_tuple(current.clips, clips.values()),
        )
        ordered = merged.clips
    if merged.error is None and seen.error:
        merged = replace(merged, error=seen.error)
    seen = _seen(seen, told, seen.error, seen.last_event_id, ordered)
    return _result(current, _keeping(current, merged), seen)


# ---------------------------------------------------------------- events


def apply_event(current: Batch, event: StreamEvent, seen: Seen = NOTHING_SEEN) -> MergeResult:
    """One stream event applied to ``current``: a clip moves, the counts move
    forward; the batch's status never changes here (only a summary ends it)."""
    last_id = seen.last_event_id
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
        if number <= last_id:
            return MergeResult(current, seen, ignored="duplicate_event")
        last_id = number
    batch = current
    told, error, ordered = seen.told, seen.error, seen.ordered
    changed: tuple[int, ...] = ()
    if isinstance(event, ProgressEvent) and not _in_batch(event.current, batch, event.total):
        # A clip index outside the batch is nonsense: no row for it (counts only).
        published, failed = _forward(batch, event.published, event.errors, event.total)
        batch = replace(batch, published=published, failed=failed, total=batch.total or event.total)
    elif isinstance(event, ProgressEvent):
        # One clip changes: O(log n) to find it and one tuple copy (in C), so a
        # 1,000-clip batch costs about what a 20-clip one does per event.
        index = event.current
        clips = batch.clips
        if clips is not ordered:
            # Clips as a summary listed them: sorted once by index (unique); the
            # very tuple is kept when it already was, so the next event is fast.
            resorted = _ordered({c.index: c for c in clips}.values())
            clips = ordered = clips if resorted == clips else resorted
        at = bisect_left(clips, index, key=_clip_index)
        found = clips[at] if at < len(clips) and clips[at].index == index else None
        was = found or Clip(index=index, status=ClipStatus.PENDING, status_raw="pending")
        shown = _told(was, event)
        if (told.recent.get(index) or told.base.get(index)) is not shown:
            told = told.with_clip(index, shown)
        if shown is not found:
            if found is not None:
                listed = list(clips)  # the cheapest copy with one clip replaced
                listed[at] = shown
                clips = tuple(listed)
            else:
                clips = (*clips[:at], shown, *clips[at:])
            ordered = clips
            changed = (index,)
        published, failed = _forward(batch, event.published, event.errors, event.total)
        total = batch.total or event.total
        current_index = max(batch.current_index or 0, index)
        if told is not seen.told or ordered is not seen.ordered or last_id != seen.last_event_id:
            seen = Seen(told, error, last_id, ordered)  # (inline: the hot path)
        if clips is batch.clips and (published, failed, total, current_index) == (
            batch.published,
            batch.failed,
            batch.total,
            batch.current_index,
        ):
            return MergeResult(current, seen)  # nothing new (a repeated ``waiting``, say)
        # The hot path, built directly: a clip or a count moved (or the clips were
        # put in order), so the batch differs, and an event never moves its status.
        return MergeResult(
            batch.with_progress(published, failed, total, current_index, clips),
            seen,
            True,
            changed,
            False,
            (published, failed, total) != (batch.published, batch.failed, batch.total),
        )
    elif isinstance(event, ConnectedEvent | CompletedEvent):
        # Counts only: `completed` can come before the last clip's event (upstream),
        # so the batch ends when a summary read after it says so.
        published, failed = _forward(batch, event.published, event.errors, event.total)
        batch = replace(batch, published=published, failed=failed, total=batch.total or event.total)
    elif isinstance(event, ErrorEvent):
        error = event.error
        if batch.error is None and event.error:
            batch = replace(batch, error=event.error)
    elif isinstance(event, UnknownEvent) and event.type in _CONTROL_EVENTS:
        batch = _controlled(batch, event)
    elif isinstance(event, UnknownEvent):
        seen = _seen(seen, told, error, last_id, ordered)
        return MergeResult(current, seen, ignored="unknown_event")
    return _result(current, batch, _seen(seen, told, error, last_id, ordered), changed)


# ---------------------------------------------------------------- helpers

#: The local backend's control events (Part 2) and the status each one means.
_CONTROL_EVENTS = {
    "paused": BatchStatus.PAUSED,
    "resumed": BatchStatus.PROCESSING,
    "cancelled": BatchStatus.CANCELLED,
}


def _controlled(batch: Batch, event: UnknownEvent) -> Batch:
    """``batch`` after a control event: its new status at once, its counts forward.

    A finished batch does not change here (a replayed or late event); a summary
    still has the last word on a batch that is not final."""
    if batch.is_final:
        return batch
    status = _CONTROL_EVENTS[event.type]
    published, failed = _forward(
        batch, _count(event.data, "published"), _count(event.data, "errors")
    )
    return replace(
        batch,
        status=status,
        status_raw=status.value,
        published=published,
        failed=failed,
    )


def _count(data: Mapping[str, object], key: str) -> int:
    """A count from an event's data; anything but a whole number >= 0 counts as 0."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return value


def _seen(
    seen: Seen,
    told: ToldClips,
    error: str | None,
    last_event_id: int,
    ordered: tuple[Clip, ...] | None,
) -> Seen:
    """``seen`` itself when nothing in it moved (most events move nothing here)."""
    if (
        told is seen.told
        and error is seen.error
        and last_event_id == seen.last_event_id
        and ordered is seen.ordered
    ):
        return seen
    return Seen(told, error, last_event_id, ordered)


def _result(
    current: Batch, batch: Batch, seen: Seen, changed: tuple[int, ...] | None = None
) -> MergeResult:
    """What changed from ``current`` to ``batch``; ``changed``: the clip indexes
    that differ when the caller knows them (an event changes one clip at most),
    otherwise every clip is compared."""
    if batch is current or batch == current:
        return MergeResult(current, seen)
    if changed is None:
        old_clips = {c.index: c for c in current.clips}
        changed = tuple(
            c.index for c in batch.clips if (was := old_clips.get(c.index)) is not c and was != c
        )
    return MergeResult(
        batch,
        seen,
        changed=True,
        changed_clips=changed,
        status_changed=batch.status is not current.status,
        counts_changed=(batch.published, batch.failed, batch.total)
        != (current.published, current.failed, current.total),
        became_final=batch.is_final and not current.is_final,
    )


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
