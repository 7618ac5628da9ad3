"""The real app process (offscreen) against the local backend process.

Observed only from outside: its JSON-lines log, its exit code and stderr, the
backend's database. No tray and no session bus here, so notifications take the
in-window banner route; the real desktop routes are tested in tests/e2e.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.app_process import EXPECT_NETWORK_ERRORS, AppProcess
from tests.backend import REPO, Backend

BAD_EXIT_WORDS = ("Traceback", "Task was destroyed", "Event loop is closed", "was never awaited")


def assert_clean_exit(app: AppProcess, code: int) -> None:
    assert code == 0, app.tail()
    stderr = "\n".join(app.stderr_lines)
    for word in BAD_EXIT_WORDS:
        assert word not in stderr, app.tail()
    assert app.events("stopped"), app.tail()
    assert not [e for e in app.all_events() if e["level"] in ("error", "critical")], app.tail()


def test_version_and_help_answer_without_a_session() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "storyclip_desktop", "--version"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert version.stdout.startswith("StoryClip Desktop ")
    helptext = subprocess.run(
        [sys.executable, "-m", "storyclip_desktop", "--help"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    for option in (
        "--demo",
        "--api-url",
        "--supabase-url",
        "--supabase-anon-key",
        "--api-key",
        "--minimized",
        "--log-file",
        "--version",
        "--lang",
    ):
        assert option in helptext.stdout


def _covers(batch_id: str) -> Callable[[dict[str, Any]], bool]:
    """A notice that announces this batch's end, alone or grouped with others."""
    kinds = ("completed", "failed", "cancelled", "finished")
    return lambda e: e["kind"] in kinds and batch_id in e.get("batch_ids", ())


