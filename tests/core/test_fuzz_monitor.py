"""Property tests: random and corrupted input through the pure merge (core/merge.py).

The merge is a pure function, so it is driven directly, as the monitor drives it:
per batch, the last result's batch and ``seen`` are handed to the next call.
Two feeds, both checked after every step against the invariants a user relies on:

1. Random sequences of summaries and events for a few batches (out of order,
   duplicated, counters above totals, unknown statuses, random clip indexes,
   odd event ids, the app restarting in the middle: all merge state lost).
2. Real SSE byte streams recorded once per session from the local backend
   (default mode, upstream mode, upstream with the whole-batch failure), then
   truncated, bit-flipped, spliced, framed twice and cut at random points, fed
   through ``SSEDecoder`` → ``parse_event`` → ``apply_event``, as the follower
   and the monitor do.

The invariants (on every result):

* counts are never negative, and ``published + failed`` never goes above the
  total, except when those are exactly the counts of the server's own latest
  summary of the batch: the summary is the truth and is shown as it is (the
  deployed backend fails batches with counts that do not add up, and a broken
  one may count above its total); :attr:`Batch.done` and :attr:`Batch.pending`
  cap and floor those for display, so they always stay within ``0..total``;
* a final summary is shown with exactly its status and counts, a finished batch
  never goes back to a non-final status, an event never changes a batch's status
  (but the local backend's control events: paused, resumed, cancelled, at once),
  and a batch becomes final at most once per run of the app;
* the result says truly what changed: ``changed`` and the very ``current``
  object when nothing did, ``changed_clips`` exactly the rows that differ,
  ``status_changed`` and ``became_final`` as the batches say;
* an event never moves a clip backwards, and a terminal clip status an event
  told is not shown as pending again by a summary that has not caught up;
* only ``ProtocolError`` (``SSEError`` is one) escapes the decoder and the
  parser, and nothing escapes the merge.

Announcing exactly once across restarts is the monitor's memory's work, tested
against the real backend in ``test_monitor.py`` and ``test_memory.py``.

Examples: profile ``ci`` (default) or ``deep`` (``HYPOTHESIS_PROFILE=deep``), see
``conftest.py``.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from storyclip_desktop.core.merge import (
    NOTHING_SEEN,
    MergeResult,
    Seen,
    apply_event,
    apply_summary,
)
from storyclip_desktop.core.model import (
    Batch,
    BatchStatus,
    Clip,
    ClipStatus,
    CompletedEvent,
    ConnectedEvent,
    ErrorEvent,
    ProgressEvent,
    ProtocolError,
    StreamEvent,
    UnknownEvent,
    parse_batch,
    parse_event,
)
from storyclip_desktop.core.sse import SSEDecoder, SSEError
from tests.backend import Backend

BATCH_IDS = ("b1", "b2", "b3")
TERMINAL = (ClipStatus.PUBLISHED, ClipStatus.FAILED, ClipStatus.SCHEDULED)
_RANK = {ClipStatus.PENDING: 0, ClipStatus.UNKNOWN: 0, ClipStatus.SCHEDULING: 1,
         ClipStatus.UPLOADING: 1, ClipStatus.WAITING_CONFIRMATION: 2, ClipStatus.SCHEDULED: 3,
         ClipStatus.PUBLISHED: 3, ClipStatus.FAILED: 3}  # fmt: skip


# ================================================================ the fold


@dataclasses.dataclass
class Shown:
    """The merge's state per batch, kept as the monitor keeps it, with the
    invariants checked on every result."""

    batches: dict[str, Batch] = dataclasses.field(default_factory=dict)
    seen: dict[str, Seen] = dataclasses.field(default_factory=dict)
    said: dict[str, set[tuple[int, int]]] = dataclasses.field(default_factory=dict)
    became_final: dict[str, int] = dataclasses.field(default_factory=dict)  # this run
    terminal_told: dict[str, set[int]] = dataclasses.field(default_factory=dict)

    def check(self, batch: Batch) -> None:
        assert batch.published >= 0
        assert batch.failed >= 0
        assert batch.total >= 0
        assert 0 <= batch.done <= batch.total
        assert 0 <= batch.pending <= batch.total
        # Above the total only with counts a summary of the server said as they are.
        server_says = (batch.published, batch.failed) in self.said.get(batch.batch_id, ())
        assert batch.published + batch.failed <= batch.total or server_says, batch

    def summary(self, summary: Batch) -> MergeResult:
        batch_id = summary.batch_id
        current = self.batches.get(batch_id)
        self.said.setdefault(batch_id, set()).add((summary.published, summary.failed))
        result = apply_summary(current, summary, self.seen.get(batch_id, NOTHING_SEEN))
        self._take(current, result)
        shown = result.batch
        if summary.is_final:  # the server's final word, shown exactly
            assert (shown.status_raw, shown.published, shown.failed, shown.total) == (
                summary.status_raw, summary.published, summary.failed, summary.total,
            )  # fmt: skip
        if current is None:
            assert result.added
            assert shown is summary
        elif current.is_final and not summary.is_final:
            assert result.ignored == "stale_summary"
            assert shown is current
        # A terminal status an event told is not undone by a summary still behind it.
        told = self.terminal_told.get(batch_id, set())
        listed = {c.index: c for c in summary.clips}
        by_index = {c.index: c for c in shown.clips}
        for index in sorted(told):
            if index in by_index and result.ignored is None:
                assert by_index[index].status in TERMINAL, (index, by_index[index])
            if index in listed and listed[index].status in TERMINAL:
                told.discard(index)  # the summary caught up
        return result

    def event(self, batch_id: str, event: StreamEvent) -> MergeResult | None:
        current = self.batches.get(batch_id)
        if current is None:
            return None  # the monitor follows only the batches it found
        result = apply_event(current, event, self.seen.get(batch_id, NOTHING_SEEN))
        shown = result.batch
        control = isinstance(event, UnknownEvent) and event.type in CONTROLS
        if control and not current.is_final:
            assert shown.status is CONTROLS[event.type]  # type: ignore[union-attr]
        else:
            assert shown.status is current.status
            assert shown.status_raw is current.status_raw
        if result.ignored == "duplicate_event":
            assert shown is current
        before = {c.index: c for c in current.clips}
        for clip in shown.clips:
            was = before.get(clip.index)
            if was is not None and was.status is not ClipStatus.UNKNOWN:
                assert _RANK[clip.status] >= _RANK[was.status], (was, clip)
        if current.is_final:
            return result  # the monitor stops following a finished batch: not kept
        self._take(current, result)
        if isinstance(event, ProgressEvent) and result.changed_clips:
            (index,) = result.changed_clips
            if next(c for c in shown.clips if c.index == index).status in TERMINAL:
                self.terminal_told.setdefault(batch_id, set()).add(index)
        return result

    def restart(self) -> None:
        """The app restarts: the merge's state is gone, discovery comes again."""
        self.batches.clear()
        self.seen.clear()
        self.became_final.clear()
        self.terminal_told.clear()

    def _take(self, current: Batch | None, result: MergeResult) -> None:
        shown = result.batch
        self.check(shown)
        if current is not None:
            assert result.changed == (shown != current)
            if not result.changed:
                assert shown is current
                assert result.changed_clips == ()
            else:
                before = {c.index: c for c in current.clips}
                differ = [c.index for c in shown.clips if before.get(c.index) != c]
                assert list(result.changed_clips) == differ
                assert result.status_changed == (shown.status is not current.status)
                assert result.became_final == (shown.is_final and not current.is_final)
            if current.is_final:
                assert shown.is_final, f"{shown.batch_id} came back as {shown.status}"
        if result.became_final:
            count = self.became_final.get(shown.batch_id, 0) + 1
            self.became_final[shown.batch_id] = count
            assert count == 1, f"{shown.batch_id} became final twice"
        self.batches[shown.batch_id] = shown
        self.seen[shown.batch_id] = result.seen


