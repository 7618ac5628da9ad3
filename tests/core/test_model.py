"""Every payload shape of the wire contract through the model's parsers.

The payloads are written as the contract shows them (Part 1, the deployed
backend, and Part 2, the local one); the quirks of the deployed backend must
parse, nonsense must raise one ProtocolError naming the field.
"""

from __future__ import annotations

import copy
import json
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest

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

BATCH_ID = "batch_1761725644409_abc123"


def clip(index: int, status: str = "pending", **extra: Any) -> dict[str, Any]:
    return {
        "index": index,
        "url": f"https://cdn.example.app/{index}.mp4",
        "title": f"Clip {index}",
        "status": status,
        "metricoolPostId": None,
        "facebookPostId": None,
        "error": None,
        "attempts": 0,
        "uploadedAt": None,
        "publishedAt": None,
        **extra,
    }


def summary(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "batchId": BATCH_ID,
        "jobId": "job_123",
        "status": "processing",
        "publishMode": "now",
        "total": 3,
        "published": 1,
        "failed": 0,
        "currentIndex": 2,
        "progress": 33,
        "scheduledFor": None,
        "createdAt": "2025-10-29 08:14:04",
        "startedAt": "2025-10-29T08:14:05.250Z",
        "completedAt": None,
        "error": None,
        "clips": [
            clip(1, "published", attempts=1, publishedAt="2025-10-29T08:15:00Z"),
            clip(2, "uploading"),
            clip(3),
        ],
    }
    base.update(extra)
    return base


def field_of(excinfo: pytest.ExceptionInfo[ProtocolError]) -> str:
    return excinfo.value.field


# ---------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-29T08:14:04Z", datetime(2025, 10, 29, 8, 14, 4, tzinfo=UTC)),
        ("2025-10-29T08:14:04.123Z", datetime(2025, 10, 29, 8, 14, 4, 123000, tzinfo=UTC)),
        ("2025-10-29 08:14:04", datetime(2025, 10, 29, 8, 14, 4, tzinfo=UTC)),
        ("2025-10-29T10:14:04+02:00", datetime(2025, 10, 29, 8, 14, 4, tzinfo=UTC)),
        ("2025-10-29T08:14:04", datetime(2025, 10, 29, 8, 14, 4, tzinfo=UTC)),
    ],
)
def test_both_timestamp_shapes_are_utc(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() is not None
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("value", [None, ""])
def test_absent_timestamp_is_none(value: object) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2025-13-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",  # would overflow when converted to UTC
        "9999-12-31T23:59:59-01:00",
        1761725644,
        ["2025-10-29"],
        "2025-10-29T08:14:04Z" * 10,
    ],
)
def test_bad_timestamp_raises_protocol_error(value: object) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_timestamp(value, "batch.createdAt")
    assert field_of(info) == "batch.createdAt"


# ---------------------------------------------------------------- batch summary


def test_full_summary() -> None:
    batch = parse_batch(summary())
    assert batch.batch_id == BATCH_ID
    assert batch.job_id == "job_123"
    assert batch.status is BatchStatus.PROCESSING
    assert batch.publish_mode == "now"
    assert (batch.total, batch.published, batch.failed) == (3, 1, 0)
    assert (batch.done, batch.pending) == (1, 2)
    assert batch.current_index == 2
    assert batch.progress == 33
    assert batch.created_at == datetime(2025, 10, 29, 8, 14, 4, tzinfo=UTC)
    assert batch.started_at == datetime(2025, 10, 29, 8, 14, 5, 250000, tzinfo=UTC)
    assert batch.completed_at is None
    assert not batch.is_final
    assert [c.status for c in batch.clips] == [
        ClipStatus.PUBLISHED,
        ClipStatus.UPLOADING,
        ClipStatus.PENDING,
    ]
    first = batch.clips[0]
    assert (first.index, first.title, first.attempts) == (1, "Clip 1", 1)
    assert first.url == "https://cdn.example.app/1.mp4"
    assert first.published_at == datetime(2025, 10, 29, 8, 15, tzinfo=UTC)


def test_minimal_summary_with_optional_fields_missing() -> None:
    batch = parse_batch({"batchId": "b1", "status": "processing"})
    assert (batch.total, batch.published, batch.failed) == (0, 0, 0)
    assert batch.clips == ()
    assert batch.progress is None
    assert batch.job_id is None
    assert batch.created_at is None


