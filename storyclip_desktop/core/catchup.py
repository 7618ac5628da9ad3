"""Catch-up: the batches that ended while nobody was watching, announced once.

A batch that starts and ends between two discoveries, or while the app was closed,
offline or signed out, was never seen running; without this it would end unseen.
The monitor runs a catch-up at every discovery (so on start, on sign-in and after
every reconnect too) and announces what it finds through the same path as a batch
seen running (``batch_finished``, exactly once, remembered in :mod:`.memory`).

Where the server has a history that pages by finish time (the local backend's
``historyCursor``), the catch-up reads it from where the last one stopped, without
clip lists: after a week away that is a few light pages, not thousands of clips.
Elsewhere (the deployed backend) only the remembered batches can be re-read;
batches the app never saw there cannot be found, and the docs say so.

The rules of what is news are pure functions here; :func:`read_history` makes the
calls and hands each finished batch to a :class:`CatchUpSink` (the monitor).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from .api import FINAL_STATUSES, StoryClipApi
from .memory import HistoryCursor, MonitorMemory, RememberedBatch
from .model import Batch, parse_timestamp

__all__ = [
    "PAGE_SIZE",
    "CatchUpResult",
    "CatchUpSink",
    "CatchUpSource",
    "finished_at",
    "is_news",
    "next_cursor",
    "read_history",
    "start_of",
]

CatchUpSource = Literal["history", "remembered"]

#: Batches per history page (the local backend's maximum).
PAGE_SIZE = 200
#: At most this many pages per catch-up (40,000 batches); the next one goes on.
MAX_PAGES = 200


@dataclass(frozen=True, slots=True)
class CatchUpResult:
    """What one catch-up did: the ``catch_up`` log line's fields, and its cost."""

    source: CatchUpSource
    found: int  # finished batches it looked at
    announced: int  # of those, announced now
    requests: int = 0


class CatchUpSink(Protocol):
    """Who announces what the catch-up finds (the monitor)."""

    async def caught_up(self, batch: Batch) -> None:
        """A finished batch never announced: announce it (its ``batch_finished``),
        through the same path as a batch seen running. May re-read a batch it follows."""


def finished_at(batch: Batch) -> datetime | None:
    """When the batch ended, as the server says (its creation when no end is stored)."""
    return batch.completed_at or batch.created_at


def start_of(since: float) -> datetime:
    """The first-sign-in mark as the server's times compare: whole seconds (the
    server stores seconds, so a batch ending in the same second still counts)."""
    return datetime.fromtimestamp(int(since), UTC)


def is_news(batch: Batch, known: RememberedBatch | None, since: float) -> bool:
    """Whether a batch the history lists must be announced now: it ended, it was not
    announced, and it ended after the user's first sign-in with this data folder
    (or the app remembers it, so it was seen after that)."""
    if not batch.is_final or (known is not None and known.announced):
        return False
    if known is not None:
        return True
    ended = finished_at(batch)
    return ended is not None and ended >= start_of(since)


def next_cursor(batches: Sequence[Batch], cursor: HistoryCursor | None) -> HistoryCursor | None:
    """Where the next read starts: after the last batch of an ascending page."""
    for batch in reversed(batches):
        ended = finished_at(batch)
        if ended is not None:
            stamp = ended.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
            return HistoryCursor(stamp + "Z", batch.batch_id)
    return cursor


async def read_history(
    api: StoryClipApi,
    user_id: str,
    memory: MonitorMemory,
    sink: CatchUpSink,
    *,
    page_size: int = PAGE_SIZE,
) -> CatchUpResult:
    """Read the history from the stored cursor (else from the first sign-in), oldest
    first and without clips, and hand every batch that is news to ``sink``.

    The cursor is stored after each page (saved with the memory by the caller), so
    an interrupted catch-up resumes where it stopped. Raises what the API raises.
    """
    since = memory.since(user_id)
    cursor = memory.cursor(user_id)
    found = announced = requests = 0
    for _page in range(MAX_PAGES):
        if cursor is not None:
            after: datetime | None = parse_timestamp(cursor.finished_at, "cursor")
            after_id: str | None = cursor.batch_id
        else:
            after, after_id = start_of(since), None
        page = await api.history_page(
            user_id,
            statuses=FINAL_STATUSES,
            limit=page_size,
            newest_first=False,
            finished_after=after,
            after_id=after_id,
            clips=False,
        )
        requests += 1
        for batch in page:
            found += 1
            if is_news(batch, memory.get(user_id, batch.batch_id), since):
                await sink.caught_up(batch)
                now = memory.get(user_id, batch.batch_id)
                announced += int(now is not None and now.announced)
        cursor = next_cursor(page, cursor)
        if cursor is not None:
            memory.set_cursor(user_id, cursor)
        if len(page) < page_size:
            break
    return CatchUpResult("history", found, announced, requests)
