"""Property tests: hostile bytes and JSON through every parser.

- The SSE decoder, fed random bytes cut at random places, lets only ``SSEError``
  escape, gives the same result however the bytes are chunked, and agrees with a
  literal transcription of the WHATWG algorithm (decode the whole stream, then
  split lines), which also checks the decoder's byte-level shortcuts.
- Every ``parse_*`` function and ``parse_event``, fed random JSON and mutated
  valid payloads, lets only ``ProtocolError`` escape, names the field in plain
  ASCII and keeps the offending value short; whatever parses has sane counters.

Examples: profile ``ci`` (default) or ``deep`` (``HYPOTHESIS_PROFILE=deep``), see
``conftest.py``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from storyclip_desktop.core.model import (
    ApiErrorBody,
    Batch,
    Clip,
    CompletedEvent,
    ConnectedEvent,
    ControlResult,
    ErrorEvent,
    ProgressEvent,
    ProtocolError,
    PublishResult,
    StatusReport,
    UnknownEvent,
    parse_active_list,
    parse_batch,
    parse_batch_list,
    parse_batch_response,
    parse_clip,
    parse_control_response,
    parse_error_body,
    parse_event,
    parse_json,
    parse_publish_response,
    parse_status_response,
    parse_timestamp,
)
from storyclip_desktop.core.sse import SSEDecoder, SSEError

# ================================================================ SSE

Outcome = tuple[list[tuple[str, str, str, int | None]], bool, tuple[str, int | None, int]]


def reference(stream: bytes) -> Outcome:
    """The WHATWG steps, transcribed as literally as possible (no size limit)."""
    text = stream.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split("\r\n|\r|\n", text)[:-1]  # what follows the last line end is incomplete
    events: list[tuple[str, str, str, int | None]] = []
    data, event_type, id_buffer, last_id = "", "", "", ""
    retry: int | None = None
    comments = 0
    for line in lines:
        if line == "":
            last_id = id_buffer
            if data == "":
                data, event_type = "", ""
                continue
            if data.endswith("\n"):
                data = data[:-1]
            events.append((event_type or "message", data, last_id, retry))
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            comments += 1
            continue
        if ":" in line:
            name, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            name, value = line, ""
        if name == "event":
            event_type = value
        elif name == "data":
            data += value + "\n"
        elif name == "id":
            if "\0" not in value:
                id_buffer = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            digits = value.lstrip("0")
            retry = int(digits or "0") if len(digits) <= 12 else 10**12 - 1
    return events, False, (last_id, retry, comments)


def chunked(stream: bytes, cuts: Sequence[int], max_event_bytes: int | None = None) -> Outcome:
    decoder = SSEDecoder() if max_event_bytes is None else SSEDecoder(max_event_bytes)
    bounds = [0, *sorted(cuts), len(stream)]
    events: list[tuple[str, str, str, int | None]] = []
    failed = False
    for start, stop in itertools.pairwise(bounds):
        try:
            messages = decoder.feed(stream[start:stop])
        except SSEError as exc:
            messages = exc.messages
            failed = True
        events.extend((m.event, m.data, m.last_event_id, m.retry) for m in messages)
        if failed:
            break
    assert decoder.end() == []
    return events, failed, (decoder.last_event_id, decoder.retry, decoder.comments)


SSE_TOKENS = [
    b"data",
    b"data:",
    b"data: ",
    b"id",
    b"id: ",
    b"event:",
    b"event: ",
    b"retry:",
    b"retry: ",
    b":",
    b": ping",
    b" ",
    b"\r",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xef",
    b"\xbb\xbf",
    b"\xc3",
    b"\xa9",
    "😀".encode(),
    b"\xf0\x9f",
    b"\xff",
    b"\xed\xa0\x80",
    b"0",
    b"7",
    b"123",
    b"x",
    b'{"type": "progress"}',
]

_field_lines = st.builds(
    lambda name, value, eol: name + value + eol,
    st.sampled_from([b"data: ", b"data:", b"id: ", b"event: ", b"retry: ", b": ", b""]),
    st.one_of(st.binary(max_size=30), st.sampled_from([b"1", b"250", b"x" * 25])),
    st.sampled_from([b"\n", b"\r", b"\r\n"]),
)

sse_streams = st.one_of(
    st.binary(max_size=400),
    # token soup: field names, line ends, BOM pieces, broken UTF-8
    st.lists(
        st.one_of(st.sampled_from(SSE_TOKENS), st.binary(min_size=1, max_size=3)), max_size=120
    ).map(b"".join),
    # well-formed lines (many data lines per event), so limits and dispatch are hit
    st.lists(_field_lines, max_size=30).map(b"".join),
)


@given(stream=sse_streams, data=st.data())
@example(stream=b"\xef\xbb\xbfdata: a\r\r", data=None)
@example(stream=b"id: 1\ndata: x\n\n: ping\n\nid: 2\x00\ndata: y\r\n\r\n", data=None)
def test_decoder_any_bytes_any_chunking_matches_the_spec(stream: bytes, data: Any) -> None:
    cuts: list[int] = (
        []
        if data is None
        else data.draw(st.lists(st.integers(0, len(stream)), max_size=24), label="cuts")
    )
    whole = chunked(stream, [])
    assert chunked(stream, cuts) == whole
    assert whole == reference(stream)


@given(stream=sse_streams, data=st.data())
def test_decoder_limits_do_not_depend_on_chunking(stream: bytes, data: Any) -> None:
    """Only SSEError escapes, and where it is raised (which events came out before
    it) is the same for every chunking. The limit is drawn up to the stream's
    length, where lines fit but whole events may not."""
    limit = data.draw(st.integers(1, len(stream) + 1), label="limit")
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=24), label="cuts")
    whole = chunked(stream, [], limit)
    assert chunked(stream, cuts, limit) == whole
    assert chunked(stream, list(range(len(stream))), limit) == whole
    if not whole[1]:  # below the limit the decoder is the spec
        assert whole == reference(stream)


# ================================================================ JSON

KEYS = [
    "type",
    "batchId",
    "jobId",
    "status",
    "publishMode",
    "total",
    "published",
    "failed",
    "errors",
    "currentIndex",
    "current",
    "progress",
    "createdAt",
    "startedAt",
    "completedAt",
    "updatedAt",
    "timestamp",
    "error",
    "message",
    "code",
    "clips",
    "index",
    "title",
    "attempts",
    "posts",
    "queued",
    "batch",
    "batches",
    "currentStory",
    "currentStatus",
    "waitProgress",
    "action",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-3, 120),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "processing",
            "completed",
            "failed",
            "waiting",
            "error",
            "connected",
            "progress",
            "2025-10-29 08:14:04",
            "2025-10-29T08:14:04.123Z",
            "0001-01-01T00:00:00+01:00",
            "",
        ]
    ),
)

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=8),
    ),
    max_leaves=40,
)


def _clip(index: int, status: str) -> dict[str, Any]:
    return {
        "index": index,
        "url": "https://cdn.example.app/c.mp4",
        "title": f"Clip {index}",
        "status": status,
        "metricoolPostId": None,
        "facebookPostId": None,
        "error": None,
        "attempts": 0,
        "uploadedAt": None,
        "publishedAt": "2025-10-29T08:15:00Z" if status == "published" else None,
    }


SUMMARY: dict[str, Any] = {
    "batchId": "batch_1761725644409_abc123",
    "jobId": "job_123",
    "status": "processing",
    "publishMode": "now",
    "total": 3,
    "published": 1,
    "failed": 1,
    "currentIndex": 3,
    "progress": 66,
    "scheduledFor": None,
    "createdAt": "2025-10-29 08:14:04",
    "startedAt": "2025-10-29T08:14:05.250Z",
    "completedAt": None,
    "error": None,
    "clips": [_clip(1, "published"), _clip(2, "failed"), _clip(3, "uploading")],
}

Parser = Callable[[Any], object]

VALID: list[tuple[Parser, Any]] = [
    (parse_batch, SUMMARY),
    (parse_clip, _clip(1, "published")),
    (parse_batch_response, {"success": True, "batch": SUMMARY}),
    (parse_active_list, {"success": True, "batches": [SUMMARY, SUMMARY], "count": 2}),
    (parse_batch_list, {"success": True, "batches": [SUMMARY]}),
    (
        parse_status_response,
        {
            "batchId": "b",
            "status": "processing",
            "progress": 50,
            "createdAt": "2025-10-29 08:14:04",
            "posts": {"total": 2, "published": 1, "failed": 0},
            "clips": [_clip(1, "published")],
            "error": None,
        },
    ),
    (
        parse_status_response,
        {
            "batchId": "b",
            "status": "processing",
            "posts": {"total": 2, "published": 1, "failed": 0},
            "currentStory": "s2",
            "currentStatus": "waiting",
            "waitProgress": 30,
            "updatedAt": "2025-10-29T08:16:00.000Z",
        },
    ),
    (
        parse_publish_response,
        {"batchId": "b", "status": "processing", "posts": {"total": 20, "queued": 20}},
    ),
    (
        parse_control_response,
        {
            "batchId": "b",
            "action": "pause",
            "status": "processing",
            "timestamp": "2025-10-29T08:14:04.409Z",
        },
    ),
    (parse_error_body, {"error": "Batch not found", "code": "BATCH_NOT_FOUND"}),
]

EVENTS: list[dict[str, Any]] = [
    {
        "type": "connected",
        "batchId": "b",
        "status": "processing",
        "published": 0,
        "errors": 0,
        "total": 3,
        "timestamp": "2025-10-29T08:14:04.123Z",
    },
    {
        "type": "progress",
        "batchId": "b",
        "current": 1,
        "total": 3,
        "published": 1,
        "errors": 0,
        "currentStory": "s1",
        "status": "published",
        "timestamp": "2025-10-29T08:14:04.123Z",
    },
    {"type": "completed", "batchId": "b", "published": 3, "errors": 0, "total": 3},
    {"type": "error", "batchId": "b", "error": "startTime is not defined"},
]


def parse_event_value(value: Any) -> object:
    return parse_event(json.dumps(value))


ALL_PARSERS: list[Parser] = [
    parse_batch,
    parse_clip,
    parse_batch_response,
    parse_active_list,
    parse_batch_list,
    parse_status_response,
    parse_publish_response,
    parse_control_response,
    parse_error_body,
    parse_timestamp,
    parse_event_value,
]


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with one change somewhere: replaced, deleted, added or duplicated."""
    if depth > 6 or not isinstance(value, dict | list) or not value or draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    if isinstance(value, dict):
        key = draw(st.sampled_from(sorted(value)))
        changed = dict(value)
        action = draw(st.sampled_from(["into", "delete", "add", "replace"]))
        if action == "delete":
            del changed[key]
        elif action == "add":
            changed[draw(st.sampled_from(KEYS))] = draw(json_values)
        elif action == "replace":
            changed[key] = draw(scalars)
        else:
            changed[key] = draw(mutated(value[key], depth + 1))
        return changed
    index = draw(st.integers(0, len(value) - 1))
    items = list(value)
    action = draw(st.sampled_from(["into", "delete", "duplicate"]))
    if action == "delete":
        del items[index]
    elif action == "duplicate":
        items.insert(index, items[index])
    else:
        items[index] = draw(mutated(value[index], depth + 1))
    return items


