"""Sleep and wake (core/sleep.py and the session's answer to them).

logind is a stand-in owning ``org.freedesktop.login1`` on a private bus of the
test's own (``dbus-daemon --config-file``), named by ``DBUS_SYSTEM_BUS_ADDRESS``
as the real system bus would be; no X, no desktop session. The clock fallback
runs on injected clocks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from storyclip_desktop.core.session import DesktopSession, SessionOptions
from storyclip_desktop.core.sleep import ClockSleep, SleepWatcher
from tests.backend import Backend
from tests.core.logind import Logind
from tests.monitoring import Recorder, until
from tests.ui.notification_daemon import PrivateBus, dbus_daemon_available

pytestmark = pytest.mark.anyio

needs_bus = pytest.mark.skipif(not dbus_daemon_available(), reason="dbus-daemon not installed")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Told:
    """A SleepListener that keeps what it heard."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    def sleeping(self) -> None:
        self.heard.append("sleeping")

    def woke(self, source: str) -> None:
        self.heard.append(f"woke:{source}")


class Clocks:
    """Injected (boottime, monotonic): the test moves them."""

    def __init__(self) -> None:
        self.boot = 1000.0
        self.mono = 500.0

    def __call__(self) -> tuple[float, float]:
        return self.boot, self.mono

    def run(self, seconds: float) -> None:
        self.boot += seconds
        self.mono += seconds

    def suspend(self, seconds: float) -> None:
        self.boot += seconds  # the monotonic clock stands still while suspended


def test_clock_fallback_notices_a_suspend_and_nothing_else() -> None:
    told = Told()
    clocks = Clocks()
    watch = ClockSleep(told, clocks=clocks, interval=5.0, threshold=3.0)
    clocks.run(5.0)
    assert watch.check() == 0.0
    clocks.run(5.2)
    clocks.boot += 0.5  # drift and a late timer are not a suspend
    assert watch.check() == 0.0
    assert told.heard == []
    clocks.run(2.0)
    clocks.suspend(3600.0)
    clocks.run(3.0)
    assert watch.check() == pytest.approx(3600.0)
    assert told.heard == ["woke:clock"]
    clocks.run(5.0)
    assert watch.check() == 0.0
    assert told.heard == ["woke:clock"], "one wake per suspend"


@pytest.fixture
def system_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Logind]:
    """A private bus named as the system bus, with the logind stand-in on it."""
    folder = tmp_path / "bus"
    folder.mkdir()
    bus = PrivateBus(folder)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
    logind = Logind(bus.address).start()
    try:
        yield logind
    finally:
        logind.stop()
        bus.close()


@needs_bus
async def test_logind_prepare_for_sleep_is_heard(system_bus: Logind) -> None:
    told = Told()
    watcher = SleepWatcher(told)
    watcher.start()
    try:
        await until(lambda: watcher.source == "logind", what="subscribed on the system bus")
        system_bus.prepare_for_sleep(True)
        await until(lambda: told.heard == ["sleeping"], what="PrepareForSleep(true)")
        system_bus.prepare_for_sleep(False)
        await until(lambda: told.heard == ["sleeping", "woke:logind"], what="(false)")
    finally:
        await watcher.aclose()


async def test_without_a_system_bus_the_clock_watches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    told = Told()
    clocks = Clocks()
    watcher = SleepWatcher(told, clocks=clocks, clock_interval=0.05)
    watcher.start()
    try:
        await until(lambda: watcher.source == "clock", what="the fallback")
        clocks.suspend(120.0)
        await until(lambda: told.heard == ["woke:clock"], what="the jump seen")
    finally:
        await watcher.aclose()


# ---------------------------------------------------------------- the session


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


class Quiet:
    """The session's listener: nothing to check here."""

    def signed_in(self, email: str | None) -> None: ...
    def sign_in_failed(self, reason: str) -> None: ...
    def settings_needed(self) -> None: ...
    def session_reset(self) -> None: ...
    def memory_problem(self, problem: str | None) -> None: ...
    def active_batches_found(self, batch_ids: Sequence[str]) -> None: ...


class NoDemo:
    url = api_key = anon_key = ""
    pid = None

    async def start(self) -> str:
        raise AssertionError("no demo here")

    async def stop(self) -> None:
        pass


