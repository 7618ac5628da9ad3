"""App-level scenarios of the fault matrix: the real app process (offscreen) against
the real backend process, one fault each, judged only by what the app writes in
its JSON-lines log (what the user is shown: ``notification``, ``vault_notice``,
``memory_problem``), its exit and its stderr. Rows join the matrix's table.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app_process import EXPECT_NETWORK_ERRORS, AppProcess, covers
from tests.backend import Backend
from tests.faults.conftest import Row

KEYRING_ENV = "STORYCLIP_TEST_KEYRING"
FILE_KEYRING = "tests.security.keyrings.FileKeyring"
BAD_WORDS = ("Traceback", "Task was destroyed", "Event loop is closed", "was never awaited")


def hold(seconds: float, app: AppProcess) -> None:
    """Let a fault last ``seconds`` while checking the app stays up (fails at once if not)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert app.running, app.tail()
        time.sleep(0.1)  # the outage's own length, checked every tick, because time is the fault


def quit_cleanly(app: AppProcess, allowed: Callable[[dict[str, Any]], bool] = lambda e: False,
                 within: float = 5.0) -> float:  # fmt: skip
    """SIGTERM answered by ``stopped`` and exit 0 within ``within`` s; nothing alarming
    in the log or stderr but the errors the scenario expects. The seconds it took."""
    started = time.monotonic()
    code = app.stop()
    took = time.monotonic() - started
    assert code == 0, app.tail()
    assert took < within, f"quit took {took:.1f} s"
    assert app.events("stopped"), app.tail()
    text = app.log_text() + "\n".join(app.stderr_lines)
    for word in BAD_WORDS:
        assert word not in text, app.tail()
    bad = [e for e in app.all_events() if e["level"] in ("error", "critical") and not allowed(e)]
    assert not bad, bad
    return took




def finishes(app: AppProcess, batch_id: str) -> list[dict[str, Any]]:
    return app.end_notices(batch_id)


def assert_finished_exactly_once(app: AppProcess, backend: Backend, batch_id: str) -> None:
    """One ``batch_finished`` with the server's counts, one completion notice."""
    # The notice follows the core's report through the UI's queued signals: wait
    # for it rather than racing it.
    app.wait_event("notification", where=covers(batch_id))
    done = app.events("batch_finished", batch_id=batch_id)
    assert len(done) == 1, done
    summary = backend.batch(batch_id)
    got = (done[0]["status"], done[0]["published"], done[0]["failed"], done[0]["total"])
    want = (summary["status"], summary["published"], summary["failed"], summary["total"])
    assert got == want, f"{batch_id}: the app ended on {got}, the server on {want}\n{app.tail()}"
    assert len(finishes(app, batch_id)) == 1, app.events("notification")


@pytest.fixture
def apps() -> Iterator[list[AppProcess]]:
    """Every app a test starts is killed at teardown if the test did not stop it."""
    made: list[AppProcess] = []
    yield made
    for app in made:
        app.kill()


# ---------------------------------------------------------------- the network


@pytest.mark.timeout(90)
def test_app_server_gone_then_back(
    backend_factory: Callable[..., Backend], tmp_path: Path, row: Row, apps: list[AppProcess]
) -> None:
    """App: server process gone 10 s, then back: one notice, exact finish."""
    outage = 10.0
    backend = backend_factory(clip_seconds=0.25, retry_ms=500)
    batch_id = backend.create_batch(40, fail=[5])
    home = tmp_path / "home"
    app = AppProcess(
        home, backend=backend, args=["--minimized"], expect_errors=EXPECT_NETWORK_ERRORS
    )
    apps.append(app.start())
    app.wait_event("stream_state", batch_id=batch_id, state="live")
    backend.kill()
    gone = time.monotonic()
    app.wait_event("notification", kind="unreachable", timeout=30)
    noticed = time.monotonic() - gone
    # Under the retry load, a second launch is still answered.
    second = AppProcess(home, backend=backend, log_name="second.log")
    apps.append(second.start())
    assert second.wait_exit(30) == 0
    assert second.events("second_instance", handed_over=True), second.tail()
    app.wait_event("activated")
    hold(outage - (time.monotonic() - gone), app)
    retries = len(app.events("stream_state", batch_id=batch_id, state="reconnecting"))
    assert len(app.events("notification", kind="unreachable")) == 1, "one notice per outage"
    following = ("live", "finished")
    before = len([e for e in app.events("stream_state", batch_id=batch_id)
                  if e["state"] in following])  # fmt: skip
    backend.restart()
    back = time.monotonic()
    # Live again, or straight to finished when the restarted server completed the
    # batch while the app's backoff (up to 30 s) was still waiting.
    app.wait_event(
        "stream_state", batch_id=batch_id, count=before + 1, timeout=45,
        where=lambda e: e["state"] in following,
    )  # fmt: skip
    row.recovered(time.monotonic() - back)
    app.wait_event("batch_finished", batch_id=batch_id, timeout=40)
    assert_finished_exactly_once(app, backend, batch_id)
    assert len(app.events("notification", kind="unreachable")) == 1
    took = quit_cleanly(app)
    row.detail = (
        f"unreachable noticed in {noticed:.1f} s; 1 notice over {retries} reconnect states;"
        f" 2nd launch handed over; quit in {took:.2f} s"
    )


