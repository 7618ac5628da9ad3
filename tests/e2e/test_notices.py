"""Notices never lost, never a flood (issue 15), in a real desktop session.

25 batches that finish within a few seconds of each other: the user gets a few
grouped notices naming every batch, not 25; every batch is in exactly one; and
no notice replaces one still on screen before it had its time (dunst keeps every
notice it was sent; Qt's tray balloon is shown one at a time, HOLD apart).
Observed from outside as in test_user_story.py: the app's log, dunst's history.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.app_process import AppProcess
from tests.backend import Backend
from tests.e2e.desktop import dunst_history, wait_until
from tests.e2e.test_user_story import (  # noqa: F401 (fixtures)
    APP_NAME,
    CLIP_SECONDS,
    END_KINDS,
    ENDS_EN,
    Story,
    calm_desktop,
    covers,
    dunst_window,
    end_notices,
    expect_dunst,
    found_running,
    launch,
    named_once,
    no_stored_session,
    screen_shot,
    story,
)

pytestmark = pytest.mark.desktop

BATCHES = 25
CLIPS = 40  # 8 s of work each: still running when the app has signed in and looked
GROUP_SECONDS = 5.0  # ends known within this of the first make one notice
TRAY_HOLD = 5.0  # a balloon stays this long before the next replaces it (ui/notify/routing)


def _seed(backend: Backend) -> dict[str, str]:
    """25 batches started together, so they end together; batch id -> job id (its name)."""
    return {
        backend.create_batch(CLIPS, job_id=f"pub-{n:02d}", fail=[7] if n % 5 == 0 else ()): (
            f"pub-{n:02d}"
        )
        for n in range(1, BATCHES + 1)
    }


def _ts(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(event["ts"]))


def _all_ended_and_covered_once(app: AppProcess, seeded: dict[str, str]) -> list[dict[str, Any]]:
    """Each batch finished once and is in exactly one end notice, written within 10 s
    of the end becoming known; the end notices (a few, not one per batch)."""
    for bid in seeded:
        app.wait_event("batch_finished", batch_id=bid, timeout=90)
    for bid in seeded:
        app.wait_event("notification", where=covers(bid), timeout=30)
    ends = end_notices(app)
    for bid in seeded:
        [finished] = app.events("batch_finished", batch_id=bid)
        [note] = [e for e in ends if covers(bid)(e)]
        late = (_ts(note) - _ts(finished)).total_seconds()
        assert 0 <= late <= 10 + TRAY_HOLD, (bid, late)
    assert all(e["kind"] in END_KINDS for e in ends)
    assert 1 <= len(ends) <= 4, f"{len(ends)} notices for {BATCHES} ends: a flood"
    grouped = [e for e in ends if e["kind"] == "finished"]
    assert grouped, "ends within seconds of each other were not grouped"
    for note in grouped:
        assert "batch_id" not in note
        assert len(note["batch_ids"]) >= 2
    return ends


@pytest.mark.tray("sni")
@pytest.mark.usefixtures("clean_notifications", "calm_desktop", "no_stored_session")
def test_sni_25_batches_ending_together_are_grouped_in_dunst(
    backend_factory: Callable[..., Backend],
    launch: Callable[..., AppProcess],  # noqa: F811
    story: Story,  # noqa: F811
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=CLIP_SECONDS)
    seeded = _seed(backend)

    with story.step("signed in, following 25 running batches"):
        app = launch(backend, tmp_path / "home", "--minimized", "--lang", "en", sign_in=True)
        found_running(app, list(seeded))

    with story.step("they end within seconds: a few notices, each batch named once"):
        ends = _all_ended_and_covered_once(app, seeded)
        assert {e["route"] for e in ends} == {"dbus"}
        expect_dunst(len(ends) + 1)  # and "Publishing in progress"
        dunst = dunst_window()
        assert dunst is not None, "dunst shows nothing"
        screen_shot("notices-01-grouped-dunst-screen.png", dunst)
        ours = [n for n in dunst_history() if n.appname == APP_NAME]
        finished = [n for n in ours if ENDS_EN.match(n.summary)]
        # Every notice the app sent reached dunst and stayed: none replaced another.
        sent = [e for e in app.events("notification") if e["route"] == "dbus"]
        assert len(ours) == len(sent), (ours, sent)
        assert len(finished) == len(ends), ours
        for name in seeded.values():
            assert named_once(finished, name), (name, ours)

    with story.step("quit"):
        assert app.stop() == 0, app.tail()


@pytest.mark.tray("xembed")
@pytest.mark.usefixtures("clean_notifications", "calm_desktop", "no_stored_session")
def test_xembed_balloons_are_grouped_and_never_replaced_unread(
    backend_factory: Callable[..., Backend],
    launch: Callable[..., AppProcess],  # noqa: F811
    story: Story,  # noqa: F811
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=CLIP_SECONDS)
    seeded = _seed(backend)

    with story.step("signed in, in the tray, following 25 running batches"):
        app = launch(backend, tmp_path / "home", "--minimized", "--lang", "en", sign_in=True)
        found_running(app, list(seeded))

    with story.step("they end within seconds: a few balloons, each HOLD apart"):
        ends = _all_ended_and_covered_once(app, seeded)
        balloons = [e for e in app.events("notification") if e["route"] == "tray"]
        assert {e["route"] for e in ends} == {"tray"}
        gaps = [(_ts(b) - _ts(a)).total_seconds() for a, b in itertools.pairwise(balloons)]
        # Qt's balloon shows one message: the next waits until this one had its time.
        assert all(gap >= TRAY_HOLD - 0.2 for gap in gaps), gaps
        assert [n for n in dunst_history() if n.appname == APP_NAME] == []
        wait_until(lambda: len(app.events("notification")) == len(balloons), message="settled")

    with story.step("quit"):
        assert app.stop() == 0, app.tail()
