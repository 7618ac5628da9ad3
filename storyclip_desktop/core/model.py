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
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "ApiErrorBody",
    "Batch",
    "BatchList",
    "BatchStatus",
    "Clip",
    "ClipStatus",
    "CompletedEvent",
    "ConnectedEvent",
    "ControlResult",
    "ErrorEvent",
    "ProgressEvent",
    "ProtocolError",
    "PublishResult",
    "RefusedEntry",
    "StatusReport",
    "StreamEvent",
    "StreamState",
    "StreamStateName",
    "UnknownEvent",
    "parse_active_list",
    "parse_batch",
    "parse_batch_list",
    "parse_batch_response",
    "parse_clip",
    "parse_control_response",
    "parse_error_body",
    "parse_event",
    "parse_json",
    "parse_publish_response",
    "parse_status_response",
    "parse_timestamp",
]

_MAX_SHOWN = 80

# reprlib bounds the work and the depth: a hostile payload (a 4 MB string, a list
# nested 900 deep) must not cost a full repr, nor a RecursionError, to report.
_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxstring = _MAX_SHOWN
_REPR.maxother = _MAX_SHOWN
_REPR.maxlong = 40
_REPR.maxdict = _REPR.maxlist = _REPR.maxtuple = 4


def _short(value: object) -> str:
    """A printable, escaped, bounded rendering of an offending value."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value[: _MAX_SHOWN + 1])
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        text = f"<int of {value.bit_length()} bits>"
    else:
        try:
            text = _REPR.repr(value)
        except Exception:  # a repr that fails must not hide the real error
            text = f"<{type(value).__name__}>"
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
        # A dict lookup, not cls(raw): this runs for every event (throughput).
        status = _BATCH_BY_RAW.get(raw)
        if status is None:
            status = _BATCH_BY_RAW.get(raw.strip().lower(), cls.UNKNOWN)
        return status


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
        status = _CLIP_BY_RAW.get(raw)
        if status is None:
            status = _CLIP_BY_RAW.get(raw.strip().lower(), cls.UNKNOWN)
        return status


_BATCH_BY_RAW: dict[str, BatchStatus] = {status.value: status for status in BatchStatus}
_CLIP_BY_RAW: dict[str, ClipStatus] = {status.value: status for status in ClipStatus} | {
    "waiting": ClipStatus.WAITING_CONFIRMATION,
    "error": ClipStatus.FAILED,
}


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

    def with_status(self, status: ClipStatus, status_raw: str, error: str | None) -> Clip:
        """``replace(self, status=..., status_raw=..., error=...)`` at half its cost:
        this runs for most stream events, and ``dataclasses.replace`` walks every
        field and builds keyword arguments each time."""
        return Clip(
            index=self.index,
            status=status,
            status_raw=status_raw,
            title=self.title,
            url=self.url,
            error=error,
            attempts=self.attempts,
            metricool_post_id=self.metricool_post_id,
            facebook_post_id=self.facebook_post_id,
            uploaded_at=self.uploaded_at,
            published_at=self.published_at,
        )


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

    def with_progress(
        self,
        published: int,
        failed: int,
        total: int,
        current_index: int | None,
        clips: tuple[Clip, ...],
    ) -> Batch:
        """``replace(self, ...)`` of what a ``progress`` event moves, at half its cost
        (see :meth:`Clip.with_status`)."""
        return Batch(
            batch_id=self.batch_id,
            status=self.status,
            status_raw=self.status_raw,
            total=total,
            published=published,
            failed=failed,
            job_id=self.job_id,
            publish_mode=self.publish_mode,
            current_index=current_index,
            progress=self.progress,
            scheduled_for=self.scheduled_for,
            created_at=self.created_at,
            started_at=self.started_at,
            completed_at=self.completed_at,
            error=self.error,
            clips=clips,
        )

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


# ---------------------------------------------------------------- other REST answers


@dataclass(frozen=True, slots=True)
class StatusReport:
    """``GET /status?batchId=B``: from the database (with ``clips``) or, for a batch
    known only in the server's memory, with ``current_*`` and ``updated_at``."""

    batch_id: str
    status: BatchStatus
    status_raw: str
    total: int
    published: int
    failed: int
    progress: int | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    updated_at: datetime | None = None
    error: str | None = None
    clips: tuple[Clip, ...] = ()
    current_story: str | None = None
    current_status: ClipStatus | None = None
    current_status_raw: str | None = None
    wait_progress: int | None = None