def _check_time(value: datetime | None) -> None:
    assert value is None or value.utcoffset() == UTC.utcoffset(None)


def _check_clip(clip: Clip) -> None:
    assert clip.index >= 0
    assert clip.attempts >= 0
    assert isinstance(clip.status_raw, str)
    _check_time(clip.uploaded_at)
    _check_time(clip.published_at)


def _check_batch(batch: Batch) -> None:
    assert batch.batch_id
    assert batch.total >= 0
    assert batch.published >= 0
    assert batch.failed >= 0
    assert 0 <= batch.done <= batch.total
    assert 0 <= batch.pending <= batch.total
    assert batch.progress is None or 0 <= batch.progress <= 100
    assert batch.current_index is None or batch.current_index >= 0
    for when in (batch.created_at, batch.started_at, batch.completed_at, batch.scheduled_for):
        _check_time(when)
    for clip in batch.clips:
        _check_clip(clip)


def check_result(result: object) -> None:
    """What parsed must be sane: counters never negative, times always UTC."""
    if isinstance(result, Batch):
        _check_batch(result)
    elif isinstance(result, list):
        for item in result:
            assert isinstance(item, Batch)
            _check_batch(item)
    elif isinstance(result, Clip):
        _check_clip(result)
    elif isinstance(result, StatusReport):
        assert min(result.total, result.published, result.failed) >= 0
        assert result.progress is None or 0 <= result.progress <= 100
        assert result.wait_progress is None or 0 <= result.wait_progress <= 100
        for clip in result.clips:
            _check_clip(clip)
        _check_time(result.updated_at)
    elif isinstance(result, PublishResult):
        assert min(result.total, result.queued) >= 0
    elif isinstance(result, ControlResult):
        _check_time(result.timestamp)
        if result.batch is not None:
            _check_batch(result.batch)
    elif isinstance(result, ConnectedEvent | CompletedEvent):
        assert min(result.total, result.published, result.errors) >= 0
        _check_time(result.timestamp)
    elif isinstance(result, ProgressEvent):
        assert min(result.current, result.total, result.published, result.errors) >= 0
        assert result.wait_progress is None or 0 <= result.wait_progress <= 100
        _check_time(result.timestamp)
    elif isinstance(result, ErrorEvent | UnknownEvent):
        _check_time(result.timestamp)
    elif isinstance(result, datetime):
        _check_time(result)
    else:
        assert result is None or isinstance(result, ApiErrorBody), type(result)


