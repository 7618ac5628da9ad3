"""Property tests: random and corrupted input through the monitor's merging.

Two feeds, both checked after every step against the invariants a user relies on:

1. Random sequences of summaries and events for a few batches, sent to the
   monitor the way discovery and the followers send them (out of order,
   duplicated, counters above totals, unknown statuses, random clip indexes,
   odd event ids, a monitor restart on the same memory in the middle).
2. Real SSE byte streams recorded once per session from the local backend
   (default mode, upstream mode, upstream with the whole-batch failure), then
   truncated, bit-flipped, spliced, framed twice and cut at random points, fed
   through ``SSEDecoder`` → ``parse_event`` → the monitor, as the follower does.

The invariants (what the listener saw, at every call):

* counts are never negative, and ``published + failed`` never goes above the
  total, except when those are exactly the counts of the server's own latest
  summary of the batch: the summary is the truth and is shown as it is (the
  deployed backend fails batches with counts that do not add up, and a broken
  one may count above its total); :attr:`Batch.done` and :attr:`Batch.pending`
  cap and floor those for display, so they always stay within ``0..total``;
* a batch is reported finished at most once per user (across a monitor
  restart too), exactly once when a final summary reached the monitor, and a
  finished batch is never updated back to a non-final status;
* only ``ProtocolError`` (``SSEError`` is one) escapes the decoder and the
  parser, and nothing escapes the monitor.

The sink methods never touch the network; the monitor gets an API object that
fails loudly if it is used. Batches enter the monitor through ``_consider``,
which is what discovery does with every summary it reads (active list or by id).

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
from typing import Any, cast

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from storyclip_desktop.core.api import StoryClipApi
from storyclip_desktop.core.memory import MonitorMemory
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
    StreamState,
    UnknownEvent,
    parse_batch,
    parse_event,
)
from storyclip_desktop.core.monitor import BatchMonitor
from storyclip_desktop.core.sse import SSEDecoder, SSEError
from tests.backend import Backend

USER = "user-1"
BATCH_IDS = ("b1", "b2", "b3")


class NoNetwork:
    """Stands in for the API: the sink methods must never call it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the monitor's sink called the API ({name})")


# ================================================================ the watcher


@dataclasses.dataclass
class Watcher:
    """A MonitorListener that checks the invariants on every call it gets."""

    said: dict[str, set[tuple[int, int]]] = dataclasses.field(default_factory=dict)
    final_fed: set[str] = dataclasses.field(default_factory=set)  # a final summary came
    finished: dict[str, int] = dataclasses.field(default_factory=dict)  # across restarts
    finished_here: set[str] = dataclasses.field(default_factory=set)  # by this monitor
    added: list[str] = dataclasses.field(default_factory=list)
    last: dict[str, Batch] = dataclasses.field(default_factory=dict)

    def check(self, batch: Batch) -> None:
        assert batch.published >= 0
        assert batch.failed >= 0
        assert batch.total >= 0
        assert 0 <= batch.done <= batch.total
        assert 0 <= batch.pending <= batch.total
        # Above the total only with counts a summary of the server said as they are.
        server_says = (batch.published, batch.failed) in self.said.get(batch.batch_id, ())
        assert batch.published + batch.failed <= batch.total or server_says, batch
        if batch.batch_id in self.finished_here:
            assert batch.is_final, f"finished batch {batch.batch_id} came back as {batch.status}"

    def fed(self, summary: Batch) -> None:
        self.said.setdefault(summary.batch_id, set()).add((summary.published, summary.failed))
        if summary.is_final:
            self.final_fed.add(summary.batch_id)

    def batch_added(self, batch: Batch) -> None:
        self.check(batch)
        self.added.append(batch.batch_id)
        self.last[batch.batch_id] = batch

    def batch_updated(self, batch: Batch, changed_clips: Sequence[int]) -> None:
        self.check(batch)
        assert batch.batch_id in self.last, "updated before it was added"
        known = {c.index for c in batch.clips}
        assert set(changed_clips) <= known
        self.last[batch.batch_id] = batch

    def batch_finished(self, batch: Batch) -> None:
        assert batch.is_final
        self.check(batch)
        self.finished[batch.batch_id] = self.finished.get(batch.batch_id, 0) + 1
        self.finished_here.add(batch.batch_id)
        assert self.finished[batch.batch_id] == 1, f"{batch.batch_id} finished twice"

    def stream_state_changed(self, batch_id: str, state: StreamState) -> None:
        pass

    def server_reachable_changed(self, reachable: bool) -> None:
        raise AssertionError("the sink was not told about reachability here")

    def signed_out(self, reason: str) -> None:
        raise AssertionError("the monitor does not sign out")