# ================================================================ strategies

STATUS_RAW = st.sampled_from(
    ["processing", "paused", "completed", "failed", "cancelled", "Processing ", "weird", "queued"]
)
CLIP_RAW = st.sampled_from(
    ["pending", "uploading", "waiting", "waiting_confirmation", "scheduling", "scheduled",
     "published", "failed", "error", "exploded", "PUBLISHED"]
)  # fmt: skip
TEXT = st.none() | st.text(max_size=12)
COUNT = st.integers(0, 12)
INDEX = st.integers(0, 10) | st.integers(0, 10_000_000)  # mostly rows a summary can list
EVENT_ID = st.none() | st.sampled_from(
    ["1", "2", "3", "5", "8", "13", "0", "007", "x", "", "²", "١٢", "9" * 30, "9" * 5000]
)


@st.composite
def clips(draw: st.DrawFn) -> tuple[Clip, ...]:
    indexes = draw(st.lists(st.integers(0, 10), max_size=8, unique=True))
    out = []
    for index in sorted(indexes):
        raw = draw(CLIP_RAW)
        out.append(
            Clip(index=index, status=ClipStatus.from_raw(raw), status_raw=raw,
                 error=draw(TEXT), attempts=draw(st.integers(0, 3)))
        )  # fmt: skip
    return tuple(out)