def test_total_defaults_to_the_number_of_clips() -> None:
    data = summary()
    del data["total"]
    assert parse_batch(data).total == 3
    data["total"] = None
    assert parse_batch(data).total == 3


def test_empty_batch_completes_with_progress_null() -> None:
    data = summary(status="completed", total=0, published=0, failed=0, progress=None, clips=[])
    data["currentIndex"] = None
    batch = parse_batch(data)
    assert batch.progress is None
    assert batch.is_final
    assert (batch.done, batch.pending) == (0, 0)


def test_counters_larger_than_the_total_are_kept_and_bounded_in_views() -> None:
    batch = parse_batch(summary(total=2, published=3, failed=1))
    assert (batch.total, batch.published, batch.failed) == (2, 3, 1)
    assert batch.done == 2
    assert batch.pending == 0


def test_deployed_first_failure_fails_the_batch_with_counts_that_do_not_add_up() -> None:
    data = summary(
        status="failed",
        total=5,
        published=2,
        failed=0,
        error="startTime is not defined",
        clips=[clip(1, "published"), clip(2, "published")] + [clip(i) for i in range(3, 6)],
    )
    batch = parse_batch(data)
    assert batch.status is BatchStatus.FAILED
    assert batch.is_final
    assert batch.error == "startTime is not defined"
    assert (batch.done, batch.pending) == (2, 3)


def test_progress_is_clamped_and_rounded() -> None:
    assert parse_batch(summary(progress=140)).progress == 100
    assert parse_batch(summary(progress=33.4)).progress == 33
    assert parse_batch(summary(progress=0)).progress == 0


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("processing", BatchStatus.PROCESSING),
        ("completed", BatchStatus.COMPLETED),
        ("failed", BatchStatus.FAILED),
        ("paused", BatchStatus.PAUSED),
        ("cancelled", BatchStatus.CANCELLED),
        ("Completed", BatchStatus.COMPLETED),
        ("archived", BatchStatus.UNKNOWN),
        ("unknown", BatchStatus.UNKNOWN),
    ],
)
def test_batch_statuses_known_and_unknown(raw: str, status: BatchStatus) -> None:
    batch = parse_batch(summary(status=raw))
    assert batch.status is status
    assert batch.status_raw == raw  # kept, so the UI can show "unknown (archived)"


def test_unknown_status_is_not_final() -> None:
    assert not parse_batch(summary(status="archived")).is_final


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("pending", ClipStatus.PENDING),
        ("uploading", ClipStatus.UPLOADING),
        ("waiting_confirmation", ClipStatus.WAITING_CONFIRMATION),
        ("published", ClipStatus.PUBLISHED),
        ("failed", ClipStatus.FAILED),
        ("waiting", ClipStatus.WAITING_CONFIRMATION),
        ("error", ClipStatus.FAILED),
        ("scheduling", ClipStatus.SCHEDULING),
        ("scheduled", ClipStatus.SCHEDULED),
        ("exploded", ClipStatus.UNKNOWN),
    ],
)
def test_clip_statuses_of_both_vocabularies(raw: str, status: ClipStatus) -> None:
    parsed = parse_clip(clip(1, raw))
    assert parsed.status is status
    assert parsed.status_raw == raw


def test_clip_with_missing_optional_fields() -> None:
    parsed = parse_clip({"index": 4})
    assert parsed.status is ClipStatus.PENDING
    assert (parsed.title, parsed.url, parsed.error, parsed.attempts) == (None, None, None, 0)


def test_numeric_post_ids_are_kept_as_text() -> None:
    parsed = parse_clip(clip(1, "published", metricoolPostId=987654321, facebookPostId="fb_1"))
    assert parsed.metricool_post_id == "987654321"
    assert parsed.facebook_post_id == "fb_1"


def test_untrusted_title_is_kept_verbatim() -> None:
    title = "<img src=x><b>hi</b>"
    assert parse_clip(clip(1, title=title)).title == title


