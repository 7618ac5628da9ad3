"""Batches, clips, statuses and stream events, and the parsing of every payload.

The deployed backend is loose (two timestamp shapes, ``progress: null``, clip
statuses in two vocabularies, counters that do not add up), so parsing accepts
all of that; anything it cannot understand raises one :class:`ProtocolError`
naming the field and the offending value, never a ``KeyError``.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "Batch",
    "BatchStatus",
    "Clip",
    "ClipStatus",
    "CompletedEvent",
    "ConnectedEvent",
    "ErrorEvent",
    "ProgressEvent",
    "ProtocolError",
    "StreamEvent",
    "StreamState",
    "StreamStateName",
    "UnknownEvent",
    "parse_active_list",
    "parse_batch",
    "parse_batch_response",
    "parse_event",
    "parse_json",
    "parse_timestamp",
]

_MAX_SHOWN = 80


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


class ProtocolError(ValueError):
    """A payload the client cannot understand.

    ``field`` names where it went wrong (dotted path), ``value`` is the offending
    value cut short so a huge or hostile payload never floods a log or a dialog.
    """

    def __init__(self, field_name: str, value: object, reason: str = "unexpected value") -> None:
        self.field = field_name
        self.value = _short(value)
        self.reason = reason
        super().__init__(f"{field_name}: {reason} ({self.value})")


class BatchStatus(enum.Enum):
    """A batch's status; values the client does not know become ``UNKNOWN``."""

    PROCESSING = "processing"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        return self in (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED)

    @classmethod
    def from_raw(cls, raw: str) -> BatchStatus:
        try:
            status = cls(raw)
        except ValueError:
            return cls.UNKNOWN
        return status if status is not cls.UNKNOWN else cls.UNKNOWN


class ClipStatus(enum.Enum):
    """A clip's status in the summary's vocabulary; unknown values are kept raw."""

    PENDING = "pending"
    UPLOADING = "uploading"
    WAITING_CONFIRMATION = "waiting_confirmation"
    SCHEDULING = "scheduling"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """Terminal for the clip: a summary that lags must not undo it."""
        return self in (ClipStatus.PUBLISHED, ClipStatus.FAILED, ClipStatus.SCHEDULED)

    @classmethod
    def from_raw(cls, raw: str) -> ClipStatus:
        """Map both vocabularies: the summary's and the stream's (`waiting`, `error`)."""
        mapped = _EVENT_CLIP_STATUS.get(raw, raw)
        try:
            status = cls(mapped)
        except ValueError:
            return cls.UNKNOWN
        return status


_EVENT_CLIP_STATUS = {"waiting": "waiting_confirmation", "error": "failed"}


@dataclass(frozen=True, slots=True)
class Clip:
    """One clip of a batch, as the summary (or an event) says."""

    index: int
    status: ClipStatus
    status_raw: str
    title: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int = 0
    metricool_post_id: str | None = None
    facebook_post_id: str | None = None
    uploaded_at: datetime | None = None
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """A publish batch: the REST summary is the truth for counts and status."""

    batch_id: str
    status: BatchStatus
    status_raw: str
    total: int
    published: int
    failed: int
    job_id: str | None = None
    publish_mode: str | None = None
    current_index: int | None = None
    progress: int | None = None
    scheduled_for: datetime | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error: str | None = None
    clips: tuple[Clip, ...] = ()

    @property
    def done(self) -> int:
        """Clips that reached an end (published or failed), never above the total."""
        return min(self.total, self.published + self.failed)

    @property
    def pending(self) -> int:
        return max(0, self.total - self.published - self.failed)

    @property
    def is_final(self) -> bool:
        return self.status.is_final


StreamStateName = Literal[
    "connecting", "live", "reconnecting", "polling", "stalled", "closed", "finished"
]


@dataclass(frozen=True, slots=True)
class StreamState:
    """What one batch's live stream is doing, for the status line and the log.

    ``retry_in`` is the delay in seconds before the next attempt (reconnecting,
    polling); ``detail`` a short, untranslated reason for support (never shown raw).
    """

    state: StreamStateName
    retry_in: float | None = None
    detail: str | None = None