@st.composite
def summaries(draw: st.DrawFn, batch_id: str | None = None) -> Batch:
    raw = draw(STATUS_RAW)
    return Batch(
        batch_id=batch_id or draw(st.sampled_from(BATCH_IDS)),
        status=BatchStatus.from_raw(raw),
        status_raw=raw,
        total=draw(st.integers(0, 8)),
        published=draw(COUNT),
        failed=draw(COUNT),
        current_index=draw(st.none() | st.integers(0, 12)),
        error=draw(TEXT),
        clips=draw(clips()),
    )


@st.composite
def events(draw: st.DrawFn) -> StreamEvent:
    kinds = ["connected", "progress", "progress", "completed", "error", "control", "x"]
    kind = draw(st.sampled_from(kinds))
    event_id = draw(EVENT_ID)
    stamp = datetime(2025, 10, 29, tzinfo=UTC)
    if kind == "connected":
        raw = draw(STATUS_RAW)
        return ConnectedEvent("", stamp, BatchStatus.from_raw(raw), raw, draw(COUNT),
                              draw(COUNT), draw(st.integers(0, 8)), event_id)  # fmt: skip
    if kind == "progress":
        raw = draw(CLIP_RAW)
        return ProgressEvent(
            "", stamp, current=draw(INDEX), total=draw(st.integers(0, 8)),
            published=draw(COUNT), errors=draw(COUNT), clip_status=ClipStatus.from_raw(raw),
            clip_status_raw=raw, error=draw(TEXT), event_id=event_id,
        )  # fmt: skip
    if kind == "completed":
        return CompletedEvent("", stamp, draw(COUNT), draw(COUNT), draw(st.integers(0, 8)),
                              event_id)  # fmt: skip
    if kind == "error":
        return ErrorEvent("", stamp, draw(TEXT), event_id)
    if kind == "control":
        return UnknownEvent(
            draw(st.sampled_from(sorted(CONTROLS))), None, stamp,
            {"published": draw(COUNT), "errors": draw(st.one_of(COUNT, st.just("x")))},
            event_id,
        )  # fmt: skip
    return UnknownEvent("heartbeat", None, stamp, {}, event_id)


#: The local backend's control events and the status each one shows at once.
CONTROLS = {
    "paused": BatchStatus.PAUSED,
    "resumed": BatchStatus.PROCESSING,
    "cancelled": BatchStatus.CANCELLED,
}


STEP = st.one_of(
    st.tuples(st.just("summary"), summaries()),
    st.tuples(st.just("summary"), summaries()),
    st.tuples(st.just("event"), st.tuples(st.sampled_from(BATCH_IDS), events())),
    st.tuples(st.just("restart"), st.none()),
)


def run_steps(steps: Sequence[tuple[str, Any]]) -> Shown:
    shown = Shown()
    for action, arg in steps:
        if action == "summary":
            shown.summary(arg)
        elif action == "event":
            shown.event(*arg)
        else:
            shown.restart()
    return shown


def final(batch_id: str, status: str, published: int, failed: int, total: int) -> Batch:
    return Batch(batch_id, BatchStatus.from_raw(status), status, total, published, failed)


def progress(current: int, total: int, published: int, errors: int, raw: str,
             event_id: str | None = None) -> ProgressEvent:  # fmt: skip
    return ProgressEvent("", None, current, total, published, errors, ClipStatus.from_raw(raw),
                         raw, event_id=event_id)  # fmt: skip


# ================================================================ 1. random sequences


@given(st.lists(STEP, max_size=40))
@example(  # counts from events above what the summary allows
    [("summary", final("b1", "processing", 1, 0, 3)),
     ("event", ("b1", progress(2, 3, 3, 2, "published")))]
)  # fmt: skip
@example(  # a finished batch fed a later non-final summary (discovery's stale list)
    [("summary", final("b1", "processing", 1, 0, 2)),
     ("summary", final("b1", "completed", 2, 0, 2)),
     ("summary", final("b1", "processing", 1, 0, 2))]
)  # fmt: skip
@example(  # an event id that is digits but not a number int() takes
    [("summary", final("b1", "processing", 0, 0, 2)),
     ("event", ("b1", progress(1, 2, 1, 0, "published", "9" * 5000))),
     ("event", ("b1", progress(1, 2, 1, 0, "published", "²")))]
)  # fmt: skip
@example(  # a clip index far outside the batch
    [("summary", final("b1", "processing", 0, 0, 2)),
     ("event", ("b1", progress(10_000_000, 2, 0, 0, "uploading")))]
)  # fmt: skip
@example(  # the lagging database: an errored clip stays pending in the summary
    [("summary", final("b1", "processing", 0, 0, 3)),
     ("event", ("b1", progress(2, 3, 0, 1, "error"))),
     ("summary", dataclasses.replace(final("b1", "processing", 0, 1, 3),
                                     clips=(Clip(2, ClipStatus.PENDING, "pending"),)))]
)  # fmt: skip
@example(  # the server's own final summary counts above its total
    [("summary", final("b1", "processing", 0, 0, 2)),
     ("summary", final("b1", "completed", 3, 1, 2))]
)  # fmt: skip
@example(  # the app restarts: a final batch met anew is final at once
    [("summary", final("b1", "completed", 2, 0, 2)), ("restart", None),
     ("summary", final("b1", "completed", 2, 0, 2))]
)  # fmt: skip
def test_random_summaries_and_events_keep_the_invariants(steps: list[tuple[str, Any]]) -> None:
    run_steps(steps)  # Shown checks every result