# ---------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"batchId": None}, "batch.batchId"),
        ({"batchId": 12}, "batch.batchId"),
        ({"batchId": ""}, "batch.batchId"),
        ({"status": None}, "batch.status"),
        ({"status": ["processing"]}, "batch.status"),
        ({"status": "x" * 500}, "batch.status"),
        ({"total": "5"}, "batch.total"),
        ({"total": True}, "batch.total"),
        ({"total": -1}, "batch.total"),
        ({"total": 2.5}, "batch.total"),
        ({"published": 10**30}, "batch.published"),
        ({"failed": float("nan")}, "batch.failed"),
        ({"progress": -5}, "batch.progress"),
        ({"progress": "30%"}, "batch.progress"),
        ({"currentIndex": {}}, "batch.currentIndex"),
        ({"createdAt": 1761725644}, "batch.createdAt"),
        ({"completedAt": "soon"}, "batch.completedAt"),
        ({"error": {"message": "x"}}, "batch.error"),
        ({"publishMode": ["now"]}, "batch.publishMode"),
        ({"clips": {"1": {}}}, "batch.clips"),
        ({"clips": [None]}, "batch.clips[0]"),
        ({"clips": [clip(1), {"status": "pending"}]}, "batch.clips[1].index"),
        ({"clips": [clip(1, title=["a"])]}, "batch.clips[0].title"),
        ({"clips": [clip(1, attempts="3")]}, "batch.clips[0].attempts"),
        ({"clips": [clip(1, publishedAt="never")]}, "batch.clips[0].publishedAt"),
        ({"clips": [{**clip(1), "status": 7}]}, "batch.clips[0].status"),
    ],
)
def test_wrong_types_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_batch(summary(**change))
    assert field_of(info) == field
    assert field in str(info.value)


def test_offending_value_is_cut_short() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_batch(summary(status=["x" * 1_000_000]))
    assert len(info.value.value) <= 80
    assert len(str(info.value)) < 200


def test_deeply_nested_offending_value_is_reported_without_recursion() -> None:
    nested: Any = "bottom"
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(ProtocolError) as info:
        parse_batch(summary(error=nested))
    assert field_of(info) == "batch.error"


def test_huge_integer_is_reported_without_converting_it() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_batch(summary(total=10**10_000))
    assert "bits" in info.value.value


def test_summary_that_is_not_an_object() -> None:
    values: list[object] = [None, [], "batch", 3]
    for value in values:
        with pytest.raises(ProtocolError) as info:
            parse_batch(value)
        assert field_of(info) == "batch"


# ---------------------------------------------------------------- envelopes


def test_batch_response() -> None:
    batch = parse_batch_response({"success": True, "batch": summary()})
    assert batch.batch_id == BATCH_ID


def test_batch_response_without_a_batch() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_batch_response({"success": False})
    assert field_of(info) == "response.batch"


def test_active_list_trusts_the_list_not_the_count() -> None:
    batches = parse_active_list(
        {"success": True, "batches": [summary(), summary(batchId="b2")], "count": 5}
    )
    assert [b.batch_id for b in batches] == [BATCH_ID, "b2"]
    assert parse_active_list({"success": True, "batches": [], "count": 3}) == []


def test_active_list_errors_name_the_item() -> None:
    # A bad entry no longer refuses the list (issue 13): it is refused alone, named.
    batches = parse_active_list({"batches": [summary(), summary(total="many")]})
    assert [b.batch_id for b in batches] == [BATCH_ID]
    assert batches.refused[0].error.field == "response.batches[1].total"
    with pytest.raises(ProtocolError) as info:
        parse_active_list({"success": True, "count": 0})
    assert field_of(info) == "response.batches"


@pytest.mark.parametrize(
    "bad",
    [
        {"published": -1},
        {"failed": float("nan")},
        {"total": float("inf")},
        {"currentIndex": 10**400},
        {"status": ["processing"]},
        {"clips": [{"index": "x"}]},
        {"batchId": None},
    ],
    ids=["negative", "nan", "1e999", "huge-int", "status-list", "bad-clip", "no-id"],
)
def test_one_bad_entry_does_not_hide_the_others(bad: dict[str, Any]) -> None:
    """Issue 13, fix 3: the good batches beside a malformed one are still listed."""
    entries = [summary(batchId="a"), summary(**{"batchId": "bad", **bad}), summary(batchId="c")]
    for parse in (parse_active_list, parse_batch_list):
        batches = parse({"success": True, "batches": entries, "count": 3})
        assert [b.batch_id for b in batches] == ["a", "c"]
        (refused,) = batches.refused
        assert refused.index == 1
        assert refused.batch_id == (None if bad == {"batchId": None} else "bad")
        assert refused.error.field.startswith("response.batches[1].")


