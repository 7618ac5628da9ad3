"""Acting on a batch through the real session against the local backend (issue 16):
pause shown at once and done on the server, resume to an exact end told once,
cancel told once, retry failed on a finished batch followed again with a second end
told once, and the deployed backend (upstream mode) answered ``unsupported``
without a request and without anything shown as done."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import pytest

from storyclip_desktop.core.model import Batch, BatchStatus, ServerCapabilities
from storyclip_desktop.core.session import DesktopSession
from tests.backend import Backend
from tests.core.test_session import Heard, NoDemo, Saved, closing, no_keyring, options_for
from tests.monitoring import until

pytestmark = pytest.mark.anyio
__all__ = ["closing", "no_keyring"]  # fixtures shared with test_session


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Seen(Heard):
    """Heard, plus every shown state and every end with its counts."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Batch] = []
        self.ended: list[Batch] = []

    def batch_updated(self, batch: Batch, changed_clips: Sequence[int]) -> None:
        self.shown.append(batch)

    def batch_finished(self, batch: Batch) -> None:
        super().batch_finished(batch)
        self.ended.append(batch)

    def last(self, batch_id: str) -> Batch | None:
        found = [b for b in self.shown if b.batch_id == batch_id]
        return found[-1] if found else None


def controls_logged(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        r.fields  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", None) == "control"
    ]


def finished_logged(caplog: pytest.LogCaptureFixture, batch_id: str) -> list[dict[str, object]]:
    return [
        r.fields  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", None) == "batch_finished" and r.fields["batch_id"] == batch_id  # type: ignore[attr-defined]
    ]


