"""Test doubles of the core for the UI's unit tests: real ``Batch`` objects, a
services object that records calls, a batch run that walks the same states the
monitor reports (the end-to-end tests use the real core and backend), and a tray
host for an offscreen session, which has none."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from storyclip_desktop.core.controls import ControlOutcome, ControlSource
from storyclip_desktop.core.events import SessionListener
from storyclip_desktop.core.model import (
    Batch,
    BatchStatus,
    Clip,
    ClipStatus,
    HistoryPage,
    HistoryQuery,
    ServerCapabilities,
    StreamState,
)
from storyclip_desktop.ui.bridge import MonitorBridge

XSS_TITLE = "<img src=x><b>hi</b>"
T0 = datetime(2025, 10, 29, 8, 14, 4, tzinfo=UTC)


def make_clip(index: int, status: str = "pending", **fields: object) -> Clip:
    values: dict[str, object] = {
        "index": index,
        "status": ClipStatus.from_raw(status),
        "status_raw": status,
        "title": f"Clip {index}",
    }
    values.update(fields)
    return Clip(**values)  # type: ignore[arg-type]


def make_batch(
    batch_id: str = "batch_1761725644409_abc123",
    total: int = 20,
    status: str = "processing",
    published: int = 0,
    failed: int = 0,
    clips: tuple[Clip, ...] | None = None,
    **fields: object,
) -> Batch:
    if clips is None:
        clips = tuple(make_clip(i) for i in range(1, total + 1))
    values: dict[str, object] = {
        "batch_id": batch_id,
        "status": BatchStatus.from_raw(status),
        "status_raw": status,
        "total": total,
        "published": published,
        "failed": failed,
        "publish_mode": "now",
        "created_at": T0,
        "started_at": T0 + timedelta(seconds=2),
        "clips": clips,
    }
    values.update(fields)
    return Batch(**values)  # type: ignore[arg-type]


class BatchRun:
    """One batch published clip by clip, reported to a bridge like the monitor does:
    ``batch_added`` once, ``batch_updated(batch, [index])`` per clip change, and
    ``batch_finished`` exactly once at the end."""

    def __init__(self, bridge: MonitorBridge, batch: Batch) -> None:
        self.bridge = bridge
        self.batch = batch
        self.updates = 0

    def start(self) -> Batch:
        self.bridge.batch_added(self.batch)
        self.bridge.stream_state_changed(self.batch.batch_id, StreamState("live"))
        return self.batch

    def clip(self, index: int, status: str, error: str | None = None, attempts: int = 1) -> Batch:
        clips = list(self.batch.clips)
        row = next(i for i, c in enumerate(clips) if c.index == index)
        old = clips[row]
        new_status = ClipStatus.from_raw(status)
        clips[row] = replace(
            old,
            status=new_status,
            status_raw=status,
            error=error if error is not None else old.error,
            attempts=attempts,
            published_at=T0 + timedelta(minutes=index) if status == "published" else None,
        )
        published = self.batch.published + (1 if new_status is ClipStatus.PUBLISHED else 0)
        failed = self.batch.failed + (1 if new_status is ClipStatus.FAILED else 0)
        self.batch = replace(
            self.batch,
            clips=tuple(clips),
            published=published,
            failed=failed,
            current_index=index,
        )
        self.updates += 1
        self.bridge.batch_updated(self.batch, [index])
        return self.batch

    def publish_all(self, fail: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        for clip in self.batch.clips:
            self.clip(clip.index, "uploading")
            if clip.index in fail:
                self.clip(clip.index, "error", error=f"Metricool rejected clip {clip.index}")
            else:
                self.clip(clip.index, "published")

    def finish(self, status: str = "completed", error: str | None = None) -> Batch:
        self.batch = replace(
            self.batch,
            status=BatchStatus.from_raw(status),
            status_raw=status,
            error=error,
            completed_at=self.batch.completed_at or T0 + timedelta(minutes=30),
            progress=100,
        )
        self.bridge.batch_updated(self.batch, [])
        self.bridge.stream_state_changed(self.batch.batch_id, StreamState("closed"))
        self.bridge.batch_finished(self.batch)
        return self.batch


class RecordingServices:
    """``AppServices`` for UI tests: records every call; ``gate`` holds a call open
    so the busy state can be observed; ``error`` is raised by the next sign-in."""

    def __init__(self, bridge: MonitorBridge | None = None) -> None:
        self.bridge = bridge
        self.user_email: str | None = None
        self.vault_message: str | None = None
        self.calls: list[tuple[str, ...]] = []
        self.error: BaseException | None = None
        self.refresh_error: BaseException | None = None
        self.gate: asyncio.Event | None = None
        self.known: list[Batch] = []
        #: What ``history_page`` pages through (newest first) and its source.
        self.history: list[Batch] = []
        self.history_source = "history"
        #: The session's listener (the ui's SessionBridge), told of a sign-in as the
        #: real session tells it.
        self.listener: SessionListener | None = None

    async def _wait(self) -> None:
        if self.gate is not None:
            await self.gate.wait()

    async def sign_in(self, email: str, password: str, remember: bool) -> None:
        self.calls.append(("sign_in", email, "remember" if remember else "forget"))
        await self._wait()
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        self.user_email = email
        if self.listener is not None:
            self.listener.signed_in(email)

    async def sign_out(self) -> None:
        self.calls.append(("sign_out",))
        await self._wait()
        self.user_email = None
        if self.bridge is not None:
            self.bridge.signed_out("user")

    async def refresh(self) -> None:
        self.calls.append(("refresh",))
        await self._wait()
        if self.refresh_error is not None:
            raise self.refresh_error
        if self.bridge is not None:
            for batch in self.known:
                self.bridge.batch_updated(batch, [])

    async def history_page(
        self, query: HistoryQuery, offset: int = 0, limit: int = 50, clips: bool = False
    ) -> HistoryPage:
        """Pages of ``history`` (newest first, as given), filtered like the server."""
        self.calls.append(("history_page", str(offset), str(limit), "clips" if clips else ""))
        await self._wait()
        search = query.search.lower()
        chosen = [
            b
            for b in self.history
            if b.status_raw in query.statuses
            and (
                not search
                or search in (b.job_id or b.batch_id).lower()
                or any(search in (c.title or "").lower() for c in b.clips)
            )
            and _within(b.completed_at or b.created_at, query)
        ]
        page = chosen[offset : offset + limit]
        if not clips:
            page = [replace(b, clips=()) for b in page]
        return HistoryPage(tuple(page), self.history_source, offset + limit < len(chosen))

    async def batch(self, batch_id: str) -> Batch:
        self.calls.append(("batch", batch_id))
        await self._wait()
        for batch in self.history:
            if batch.batch_id == batch_id:
                return batch
        raise LookupError(batch_id)

    #: What the server supports (None: not known yet, so no action is offered).
    capabilities: ServerCapabilities | None = None

    async def control(self, batch_id: str, action: str, source: ControlSource) -> ControlOutcome:
        self.calls.append(("control", batch_id, action, source))
        await self._wait()
        return ControlOutcome(batch_id, action, "ok")


def _within(moment: datetime | None, query: HistoryQuery) -> bool:
    if moment is None:
        return query.finished_after is None and query.finished_before is None
    if query.finished_after is not None and moment < query.finished_after:
        return False
    return query.finished_before is None or moment < query.finished_before


@dataclass(frozen=True)
class DesktopTray:
    """A ``TrayHost`` saying what a desktop would: offscreen Qt never has a tray host
    (shared/desktop-test-env.md), so whether there is one is the test's choice. The
    real tray hosts are exercised by the end-to-end tests."""

    present: bool
    via_dbus: bool = False

    def available(self) -> bool:
        return self.present

    def messages_via_dbus(self) -> bool:
        return self.via_dbus
