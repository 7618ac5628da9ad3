"""The history view on the real session, against the local backend as a process.

A week of history (a few thousand batches seeded) opens in the view, page after
page, without the process's resident memory growing by more than a few MiB; the
session pages the server's history in default mode and the remembered batches in
upstream mode (the deployed backend has no history).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from storyclip_desktop.core.model import HistoryQuery
from storyclip_desktop.core.session import DesktopSession
from storyclip_desktop.ui.history_dialog import HistoryDialog
from tests.backend import Backend
from tests.core.test_session import Heard, NoDemo, Saved, options_for


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def signed_in(qtbot: QtBot, backend: Backend, tmp_path: Path) -> DesktopSession:
    heard = Heard()
    env = {"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password}
    session = DesktopSession(options_for(backend, tmp_path, **env), heard, heard, Saved(), NoDemo())
    session.begin()
    qtbot.waitUntil(lambda: session.monitor is not None, timeout=20_000)
    return session


def close(qtbot: QtBot, session: DesktopSession) -> None:
    import asyncio

    task = asyncio.ensure_future(session.aclose())
    qtbot.waitUntil(task.done, timeout=20_000)


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc (Linux)")
def test_a_week_of_history_opens_without_the_memory_growing(
    loop: object, qtbot: QtBot, backend_factory: object, tmp_path: Path
) -> None:
    backend: Backend = backend_factory()  # type: ignore[operator]
    seeded = backend.seed_history(3000, days=7, end=datetime.now(UTC) - timedelta(minutes=1))
    session = signed_in(qtbot, backend, tmp_path)
    try:
        dialog = HistoryDialog(session)
        qtbot.addWidget(dialog)
        dialog.resize(900, 700)
        with qtbot.waitSignal(dialog.pageLoaded, timeout=20_000):
            dialog.present()
        gc.collect()
        before = rss_mib()
        while dialog.model.more:
            with qtbot.waitSignal(dialog.pageLoaded, timeout=20_000):
                dialog.table.scrollToBottom()
                dialog.model.fetchMore()
        assert dialog.model.rowCount() == len(seeded)
        assert [b.batch_id for b in dialog.model.batches[:3]] == seeded[::-1][:3]
        assert all(b.clips == () for b in dialog.model.batches)
        dialog.per.setCurrentIndex(1)  # per week: figures over everything loaded
        assert "3000 publications" in dialog.figures_label.text()
        with qtbot.waitSignal(dialog.clipsShown, timeout=20_000):
            dialog.table.selectRow(2999)
        assert len(dialog.clip_model.clips) == 6
        gc.collect()
        grown = rss_mib() - before
        print(f"history view: 3000 rows, RSS grew {grown:.1f} MiB")
        assert grown < 8, grown
    finally:
        close(qtbot, session)


@pytest.mark.parametrize("mode", ["default", "upstream"])
def test_the_session_pages_the_history_or_the_remembered_batches(
    loop: object, qtbot: QtBot, backend_factory: object, tmp_path: Path, mode: str
) -> None:
    backend: Backend = backend_factory(mode=mode, clip_seconds=0.3)  # type: ignore[operator]
    if mode == "default":
        backend.seed_history(30, days=1, end=datetime.now(UTC) - timedelta(hours=2))
    session = signed_in(qtbot, backend, tmp_path)
    try:
        mine = backend.create_batch(3, job_id="Spring launch")
        monitor = session.monitor
        assert monitor is not None

        def announced() -> bool:
            known = monitor.memory.get(monitor.user_id, mine)
            return known is not None and known.announced

        qtbot.waitUntil(announced, timeout=20_000)
        dialog = HistoryDialog(session)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.pageLoaded, timeout=20_000):
            dialog.present()
        first = dialog.model.batches[0]
        assert first.batch_id == mine
        if mode == "default":
            assert dialog.model.rowCount() == 31
            assert first.job_id == "Spring launch"
            assert not dialog.source_note.isVisibleTo(dialog)
            with qtbot.waitSignal(dialog.pageLoaded, timeout=20_000):
                dialog.search.setText("seed 7 clip")
            assert [b.batch_id for b in dialog.model.batches] == ["batch_seed_000007"]
        else:
            assert dialog.model.rowCount() == 1
            assert (first.published, first.total) == (3, 3)
            assert dialog.source_note.isVisibleTo(dialog)
        with qtbot.waitSignal(dialog.clipsShown, timeout=20_000):
            dialog.table.selectRow(0)
        assert [c.index for c in dialog.clip_model.clips][:1] == [1]
        assert HistoryQuery().statuses == ("completed", "failed", "cancelled")
    finally:
        close(qtbot, session)