async def started(
    backend: Backend, tmp_path: Path, closing: list[DesktopSession]
) -> tuple[DesktopSession, Seen]:
    seen = Seen()
    env = {"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password}
    session = DesktopSession(options_for(backend, tmp_path, **env), seen, seen, Saved(), NoDemo())
    closing.append(session)
    await session.start()
    return session, seen


async def test_pause_is_shown_at_once_and_resume_ends_exactly_once(
    backend_factory: object,
    tmp_path: Path,
    closing: list[DesktopSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(clip_seconds=0.4)  # type: ignore[operator]
    batch_id = backend.create_batch(8, fail=[2])  # 3 s of work: still running when paused
    session, seen = await started(backend, tmp_path, closing)
    await until(lambda: session.monitor and batch_id in session.monitor.batches)

    before = len(seen.shown)
    outcome = await session.control(batch_id, "pause", "dialog")
    assert outcome.result == "ok", outcome
    # Shown paused before the server's answer: the first state shown after the click.
    assert seen.shown[before].status is BatchStatus.PAUSED
    assert backend.batch_row(batch_id)["status"] == "paused"  # type: ignore[index]
    assert session.monitor is not None
    assert session.monitor.batches[batch_id].status is BatchStatus.PAUSED

    # Paused means nothing moves: resume is what ends it.
    assert (await session.control(batch_id, "pause", "cli")).result == "refused"
    outcome = await session.control(batch_id, "resume", "notification")
    assert outcome.result == "ok", outcome
    await until(lambda: seen.ended, timeout=30, what="the end")
    row = backend.batch_row(batch_id)
    assert row is not None
    assert [(b.published, b.failed, b.total) for b in seen.ended] == [(7, 1, 8)]
    assert (row["published"], row["failed"]) == (7, 1)
    assert [(c["action"], c["result"], c["source"]) for c in controls_logged(caplog)] == [
        ("pause", "ok", "dialog"),
        ("pause", "refused", "cli"),
        ("resume", "ok", "notification"),
    ]
    assert len(finished_logged(caplog, batch_id)) == 1


async def test_cancel_is_told_once(
    backend_factory: object,
    tmp_path: Path,
    closing: list[DesktopSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(clip_seconds=0.5)  # type: ignore[operator]
    batch_id = backend.create_batch(6)
    session, seen = await started(backend, tmp_path, closing)
    await until(lambda: session.monitor and batch_id in session.monitor.batches)
    outcome = await session.control(batch_id, "cancel", "dialog")
    assert outcome.result == "ok", outcome
    await until(lambda: seen.ended, timeout=20, what="the end")
    assert backend.batch_row(batch_id)["status"] == "cancelled"  # type: ignore[index]
    assert [b.status for b in seen.ended] == [BatchStatus.CANCELLED]
    # Nothing is told twice, a later discovery and refresh included.
    await session.refresh()
    assert len(seen.ended) == 1
    assert len(finished_logged(caplog, batch_id)) == 1
    assert (await session.control(batch_id, "cancel", "cli")).result == "refused"


async def test_retry_failed_on_a_finished_batch_is_a_new_run_told_once(
    backend_factory: object,
    tmp_path: Path,
    closing: list[DesktopSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(clip_seconds=0.05)  # type: ignore[operator]
    batch_id = backend.create_batch(5, fail_once=[2, 4])
    session, seen = await started(backend, tmp_path, closing)
    await until(lambda: seen.ended, timeout=30, what="the first end")
    assert (seen.ended[0].published, seen.ended[0].failed) == (3, 2)

    outcome = await session.control(batch_id, "retry-failed", "dialog")
    assert outcome.result == "ok", outcome
    # Shown running again, and followed to its second end, told once with new counts.
    assert any(
        b.batch_id == batch_id and b.status is BatchStatus.PROCESSING
        for b in seen.shown[seen.shown.index(seen.ended[0]) :]
    )
    await until(lambda: len(seen.ended) == 2, timeout=30, what="the second end")
    second = seen.ended[1]
    assert (second.status, second.published, second.failed, second.total) == (
        BatchStatus.COMPLETED,
        5,
        0,
        5,
    )
    await session.refresh()
    assert len(seen.ended) == 2
    runs = [(f["published"], f["failed"], f["run"]) for f in finished_logged(caplog, batch_id)]
    assert runs == [(3, 2, 1), (5, 0, 2)]
    # Nothing left to retry: refused without a request.
    refused = await session.control(batch_id, "retry-failed", "cli")
    assert (refused.result, refused.reason) == ("refused", "not_applicable")
    # The memory counts the run, so a restart does not tell the second end again.
    saved = json.loads((tmp_path / "data" / "memory.json").read_text())
    entry = next(iter(saved["users"].values()))[batch_id]
    assert (entry["run"], entry["announced"], entry["published"]) == (2, True, 5)


async def test_upstream_answers_unsupported_without_a_request(
    backend_factory: object,
    tmp_path: Path,
    closing: list[DesktopSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The deployed backend's stubs would answer success and do nothing: the session
    never calls them, and nothing is shown as done."""
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(mode="upstream", clip_seconds=0.5)  # type: ignore[operator]
    batch_id = backend.create_batch(4, fail=[1])
    session, seen = await started(backend, tmp_path, closing)
    await until(lambda: session.monitor and batch_id in session.monitor.batches)
    shown = len(seen.shown)
    for action in ("pause", "resume", "cancel", "retry-failed"):
        outcome = await session.control(batch_id, action, "cli")
        assert (outcome.result, outcome.reason) == ("unsupported", "not_supported")
    assert all(b.status is not BatchStatus.PAUSED for b in seen.shown[shown:])
    assert all(b.status is not BatchStatus.CANCELLED for b in seen.shown[shown:])
    assert not any(
        f"/api/metricool/{a}" in line
        for line in backend.log()
        for a in ("pause", "resume", "cancel", "retry-failed")
    )
    assert [c["result"] for c in controls_logged(caplog)] == ["unsupported"] * 4


async def test_a_success_that_changed_nothing_is_said(
    backend_factory: object,
    tmp_path: Path,
    closing: list[DesktopSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that claims the controls but only has the deployed stubs (upstream
    mode told it supports them): the re-read shows nothing changed, and the session
    says so and shows the batch as the server has it."""
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(mode="upstream", clip_seconds=1.0)  # type: ignore[operator]
    batch_id = backend.create_batch(4)
    session, seen = await started(backend, tmp_path, closing)
    await until(lambda: session.monitor and batch_id in session.monitor.batches)
    session.capabilities = ServerCapabilities(controls=frozenset({"pause"}), advertised=True)
    outcome = await session.control(batch_id, "pause", "dialog")
    assert (outcome.result, outcome.reason) == ("failed", "unchanged")
    last = seen.last(batch_id)
    assert last is not None
    assert last.status is BatchStatus.PROCESSING
    assert controls_logged(caplog)[-1]["result"] == "failed"


async def test_a_retry_done_elsewhere_is_followed_as_a_new_run(
    backend_factory: object,
    tmp_path: Path,
    closing: list[DesktopSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The web app retried the failed clips: the server gives the batch a later
    ``startedAt``, which the monitor takes as a new run (not a stale read), follows,
    and whose end it announces once."""
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(clip_seconds=0.4)  # type: ignore[operator]
    # Four clips to retry: the new run lasts longer than a discovery interval (0.5 s).
    batch_id = backend.create_batch(6, fail_once=[2, 3, 4, 5])
    _session, seen = await started(backend, tmp_path, closing)
    await until(lambda: seen.ended, timeout=30, what="the first end")
    started_first = backend.batch_row(batch_id)["started_at"]  # type: ignore[index]
    # The run took over a second (6 clips of 0.4 s): the new start is a later second.
    response = backend.control(batch_id, "retry-failed")
    assert response.status_code == 200, response.text
    assert backend.batch_row(batch_id)["started_at"] != started_first  # type: ignore[index]
    await until(lambda: len(seen.ended) == 2, timeout=30, what="the second end")
    assert (seen.ended[1].published, seen.ended[1].failed) == (6, 0)
    runs = [f["run"] for f in finished_logged(caplog, batch_id)]
    assert runs == [1, 2]
    assert not controls_logged(caplog)  # nothing was asked from this app