def test_a_list_of_only_bad_entries_is_empty_not_refused() -> None:
    batches = parse_active_list({"batches": [None, 5, "x", {"batchId": "z" * 500}]})
    assert batches == []
    assert [r.index for r in batches.refused] == [0, 1, 2, 3]
    assert len(batches.refused[3].batch_id or "") <= 80  # server data, cut short


def test_history_list_part2() -> None:
    batches = parse_batch_list(
        {
            "success": True,
            "batches": [
                summary(status="completed", completedAt="2025-10-29 09:00:00"),
                summary(batchId="b2", status="cancelled"),
            ],
        }
    )
    assert [b.status for b in batches] == [BatchStatus.COMPLETED, BatchStatus.CANCELLED]
    assert batches[0].completed_at == datetime(2025, 10, 29, 9, tzinfo=UTC)


# ---------------------------------------------------------------- /status


def test_status_response_from_the_database() -> None:
    report = parse_status_response(
        {
            "batchId": BATCH_ID,
            "status": "processing",
            "progress": 33,
            "createdAt": "2025-10-29 08:14:04",
            "startedAt": "2025-10-29 08:14:05",
            "completedAt": None,
            "posts": {"total": 3, "published": 1, "failed": 0},
            "clips": [clip(1, "published"), clip(2, "uploading"), clip(3)],
            "error": None,
        }
    )
    assert report.batch_id == BATCH_ID
    assert report.status is BatchStatus.PROCESSING
    assert (report.total, report.published, report.failed) == (3, 1, 0)
    assert report.progress == 33
    assert report.created_at == datetime(2025, 10, 29, 8, 14, 4, tzinfo=UTC)
    assert len(report.clips) == 3
    assert report.current_story is None
    assert report.current_status is None


def test_status_response_from_memory() -> None:
    report = parse_status_response(
        {
            "batchId": BATCH_ID,
            "status": "processing",
            "progress": 50,
            "createdAt": "2025-10-29T08:14:04.000Z",
            "startedAt": "2025-10-29T08:14:05.000Z",
            "completedAt": None,
            "posts": {"total": 4, "published": 2, "failed": 0},
            "currentStory": "story-3",
            "currentStatus": "waiting",
            "waitProgress": 40,
            "updatedAt": "2025-10-29T08:16:00.000Z",
            "error": None,
        }
    )
    assert report.clips == ()
    assert report.current_story == "story-3"
    assert report.current_status is ClipStatus.WAITING_CONFIRMATION
    assert report.current_status_raw == "waiting"
    assert report.wait_progress == 40
    assert report.updated_at == datetime(2025, 10, 29, 8, 16, tzinfo=UTC)
    assert (report.total, report.published) == (4, 2)


def test_status_response_wrong_types() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_status_response({"batchId": "b", "status": "processing", "posts": [1, 2]})
    assert field_of(info) == "status.posts"
    with pytest.raises(ProtocolError) as info:
        parse_status_response({"batchId": "b", "status": "processing", "posts": {"total": "3"}})
    assert field_of(info) == "status.posts.total"


# ---------------------------------------------------------------- publish, controls, errors


def test_publish_response() -> None:
    result = parse_publish_response(
        {
            "batchId": BATCH_ID,
            "status": "processing",
            "posts": {"total": 20, "queued": 20},
            "createdAt": "2025-10-29T08:14:04.409Z",
            "message": "Batch publishing started",
        }
    )
    assert result.batch_id == BATCH_ID
    assert result.status is BatchStatus.PROCESSING
    assert (result.total, result.queued) == (20, 20)
    assert result.created_at == datetime(2025, 10, 29, 8, 14, 4, 409000, tzinfo=UTC)


def test_publish_response_without_batch_id() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_publish_response({"status": "processing"})
    assert field_of(info) == "publish.batchId"


def test_control_response_deployed_echo() -> None:
    result = parse_control_response(
        {
            "batchId": BATCH_ID,
            "action": "pause",
            "status": "processing",
            "timestamp": "2025-10-29T08:14:04.409Z",
        }
    )
    assert (result.batch_id, result.action) == (BATCH_ID, "pause")
    assert result.status is BatchStatus.PROCESSING
    assert result.batch is None