@dataclass(frozen=True, slots=True)
class PublishResult:
    """``POST /publish/stories``: the new batch, before any clip moved."""

    batch_id: str
    status: BatchStatus
    status_raw: str
    total: int
    queued: int
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ControlResult:
    """Pause / resume / cancel / retry-failed: the deployed backend only echoes
    (it does nothing), the local one acts; ``batch`` is set when a summary comes back."""

    batch_id: str | None
    action: str | None
    status: BatchStatus | None
    status_raw: str | None
    timestamp: datetime | None = None
    batch: Batch | None = None


@dataclass(frozen=True, slots=True)
class ServerCapabilities:
    """What a StoryClip server supports beyond Part 1 of the wire contract.

    The local backend says so at ``GET /api/metricool/capabilities``; a server without
    that route is the deployed backend (:data:`PART_ONE`): no history, control calls
    that answer success and change nothing, one stream per batch.
    """

    history: bool = False
    #: The history pages by finish time and can leave clips out (catch-up, history view).
    history_cursor: bool = False
    controls: frozenset[str] = frozenset()
    account_stream: bool = False
    #: Whether the answer came from the server (False: assumed, as for the deployed one).
    advertised: bool = False


#: The deployed backend's behaviour (a server that does not answer the capabilities call).
PART_ONE = ServerCapabilities()


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What the history view asks for: statuses, a finish-time range, a search over
    names (job id, batch id) and clip titles. Times are UTC; ``None``: no bound."""

    statuses: tuple[str, ...] = ("completed", "failed", "cancelled")
    finished_after: datetime | None = None
    finished_before: datetime | None = None
    search: str = ""


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of the history, newest end first. ``source``: ``history`` (the
    server's) or ``remembered`` (the batches this app saw, where the server keeps
    none: no clip titles to search, times are when the app saw them)."""

    batches: tuple[Batch, ...]
    source: str
    more: bool


@dataclass(frozen=True, slots=True)
class ApiErrorBody:
    """A StoryClip JSON error: ``{"error", "code"}``, sometimes ``"message"`` (all untrusted)."""

    error: str | None
    code: str | None
    message: str | None


# ---------------------------------------------------------------- primitives


def parse_json(text: str | bytes, where: str = "body") -> Any:
    """Decode JSON or raise ProtocolError (an HTML error page is not JSON).

    Covers invalid UTF-8 (UnicodeDecodeError is a ValueError), numbers with more
    digits than Python converts (ValueError) and nesting deeper than the stack
    (RecursionError)."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ProtocolError(where, text, "not valid JSON") from exc


def parse_timestamp(value: object, where: str = "timestamp") -> datetime | None:
    """Parse ISO 8601 (``Z`` or offset, optional fraction) or SQLite's
    ``YYYY-MM-DD HH:MM:SS``; both are UTC when no zone is given."""
    if value is None or value == "":
        return None
    if type(value) is str and 20 <= len(value) <= 64 and value[-1] == "Z":
        # Fast path, every event's shape: "2025-10-29T08:14:04.123Z".
        try:
            parsed = datetime.fromisoformat(value[:-1])
        except ValueError:
            parsed = None  # the full rules below say what is wrong
        if parsed is not None and parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
    if not isinstance(value, str) or len(value) > 64:
        raise ProtocolError(where, value, "not a timestamp")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is UTC:
            return parsed  # the common case: every event's timestamp
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        # Year 1 with a positive offset (or 9999 with a negative one) overflows.
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ProtocolError(where, value, "not a timestamp") from exc


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(where, value, "expected an object")
    return value


_MAX_COUNT = 10_000_000


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ProtocolError(where, value, "expected a number")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ProtocolError(where, value, "expected a whole number")
        value = int(value)
    if not isinstance(value, int):
        raise ProtocolError(where, value, "expected a number")
    if value < 0 or value > _MAX_COUNT:
        raise ProtocolError(where, value, "out of range")
    return value


def _int(obj: Mapping[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = obj.get(key)
    if type(value) is int and 0 <= value <= _MAX_COUNT:
        return value  # the common case, without a call (every event has four)
    if value is None and default is not None:
        return default
    return _whole(value, f"{where}.{key}")


def _opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    if obj.get(key) is None:
        return None
    return _int(obj, key, where)


def _percent(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    """A percentage: ``null`` when the total is 0 (contract); a fraction is rounded
    and a value above 100 clamped (both harmless), a negative one is nonsense."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and 0 <= value <= _MAX_COUNT:
        value = round(value)
    return min(100, _whole(value, f"{where}.{key}"))


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{where}.{key}", value, "expected text")
    return value


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        raise ProtocolError(f"{where}.{key}", value, "expected text")
    if isinstance(value, int):
        if value.bit_length() > 64:
            raise ProtocolError(f"{where}.{key}", value, "expected text")
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if not isinstance(value, str):
        raise ProtocolError(f"{where}.{key}", value, "expected text")
    return value