# ---------------------------------------------------------------- stream events


@dataclass(frozen=True, slots=True)
class ConnectedEvent:
    batch_id: str
    timestamp: datetime | None
    status: BatchStatus
    status_raw: str
    published: int
    errors: int
    total: int
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One clip moved: ``current`` is its 1-based index."""

    batch_id: str
    timestamp: datetime | None
    current: int
    total: int
    published: int
    errors: int
    clip_status: ClipStatus
    clip_status_raw: str
    current_story: str | None = None
    error: str | None = None
    wait_progress: int | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class CompletedEvent:
    batch_id: str
    timestamp: datetime | None
    published: int
    errors: int
    total: int
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """The batch failed; ``error`` is the server's text (untrusted)."""

    batch_id: str
    timestamp: datetime | None
    error: str | None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event type this client does not know: kept, logged, not applied."""

    type: str
    batch_id: str | None
    timestamp: datetime | None
    data: Mapping[str, Any] = field(default_factory=dict)
    event_id: str | None = None


StreamEvent = ConnectedEvent | ProgressEvent | CompletedEvent | ErrorEvent | UnknownEvent


# ---------------------------------------------------------------- primitives


def parse_json(text: str | bytes, where: str = "body") -> Any:
    """Decode JSON or raise ProtocolError (an HTML page is not JSON)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(where, text, "not valid JSON") from exc