def new_monitor(watcher: Watcher, memory: MonitorMemory) -> BatchMonitor:
    return BatchMonitor(cast(StoryClipApi, NoNetwork()), USER, watcher, memory)


def check_state(monitor: BatchMonitor, watcher: Watcher) -> None:
    """After a step: what the monitor holds agrees with what the listener was told."""
    for batch_id, batch in monitor.batches.items():
        assert watcher.last[batch_id] == batch
        watcher.check(batch)
        if batch_id in watcher.final_fed:
            # A final summary reached the monitor: it was announced, by this monitor
            # or (memory) by the one before a restart, exactly once.
            assert watcher.finished.get(batch_id) == 1, (batch_id, watcher.finished)


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
    kind = draw(st.sampled_from(["connected", "progress", "progress", "completed", "error", "x"]))
    event_id = draw(EVENT_ID)
    stamp = datetime(2025, 10, 29, tzinfo=UTC)
    if kind == "connected":
        raw = draw(STATUS_RAW)
        return ConnectedEvent("", stamp, BatchStatus.from_raw(raw), raw, draw(COUNT),
                              draw(COUNT), draw(st.integers(0, 8)), event_id)  # fmt: skip
    if kind == "progress":
        raw = draw(CLIP_RAW)
        return ProgressEvent(
            "", stamp, current=draw(st.integers(0, 10_000_000)), total=draw(st.integers(0, 8)),
            published=draw(COUNT), errors=draw(COUNT), clip_status=ClipStatus.from_raw(raw),
            clip_status_raw=raw, error=draw(TEXT), event_id=event_id,
        )  # fmt: skip
    if kind == "completed":
        return CompletedEvent("", stamp, draw(COUNT), draw(COUNT), draw(st.integers(0, 8)),
                              event_id)  # fmt: skip
    if kind == "error":
        return ErrorEvent("", stamp, draw(TEXT), event_id)
    return UnknownEvent("cancelled", None, stamp, {}, event_id)


STEP = st.one_of(
    st.tuples(st.just("discover"), summaries()),
    st.tuples(st.just("summary"), summaries()),
    st.tuples(st.just("event"), st.tuples(st.sampled_from(BATCH_IDS), events())),
    st.tuples(st.just("restart"), st.none()),
)


def run_steps(steps: Sequence[tuple[str, Any]]) -> Watcher:
    memory = MonitorMemory(None)
    watcher = Watcher()
    monitor = new_monitor(watcher, memory)
    for action, arg in steps:
        if action == "discover":
            watcher.fed(arg)
            monitor._consider(arg)
        elif action == "summary":
            if arg.batch_id in monitor.batches:
                watcher.fed(arg)
            monitor.follower_summary(arg)
        elif action == "event":
            batch_id, event = arg
            monitor.follower_event(batch_id, event)
        else:  # the app restarts: a new monitor, the same memory; discovery comes again
            monitor = new_monitor(watcher, memory)
            watcher.last.clear()
            watcher.added.clear()
            watcher.finished_here.clear()
        check_state(monitor, watcher)
    return watcher


def final(batch_id: str, status: str, published: int, failed: int, total: int) -> Batch:
    return Batch(batch_id, BatchStatus.from_raw(status), status, total, published, failed)


def progress(current: int, total: int, published: int, errors: int, raw: str,
             event_id: str | None = None) -> ProgressEvent:  # fmt: skip
    return ProgressEvent("", None, current, total, published, errors, ClipStatus.from_raw(raw),
                         raw, event_id=event_id)  # fmt: skip


# ================================================================ 1. random sequences


@given(st.lists(STEP, max_size=40))
@example(  # counts from events above what the summary allows
    [("discover", final("b1", "processing", 1, 0, 3)),
     ("event", ("b1", progress(2, 3, 3, 2, "published")))]
)  # fmt: skip
@example(  # a finished batch fed a later non-final summary (discovery's stale list)
    [("discover", final("b1", "processing", 1, 0, 2)),
     ("summary", final("b1", "completed", 2, 0, 2)),
     ("discover", final("b1", "processing", 1, 0, 2))]
)  # fmt: skip
@example(  # an event id that is digits but not a number int() takes
    [("discover", final("b1", "processing", 0, 0, 2)),
     ("event", ("b1", progress(1, 2, 1, 0, "published", "9" * 5000))),
     ("event", ("b1", progress(1, 2, 1, 0, "published", "²")))]
)  # fmt: skip
@example(  # a clip index far outside the batch
    [("discover", final("b1", "processing", 0, 0, 2)),
     ("event", ("b1", progress(10_000_000, 2, 0, 0, "uploading")))]
)  # fmt: skip
@example(  # the server's own final summary counts above its total
    [("discover", final("b1", "processing", 0, 0, 2)),
     ("summary", final("b1", "completed", 3, 1, 2))]
)  # fmt: skip
@example(  # announced once across a restart of the app
    [("discover", final("b1", "completed", 2, 0, 2)), ("restart", None),
     ("discover", final("b1", "completed", 2, 0, 2))]
)  # fmt: skip
def test_random_summaries_and_events_keep_the_invariants(steps: list[tuple[str, Any]]) -> None:
    watcher = run_steps(steps)
    for batch_id, count in watcher.finished.items():
        assert count == 1, batch_id