def _status_text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _str(obj, key, where)
    if len(value) > 64:
        raise ProtocolError(f"{where}.{key}", value, "not a status")
    return value


def _opt_status_text(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if type(value) is str and len(value) <= 64:
        return value
    return _status_text(obj, key, where)


def _ts(obj: Mapping[str, Any], key: str, where: str) -> datetime | None:
    return parse_timestamp(obj.get(key), f"{where}.{key}")


def _list(obj: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"{where}.{key}", value, "expected a list")
    return value


# ---------------------------------------------------------------- REST payloads


def parse_clip(value: object, where: str = "clip") -> Clip:
    obj = _obj(value, where)
    raw = _opt_status_text(obj, "status", where) or "pending"
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


def _clips(obj: Mapping[str, Any], where: str) -> tuple[Clip, ...]:
    return tuple(
        parse_clip(c, f"{where}.clips[{i}]") for i, c in enumerate(_list(obj, "clips", where))
    )


def parse_batch(value: object, where: str = "batch") -> Batch:
    """Parse a batch summary object (contract Part 1).

    Counters are taken as the server says, even when they do not add up (the
    deployed publisher fails a batch with "published 2, failed 0, total 5");
    :attr:`Batch.done` and :attr:`Batch.pending` stay within the total.
    """
    obj = _obj(value, where)
    raw_status = _status_text(obj, "status", where)
    clips = _clips(obj, where)
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
        progress=_percent(obj, "progress", where),
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


@dataclass(frozen=True, slots=True)
class RefusedEntry:
    """One entry of a batch list that could not be understood, and why.

    ``batch_id`` is the entry's own ``batchId`` when it has a usable one (cut
    short: server data), so the log can say which batch is not being followed.
    """

    index: int
    batch_id: str | None
    error: ProtocolError


class BatchList(list[Batch]):
    """The batches of a list answer that parsed, in order; ``refused`` holds the
    entries that did not (each skipped alone: one bad entry must not hide the rest).
    """

    refused: tuple[RefusedEntry, ...]

    def __init__(self, batches: list[Batch], refused: tuple[RefusedEntry, ...] = ()) -> None:
        super().__init__(batches)
        self.refused = refused


def _entry_id(entry: object) -> str | None:
    if isinstance(entry, Mapping):
        raw = entry.get("batchId")
        if isinstance(raw, str) and raw:
            return raw if len(raw) <= _MAX_SHOWN else _short(raw)
    return None


def parse_active_list(value: object) -> BatchList:
    """``GET /batches/active``: trust the list, not its ``count`` (contract).

    Parsed entry by entry: an entry with an impossible value (``published: -1``)
    is refused alone and reported in :attr:`BatchList.refused`; the envelope
    itself (no ``batches`` list) still raises :class:`ProtocolError`.
    """
    obj = _obj(value, "response")
    batches = obj.get("batches")
    if not isinstance(batches, list):
        raise ProtocolError("response.batches", batches, "expected a list")
    parsed: list[Batch] = []
    refused: list[RefusedEntry] = []
    for i, entry in enumerate(batches):
        try:
            parsed.append(parse_batch(entry, f"response.batches[{i}]"))
        except ProtocolError as exc:
            refused.append(RefusedEntry(i, _entry_id(entry), exc))
    return BatchList(parsed, tuple(refused))


def parse_batch_list(value: object) -> BatchList:
    """``GET /batches?status=...`` (history, Part 2): the same envelope as the active list."""
    return parse_active_list(value)


def parse_status_response(value: object) -> StatusReport:
    """``GET /status?batchId=B``, both shapes (database with ``clips``, memory with
    ``currentStory``/``currentStatus``/``waitProgress``/``updatedAt``)."""
    where = "status"
    obj = _obj(value, where)
    raw_status = _status_text(obj, "status", where)
    clips = _clips(obj, where)
    posts_value = obj.get("posts")
    posts = {} if posts_value is None else _obj(posts_value, f"{where}.posts")
    current_raw = _opt_status_text(obj, "currentStatus", where)
    return StatusReport(
        batch_id=_str(obj, "batchId", where),
        status=BatchStatus.from_raw(raw_status),
        status_raw=raw_status,
        total=_int(posts, "total", f"{where}.posts", default=len(clips)),
        published=_int(posts, "published", f"{where}.posts", default=0),
        failed=_int(posts, "failed", f"{where}.posts", default=0),
        progress=_percent(obj, "progress", where),
        created_at=_ts(obj, "createdAt", where),
        started_at=_ts(obj, "startedAt", where),
        completed_at=_ts(obj, "completedAt", where),
        updated_at=_ts(obj, "updatedAt", where),
        error=_opt_str(obj, "error", where),
        clips=clips,
        current_story=_opt_str(obj, "currentStory", where),
        current_status=None if current_raw is None else ClipStatus.from_raw(current_raw),
        current_status_raw=current_raw,
        wait_progress=_percent(obj, "waitProgress", where),
    )


def parse_publish_response(value: object) -> PublishResult:
    """``POST /publish/stories`` → ``{"batchId", "status", "posts": {"total", "queued"}, ...}``."""
    where = "publish"
    obj = _obj(value, where)
    raw_status = _opt_status_text(obj, "status", where) or "processing"
    posts_value = obj.get("posts")
    posts = {} if posts_value is None else _obj(posts_value, f"{where}.posts")
    total = _int(posts, "total", f"{where}.posts", default=0)
    return PublishResult(
        batch_id=_str(obj, "batchId", where),
        status=BatchStatus.from_raw(raw_status),
        status_raw=raw_status,
        total=total,
        queued=_int(posts, "queued", f"{where}.posts", default=total),
        created_at=_ts(obj, "createdAt", where),
    )


def parse_control_response(value: object) -> ControlResult:
    """Answer of pause / resume / cancel / retry-failed (both the GET aliases and POST)."""
    where = "control"
    obj = _obj(value, where)
    raw_status = _opt_status_text(obj, "status", where)
    batch_value = obj.get("batch")
    return ControlResult(
        batch_id=_opt_str(obj, "batchId", where),
        action=_opt_str(obj, "action", where),
        status=None if raw_status is None else BatchStatus.from_raw(raw_status),
        status_raw=raw_status,
        timestamp=_ts(obj, "timestamp", where),
        batch=None if batch_value is None else parse_batch(batch_value, f"{where}.batch"),
    )


def parse_capabilities(value: object) -> ServerCapabilities:
    """The capabilities answer; unknown keys are ignored, unknown control names kept
    out (the client acts only where it knows what an action means)."""
    where = "capabilities"
    obj = _obj(value, where)
    controls = obj.get("controls", [])
    if not isinstance(controls, list):
        raise ProtocolError(f"{where}.controls", controls, "expected a list")
    known = {"pause", "resume", "cancel", "retry-failed"}
    return ServerCapabilities(
        history=obj.get("history") is True,
        history_cursor=obj.get("historyCursor") is True,
        controls=frozenset(c for c in controls if isinstance(c, str) and c in known),
        account_stream=obj.get("accountStream") is True,
        advertised=True,
    )


def parse_error_body(value: object) -> ApiErrorBody:
    """A StoryClip error body (401/403/400/404/500 JSON). Its texts are untrusted."""
    where = "error"
    obj = _obj(value, where)
    return ApiErrorBody(
        error=_opt_str(obj, "error", where),
        code=_opt_str(obj, "code", where),
        message=_opt_str(obj, "message", where),
    )


# ---------------------------------------------------------------- stream events


_WHERE = {k: f"event[{k}]" for k in ("connected", "progress", "completed", "error")}


def _event_where(kind: str) -> str:
    """A field path naming the event type without letting hostile text into logs."""
    known = _WHERE.get(kind)
    if known is not None:
        return known
    if len(kind) <= 20 and kind.isascii() and kind.replace("_", "").replace("-", "").isalnum():
        return f"event[{kind}]"
    return "event[?]"


def parse_event(data: str, event_id: str | None = None) -> StreamEvent:
    """Parse one SSE ``data`` payload into a typed event.

    Unknown types become :class:`UnknownEvent` (kept, never applied); the clip
    status of a ``progress`` event is mapped from the stream's vocabulary
    (``waiting`` → waiting_confirmation, ``error`` → failed), unknown ones kept raw.
    """
    obj = _obj(parse_json(data, "event"), "event")
    kind = obj.get("type")
    if not isinstance(kind, str) or not kind:
        raise ProtocolError("event.type", kind, "expected text")
    where = _event_where(kind)
    batch_id = _opt_str(obj, "batchId", where)
    timestamp = _ts(obj, "timestamp", where)
    if kind == "connected":
        raw = _opt_status_text(obj, "status", where) or "processing"
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
        raw = _opt_status_text(obj, "status", where) or "unknown"
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
            wait_progress=_percent(obj, "waitProgress", where),
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
