"""The command line acting on the running app (issue 16), both server modes.

``storyclip-desktop pause|resume|cancel|retry-failed BATCH_ID`` and ``--list`` run
as their own processes with the running app's environment (same user, same
session), and are judged by what a script sees (exit code, output) and by the
backend's database and the app's log (``control``, ``batch_finished``,
``notification``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.app_process import AppProcess
from tests.backend import REPO, Backend


def cli(app: AppProcess, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command line, as the same user in the same desktop session as ``app``."""
    return subprocess.run(
        [sys.executable, "-m", "storyclip_desktop", *argv],
        cwd=REPO, env=app.env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def ends(batch_id: str) -> Callable[[dict[str, Any]], bool]:
    kinds = ("completed", "failed", "cancelled", "finished")
    return lambda e: e["kind"] in kinds and batch_id in e.get("batch_ids", ())


def test_no_instance_running_says_so_and_exits_2(tmp_path: Path) -> None:
    nobody = AppProcess(tmp_path / "home")  # only for its isolated environment
    done = cli(nobody, "pause", "batch_1_abc")
    assert done.returncode == 2, done
    assert "not running" in done.stderr
    assert cli(nobody, "--list").returncode == 2


def test_each_action_from_the_command_line_in_default_mode(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(clip_seconds=0.5)
    # 8 clips of 0.5 s: still publishing when the app and two command lines have started.
    running = backend.create_batch(8, titles=["Launch teaser"], fail=[3])
    app = AppProcess(tmp_path / "home", backend=backend, args=["--discovery-interval", "0.5"])
    app.start()
    try:
        app.wait_event("batches_found", where=lambda e: running in e["batch_ids"])
        listed = cli(app, "--list")
        assert listed.returncode == 0, listed
        line = next(x for x in listed.stdout.splitlines() if x.startswith(running))
        batch_id, name, status, counts = line.split("\t")
        assert (batch_id, name, status) == (running, "Launch teaser (+7)", "processing")
        assert counts.endswith("/8")

        paused = cli(app, "pause", running)
        assert (paused.returncode, paused.stdout.strip()) == (0, "ok"), paused
        assert backend.batch_row(running)["status"] == "paused"  # type: ignore[index]
        again = cli(app, "pause", running)
        assert again.returncode == 3, again
        assert again.stdout.startswith("refused:")

        assert cli(app, "resume", running).returncode == 0
        first = app.wait_event("batch_finished", batch_id=running)[0]
        assert (first["published"], first["failed"], first["total"]) == (7, 1, 8)

        cancelled = cli(app, "cancel", running)  # finished: nothing to cancel
        assert cancelled.returncode == 3, cancelled

        # Retry failed on the finished batch: a new run, its end told once more.
        retried = cli(app, "retry-failed", running)
        assert retried.returncode == 0, retried
        app.wait_event("batch_reopened", batch_id=running)
        app.wait_event("batch_finished", batch_id=running, count=2)
        # Each run's end in its own notice (the second gathered for a few seconds).
        app.wait_event("notification", where=ends(running), count=2, timeout=20)

        other = backend.create_batch(6)
        app.wait_event("batches_found", where=lambda e: other in e["batch_ids"])
        assert cli(app, "cancel", other).returncode == 0
        app.wait_event("batch_finished", batch_id=other, status="cancelled")
        app.wait_event("notification", where=ends(other))
    finally:
        app.stop()
    finished = app.events("batch_finished", batch_id=running)
    # The retried clip fails again (forced): the second run's exact counts.
    assert [(f["published"], f["failed"], f.get("run")) for f in finished] == [
        (7, 1, 1),
        (7, 1, 2),
    ]
    assert len([e for e in app.events("notification") if ends(running)(e)]) == 2
    assert len([e for e in app.events("notification") if ends(other)(e)]) == 1
    assert [e["kind"] for e in app.events("notification") if ends(other)(e)] == ["cancelled"]
    assert [(c["action"], c["result"], c["source"]) for c in app.events("control")] == [
        ("pause", "ok", "cli"),
        ("pause", "refused", "cli"),
        ("resume", "ok", "cli"),
        ("cancel", "refused", "cli"),
        ("retry-failed", "ok", "cli"),
        ("cancel", "ok", "cli"),
    ]


def test_upstream_mode_answers_unsupported_and_claims_nothing(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(mode="upstream", clip_seconds=0.5)
    running = backend.create_batch(4)
    app = AppProcess(tmp_path / "home", backend=backend).start()
    try:
        app.wait_event("capabilities")
        for action in ("pause", "resume", "cancel", "retry-failed"):
            done = cli(app, action, running)
            assert done.returncode == 4, done
            assert done.stdout.startswith("unsupported:"), done
        assert backend.batch_row(running)["status"] in ("processing", "completed")  # type: ignore[index]
    finally:
        app.stop()
    assert [c["result"] for c in app.events("control")] == ["unsupported"] * 4