def test_control_response_with_a_summary() -> None:
    result = parse_control_response(
        {
            "batchId": BATCH_ID,
            "action": "cancel",
            "status": "cancelled",
            "batch": summary(status="cancelled"),
        }
    )
    assert result.status is BatchStatus.CANCELLED
    assert result.batch is not None
    assert result.batch.status is BatchStatus.CANCELLED


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"error": "Missing API key", "code": "MISSING_API_KEY"},
            ("Missing API key", "MISSING_API_KEY", None),
        ),
        (
            {"error": "Batch not found", "code": "BATCH_NOT_FOUND"},
            ("Batch not found", "BATCH_NOT_FOUND", None),
        ),
        (
            {"error": "Failed to fetch batch", "message": "SQLITE_BUSY"},
            ("Failed to fetch batch", None, "SQLITE_BUSY"),
        ),
        ({}, (None, None, None)),
    ],
)
def test_error_bodies(body: dict[str, Any], expected: tuple[str | None, ...]) -> None:
    parsed = parse_error_body(body)
    assert (parsed.error, parsed.code, parsed.message) == expected


def test_error_body_wrong_type() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_error_body({"error": {"nested": True}})
    assert field_of(info) == "error.error"


# ---------------------------------------------------------------- JSON


def test_html_page_is_not_json() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 100_000 + "</body>"
    for body in (page, page.encode()):
        with pytest.raises(ProtocolError) as info:
            parse_json(body)
        assert field_of(info) == "body"
        assert len(str(info.value)) < 200


@pytest.mark.parametrize(
    "body",
    [b"", b"\xff\xfe{", "[" * 100_000, "1" * 5000, b'{"a": }', "NaN-ish"],
)
def test_other_non_json(body: str | bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_json(body)


# ---------------------------------------------------------------- stream events


def ev(**payload: Any) -> str:
    return json.dumps({"batchId": BATCH_ID, "timestamp": "2025-10-29T08:14:04.123Z", **payload})


def test_connected_event() -> None:
    event = parse_event(ev(type="connected", status="processing", published=1, errors=0, total=3))
    assert isinstance(event, ConnectedEvent)
    assert event.batch_id == BATCH_ID
    assert event.timestamp == datetime(2025, 10, 29, 8, 14, 4, 123000, tzinfo=UTC)
    assert event.status is BatchStatus.PROCESSING
    assert (event.published, event.errors, event.total) == (1, 0, 3)
    assert event.event_id is None


def test_connected_to_a_finished_batch() -> None:
    event = parse_event(ev(type="connected", status="completed", published=3, errors=0, total=3))
    assert isinstance(event, ConnectedEvent)
    assert event.status.is_final


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("uploading", ClipStatus.UPLOADING),
        ("waiting", ClipStatus.WAITING_CONFIRMATION),
        ("published", ClipStatus.PUBLISHED),
        ("error", ClipStatus.FAILED),
        ("scheduling", ClipStatus.SCHEDULING),
        ("scheduled", ClipStatus.SCHEDULED),
        ("teleported", ClipStatus.UNKNOWN),
    ],
)
def test_progress_event_vocabulary(raw: str, status: ClipStatus) -> None:
    event = parse_event(
        ev(type="progress", current=2, total=3, published=1, errors=0, currentStory="s2",
           status=raw),
        "17",
    )  # fmt: skip
    assert isinstance(event, ProgressEvent)
    assert (event.current, event.total, event.published, event.errors) == (2, 3, 1, 0)
    assert event.current_story == "s2"
    assert event.clip_status is status
    assert event.clip_status_raw == raw
    assert event.event_id == "17"
    assert event.error is None


def test_progress_event_part2_extras() -> None:
    event = parse_event(
        ev(type="progress", current=1, total=1, status="waiting", waitProgress=70, error=None)
    )
    assert isinstance(event, ProgressEvent)
    assert event.wait_progress == 70


def test_completed_and_error_events() -> None:
    done = parse_event(ev(type="completed", published=4, errors=1, total=5))
    assert isinstance(done, CompletedEvent)
    assert (done.published, done.errors, done.total) == (4, 1, 5)
    failed = parse_event(ev(type="error", error="startTime is not defined"))
    assert isinstance(failed, ErrorEvent)
    assert failed.error == "startTime is not defined"


def test_unknown_event_type_is_kept() -> None:
    event = parse_event(ev(type="heartbeat", extra=[1, 2]))
    assert isinstance(event, UnknownEvent)
    assert event.type == "heartbeat"
    assert event.data["extra"] == [1, 2]


