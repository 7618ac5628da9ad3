"""Catch-up in the real app process: batches that ended while the app was closed.

Observed from outside (the app's JSON-lines log, the backend's database), both
modes of the local backend: default (a history by finish time) and upstream (the
deployed backend's behaviour: only the batches the app remembers can be re-read).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.app.test_app_process import assert_clean_exit
from tests.app_process import AppProcess
from tests.backend import Backend


def test_batch_run_while_closed_is_announced_once_at_the_next_start(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(clip_seconds=0.05)
    home = tmp_path / "home"
    first = AppProcess(home, backend=backend).start()
    try:
        first.wait_event("catch_up", source="history")
    finally:
        assert_clean_exit(first, first.stop())
    # The app is closed: a batch starts and ends.
    unseen = backend.create_batch(6, fail=[3])
    backend.wait_batch_final(unseen, timeout=20)

    again = AppProcess(home, backend=backend, log_name="app2.log").start()
    try:
        told = again.wait_event("batch_finished", batch_id=unseen)[0]
        caught = again.wait_event("catch_up", where=lambda e: e["announced"] > 0)[0]
        again.wait_event(
            "notification", where=lambda e: unseen in (e.get("batch_ids") or [e.get("batch_id")])
        )
    finally:
        assert_clean_exit(again, again.stop())
    summary = backend.batch(unseen)
    assert (told["status"], told["published"], told["failed"], told["total"]) == (
        summary["status"], summary["published"], summary["failed"], summary["total"],
    )  # fmt: skip
    assert (told["published"], told["failed"]) == (5, 1)
    assert (caught["found"], caught["announced"], caught["source"]) == (1, 1, "history")
    assert len(again.events("batch_finished", batch_id=unseen)) == 1

    third = AppProcess(home, backend=backend, log_name="app3.log").start()
    try:
        third.wait_event("catch_up")
    finally:
        assert_clean_exit(third, third.stop())
    assert third.events("batch_finished") == []


def test_a_fresh_data_folder_announces_nothing_from_before_its_first_sign_in(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(clip_seconds=0.05)
    backend.seed_history(200, days=7, end=datetime.now(UTC) - timedelta(seconds=3))
    app = AppProcess(
        tmp_path / "new-machine", backend=backend, args=["--discovery-interval", "1"]
    ).start()
    try:
        caught = app.wait_event("catch_up")[0]
        later = backend.create_batch(2)
        app.wait_event("batch_finished", batch_id=later)
    finally:
        assert_clean_exit(app, app.stop())
    assert caught["announced"] == 0
    assert [e["batch_id"] for e in app.events("batch_finished")] == [later]


def test_upstream_remembered_batch_ended_while_closed_is_announced_once(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.5)
    home = tmp_path / "home"
    batch_id = backend.create_batch(5)
    first = AppProcess(home, backend=backend).start()
    try:
        first.wait_event("stream_state", batch_id=batch_id, state="live")
    finally:
        assert_clean_exit(first, first.stop())  # closed while the batch publishes
    assert first.events("batch_finished") == []
    backend.wait_batch_final(batch_id, timeout=30)

    again = AppProcess(home, backend=backend, log_name="app2.log").start()
    try:
        told = again.wait_event("batch_finished", batch_id=batch_id)[0]
        caught = again.wait_event("catch_up", where=lambda e: e["announced"] > 0)[0]
    finally:
        assert_clean_exit(again, again.stop())
    assert caught["source"] == "remembered"
    assert caught["announced"] == 1
    summary = backend.batch(batch_id)
    assert (told["status"], told["published"], told["total"]) == (
        summary["status"], summary["published"], summary["total"],
    )  # fmt: skip
    assert len(again.events("batch_finished", batch_id=batch_id)) == 1
    assert {e["source"] for e in again.events("catch_up")} == {"remembered"}
