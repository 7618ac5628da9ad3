"""Forget what cannot be found (issue 15): a remembered batch id the server does
not know (another server's, or gone) is asked for at most twice in all, then
dropped with one ``batch_forgotten`` line; ids remembered from other runs no
longer pile up and 404 every 30 s forever. Against the local backend."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from storyclip_desktop.core.memory import MonitorMemory
from storyclip_desktop.core.model import Batch, BatchStatus
from tests.backend import Backend
from tests.monitoring import Recorder, until

from .test_monitor import Client, anyio_backend, connect, new_monitor  # noqa: F401 (fixtures)

GONE = "batch_1761725644409_gone01"


def _remembered(batch_id: str) -> Batch:
    return Batch(batch_id, BatchStatus.PROCESSING, "processing", total=3, published=0, failed=0)


@pytest.mark.anyio
async def test_an_unknown_remembered_batch_is_asked_for_twice_then_forgotten(
    backend_factory: Callable[..., Backend],
    connect: Callable[[Backend], Awaitable[Client]],  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    backend = backend_factory(clip_seconds=0.05)
    client = await connect(backend)
    memory_path = tmp_path / "m.json"
    memory = MonitorMemory(memory_path)
    memory.remember(backend.user_id, _remembered(GONE))
    memory.save()
    asked: list[str] = []
    real_batch = client.api.batch

    async def counting(batch_id: str) -> Batch:  # the real call, counted
        asked.append(batch_id)
        return await real_batch(batch_id)

    client.api.batch = counting  # type: ignore[method-assign]
    monitor = new_monitor(client, Recorder(), memory_path, discovery_interval=0.1)
    await monitor.start()
    try:
        await until(lambda: _events(caplog, "batch_forgotten"), what="batch_forgotten")
        found = len(_events(caplog, "batches_found"))
        await until(lambda: len(_events(caplog, "batches_found")) >= found + 3, what="discovery")
    finally:
        await monitor.stop()
    assert asked.count(GONE) == 2
    assert _events(caplog, "batch_forgotten") == [{"batch_id": GONE, "reason": "not_found"}]
    saved = json.loads(memory_path.read_text())
    assert GONE not in saved["users"].get(backend.user_id, {})
    # A restart asks for it no more.
    assert MonitorMemory(memory_path).get(backend.user_id, GONE) is None


def test_a_batch_seen_again_starts_counting_anew(tmp_path: Path) -> None:
    memory = MonitorMemory(tmp_path / "m.json")
    memory.remember("u", _remembered(GONE))
    assert memory.missed("u", GONE) == 1
    memory.save()
    again = MonitorMemory(tmp_path / "m.json")
    known = again.get("u", GONE)
    assert known is not None
    assert known.misses == 1  # kept across restarts: "twice in all"
    again.remember("u", Batch(GONE, BatchStatus.PROCESSING, "processing", 3, 1, 0))
    known = again.get("u", GONE)
    assert known is not None
    assert known.misses == 0


def _events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    return [
        r.fields  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", None) == name
    ]
