"""The SSE decoder against the WHATWG "interpreting an event stream" rules.

Where httpx-sse deviates from a rule, the case runs twice: against our decoder
and against httpx-sse's real pipeline (an ``httpx.Response`` built from the same
bytes, read by ``httpx_sse.EventSource.iter_sse``), the latter marked xfail with
the deviation as reason. Strict xfail: if a future httpx-sse follows the rule, the
XPASS says so and the case (maybe our decoder too) can go.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass

import httpx
import pytest
from httpx_sse import EventSource

from storyclip_desktop.core.model import (
    CompletedEvent,
    ConnectedEvent,
    ProgressEvent,
    ProtocolError,
    parse_event,
)
from storyclip_desktop.core.sse import (
    DEFAULT_MAX_EVENT_BYTES,
    SSEDecoder,
    SSEError,
    SSEMessage,
    aiter_sse,
)
from tests.backend import Backend

Event = tuple[str, str, str, int | None]  # event type, data, last event id, retry


def _tuple(message: SSEMessage) -> Event:
    return (message.event, message.data, message.last_event_id, message.retry)


def ours(chunks: Sequence[bytes], content_type: str = "text/event-stream") -> list[list[Event]]:
    """Events available after each chunk, then at end of stream (always none)."""
    decoder = SSEDecoder()
    groups = [[_tuple(m) for m in decoder.feed(chunk)] for chunk in chunks]
    groups.append([_tuple(m) for m in decoder.end()])
    return groups


def httpx_sse(
    chunks: Sequence[bytes], content_type: str = "text/event-stream"
) -> list[list[Event]]:
    """The same through httpx-sse: each event is filed under the last chunk the
    pipeline had pulled when it came out (len(chunks) = only at end of stream)."""
    pulled = {"index": -1}

    def body() -> Iterator[bytes]:
        for index, chunk in enumerate(chunks):
            pulled["index"] = index
            yield chunk
        pulled["index"] = len(chunks)

    response = httpx.Response(200, headers={"content-type": content_type}, content=body())
    groups: list[list[Event]] = [[] for _ in range(len(chunks) + 1)]
    for sse in EventSource(response).iter_sse():
        groups[pulled["index"]].append((sse.event, sse.data, sse.id, sse.retry))
    return groups


def flat(groups: list[list[Event]]) -> list[Event]:
    return [event for group in groups for event in group]


def decode(stream: bytes, decoder: SSEDecoder | None = None) -> list[Event]:
    decoder = decoder or SSEDecoder()
    return [_tuple(m) for m in decoder.feed(stream)]


@dataclass(frozen=True)
class Deviation:
    name: str
    chunks: tuple[bytes, ...]
    expected: list[list[Event]]
    reason: str
    content_type: str = "text/event-stream"


DEVIATIONS = [
    Deviation(
        "bom-dropped",
        (b"\xef\xbb\xbfdata: 1\n\ndata: 2\n\n",),
        [[("message", "1", "", None), ("message", "2", "", None)], []],
        "httpx decodes as utf-8 (not utf-8-sig): the BOM joins the first field name",
    ),
    Deviation(
        "bom-split-across-chunks",
        (b"\xef", b"\xbb\xbfdata: 1\n\n"),
        [[], [("message", "1", "", None)], []],
        "BOM kept",
    ),
    Deviation(
        "utf8-whatever-the-charset",
        (b"data: \xc3\xa9\n\n",),
        [[("message", "é", "", None)], []],
        "httpx decodes with the Content-Type charset",
        content_type="text/event-stream; charset=iso-8859-1",
    ),
    Deviation(
        "id-only-block-not-dispatched",
        (b"id: 5\n\ndata: x\n\n",),
        [[("message", "x", "5", None)], []],
        "dispatches a block with an id and no data",
    ),
    Deviation(
        "event-only-block-not-dispatched",
        (b"event: add\n\ndata: x\n\n",),
        [[("message", "x", "", None)], []],
        "dispatches a block with an event type and no data",
    ),
    Deviation(
        "retry-only-block-not-dispatched",
        (b"retry: 10\n\n",),
        [[], []],
        "dispatches a block with a retry and no data",
    ),
    Deviation(
        "heartbeat-after-an-id",
        (b"id: 1\ndata: a\n\n", b": ping\n\n", b": ping\n\n"),
        [[("message", "a", "1", None)], [], [], []],
        "once an id was seen, every blank line dispatches an empty message",
    ),
    Deviation(
        "retry-negative",
        (b"retry: -1\ndata: x\n\n",),
        [[("message", "x", "", None)], []],
        "retry parsed with int()",
    ),
    Deviation(
        "retry-plus-sign",
        (b"retry: +5\ndata: x\n\n",),
        [[("message", "x", "", None)], []],
        "retry parsed with int()",
    ),
    Deviation(
        "retry-second-space",
        (b"retry:  5\ndata: x\n\n",),
        [[("message", "x", "", None)], []],
        "retry parsed with int(), which strips whitespace",
    ),
    Deviation(
        "retry-underscore",
        (b"retry: 1_000\ndata: x\n\n",),
        [[("message", "x", "", None)], []],
        "retry parsed with int(), which accepts digit separators",
    ),
    Deviation(
        "retry-non-ascii-digit",
        ("retry: \u0661\ndata: x\n\n".encode(),),
        [[("message", "x", "", None)], []],
        "retry parsed with int(), which accepts any Unicode digit",
    ),
    Deviation(
        "cr-cr-dispatches-at-once",
        (b"data: x\r\r", b"data: y\n\n"),
        [[("message", "x", "", None)], [("message", "y", "", None)], []],
        "a CR ending a chunk is held until the next chunk arrives",
    ),
    Deviation(
        "cr-blank-line-in-own-chunk",
        (b"data: x\r", b"\r", b"data: y\r\n\r\n"),
        [[], [("message", "x", "", None)], [("message", "y", "", None)], []],
        "a CR ending a chunk is held until the next chunk arrives",
    ),
]


def _impls(case: Deviation) -> list[object]:
    return [
        pytest.param(ours, case, id=f"ours-{case.name}"),
        pytest.param(
            httpx_sse,
            case,
            id=f"httpx_sse-{case.name}",
            marks=pytest.mark.xfail(reason=f"httpx-sse deviation: {case.reason}", strict=True),
        ),
    ]


@pytest.mark.parametrize(("impl", "case"), [p for c in DEVIATIONS for p in _impls(c)])
def test_rule_where_httpx_sse_deviates(impl: object, case: Deviation) -> None:
    assert callable(impl)
    assert impl(case.chunks, case.content_type) == case.expected


@pytest.mark.parametrize(
    "impl",
    [
        pytest.param(ours, id="ours"),
        pytest.param(
            httpx_sse,
            id="httpx_sse",
            marks=pytest.mark.xfail(reason="httpx-sse has no size limit", strict=True),
        ),
    ],
)
def test_an_endless_line_is_refused_not_buffered(impl: object) -> None:
    assert callable(impl)
    chunk = b"x" * (256 * 1024)
    chunks = [b"data: "] + [chunk] * ((DEFAULT_MAX_EVENT_BYTES // len(chunk)) + 2)
    with pytest.raises(ProtocolError):
        impl(chunks)


# ---------------------------------------------------------------- line ends


def test_cr_lf_and_crlf_are_all_line_ends() -> None:
    for eol in (b"\n", b"\r", b"\r\n"):
        stream = b"data: a" + eol + b"data: b" + eol + eol + b"data: c" + eol + eol
        assert decode(stream) == [("message", "a\nb", "", None), ("message", "c", "", None)]


def test_mixed_line_ends_in_one_stream() -> None:
    stream = b"data: a\rdata: b\r\ndata: c\n\r\n"
    assert decode(stream) == [("message", "a\nb\nc", "", None)]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    # Were the LF a second line end, "a" would be dispatched alone here.
    assert decoder.feed(b"\ndata: b\r") == []
    assert decoder.feed(b"\n") == []
    assert [m.data for m in decoder.feed(b"\r\n")] == ["a\nb"]


def test_lf_after_cr_is_skipped_only_once() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: a\r")
    assert decoder.feed(b"") == []  # an empty chunk changes nothing
    assert [m.data for m in decoder.feed(b"\n\n")] == ["a"]


# ---------------------------------------------------------------- fields


def test_multi_line_data_joined_with_lf() -> None:
    stream = b"data: a\ndata:b\ndata\ndata: \n\n"
    assert decode(stream) == [("message", "a\nb\n\n", "", None)]


def test_only_one_leading_space_is_stripped() -> None:
    assert decode(b"data:  two\n\ndata:\ttab\n\n") == [
        ("message", " two", "", None),
        ("message", "\ttab", "", None),
    ]


def test_colons_after_the_first_belong_to_the_value() -> None:
    assert decode(b"data: a: b:c\n\n") == [("message", "a: b:c", "", None)]


def test_a_data_line_with_an_empty_value_is_dispatched() -> None:
    # The data buffer is "\n", not empty: the event is dispatched with data "".
    assert decode(b"data\n\ndata:\n\n") == [("message", "", "", None), ("message", "", "", None)]


def test_no_data_line_means_no_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"\n\n\n: c\n\nevent: x\n\nfoo: bar\n\n") == []


def test_event_type_default_and_reset() -> None:
    stream = b"event: add\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\nevent\ndata: 4\n\n"
    assert [(e[0], e[1]) for e in decode(stream)] == [
        ("add", "1"),
        ("message", "2"),
        ("message", "3"),
        ("message", "4"),
    ]


def test_unknown_fields_and_field_names_with_a_space_are_ignored() -> None:
    stream = b"foo: bar\ndata : not data\nDATA: no\nline without colon\ndata: yes\n\n"
    assert decode(stream) == [("message", "yes", "", None)]


def test_comments_are_ignored_but_counted() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b": ping\n:\ndata: a\n:data: b\n: more\ndata: c\n\n: ping\n\n")
    assert [m.data for m in events] == ["a\nc"]
    assert decoder.comments == 5


# ---------------------------------------------------------------- id


def test_last_event_id_persists_across_events() -> None:
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"
    assert [(e[1], e[2]) for e in decode(stream)] == [("a", "1"), ("b", "1"), ("c", "2")]


def test_id_in_a_block_without_data_still_sets_the_last_id() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 7\n\n") == []
    assert decoder.last_event_id == "7"
    assert [m.last_event_id for m in decoder.feed(b"data: x\n\n")] == ["7"]


@pytest.mark.parametrize("value", [b"\x00", b"2\x003", b"x\x00", b"\x00x", b" \x00"])
def test_id_containing_nul_is_ignored(value: bytes) -> None:
    decoder = SSEDecoder()
    stream = b"id: 1\ndata: a\n\nid: " + value + b"\ndata: b\n\n"
    assert [(m.data, m.last_event_id) for m in decoder.feed(stream)] == [("a", "1"), ("b", "1")]
    assert decoder.last_event_id == "1"


def test_empty_id_resets_the_last_id() -> None:
    stream = b"id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n"
    assert [e[2] for e in decode(stream)] == ["1", "", "2", ""]


def test_id_of_an_unfinished_event_does_not_count() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n")
    assert decoder.last_event_id == "1"
    assert decoder.end() == []
    assert decoder.last_event_id == "1"
    # The next connection starts from id 1: an event without an id keeps it.
    assert [(m.data, m.last_event_id) for m in decoder.feed(b"data: c\n\n")] == [("c", "1")]


def test_last_event_id_can_be_restored() -> None:
    decoder = SSEDecoder()
    decoder.last_event_id = "41"
    assert [m.last_event_id for m in decoder.feed(b"data: x\n\n")] == ["41"]
    with pytest.raises(ValueError, match="NUL"):
        decoder.last_event_id = "4\x001"


# ---------------------------------------------------------------- retry


def test_retry_sets_the_reconnection_time_without_an_event() -> None:
    decoder = SSEDecoder()
    assert decoder.retry is None
    assert decoder.feed(b"retry: 3000\n") == []
    assert decoder.retry == 3000
    assert decoder.feed(b"retry: 0\n\ndata: x\n\n")[0].retry == 0


@pytest.mark.parametrize(
    "value",
    [b"12a", b"", b"-1", b"+1", b"1.5", b"1e3", b" 5", b"5 ", b"1_000", "\u0661".encode(), b"0x10"],
)
def test_bad_retry_is_ignored(value: bytes) -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 1000\n")
    events = decoder.feed(b"retry: " + value + b"\ndata: x\n\n")
    assert decoder.retry == 1000
    assert events[0].retry == 1000


def test_retry_without_colon_is_ignored() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 1000\nretry\n")
    assert decoder.retry == 1000


def test_retry_with_leading_zeros_and_absurd_length() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 000250\n")
    assert decoder.retry == 250
    decoder.feed(b"retry: " + b"9" * 10_000 + b"\n")  # more digits than int() takes
    assert decoder.retry is not None
    assert decoder.retry >= 10**11


# ---------------------------------------------------------------- BOM and UTF-8


def test_only_one_bom_is_dropped() -> None:
    # WPT eventsource/format-bom: a second BOM is part of the field name.
    stream = b"\xef\xbb\xbf\xef\xbb\xbfdata: 1\n\n\xef\xbb\xbfdata: 2\n\ndata: 3\n\n"
    assert [e[1] for e in decode(stream)] == ["3"]


def test_bom_only_at_stream_start() -> None:
    assert [e[1] for e in decode(b"\ndata: 1\n\n\xef\xbb\xbfdata: 2\n\n")] == ["1"]


def test_bom_dropped_again_on_the_next_connection() -> None:
    decoder = SSEDecoder()
    assert [m.data for m in decoder.feed(b"\xef\xbb\xbfdata: 1\n\n")] == ["1"]
    decoder.end()
    assert [m.data for m in decoder.feed(b"\xef\xbb\xbfdata: 2\n\n")] == ["2"]


def test_utf16_bom_is_not_a_bom() -> None:
    # WPT format-bom-utf-16: FF FE becomes two U+FFFD in the first field name.
    assert [e[1] for e in decode(b"\xff\xfedata:1\n\ndata:2\n\n")] == ["2"]


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xff\xfe", "\ufffd\ufffd"),
        (b"\xe2\x82", "\ufffd"),  # truncated sequence before the line end: one U+FFFD
        (b"\xe2\x82x", "\ufffdx"),
        (b"\xc0\x80", "\ufffd\ufffd"),  # overlong
        (b"\xed\xa0\x80", "\ufffd\ufffd\ufffd"),  # surrogate
        (b"\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd"),  # above U+10FFFF
        (b"\xf0\x9f\x98x", "\ufffdx"),
        ("é😀".encode(), "é😀"),
    ],
)
def test_invalid_utf8_becomes_replacement_characters(raw: bytes, text: str) -> None:
    """The counts are the WHATWG (maximal subpart) ones."""
    assert decode(b"data: " + raw + b"\n\n") == [("message", text, "", None)]
    assert decode(b"event: " + raw + b"\ndata: x\n\n")[0][0] == text
    assert decode(b"id: " + raw + b"\ndata: x\n\n")[0][2] == text


def test_invalid_utf8_in_a_field_name_makes_it_unknown() -> None:
    assert decode(b"d\xffata: x\n\n") == []


def test_multibyte_character_split_across_chunks() -> None:
    for raw in ("é".encode(), "€".encode(), "😀".encode()):
        for cut in range(1, len(raw)):
            decoder = SSEDecoder()
            assert decoder.feed(b"data: " + raw[:cut]) == []
            assert [m.data for m in decoder.feed(raw[cut:] + b"\n\n")] == [raw.decode()]


# ---------------------------------------------------------------- chunking


def _connected(batch: str = "batch_1761725644409_abc123") -> dict[str, object]:
    return {
        "type": "connected",
        "batchId": batch,
        "status": "processing",
        "published": 0,
        "errors": 0,
        "total": 3,
        "timestamp": "2025-10-29T08:14:04.123Z",
    }


def _progress(current: int, status: str, published: int, errors: int) -> dict[str, object]:
    return {
        "type": "progress",
        "batchId": "batch_1761725644409_abc123",
        "current": current,
        "total": 3,
        "published": published,
        "errors": errors,
        "currentStory": f"story-{current}",
        "status": status,
        "timestamp": "2025-10-29T08:14:05.456Z",
    }


_DEPLOYED_PAYLOADS: list[dict[str, object]] = [
    _connected(),
    _progress(1, "uploading", 0, 0),
    _progress(1, "waiting", 0, 0),
    _progress(1, "published", 1, 0),
    _progress(2, "error", 1, 1),
    {
        "type": "completed",
        "batchId": "batch_1761725644409_abc123",
        "published": 1,
        "errors": 1,
        "total": 3,
        "timestamp": "2025-10-29T08:16:00.000Z",
    },
]


def _frame(payload: dict[str, object]) -> bytes:
    """Exactly what the deployed router writes: ``data: {json}\\n\\n``."""
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


DEPLOYED_FRAMES = [_frame(p) for p in _DEPLOYED_PAYLOADS]

LOCAL_DEFAULT_MODE = (
    b"retry: 3000\n"
    + b"".join(
        b"id: %d\n" % i + f.replace(b"\n\n", b"\n") + b"\n"
        for i, f in enumerate(DEPLOYED_FRAMES, 1)
    )
    + b": ping\n\n"
)

REPRESENTATIVE_STREAMS = {
    "deployed": b"".join(DEPLOYED_FRAMES),
    "local-default": LOCAL_DEFAULT_MODE,
    "bom-crlf": b"\xef\xbb\xbfid: 1\r\nevent: e\r\ndata: a\r\ndata: b\r\n\r\n: c\r\n\r\nid: 2\r\n"
    b"data: c\r\n\r\n",
    "cr-only": b"retry: 10\rdata: x\r\rid: \x00\rdata: y\r\r:\r\r",
    "utf8": "data: é€😀 \xa0ñ\n\nevent: ü\ndata: \u2028\n\n".encode() + b"data: \xff\xc3\n\n",
    "partial-tail": b"data: done\n\nid: 9\ndata: never dispatched",
}


def _state(decoder: SSEDecoder) -> tuple[str, int | None, int]:
    return (decoder.last_event_id, decoder.retry, decoder.comments)


def _run(chunks: Sequence[bytes]) -> tuple[list[Event], tuple[str, int | None, int]]:
    decoder = SSEDecoder()
    events: list[Event] = []
    for chunk in chunks:
        events.extend(_tuple(m) for m in decoder.feed(chunk))
    events.extend(_tuple(m) for m in decoder.end())
    return events, _state(decoder)


@pytest.mark.parametrize("name", sorted(REPRESENTATIVE_STREAMS))
def test_split_at_every_byte_boundary_gives_the_same_result(name: str) -> None:
    stream = REPRESENTATIVE_STREAMS[name]
    whole = _run([stream])
    assert whole[0], "each representative stream dispatches something"
    for cut in range(len(stream) + 1):
        assert _run([stream[:cut], stream[cut:]]) == whole, cut
    assert _run([stream[i : i + 1] for i in range(len(stream))]) == whole
    for first in range(0, len(stream), 7):  # and three pieces, around every position
        for second in range(first, min(len(stream), first + 9)):
            assert _run([stream[:first], stream[first:second], stream[second:]]) == whole


def test_representative_streams_decode_as_expected() -> None:
    events, state = _run([REPRESENTATIVE_STREAMS["bom-crlf"]])
    assert events == [("e", "a\nb", "1", None), ("message", "c", "2", None)]
    assert state == ("2", None, 1)
    events, state = _run([REPRESENTATIVE_STREAMS["cr-only"]])
    assert events == [("message", "x", "", 10), ("message", "y", "", 10)]
    assert state == ("", 10, 1)
    events, state = _run([REPRESENTATIVE_STREAMS["utf8"]])
    assert [e[:2] for e in events] == [
        ("message", "é€😀 \xa0ñ"),
        ("ü", "\u2028"),
        ("message", "\ufffd\ufffd"),
    ]
    events, state = _run([REPRESENTATIVE_STREAMS["partial-tail"]])
    assert events == [("message", "done", "", None)]
    assert state == ("", None, 0)


# ---------------------------------------------------------------- the two backends


def test_deployed_backend_frames_one_chunk_per_event() -> None:
    decoder = SSEDecoder()
    parsed = []
    for frame in DEPLOYED_FRAMES:
        messages = decoder.feed(frame)
        assert len(messages) == 1  # dispatched as soon as its chunk arrives
        assert messages[0].event == "message"
        assert messages[0].last_event_id == ""
        assert messages[0].retry is None
        parsed.append(parse_event(messages[0].data, messages[0].last_event_id or None))
    assert decoder.comments == 0
    assert isinstance(parsed[0], ConnectedEvent)
    assert parsed[0].total == 3
    assert [p.clip_status.value for p in parsed[1:5] if isinstance(p, ProgressEvent)] == [
        "uploading",
        "waiting_confirmation",
        "published",
        "failed",
    ]
    assert isinstance(parsed[5], CompletedEvent)
    assert (parsed[5].published, parsed[5].errors) == (1, 1)


def test_local_backend_default_mode_ids_retry_and_ping() -> None:
    decoder = SSEDecoder()
    messages = decoder.feed(LOCAL_DEFAULT_MODE)
    assert [m.last_event_id for m in messages] == ["1", "2", "3", "4", "5", "6"]
    assert {m.retry for m in messages} == {3000}
    assert decoder.comments == 1  # the ping, and no empty event for it
    assert decoder.last_event_id == "6"
    events = [parse_event(m.data, m.last_event_id) for m in messages]
    assert [e.event_id for e in events] == ["1", "2", "3", "4", "5", "6"]
    # Reconnect: a heartbeat alone is visible and dispatches nothing.
    decoder.end()
    assert decoder.feed(b": ping\n\n") == []
    assert decoder.comments == 2


# ---------------------------------------------------------------- size limits


def test_a_one_megabyte_line_passes() -> None:
    payload = b"x" * (1024 * 1024)
    stream = b"data: " + payload + b"\n\n"
    assert decode(stream) == [("message", payload.decode(), "", None)]
    decoder = SSEDecoder()
    step = 64 * 1024
    events = [m for i in range(0, len(stream), step) for m in decoder.feed(stream[i : i + step])]
    assert [len(m.data) for m in events] == [len(payload)]


def test_limit_is_exact() -> None:
    # "data: " + 94 bytes = a 100-byte line.
    fits = b"data: " + b"a" * 94 + b"\n\n"
    assert len(decode(fits, SSEDecoder(max_event_bytes=100))) == 1
    with pytest.raises(SSEError) as info:
        decode(b"data: " + b"a" * 95 + b"\n\n", SSEDecoder(max_event_bytes=100))
    assert info.value.limit == 100
    assert "aaaa" not in str(info.value)  # the message names sizes, never the content


def test_limit_on_an_unfinished_line_fed_in_pieces() -> None:
    decoder = SSEDecoder(max_event_bytes=1000)
    decoder.feed(b"data: ")
    for _ in range(9):  # 906 bytes so far: under the limit
        assert decoder.feed(b"y" * 100) == []
    with pytest.raises(SSEError):
        decoder.feed(b"y" * 100)


def test_limit_on_an_event_made_of_many_lines() -> None:
    decoder = SSEDecoder(max_event_bytes=1000)
    with pytest.raises(SSEError):
        decoder.feed(b"data: 0123456789\n" * 100)


def test_limit_on_a_huge_comment_line() -> None:
    with pytest.raises(SSEError):
        SSEDecoder(max_event_bytes=100).feed(b":" + b"c" * 200 + b"\n")


def test_after_the_limit_the_decoder_recovers_and_keeps_state() -> None:
    decoder = SSEDecoder(max_event_bytes=100)
    with pytest.raises(SSEError) as info:
        decoder.feed(b"retry: 5\nid: 3\ndata: ok\n\nid: 4\ndata: " + b"z" * 200 + b"\n\n")
    assert [m.data for m in info.value.messages] == ["ok"]  # completed before the limit
    assert isinstance(info.value, ProtocolError)
    assert (decoder.last_event_id, decoder.retry) == ("3", 5)
    decoder.end()
    assert [(m.data, m.last_event_id) for m in decoder.feed(b"data: next\n\n")] == [("next", "3")]


def test_max_event_bytes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SSEDecoder(max_event_bytes=0)


# ---------------------------------------------------------------- end of stream


def test_final_incomplete_event_is_not_dispatched() -> None:
    for tail in (b"data: x", b"data: x\n", b"data: x\r", b"data: x\r\n"):
        decoder = SSEDecoder()
        assert decoder.feed(b"data: first\n\n" + tail)[0].data == "first"
        assert decoder.end() == []
        # The discarded part does not leak into the next connection.
        assert [m.data for m in decoder.feed(b"data: y\n\n")] == ["y"]


def _chunks(items: Sequence[bytes]) -> AsyncIterator[bytes]:
    async def gen() -> AsyncIterator[bytes]:
        for item in items:
            await asyncio.sleep(0)
            yield item

    return gen()


def test_aiter_sse_yields_events_and_discards_the_partial_one() -> None:
    async def main() -> list[str]:
        decoder = SSEDecoder()
        got = [m.data async for m in aiter_sse(_chunks([b"data: a\n", b"\ndata: b"]), decoder)]
        # The same decoder serves the next connection, without the partial "b".
        got += [m.data async for m in aiter_sse(_chunks([b"\n\ndata: c\n\n"]), decoder)]
        return got

    assert asyncio.run(main()) == ["a", "c"]


def test_aiter_sse_resets_when_the_consumer_stops_early() -> None:
    async def main() -> list[str]:
        decoder = SSEDecoder()
        iterator = aiter_sse(_chunks([b"data: a\n\ndata: half"]), decoder)
        first = await anext(iterator)
        await iterator.aclose()
        return [first.data] + [m.data for m in decoder.feed(b"\n\n")]

    assert asyncio.run(main()) == ["a"]


def test_aiter_sse_resets_when_the_connection_fails() -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield b"data: a\n\ndata: half"
        raise httpx.ReadError("connection reset")

    async def consume(decoder: SSEDecoder, got: list[str]) -> None:
        async for message in aiter_sse(failing(), decoder):
            got.append(message.data)

    async def main() -> tuple[list[str], list[SSEMessage]]:
        decoder = SSEDecoder()
        got: list[str] = []
        with pytest.raises(httpx.ReadError):
            await consume(decoder, got)
        return got, decoder.feed(b"\n\n")

    assert asyncio.run(main()) == (["a"], [])


# ---------------------------------------------------------------- throughput


def test_throughput_decoder_and_parse_event(record_property: Callable[[str, object], None]) -> None:
    """Measures (never asserts) events per second on one core: the deployed frames,
    one chunk per event, through SSEDecoder and parse_event. Shown with ``-s`` and
    recorded in the JUnit XML as ``sse_parse_eps``; what is asserted is the count."""
    frames = [
        _frame(_progress(i % 20 + 1, ("uploading", "waiting", "published")[i % 3], i % 20, 0))
        for i in range(20_000)
    ]
    decoder = SSEDecoder()
    started = time.perf_counter()
    parsed = 0
    for frame in frames:
        for message in decoder.feed(frame):
            parse_event(message.data, message.last_event_id or None)
            parsed += 1
    elapsed = time.perf_counter() - started
    assert parsed == len(frames)
    rate = parsed / elapsed
    record_property("sse_parse_eps", round(rate))
    print(f"\nSSEDecoder + parse_event: {rate:,.0f} events/s on one core")


# ---------------------------------------------------------------- the real local backend


def _read_stream(
    backend: Backend, batch_id: str, token: str | None, stop_at_final: bool
) -> tuple[list[SSEMessage], SSEDecoder, bool]:
    """Raw bytes of ``/stream`` over loopback into the decoder; whether the server
    closed the stream itself."""
    decoder = SSEDecoder()
    messages: list[SSEMessage] = []
    closed_by_server = True
    with (
        httpx.Client(base_url=backend.url, timeout=httpx.Timeout(10.0)) as client,
        client.stream(
            "GET",
            "/api/metricool/stream",
            params={"batchId": batch_id},
            headers={**backend.api_headers(token), "Accept": "text/event-stream"},
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for chunk in response.iter_raw():
            messages += decoder.feed(chunk)
            kinds = {json.loads(m.data)["type"] for m in messages}
            if stop_at_final and kinds & {"completed", "error"}:
                closed_by_server = False
                break
    decoder.end()
    return messages, decoder, closed_by_server


@pytest.mark.parametrize("mode", ["default", "upstream"])
def test_real_local_backend_stream(backend_factory: Callable[..., Backend], mode: str) -> None:
    """Both modes over loopback: every event decodes and parses; default mode
    numbers its events, sends ``retry`` and ``: ping`` and closes after the final
    event; upstream mode sends bare ``data:`` frames and never closes."""
    backend = backend_factory(mode=mode, clip_seconds=0.15, waits=2, heartbeat=0.05, retry_ms=1500)
    token = None if mode == "upstream" else backend.access_token()
    batch_id = backend.create_batch(3, token=token)
    messages, decoder, closed_by_server = _read_stream(
        backend, batch_id, token, stop_at_final=(mode == "upstream")
    )
    events = [parse_event(m.data, m.last_event_id or None) for m in messages]
    assert isinstance(events[0], ConnectedEvent)
    assert events[0].batch_id == batch_id
    assert isinstance(events[-1], CompletedEvent)
    final = backend.wait_batch_final(batch_id)
    assert (events[-1].published, events[-1].total) == (final["published"], 3)
    assert all(m.event == "message" for m in messages)
    if mode == "default":
        ids = [int(m.last_event_id) for m in messages]
        assert ids == sorted(set(ids))  # monotonic, none repeated
        assert decoder.last_event_id == messages[-1].last_event_id
        assert decoder.retry == 1500
        assert decoder.comments >= 1  # heartbeats seen, and none became an event
        assert closed_by_server
    else:
        assert {m.last_event_id for m in messages} == {""}
        assert decoder.retry is None
        assert decoder.comments == 0
        assert not closed_by_server
