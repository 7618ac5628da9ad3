"""Offline as one state (core/connectivity.py): one probe at a time with backoff and
jitter, at most 30 s apart, one notice per outage, quiet right after a wake.

The probe here is a scripted coroutine (the object's only input besides the
calls of its users); the real probe over a cut TCP path is exercised in
tests/faults/test_account_stream.py.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from storyclip_desktop.core.connectivity import Connectivity
from tests.monitoring import until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Probe:
    """Answers as scripted; records when it ran and how many ran at once."""

    def __init__(self, answers: list[bool]) -> None:
        self.answers = answers
        self.at: list[float] = []
        self.running = 0
        self.most = 0

    async def __call__(self) -> bool:
        self.running += 1
        self.most = max(self.most, self.running)
        self.at.append(asyncio.get_running_loop().time())
        try:
            await asyncio.sleep(0.01)
            return self.answers.pop(0) if self.answers else False
        finally:
            self.running -= 1


class Heard:
    def __init__(self) -> None:
        self.calls: list[tuple[bool, bool]] = []

    def connectivity_changed(self, online: bool, announce: bool) -> None:
        self.calls.append((online, announce))


def test_probes_are_never_more_than_thirty_seconds_apart() -> None:
    """The backoff doubles and is capped (10 s as shipped), never above 30 s
    whatever the caller asks."""
    conn = Connectivity(Probe([]), base_delay=1.0, max_delay=120.0, jitter=0.3, rng=lambda: 0.0)
    delays = [conn._delay(n) for n in range(10)]
    assert delays[:5] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert max(delays) == 30.0
    jittered = Connectivity(Probe([]), base_delay=1.0, jitter=0.3, rng=lambda: 1.0)
    assert jittered._delay(10) == pytest.approx(7.0), "10 s as shipped, less the jitter"


async def test_one_outage_one_state_one_probe_at_a_time(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    probe = Probe([False, False, False, True])
    conn = Connectivity(probe, base_delay=0.02, max_delay=0.1)
    heard = Heard()
    conn.add_listener(heard)
    for _ in range(20):  # twenty requests fail at once: one outage
        conn.failed("network")
    assert not conn.online
    waiters = [asyncio.ensure_future(conn.wait_online()) for _ in range(5)]
    await until(lambda: conn.online, timeout=5, what="back")
    await asyncio.gather(*waiters)
    assert heard.calls == [(False, True), (True, True)]
    assert len(probe.at) == 4
    assert probe.most == 1
    gaps = [b - a for a, b in zip(probe.at, probe.at[1:], strict=False)]
    assert gaps == sorted(gaps), "backing off"
    states = [
        (r.fields["state"], r.fields["reason"])  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", "") == "connectivity"
    ]
    assert states == [("offline", "network"), ("resumed", "probe")]
    await conn.aclose()


async def test_a_request_that_gets_through_ends_the_outage() -> None:
    probe = Probe([])
    conn = Connectivity(probe, base_delay=5.0)
    heard = Heard()
    conn.add_listener(heard)
    conn.failed("unavailable")
    conn.succeeded()
    assert conn.online
    assert heard.calls == [(False, True), (True, True)]
    await asyncio.sleep(0.05)
    assert probe.at == [], "the probe stopped with the outage"
    await conn.aclose()


async def test_the_os_saying_up_probes_at_once() -> None:
    probe = Probe([True])
    conn = Connectivity(probe, base_delay=20.0)
    conn.network_changed(False)
    assert not conn.online
    await asyncio.sleep(0.05)
    assert probe.at == [], "waiting for the backoff"
    conn.network_changed(True)
    await until(lambda: conn.online, timeout=2, what="probed at once")
    await conn.aclose()


async def test_an_outage_right_after_a_wake_is_not_announced_unless_it_lasts() -> None:
    probe = Probe([False, True])
    conn = Connectivity(probe, base_delay=0.02, quiet_after_wake=5.0)
    heard = Heard()
    conn.add_listener(heard)
    conn.woke()
    conn.failed("network")  # the Wi-Fi is not back yet
    await until(lambda: conn.online, timeout=5, what="back")
    assert heard.calls == [(False, False), (True, False)], "no notice for a lid"
    # Still offline past the quiet time: announced then, once.
    lasting = Probe([False] * 100)
    conn = Connectivity(lasting, base_delay=0.02, max_delay=0.05, quiet_after_wake=0.3)
    heard = Heard()
    conn.add_listener(heard)
    conn.woke()
    conn.failed("network")
    await until(lambda: (False, True) in heard.calls, timeout=5, what="announced late")
    await asyncio.sleep(0.2)
    assert heard.calls == [(False, False), (False, True)]
    await conn.aclose()


async def test_no_probe_while_asleep() -> None:
    probe = Probe([True])
    conn = Connectivity(probe, base_delay=0.02)
    conn.failed("network")
    conn.sleeping()
    await asyncio.sleep(0.01)
    probes = len(probe.at)
    await asyncio.sleep(0.2)
    assert len(probe.at) == probes
    conn.woke()
    await until(lambda: conn.online, timeout=2, what="probed after the wake")
    await conn.aclose()


async def test_online_is_logged_once_at_the_first_answer(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="storyclip")
    conn = Connectivity(Probe([]), base_delay=5.0)
    for _ in range(3):
        conn.succeeded()
    conn.failed("network")
    conn.succeeded()
    conn.succeeded()
    states = [
        r.fields["state"]  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", "") == "connectivity"
    ]
    assert states == ["online", "offline", "resumed"]
    await conn.aclose()