def test_final_summary_is_shown_exactly_and_announced_once() -> None:
    """The server's final counts win over anything events said, and are announced once."""
    watcher = run_steps(
        [
            ("discover", final("b1", "processing", 0, 0, 4)),
            ("event", ("b1", progress(3, 4, 3, 0, "published", "7"))),
            ("summary", final("b1", "completed", 2, 2, 4)),
            ("summary", final("b1", "completed", 2, 2, 4)),
            ("event", ("b1", progress(4, 4, 4, 0, "published", "9"))),
            ("discover", final("b1", "processing", 2, 0, 4)),
        ]
    )
    assert watcher.finished == {"b1": 1}
    shown = watcher.last["b1"]
    assert (shown.status_raw, shown.published, shown.failed, shown.total) == ("completed", 2, 2, 4)


def test_lost_error_event_completed_batch_shows_its_failed_clip() -> None:
    """Upstream: the failed clip stays pending in the summary and its event was lost."""
    rows = tuple(
        Clip(i, ClipStatus.PUBLISHED if i != 2 else ClipStatus.PENDING,
             "published" if i != 2 else "pending")
        for i in (1, 2, 3)
    )  # fmt: skip
    watcher = run_steps(
        [
            ("discover", dataclasses.replace(final("b1", "processing", 0, 0, 3))),
            ("summary", dataclasses.replace(final("b1", "completed", 2, 1, 3), clips=rows)),
        ]
    )
    assert [c.status for c in watcher.last["b1"].clips] == [
        ClipStatus.PUBLISHED, ClipStatus.FAILED, ClipStatus.PUBLISHED,
    ]  # fmt: skip
    # A batch failed by the deployed bug keeps its unstarted clips pending.
    watcher = run_steps(
        [
            ("discover", final("b2", "processing", 0, 0, 3)),
            ("summary", dataclasses.replace(final("b2", "failed", 2, 1, 3), clips=rows)),
        ]
    )
    assert watcher.last["b2"].clips[1].status is ClipStatus.PENDING


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


def replay(
    monitor: BatchMonitor, watcher: Watcher, recording: Recording, chunks: Sequence[bytes],
    max_event_bytes: int,
) -> int:  # fmt: skip
    """The follower's path: decoder, parser, monitor; a broken stream is a new connection."""
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
            monitor.follower_event(recording.batch_id, event)
            applied += 1
            check_state(monitor, watcher)
    decoder.end()
    return applied


@given(data=st.data(), small=st.booleans())
def test_recorded_streams_cut_and_corrupted(
    recordings: list[Recording], data: st.DataObject, small: bool
) -> None:
    recording, chunks = data.draw(mutated(recordings))
    watcher = Watcher()
    monitor = new_monitor(watcher, MonitorMemory(None))
    watcher.fed(recording.start)
    monitor._consider(recording.start)
    replay(monitor, watcher, recording, chunks, 64 if small else 4 << 20)
    # Then the follower's settle: the server's final summary is the truth.
    watcher.fed(recording.end)
    monitor.follower_summary(recording.end)
    check_state(monitor, watcher)
    shown = watcher.last[recording.batch_id]
    assert (shown.status_raw, shown.published, shown.failed, shown.total) == (
        recording.end.status_raw, recording.end.published, recording.end.failed,
        recording.end.total,
    )  # fmt: skip
    assert watcher.finished == {recording.batch_id: 1}


def test_recordings_replayed_intact_apply_every_event(recordings: list[Recording]) -> None:
    """The uncorrupted recordings parse fully: the fuzz above starts from real streams."""
    for recording in recordings:
        watcher = Watcher()
        monitor = new_monitor(watcher, MonitorMemory(None))
        watcher.fed(recording.start)
        monitor._consider(recording.start)
        rng = random.Random(recording.name)
        cuts = sorted(rng.sample(range(len(recording.raw)), 20))
        bounds = itertools.pairwise([0, *cuts, len(recording.raw)])
        chunks = [recording.raw[a:b] for a, b in bounds]
        applied = replay(monitor, watcher, recording, chunks, 4 << 20)
        assert applied >= recording.end.total, recording.name
        assert monitor.duplicate_events == 0
        watcher.fed(recording.end)
        monitor.follower_summary(recording.end)
        assert watcher.finished == {recording.batch_id: 1}