def test_final_summary_is_shown_exactly_and_final_once() -> None:
    """The server's final counts win over anything events said; the batch becomes
    final once, and neither a later event nor a stale summary undoes it."""
    shown = run_steps(
        [
            ("summary", final("b1", "processing", 0, 0, 4)),
            ("event", ("b1", progress(3, 4, 3, 0, "published", "7"))),
            ("summary", final("b1", "completed", 2, 2, 4)),
            ("summary", final("b1", "completed", 2, 2, 4)),
            ("event", ("b1", progress(4, 4, 4, 0, "published", "9"))),
            ("summary", final("b1", "processing", 2, 0, 4)),
        ]
    )
    assert shown.became_final == {"b1": 1}
    last = shown.batches["b1"]
    assert (last.status_raw, last.published, last.failed, last.total) == ("completed", 2, 2, 4)


def test_lost_error_event_completed_batch_shows_its_failed_clip() -> None:
    """Upstream: the failed clip stays pending in the summary and its event was lost."""
    rows = tuple(
        Clip(i, ClipStatus.PUBLISHED if i != 2 else ClipStatus.PENDING,
             "published" if i != 2 else "pending")
        for i in (1, 2, 3)
    )  # fmt: skip
    shown = run_steps(
        [
            ("summary", final("b1", "processing", 0, 0, 3)),
            ("summary", dataclasses.replace(final("b1", "completed", 2, 1, 3), clips=rows)),
        ]
    )
    assert [c.status for c in shown.batches["b1"].clips] == [
        ClipStatus.PUBLISHED, ClipStatus.FAILED, ClipStatus.PUBLISHED,
    ]  # fmt: skip
    # A batch failed by the deployed bug keeps its unstarted clips pending.
    shown = run_steps(
        [
            ("summary", final("b2", "processing", 0, 0, 3)),
            ("summary", dataclasses.replace(final("b2", "failed", 2, 1, 3), clips=rows)),
        ]
    )
    assert shown.batches["b2"].clips[1].status is ClipStatus.PENDING


# ================================================================ 2. recorded streams


@dataclasses.dataclass(frozen=True)
class Recording:
    name: str
    batch_id: str
    start: Batch  # the summary discovery saw before the stream opened
    end: Batch  # the server's final summary
    raw: bytes  # the stream's body bytes, as the server sent them


def _record(backend: Backend, clips: int, fail: Sequence[int] = ()) -> Recording:
    batch_id = backend.create_batch(clips, fail=fail)
    start = parse_batch(backend.batch(batch_id))
    headers = {"X-Api-Key": backend.api_key, "Accept": "text/event-stream"}
    if backend.mode == "default":
        headers["Authorization"] = f"Bearer {backend.access_token()}"
        headers["Last-Event-ID"] = "0"  # replay from the first event
    raw = bytearray()
    deadline = time.monotonic() + 20
    # Default mode closes the stream after the final event; upstream never does
    # (and may send the last clip after `completed`): a second of silence ends it.
    with backend.http.stream(
        "GET", f"{backend.url}/api/metricool/stream", params={"batchId": batch_id},
        headers=headers, timeout=httpx.Timeout(10.0, read=1.0),
    ) as response:  # fmt: skip
        assert response.status_code == 200
        try:
            for chunk in response.iter_raw():
                raw += chunk
                assert time.monotonic() < deadline
        except httpx.ReadTimeout:
            assert backend.mode == "upstream"
    end = parse_batch(backend.wait_batch_final(batch_id, timeout=20))
    return Recording(f"{backend.mode}", batch_id, start, end, bytes(raw))


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> list[Recording]:
    """One full batch per backend flavour, recorded once per session."""
    made: list[Recording] = []
    specs: list[tuple[dict[str, Any], int, list[int]]] = [
        ({"mode": "default", "clip_seconds": 0.05, "waits": 2}, 6, [3]),
        ({"mode": "upstream", "clip_seconds": 0.15, "waits": 2}, 5, [2]),
        ({"mode": "upstream", "clip_seconds": 0.15, "fail_batch_on_first_error": True}, 4, [3]),
    ]
    for n, (options, clips, fail) in enumerate(specs):
        folder: Path = tmp_path_factory.mktemp(f"recording-{n}")
        with Backend(db_path=folder / "backend.sqlite3", **options) as backend:
            recording = _record(backend, clips, fail)
        made.append(dataclasses.replace(recording, name=f"{recording.name}-{n}"))
    return made