_FIELD = re.compile(r"[A-Za-z0-9_.\[\]?-]+")


def outcome(parser: Parser, value: Any) -> object:
    """The parser's result, or the ProtocolError it raised (anything else escapes)."""
    try:
        return parser(value)
    except ProtocolError as exc:
        return exc


def check_error(exc: ProtocolError) -> None:
    """The field is a plain path (never payload text), the value and message short."""
    assert _FIELD.fullmatch(exc.field), exc.field
    assert len(exc.value) <= 80
    assert len(str(exc)) < 300


def run(parser: Parser, value: Any) -> None:
    result = outcome(parser, value)
    if isinstance(result, ProtocolError):
        check_error(result)
    else:
        check_result(result)


@given(value=json_values)
def test_random_json_through_every_parser(value: Any) -> None:
    for parser in ALL_PARSERS:
        run(parser, value)


@given(data=st.data(), case=st.sampled_from(VALID), rounds=st.integers(1, 4))
def test_mutated_payloads_through_their_parser(
    data: Any, case: tuple[Parser, Any], rounds: int
) -> None:
    parser, value = case
    run(parser, value)  # the unmutated payload parses
    check_result(parser(value))
    for _ in range(rounds):
        value = data.draw(mutated(value), label="payload")
        run(parser, value)