def test_event_without_timestamp_or_batch_id() -> None:
    event = parse_event(json.dumps({"type": "completed", "published": 1, "errors": 0, "total": 1}))
    assert isinstance(event, CompletedEvent)
    assert event.timestamp is None
    assert event.batch_id == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("<html>502</html>", "event"),
        ("[1, 2]", "event"),
        ('{"batchId": "b"}', "event.type"),
        ('{"type": 3}', "event.type"),
        ('{"type": "progress", "total": 3}', "event[progress].current"),
        ('{"type": "progress", "current": -1}', "event[progress].current"),
        ('{"type": "connected", "total": "3"}', "event[connected].total"),
        ('{"type": "completed", "published": null, "errors": [], "total": 1}',
         "event[completed].errors"),
        ('{"type": "error", "error": {"a": 1}}', "event[error].error"),
        ('{"type": "progress", "current": 1, "timestamp": "now"}', "event[progress].timestamp"),
        ('{"type": "x\\n\\u001b[31m", "timestamp": 5}', "event[?].timestamp"),
    ],
)  # fmt: skip
def test_bad_events_name_the_field(data: str, field: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_event(data)
    assert field_of(info) == field


def test_parsing_does_not_change_the_payload() -> None:
    data = summary()
    before = copy.deepcopy(data)
    parse_batch(data)
    assert data == before


def _every_field_set() -> Batch:
    """A batch whose every field differs from its default (and from each other)."""
    at = [datetime(2026, 1, d, tzinfo=UTC) for d in range(1, 8)]
    clip = Clip(
        index=3, status=ClipStatus.UPLOADING, status_raw="uploading", title="t", url="u",
        error="e", attempts=2, metricool_post_id="m", facebook_post_id="f",
        uploaded_at=at[0], published_at=at[1],
    )  # fmt: skip
    return Batch(
        batch_id="b", status=BatchStatus.PROCESSING, status_raw="processing", total=9,
        published=1, failed=2, job_id="j", publish_mode="now", current_index=3, progress=33,
        scheduled_for=at[2], created_at=at[3], started_at=at[4], completed_at=at[5],
        error="x", clips=(clip,),
    )  # fmt: skip


def test_the_per_event_copies_equal_dataclasses_replace() -> None:
    """On a realistic batch, the hand-written copies are ``dataclasses.replace``."""
    batch = _every_field_set()
    clip = batch.clips[0]
    moved = clip.with_status(ClipStatus.PUBLISHED, "published", None)
    assert moved == replace(clip, status=ClipStatus.PUBLISHED, status_raw="published", error=None)
    later = batch.with_progress(4, 3, 10, 5, (moved,))
    assert later == replace(batch, published=4, failed=3, total=10, current_index=5, clips=(moved,))


class _Mark:
    """A value no field has by default, told apart by identity (one per field)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _marked(cls: type[Any]) -> Any:
    """An instance of the dataclass ``cls`` whose every field, as
    ``dataclasses.fields()`` lists them, holds its own mark: a field a copy forgets
    then shows its default (or the copy cannot be built), never its mark."""
    return cls(**{f.name: _Mark(f"{cls.__name__}.{f.name}") for f in fields(cls)})


def _carried_over(copy: Any, original: Any, told: dict[str, Any]) -> list[str]:
    """The fields of ``copy`` that are not ``told``'s value or else ``original``'s object."""
    return [
        f.name
        for f in fields(original)
        if getattr(copy, f.name) is not told.get(f.name, getattr(original, f.name))
    ]


def test_the_per_event_copies_carry_every_field_over() -> None:
    """The hand-written copies used per event (``Clip.with_status``,
    ``Batch.with_progress``) must carry every field of ``dataclasses.fields()``
    over: a field added to Clip or Batch, with a default or without, and
    forgotten there would silently vanish from every clip an event touches."""
    clip = _marked(Clip)
    told = {"status": _Mark("new status"), "status_raw": _Mark("new raw"), "error": None}
    moved = clip.with_status(told["status"], told["status_raw"], told["error"])
    assert _carried_over(moved, clip, told) == []

    batch = _marked(Batch)
    told = {name: _Mark(f"new {name}") for name in
            ("published", "failed", "total", "current_index", "clips")}  # fmt: skip
    later = batch.with_progress(
        told["published"], told["failed"], told["total"], told["current_index"], told["clips"]
    )
    assert _carried_over(later, batch, told) == []