def _frames(raw: bytes) -> list[bytes]:
    parts = raw.split(b"\n\n")
    return [p + b"\n\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


@st.composite
def mutated(draw: st.DrawFn, recordings: list[Recording]) -> tuple[Recording, list[bytes]]:
    recording = draw(st.sampled_from(recordings))
    frames = _frames(recording.raw)
    data = bytearray(b"".join(frames))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup", "swap", "truncate"]))
        if op == "dup" and frames:  # a frame sent twice (a replay overlapping)
            i = draw(st.integers(0, len(frames) - 1))
            frames.insert(i, frames[i])
            data = bytearray(b"".join(frames))
        elif op == "swap" and len(frames) > 1:  # frames out of order
            i, j = draw(st.integers(0, len(frames) - 1)), draw(st.integers(0, len(frames) - 1))
            frames[i], frames[j] = frames[j], frames[i]
            data = bytearray(b"".join(frames))
        elif op == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(
                st.sampled_from([b"\r", b"\n", b"\n\n", b":", b"data: ", b"id: 4\n", b"\xff",
                                 b"retry: x\n", b'{"type":"progress","current":1}'])
                | st.binary(max_size=6)
            )  # fmt: skip
        elif op == "delete" and data:
            at = draw(st.integers(0, len(data) - 1))
            del data[at : at + draw(st.integers(1, 8))]
        elif op == "truncate":
            del data[draw(st.integers(0, len(data))) :]
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    chunks = [bytes(data[a:b]) for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    return recording, chunks


def replay(shown: Shown, recording: Recording, chunks: Sequence[bytes],
           max_event_bytes: int) -> int:  # fmt: skip
    """The follower's path: decoder, parser, merge; a broken stream is a new connection."""
    decoder = SSEDecoder(max_event_bytes=max_event_bytes)
    applied = 0
    for chunk in chunks:
        try:
            messages = decoder.feed(chunk)
        except SSEError as exc:
            messages = exc.messages  # what the chunk completed before the limit
            decoder.end()  # the follower drops the connection and opens another
        for message in messages:
            if message.event not in ("message", ""):
                continue
            try:
                event = parse_event(message.data, message.last_event_id or None)
            except ProtocolError:
                continue  # logged and skipped by the follower
            result = shown.event(recording.batch_id, event)
            applied += result is not None and result.ignored != "duplicate_event"
    decoder.end()
    return applied


@given(data=st.data(), small=st.booleans())
def test_recorded_streams_cut_and_corrupted(
    recordings: list[Recording], data: st.DataObject, small: bool
) -> None:
    recording, chunks = data.draw(mutated(recordings))
    shown = Shown()
    shown.summary(recording.start)
    replay(shown, recording, chunks, 64 if small else 4 << 20)
    # Then the follower's settle: the server's final summary is the truth.
    shown.summary(recording.end)
    last = shown.batches[recording.batch_id]
    assert (last.status_raw, last.published, last.failed, last.total) == (
        recording.end.status_raw, recording.end.published, recording.end.failed,
        recording.end.total,
    )  # fmt: skip
    assert shown.became_final == {recording.batch_id: 1}


def test_recordings_replayed_intact_apply_every_event(recordings: list[Recording]) -> None:
    """The uncorrupted recordings parse fully: the fuzz above starts from real streams."""
    for recording in recordings:
        shown = Shown()
        shown.summary(recording.start)
        rng = random.Random(recording.name)
        cuts = sorted(rng.sample(range(len(recording.raw)), 20))
        bounds = itertools.pairwise([0, *cuts, len(recording.raw)])
        chunks = [recording.raw[a:b] for a, b in bounds]
        applied = replay(shown, recording, chunks, 4 << 20)
        assert applied >= recording.end.total, recording.name
        shown.summary(recording.end)
        assert shown.became_final == {recording.batch_id: 1}