# ---------------------------------------------------------------- keyrings


@pytest.mark.parametrize(
    ("backend_name", "reason"),
    [
        ("keyring.backends.fail.Keyring", "no_keyring"),
        ("tests.security.keyrings.RaisingKeyring", "error"),
        ("tests.security.keyrings.LockedKeyring", "locked"),
    ],
    ids=["none", "raising", "locked"],
)
def test_app_without_a_usable_keyring(
    backend_factory: Callable[..., Backend],
    tmp_path: Path,
    row: Row,
    apps: list[AppProcess],
    backend_name: str,
    reason: str,
) -> None:
    """App: keyring unusable: signs in, follows, says the session ends on quit."""
    row.scenario = f"App: keyring {reason}: signs in, follows, says the session ends on quit"
    backend = backend_factory(clip_seconds=0.1)
    app = AppProcess(
        tmp_path / "home",
        backend=backend,
        args=["--discovery-interval", "0.5"],
        env={"PYTHON_KEYRING_BACKEND": backend_name},
    )
    apps.append(app.start())
    started = time.monotonic()
    app.wait_event("signed_in")
    batch_id = backend.create_batch(12, fail=[1])
    notice = app.wait_event("vault_notice")[0]
    assert notice["reason"] == reason
    assert "until you quit" in notice["text"]
    app.wait_event("batch_finished", batch_id=batch_id)
    row.recovered(time.monotonic() - started)
    assert_finished_exactly_once(app, backend, batch_id)
    quit_cleanly(app)
    # The session went nowhere else: no file under HOME holds the refresh token.
    stored = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
    spent = backend._rows("SELECT token FROM auth_refresh_tokens")
    for path in stored:
        data = path.read_bytes()
        assert not any(r["token"].encode() in data for r in spent), path
    row.detail = f"notice {reason!r}; signed in and finished in {row.recovery_s} s"


# ---------------------------------------------------------------- two instances


def test_app_two_instances_at_once_spend_the_refresh_token_once(
    backend_factory: Callable[..., Backend], tmp_path: Path, row: Row, apps: list[AppProcess]
) -> None:
    """App: two instances started together: one survives, refresh token spent once.

    The backend treats any second spend of a refresh token as theft
    (``reuse_interval=0``) and revokes the session, so a double spend would sign
    the survivor out; the token's children in the database count the spends.
    """
    backend = backend_factory(clip_seconds=0.1, reuse_interval=0)
    home = tmp_path / "home"
    keyring_env = {"PYTHON_KEYRING_BACKEND": FILE_KEYRING, KEYRING_ENV: str(tmp_path / "ring")}
    first = AppProcess(home, backend=backend, env=keyring_env, log_name="first.log")
    apps.append(first.start())
    first.wait_event("signed_in")
    assert first.events("vault_notice") == []
    quit_cleanly(first)
    stored = json.loads((tmp_path / "ring").read_text())["StoryClip Desktop/session"]
    token = json.loads(stored)["rt"]

    pair = [
        AppProcess(
            home,
            backend=backend,
            args=["--discovery-interval", "0.5"],
            env=keyring_env,
            sign_in=False,
            log_name=f"{n}.log",
        )
        for n in ("a", "b")
    ]
    apps.extend(pair)
    go = threading.Barrier(2)

    def launch(app: AppProcess) -> None:
        go.wait()
        app.start()

    threads = [threading.Thread(target=launch, args=(a,)) for a in pair]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Exactly one of them exits after handing over; which one is the race's choice.
    deadline = time.monotonic() + 30
    while all(a.running for a in pair):
        assert time.monotonic() < deadline, pair[0].tail() + pair[1].tail()
        time.sleep(0.05)  # poll interval, because two processes are polled
    loser = next(a for a in pair if not a.running)
    survivor = next(a for a in pair if a is not loser)
    assert loser.wait_exit() == 0
    assert loser.events("second_instance", handed_over=True), loser.tail()
    assert loser.events("signed_in") == []
    survivor.wait_event("signed_in")
    row.recovered(time.monotonic() - started)
    survivor.wait_event("activated")
    batch_id = backend.create_batch(12)
    survivor.wait_event("batch_finished", batch_id=batch_id, timeout=60)
    assert_finished_exactly_once(survivor, backend, batch_id)
    children = backend._rows(
        "SELECT token, revoked FROM auth_refresh_tokens WHERE parent = ?", token
    )
    assert len(children) == 1, "the stored refresh token was spent more than once"
    assert survivor.events("signed_out") == []
    quit_cleanly(survivor)
    # A second spend would have revoked the whole family: the stored token is live.
    now = json.loads(json.loads((tmp_path / "ring").read_text())["StoryClip Desktop/session"])
    live = backend._rows("SELECT revoked FROM auth_refresh_tokens WHERE token = ?", now["rt"])
    assert live == [{"revoked": 0}], "the session was revoked: the token was spent twice"
    row.detail = "1 handed over, 1 spend of the stored token, survivor signed in and followed"