def parse_timestamp(value: object, where: str = "timestamp") -> datetime | None:
    """Parse ISO 8601 (``Z`` or offset, optional fraction) or SQLite's
    ``YYYY-MM-DD HH:MM:SS``; both are UTC when no zone is given."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise ProtocolError(where, value, "not a timestamp")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ProtocolError(where, value, "not a timestamp") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(where, value, "expected an object")
    return value


def _int(
    obj: Mapping[str, Any], key: str, where: str, default: int | None = None
) -> int:
    value = obj.get(key, default)
    if value is None and default is not None:
        value = default
    if isinstance(value, bool) or value is None:
        raise ProtocolError(f"{where}.{key}", value, "expected a number")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ProtocolError(f"{where}.{key}", value, "expected a whole number")
        value = int(value)
    if not isinstance(value, int):
        raise ProtocolError(f"{where}.{key}", value, "expected a number")
    if value < 0 or value > 10_000_000:
        raise ProtocolError(f"{where}.{key}", value, "out of range")
    return value


def _opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    if obj.get(key) is None:
        return None
    return _int(obj, key, where)


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{where}.{key}", value, "expected text")
    return value


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ProtocolError(f"{where}.{key}", value, "expected text")
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise ProtocolError(f"{where}.{key}", value, "expected text")
    return value


def _ts(obj: Mapping[str, Any], key: str, where: str) -> datetime | None:
    return parse_timestamp(obj.get(key), f"{where}.{key}")


# ---------------------------------------------------------------- REST payloads


def parse_clip(value: object, where: str = "clip") -> Clip:
    obj = _obj(value, where)
    raw = _opt_str(obj, "status", where) or "pending"
    return Clip(
        index=_int(obj, "index", where),
        status=ClipStatus.from_raw(raw),
        status_raw=raw,
        title=_opt_str(obj, "title", where),
        url=_opt_str(obj, "url", where),
        error=_opt_str(obj, "error", where),
        attempts=_int(obj, "attempts", where, default=0),
        metricool_post_id=_opt_str(obj, "metricoolPostId", where),
        facebook_post_id=_opt_str(obj, "facebookPostId", where),
        uploaded_at=_ts(obj, "uploadedAt", where),
        published_at=_ts(obj, "publishedAt", where),
    )


def parse_batch(value: object, where: str = "batch") -> Batch:
    """Parse a batch summary object (contract Part 1)."""
    obj = _obj(value, where)
    raw_status = _str(obj, "status", where)
    clips_value = obj.get("clips")
    if clips_value is None:
        clips_value = []
    if not isinstance(clips_value, list):
        raise ProtocolError(f"{where}.clips", clips_value, "expected a list")
    clips = tuple(parse_clip(c, f"{where}.clips[{i}]") for i, c in enumerate(clips_value))
    progress = obj.get("progress")
    parsed_progress: int | None = None
    if progress is not None:
        parsed_progress = min(100, _int(obj, "progress", where))
    return Batch(
        batch_id=_str(obj, "batchId", where),
        status=BatchStatus.from_raw(raw_status),
        status_raw=raw_status,
        total=_int(obj, "total", where, default=len(clips)),
        published=_int(obj, "published", where, default=0),
        failed=_int(obj, "failed", where, default=0),
        job_id=_opt_str(obj, "jobId", where),
        publish_mode=_opt_str(obj, "publishMode", where),
        current_index=_opt_int(obj, "currentIndex", where),
        progress=parsed_progress,
        scheduled_for=_ts(obj, "scheduledFor", where),
        created_at=_ts(obj, "createdAt", where),
        started_at=_ts(obj, "startedAt", where),
        completed_at=_ts(obj, "completedAt", where),
        error=_opt_str(obj, "error", where),
        clips=clips,
    )


def parse_batch_response(value: object) -> Batch:
    """``GET /api/metricool/batch/{id}`` → ``{"success": true, "batch": {...}}``."""
    obj = _obj(value, "response")
    return parse_batch(obj.get("batch"), "response.batch")


def parse_active_list(value: object) -> list[Batch]:
    """``GET /batches/active``: trust the list, not its ``count`` (contract)."""
    obj = _obj(value, "response")
    batches = obj.get("batches")
    if not isinstance(batches, list):
        raise ProtocolError("response.batches", batches, "expected a list")
    return [parse_batch(b, f"response.batches[{i}]") for i, b in enumerate(batches)]


# ---------------------------------------------------------------- stream events


def parse_event(data: str, event_id: str | None = None) -> StreamEvent:
    """Parse one SSE ``data`` payload into a typed event."""
    obj = _obj(parse_json(data, "event"), "event")
    kind = obj.get("type")
    if not isinstance(kind, str) or not kind:
        raise ProtocolError("event.type", kind, "expected text")
    where = f"event[{kind[:20]}]"
    batch_id = _opt_str(obj, "batchId", where)
    timestamp = _ts(obj, "timestamp", where)
    if kind == "connected":
        raw = _opt_str(obj, "status", where) or "processing"
        return ConnectedEvent(
            batch_id=batch_id or "",
            timestamp=timestamp,
            status=BatchStatus.from_raw(raw),
            status_raw=raw,
            published=_int(obj, "published", where, default=0),
            errors=_int(obj, "errors", where, default=0),
            total=_int(obj, "total", where, default=0),
            event_id=event_id,
        )
    if kind == "progress":
        raw = _opt_str(obj, "status", where) or "unknown"
        return ProgressEvent(
            batch_id=batch_id or "",
            timestamp=timestamp,
            current=_int(obj, "current", where),
            total=_int(obj, "total", where, default=0),
            published=_int(obj, "published", where, default=0),
            errors=_int(obj, "errors", where, default=0),
            clip_status=ClipStatus.from_raw(raw),
            clip_status_raw=raw,
            current_story=_opt_str(obj, "currentStory", where),
            error=_opt_str(obj, "error", where),
            wait_progress=_opt_int(obj, "waitProgress", where),
            event_id=event_id,
        )
    if kind == "completed":
        return CompletedEvent(
            batch_id=batch_id or "",
            timestamp=timestamp,
            published=_int(obj, "published", where, default=0),
            errors=_int(obj, "errors", where, default=0),
            total=_int(obj, "total", where, default=0),
            event_id=event_id,
        )
    if kind == "error":
        return ErrorEvent(
            batch_id=batch_id or "",
            timestamp=timestamp,
            error=_opt_str(obj, "error", where),
            event_id=event_id,
        )
    return UnknownEvent(
        type=kind, batch_id=batch_id, timestamp=timestamp, data=dict(obj), event_id=event_id
    )