@given(data=st.data(), payload=st.sampled_from(EVENTS), rounds=st.integers(1, 4))
def test_mutated_events(data: Any, payload: dict[str, Any], rounds: int) -> None:
    check_result(parse_event(json.dumps(payload)))
    for _ in range(rounds):
        payload = data.draw(mutated(payload), label="event")
        run(parse_event_value, payload)


@given(text=st.one_of(st.text(), st.sampled_from(['{"type": "progress", "current": 1e400}'])))
@example(text="[" * 100_000)
@example(text='{"type": "error", "error": ' + "[" * 900 + "]" * 900 + "}")
@example(text='{"type": "progress", "current": ' + "9" * 5000 + "}")
@example(text="<html><body>502 Bad Gateway</body></html>")
def test_random_text_as_an_event(text: str) -> None:
    run(parse_event, text)


@given(raw=st.binary())
@example(raw=b"\xff\xfe\x00{")
def test_random_bytes_as_json(raw: bytes) -> None:
    result = outcome(parse_json, raw)
    if isinstance(result, ProtocolError):
        check_error(result)


@given(text=st.text(max_size=70))
@example(text="9999-12-31T23:59:59-23:59")
@example(text="0001-01-01T00:00:00+01:00")
def test_random_text_as_a_timestamp(text: str) -> None:
    run(parse_timestamp, text)
