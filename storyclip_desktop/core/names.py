"""A batch's name, as parts: the one place the core and the ui (and the command
line) take it from, so a card, the tray menu and a notice never disagree.

With 25 batches "Batch rxuabp" tells nobody which publication it is; the server
gives a job id on most batches and a title on most clips. The wording ("+ 3
more", "Batch abc123") is the ui's (translated, ``ui/texts.py``); here only the
choice of parts, pure and without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Batch, Clip
from .text import shorten

__all__ = ["NAME_MAX", "BatchName", "batch_name", "short_id"]

#: A job id or clip title longer than this is shortened (server data, any length).
NAME_MAX = 60


def short_id(batch_id: str) -> str:
    """A short, recognisable id: ``batch_1761725644409_abc123`` → ``abc123``."""
    tail = batch_id.rsplit("_", 1)[-1] if "_" in batch_id else batch_id
    if len(tail) < 4:
        tail = batch_id
    return tail[-8:]


@dataclass(frozen=True, slots=True)
class BatchName:
    """What a batch is called, by the first rule that applies.

    ``job_id``: the job id the server gives (then nothing else is needed);
    else ``title``: the first clip's title with ``others`` clips after it;
    else only ``short_id``, always set (the ui says "Batch <short id>").
    """

    short_id: str
    job_id: str | None = None
    title: str | None = None
    others: int = 0

    def plain(self) -> str:
        """Untranslated, for the log and the command line: ``job``, ``title (+2)``, ``id``."""
        if self.job_id:
            return self.job_id
        if self.title:
            return f"{self.title} (+{self.others})" if self.others else self.title
        return self.short_id


def batch_name(batch: Batch) -> BatchName:
    """The parts of ``batch``'s name (see :class:`BatchName`); blank values do not count."""
    sid = short_id(batch.batch_id)
    job = (batch.job_id or "").strip()
    if job:
        return BatchName(sid, job_id=shorten(job, NAME_MAX))
    if batch.clips:
        first = min(batch.clips, key=_index)  # O(n): the merge keeps them in order anyway
        title = (first.title or "").strip()
        if title:
            others = max(len(batch.clips), batch.total) - 1
            return BatchName(sid, title=shorten(title, NAME_MAX), others=others)
    return BatchName(sid)


def _index(clip: Clip) -> int:
    return clip.index