class Saved:
    def saved_servers(self) -> dict[str, str]:
        return {}


@pytest.fixture
async def sessions() -> AsyncIterator[list[DesktopSession]]:
    made: list[DesktopSession] = []
    yield made
    for session in made:
        await session.aclose()


@needs_bus
@pytest.mark.parametrize("mode", ["default", "upstream"])
async def test_the_app_closes_its_streams_before_sleep_and_catches_up_after(
    backend_factory: object,
    system_bus: Logind,
    sessions: list[DesktopSession],
    tmp_path: Path,
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PrepareForSleep(true): every stream closes; the batches go on on the server
    meanwhile; PrepareForSleep(false): reconnected and current at once, the batch
    that ended while asleep announced, and no unreachable notice."""
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(mode=mode, clip_seconds=0.2)  # type: ignore[operator]
    short = backend.create_batch(8)
    long = backend.create_batch(150)
    rec = Recorder()
    options = SessionOptions(
        data_dir=tmp_path / "data",
        cli={
            "api_url": backend.api_url,
            "supabase_url": backend.url,
            "anon_key": backend.anon_key,
            "api_key": backend.api_key,
        },
        discovery_interval=30.0,  # a wake must not wait for the next discovery
        env={"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password},
    )
    session = DesktopSession(options, Quiet(), rec, Saved(), NoDemo())
    sessions.append(session)
    await session.start()
    monitor = session.monitor
    assert monitor is not None
    assert (monitor.account is not None) == (mode == "default")
    await until(lambda: rec.last_state(long) == "live" and rec.last_state(short) == "live",
                what="live")  # fmt: skip
    system_bus.prepare_for_sleep(True)
    await until(lambda: rec.last_state(long) == "closed", what="streams closed before sleep")
    assert rec.last_state(short) == "closed"
    asleep = asyncio.get_running_loop().time()
    backend.wait_batch_final(short, timeout=10)  # it ends while the machine sleeps
    seen_before = rec.published(long)
    await until(lambda: backend.batch(long)["published"] >= seen_before + 5, what="progress")
    assert rec.published(long) == seen_before, "nothing read while asleep"
    assert asyncio.get_running_loop().time() - asleep < 20
    system_bus.prepare_for_sleep(False)
    truth = backend.batch(long)["published"]
    await until(
        lambda: (
            short in rec.finished_ids()
            and rec.last_state(long) == "live"
            and rec.published(long) >= truth
        ),
        timeout=5,
        what="current again at once after the wake",
    )
    assert rec.reachable == [], "no error notice for a sleep"
    told = [getattr(r, "fields", {}) for r in caplog.records if getattr(r, "event", "") == "sleep"]
    assert [f.get("state") for f in told] == ["sleeping", "woke"]


@pytest.mark.parametrize("mode", ["default", "upstream"])
async def test_a_wake_seen_by_the_clock_drops_the_open_streams_and_reconnects(
    backend_factory: object,
    sessions: list[DesktopSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    """Without logind nothing closed the streams before the suspend: after the
    wake (as the clock fallback reports it) they are dropped with every pooled
    connection and opened again at once, and the batch is current."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    backend: Backend = backend_factory(mode=mode, clip_seconds=0.2)  # type: ignore[operator]
    long = backend.create_batch(150)
    rec = Recorder()
    options = SessionOptions(
        data_dir=tmp_path / "data",
        cli={
            "api_url": backend.api_url,
            "supabase_url": backend.url,
            "anon_key": backend.anon_key,
            "api_key": backend.api_key,
        },
        discovery_interval=30.0,
        env={"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password},
    )
    session = DesktopSession(options, Quiet(), rec, Saved(), NoDemo())
    sessions.append(session)
    await session.start()
    await until(lambda: rec.last_state(long) == "live", what="live")
    monitor = session.monitor
    assert monitor is not None
    woke_at = time.monotonic()
    session.woke("clock")
    await until(lambda: rec.first_state_after(long, woke_at, "closed"), what="dropped")
    truth = backend.batch(long)["published"]
    await until(
        lambda: rec.first_state_after(long, woke_at, "live") and rec.published(long) >= truth,
        timeout=5,
        what="live and current at once",
    )
    if monitor.account is not None:
        assert monitor.account.connects == 2
    assert rec.reachable == []