def test_follows_batches_to_the_end_and_announces_each_once(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(clip_seconds=0.4)
    ids = [backend.create_batch(10), backend.create_batch(8, fail=[2])]
    app = AppProcess(tmp_path / "home", backend=backend).start()
    try:
        signed_in = app.wait_event("signed_in")[0]
        assert signed_in["user_id"] == backend.user_id
        found = app.wait_event("batches_found")[0]
        assert set(ids) <= set(found["batch_ids"])
        app.wait_event("notification", kind="active")
        app.wait_event("dialog_opened", reason="active_batches")
        for batch_id in ids:
            app.wait_event("stream_state", batch_id=batch_id, state="live")
        finished = {bid: app.wait_event("batch_finished", batch_id=bid)[0] for bid in ids}
        for bid in ids:
            app.wait_event("notification", where=_covers(bid))
    finally:
        code = app.stop()
    assert_clean_exit(app, code)
    for bid, event in finished.items():
        summary = backend.batch(bid)
        assert (event["status"], event["published"], event["failed"], event["total"]) == (
            summary["status"],
            summary["published"],
            summary["failed"],
            summary["total"],
        )
        assert len(app.events("batch_finished", batch_id=bid)) == 1
        # One notice covers each end: its own, or one grouping ends close together.
        notes = [e for e in app.events("notification") if _covers(bid)(e)]
        assert len(notes) == 1
        assert notes[0]["route"] == "banner"
    # Nothing secret reached the log.
    text = app.log_text()
    token = backend.sign_in()["refresh_token"]
    for secret in (backend.password, backend.api_key, token):
        assert secret not in text


def test_backend_restart_and_app_restart_never_repeat_a_notification(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(clip_seconds=0.3)
    home = tmp_path / "home"
    long_id = backend.create_batch(12)
    app = AppProcess(
        home,
        backend=backend,
        args=["--discovery-interval", "0.5"],
        expect_errors=EXPECT_NETWORK_ERRORS,  # the backend is killed
    ).start()
    try:
        app.wait_event("stream_state", batch_id=long_id, state="live")
        backend.kill()
        app.wait_event("stream_state", batch_id=long_id, state="reconnecting")
        backend.restart()
        app.wait_event("batch_finished", batch_id=long_id, timeout=60)
        short_id = backend.create_batch(2)  # picked up by discovery, as from the web app
        app.wait_event("batch_finished", batch_id=short_id, timeout=60)
    finally:
        code = app.stop()
    assert_clean_exit(app, code)
    assert len(app.events("batch_finished", batch_id=long_id)) == 1

    # The same user starts the app again: nothing old is announced again, and
    # a batch that ran while the app was closed (and that it had seen) is.
    backend.faults(stall_streams_after=0)
    again = AppProcess(home, backend=backend, log_name="app2.log")
    late_id = backend.create_batch(30)
    again.start()
    try:
        again.wait_event("stream_state", batch_id=late_id, state="live")
    finally:
        assert_clean_exit(again, again.stop())
    backend.reset_faults()
    backend.wait_batch_final(late_id, timeout=60)
    third = AppProcess(home, backend=backend, log_name="app3.log").start()
    try:
        third.wait_event("batch_finished", batch_id=late_id)
        third.wait_event("notification", batch_id=late_id, kind="completed")
        third.wait_event("batches_found")
    finally:
        assert_clean_exit(third, third.stop())
    assert third.events("batch_finished", batch_id=long_id) == []
    assert third.events("batch_finished", batch_id=short_id) == []
    assert len(third.events("notification", batch_id=late_id)) == 1


def test_second_instance_hands_over_and_exits(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory()
    home = tmp_path / "home"
    first = AppProcess(home, backend=backend).start()
    try:
        first.wait_event("signed_in")
        second = AppProcess(home, backend=backend, log_name="second.log").start()
        assert second.wait_exit(30) == 0
        assert second.events("second_instance", handed_over=True)
        assert second.events("signed_in") == []  # it never touched the session
        first.wait_event("activated")
    finally:
        code = first.stop()
    assert_clean_exit(first, code)


def test_wrong_password_from_the_environment_leaves_the_form_and_no_secret(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory()
    app = AppProcess(
        tmp_path / "home",
        backend=backend,
        env={"STORYCLIP_PASSWORD": "not-the-password-42"},
        expect_errors=[{"where": "^sign_in$", "message": "^invalid_credentials$"}],
    ).start()
    try:
        error = app.wait_event("error", where=lambda e: e.get("where") == "sign_in")[0]
        assert error["message"] == "invalid_credentials"
        assert app.running
    finally:
        code = app.stop()
    assert code == 0
    assert "not-the-password-42" not in app.log_text()


def test_minimized_start_follows_batches_without_opening_the_dialog(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(clip_seconds=0.3)
    batch_id = backend.create_batch(6)
    app = AppProcess(tmp_path / "home", backend=backend, args=["--minimized"]).start()
    try:
        app.wait_event("batch_finished", batch_id=batch_id)
        app.wait_event("notification", batch_id=batch_id, kind="completed")
    finally:
        code = app.stop()
    assert_clean_exit(app, code)
    assert app.events("dialog_opened") == []
    assert [e["kind"] for e in app.events("notification")] == ["active", "completed"]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie is gone for the user; its parent (init here) reaps it.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_demo_backend_never_outlives_the_app(tmp_path: Path) -> None:
    """--demo's backend stops with a clean quit, and also when the app is killed."""
    for how in ("sigterm", "sigkill"):
        app = AppProcess(tmp_path / how, args=["--demo", "--minimized"]).start()
        try:
            demo = app.wait_event("demo_backend")[0]
            app.wait_event("signed_in")
        finally:
            if how == "sigterm":
                assert app.stop() == 0
            else:
                app.kill()
        deadline = time.monotonic() + 15
        while not _gone(demo["pid"]):
            assert time.monotonic() < deadline, f"demo backend {demo['pid']} outlived ({how})"
            time.sleep(0.05)  # the poll interval of a wait-for-condition, because pids are polled


def test_separate_sessions_of_a_user_each_run_their_own_instance(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    """One instance per user *session*: isolated runtime folders do not collide."""
    backend = backend_factory()
    first = AppProcess(tmp_path / "one", backend=backend).start()
    second = AppProcess(tmp_path / "two", backend=backend).start()
    try:
        first.wait_event("signed_in")
        second.wait_event("signed_in")
        assert first.running
        assert second.running
    finally:
        assert_clean_exit(first, first.stop())
        assert_clean_exit(second, second.stop())