# ---------------------------------------------------------------- data folder


def test_app_data_folder_read_only_says_what_it_cannot_remember(
    backend_factory: Callable[..., Backend], tmp_path: Path, row: Row, apps: list[AppProcess]
) -> None:
    """App: data folder cannot be written: runs, follows, says what it will forget.

    CI runs as root, where a chmod does not stop a write: ``XDG_DATA_HOME`` is a
    file here, so the folder cannot even be made.
    """
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be\n")
    backend = backend_factory(clip_seconds=0.1)
    app = AppProcess(
        tmp_path / "home",
        backend=backend,
        args=["--discovery-interval", "0.5"],
        env={"XDG_DATA_HOME": str(blocker)},
        expect_errors=[{"where": "^memory$", "message": "cannot save"}],
    )
    apps.append(app.start())
    started = time.monotonic()
    app.wait_event("signed_in")
    batch_id = backend.create_batch(12)
    problem = app.wait_event("memory_problem")[0]
    row.recovered(time.monotonic() - started)
    assert problem["problem"] == "read_only"
    assert "cannot save its list of announced batches" in problem["text"]
    assert "announce a finished batch again" in problem["text"]
    app.wait_event("batch_finished", batch_id=batch_id)
    assert_finished_exactly_once(app, backend, batch_id)
    assert len(app.events("memory_problem")) == 1, "said once, not on every save"
    quit_cleanly(app)
    row.detail = "memory_problem read_only shown in the account view; batch announced once"


# ---------------------------------------------------------------- discovery


def test_app_batch_started_elsewhere_is_picked_up(
    backend_factory: Callable[..., Backend], tmp_path: Path, row: Row, apps: list[AppProcess]
) -> None:
    """App: batches started from the web app: picked up within the discovery interval."""
    interval = 1.0
    backend = backend_factory(clip_seconds=0.2)
    home = tmp_path / "home"
    app = AppProcess(home, backend=backend, args=["--minimized", "--discovery-interval",
                                                  str(interval)])  # fmt: skip
    apps.append(app.start())
    app.wait_event("signed_in")
    app.wait_event("batches_found")
    picked: list[float] = []
    ids: list[str] = []
    for n in range(3):
        made = time.monotonic()
        # Longer than the interval: a batch that starts and ends between two
        # looks is not this app's to know (and the web app shows it).
        batch_id = backend.create_batch(12 + n, fail=[n])
        ids.append(batch_id)
        app.wait_event("stream_state", batch_id=batch_id, state="live", timeout=interval + 10)
        picked.append(time.monotonic() - made)
    assert max(picked) <= interval + 1.5, picked
    row.recovered(max(picked))
    # Still responsive while following: a second launch is handed over.
    second = AppProcess(home, backend=backend, log_name="second.log")
    apps.append(second.start())
    assert second.wait_exit(30) == 0
    app.wait_event("activated")
    for batch_id in ids:
        app.wait_event("batch_finished", batch_id=batch_id, timeout=30)
        assert_finished_exactly_once(app, backend, batch_id)
    took = quit_cleanly(app)
    row.detail = (
        f"picked up in {', '.join(f'{p:.2f}' for p in picked)} s (interval {interval:g} s);"
        f" quit in {took:.2f} s"
    )
