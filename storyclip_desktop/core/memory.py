"""What the monitor remembers between runs: every batch seen, and what was announced.

A small JSON file under the user's data directory (not the keyring: it holds no
secret). It is how a finished batch is announced exactly once across restarts,
how a batch that finished while the app was closed is announced on the next
start, and how a batch the deployed backend's active list forgets is still
checked by id. Per user it also keeps two marks for the catch-up
(:mod:`.catchup`): ``since``, the first sign-in with this data folder (nothing
that finished before it is announced, so a new machine does not replay the
user's past), and ``cursor``, how far the server's history was read.

When the file cannot be read or written the monitor keeps going in memory,
``problem`` says why and its :class:`MemoryListener` is told of each change,
so the app can tell the user what it will forget.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from .log import get_logger, log_event
from .model import Batch, BatchStatus, HistoryPage, HistoryQuery

__all__ = [
    "HistoryCursor",
    "MemoryListener",
    "MemoryProblem",
    "MonitorMemory",
    "RememberedBatch",
    "remembered_page",
]

_log = get_logger("memory")
_VERSION = 1
MAX_PER_USER = 500

MemoryProblem = Literal["unreadable", "read_only"]


class MemoryListener(Protocol):
    """Told whenever the memory's ``problem`` changes, so the user learns what will be
    forgotten after a restart (and that it no longer will, once it is solved)."""

    def memory_problem(self, problem: MemoryProblem | None) -> None:
        """``None``: the memory is saved again."""


@dataclass(frozen=True, slots=True)
class RememberedBatch:
    batch_id: str
    status: str
    published: int
    failed: int
    total: int
    final: bool
    announced: bool
    seen_at: float
    #: How many times in a row the server answered that it does not know this batch.
    misses: int = 0
    #: Which run of the batch this is: a finished batch that starts again (retry
    #: failed, resume) is a new run whose end is announced once more (issue 16).
    run: int = 1


@dataclass(frozen=True, slots=True)
class HistoryCursor:
    """Where the last catch-up stopped reading the history: the finish time (as the
    server wrote it, ISO) and the id of the last batch read at that time."""

    finished_at: str
    batch_id: str


class MonitorMemory:
    """Per-user record of known batches; ``path=None`` keeps it in memory only."""

    def __init__(self, path: Path | None, listener: MemoryListener | None = None) -> None:
        """``listener`` hears of every change of ``problem``, one found while loading too."""
        self._path = path
        self._users: dict[str, dict[str, RememberedBatch]] = {}
        self._since: dict[str, float] = {}
        self._cursors: dict[str, HistoryCursor] = {}
        self._problem: MemoryProblem | None = None
        self._listener = listener
        self._load()

    @property
    def problem(self) -> MemoryProblem | None:
        """Why announced batches may be forgotten after a restart; ``None`` when saved."""
        return self._problem

    @problem.setter
    def problem(self, value: MemoryProblem | None) -> None:
        changed = value != self._problem
        self._problem = value
        if changed and self._listener is not None:
            self._listener.memory_problem(value)

    def _load(self) -> None:
        if self._path is None or not self._path.exists():
            return
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
            users = raw.get("users", {}) if isinstance(raw, Mapping) else {}
            for user_id, batches in users.items():
                self._users[str(user_id)] = {
                    str(bid): _from_json(bid, item)
                    for bid, item in batches.items()
                    if isinstance(item, Mapping)
                }
            marks = raw.get("marks", {}) if isinstance(raw, Mapping) else {}
            for user_id, mark in marks.items():
                if not isinstance(mark, Mapping):
                    continue
                if isinstance(mark.get("since"), int | float):
                    self._since[str(user_id)] = float(mark["since"])
                cursor = mark.get("cursor")
                if isinstance(cursor, list) and len(cursor) == 2:
                    self._cursors[str(user_id)] = HistoryCursor(str(cursor[0]), str(cursor[1]))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            self.problem = "unreadable"
            log_event(_log, "error", 30, where="memory", message=type(exc).__name__)

    def since(self, user_id: str, now: float | None = None) -> float:
        """The user's first sign-in with this data folder (epoch seconds), set to
        ``now`` the first time it is asked: the catch-up announces nothing that
        finished before it."""
        known = self._since.get(user_id)
        if known is None:
            known = self._since[user_id] = time.time() if now is None else now
        return known

    def cursor(self, user_id: str) -> HistoryCursor | None:
        return self._cursors.get(user_id)

    def set_cursor(self, user_id: str, cursor: HistoryCursor) -> None:
        self._cursors[user_id] = cursor

    def batches(self, user_id: str) -> dict[str, RememberedBatch]:
        return dict(self._users.get(user_id, {}))

    def get(self, user_id: str, batch_id: str) -> RememberedBatch | None:
        return self._users.get(user_id, {}).get(batch_id)

    def remember(self, user_id: str, batch: Batch, *, announced: bool | None = None) -> bool:
        """Record the batch's last known state; True when something changed."""
        known = self._users.setdefault(user_id, {})
        old = known.get(batch.batch_id)
        if (
            old is not None
            and announced is None
            and old.published == batch.published
            and old.failed == batch.failed
            and old.total == batch.total
            and old.status == batch.status_raw
            and old.final == batch.is_final
        ):
            return False  # most events change a clip, not what is remembered (per event)
        entry = RememberedBatch(
            batch_id=batch.batch_id,
            status=batch.status_raw,
            published=batch.published,
            failed=batch.failed,
            total=batch.total,
            final=batch.is_final,
            announced=(old.announced if old else False) if announced is None else announced,
            seen_at=old.seen_at if old else time.time(),
        )
        if old is not None and old.final and not batch.is_final:
            # A finished batch runs again: its next end is a new one, not yet told.
            entry = replace(entry, announced=bool(announced), run=old.run + 1)
        elif old is not None:
            entry = replace(entry, run=old.run)
        if old == entry:
            return False
        known[batch.batch_id] = entry
        if len(known) > MAX_PER_USER:
            # Forget the oldest settled batches first; unfinished ones are kept.
            settled = sorted(
                (b for b in known.values() if b.final and b.announced), key=lambda b: b.seen_at
            )
            for stale in settled[: len(known) - MAX_PER_USER]:
                del known[stale.batch_id]
        return True

    def missed(self, user_id: str, batch_id: str) -> int:
        """The server said it does not know ``batch_id`` once more; how many times now
        (kept across restarts, so a stale id is not asked for forever)."""
        known = self._users.get(user_id, {})
        old = known.get(batch_id)
        if old is None:
            return 0
        entry = replace(old, misses=old.misses + 1)
        known[batch_id] = entry
        return entry.misses

    def forget(self, user_id: str, batch_id: str) -> bool:
        """Drop ``batch_id`` (the server does not know it); True when it was remembered."""
        return self._users.get(user_id, {}).pop(batch_id, None) is not None

    def save(self) -> bool:
        """Write atomically (temp file + rename); False, with ``problem`` set, if it cannot."""
        if self._path is None:
            return True
        payload = {
            "version": _VERSION,
            "users": {
                uid: {bid: _to_json(b) for bid, b in batches.items()}
                for uid, batches in self._users.items()
            },
            "marks": {
                uid: _mark_json(self._since.get(uid), self._cursors.get(uid))
                for uid in sorted(set(self._since) | set(self._cursors))
            },
        }
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".memory-", dir=self._path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(payload, handle, separators=(",", ":"))
                os.replace(tmp, self._path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if self.problem != "read_only":
                log_event(_log, "error", 30, where="memory", message=f"cannot save: {exc.strerror}")
            self.problem = "read_only"
            return False
        self.problem = None
        return True


def remembered_page(
    remembered: Mapping[str, RememberedBatch], query: HistoryQuery, offset: int, limit: int
) -> HistoryPage:
    """The history where the server keeps none: the ended batches this app saw,
    newest first, filtered as the server would (the search sees only batch ids;
    the times are when the app first saw each batch)."""
    search = query.search.strip().lower()
    after = query.finished_after.timestamp() if query.finished_after else None
    before = query.finished_before.timestamp() if query.finished_before else None
    chosen = [
        b
        for b in remembered.values()
        if b.final
        and b.status in query.statuses
        and (not search or search in b.batch_id.lower())
        and (after is None or b.seen_at >= after)
        and (before is None or b.seen_at < before)
    ]
    chosen.sort(key=lambda b: (b.seen_at, b.batch_id), reverse=True)
    window = chosen[offset : offset + limit]
    batches = tuple(
        Batch(
            batch_id=b.batch_id,
            status=BatchStatus.from_raw(b.status),
            status_raw=b.status,
            total=b.total,
            published=b.published,
            failed=b.failed,
            created_at=datetime.fromtimestamp(b.seen_at, UTC),
        )
        for b in window
    )
    return HistoryPage(batches, "remembered", offset + limit < len(chosen))


def _to_json(batch: RememberedBatch) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every value, and the whole memory is
    # written each time a batch starts or ends.
    out: dict[str, Any] = {
        "status": batch.status,
        "published": batch.published,
        "failed": batch.failed,
        "total": batch.total,
        "final": batch.final,
        "announced": batch.announced,
        "seen_at": batch.seen_at,
    }
    if batch.misses:  # rare: only ids the server did not know
        out["misses"] = batch.misses
    if batch.run > 1:  # rare: only batches retried or resumed after their end
        out["run"] = batch.run
    return out


def _mark_json(since: float | None, cursor: HistoryCursor | None) -> dict[str, Any]:
    mark: dict[str, Any] = {}
    if since is not None:
        mark["since"] = since
    if cursor is not None:
        mark["cursor"] = [cursor.finished_at, cursor.batch_id]
    return mark


def _from_json(batch_id: object, item: Mapping[str, Any]) -> RememberedBatch:
    return RememberedBatch(
        batch_id=str(batch_id),
        status=str(item.get("status", "unknown")),
        published=int(item.get("published", 0)),
        failed=int(item.get("failed", 0)),
        total=int(item.get("total", 0)),
        final=bool(item.get("final", False)),
        announced=bool(item.get("announced", False)),
        seen_at=float(item.get("seen_at", 0.0)),
        misses=int(item.get("misses", 0)),
        run=max(1, int(item.get("run", 1))),  # files from before issue 16 have none
    )
