"""Knowing that the machine slept, instead of guessing it from dead connections.

On Linux, logind says so on the system bus: ``PrepareForSleep(true)`` before a
suspend and ``PrepareForSleep(false)`` after the wake. :class:`LogindSleep`
listens for it asynchronously (jeepney, the bus from ``DBUS_SYSTEM_BUS_ADDRESS``
when set). Where there is no such bus (no logind, a container, another OS),
:class:`ClockSleep` notices a suspend after the fact: ``CLOCK_BOOTTIME`` counts
the time asleep and ``CLOCK_MONOTONIC`` does not, so the first moving ahead of
the second by more than a few seconds between two looks means the machine
slept (the clocks are injectable, so a test need not suspend anything).

Both report to a :class:`SleepListener` (the session): ``sleeping()`` before a
suspend where that can be known, ``woke()`` after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from .log import get_logger, log_event

__all__ = ["ClockSleep", "LogindSleep", "SleepListener", "SleepWatcher", "boot_and_monotonic"]

_log = get_logger("sleep")

try:  # jeepney ships with keyring on Linux; elsewhere the clock fallback alone.
    import jeepney  # type: ignore[import-untyped]
    from jeepney.io import asyncio as jeepney_aio  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - not Linux
    jeepney = None
    jeepney_aio = None

LOGIN1 = "org.freedesktop.login1"
LOGIN1_PATH = "/org/freedesktop/login1"
LOGIN1_MANAGER = "org.freedesktop.login1.Manager"


class SleepListener(Protocol):
    """Told of a suspend and of the wake after it; implementations must not block."""

    def sleeping(self) -> None:
        """The machine is about to suspend (logind only)."""

    def woke(self, source: str) -> None:
        """The machine woke (``source``: ``logind`` or ``clock``)."""


def boot_and_monotonic() -> tuple[float, float]:
    """(CLOCK_BOOTTIME, CLOCK_MONOTONIC); where BOOTTIME is missing, both monotonic
    (no jump is ever seen: the fallback then sees nothing rather than lies)."""
    boot = getattr(time, "CLOCK_BOOTTIME", None)
    mono = time.monotonic()
    return (time.clock_gettime(boot) if boot is not None else mono), mono


class ClockSleep:
    """Notices a suspend from the boot clock moving ahead of the monotonic one.

    ``check()`` compares with the previous look; the loop (:meth:`run`) looks
    every ``interval`` seconds. ``clocks`` returns (boottime, monotonic).
    """

    def __init__(
        self,
        listener: SleepListener,
        *,
        clocks: Callable[[], tuple[float, float]] = boot_and_monotonic,
        interval: float = 5.0,
        threshold: float = 3.0,
    ) -> None:
        self._listener = listener
        self._clocks = clocks
        self.interval = interval
        self.threshold = threshold
        self._last = clocks()

    def check(self) -> float:
        """Seconds slept since the last look (0.0: none); tells the listener if any."""
        boot, mono = self._clocks()
        last_boot, last_mono = self._last
        self._last = (boot, mono)
        slept = (boot - last_boot) - (mono - last_mono)
        if slept < self.threshold:
            return 0.0
        log_event(_log, "sleep", state="woke", source="clock", slept=round(slept, 1))
        self._listener.woke("clock")
        return slept

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.check()


class LogindSleep:
    """logind's ``PrepareForSleep`` on the system bus, read asynchronously."""

    def __init__(self, listener: SleepListener, bus: str = "SYSTEM") -> None:
        self._listener = listener
        self._bus = bus

    async def run(self, connected: asyncio.Future[bool] | None = None) -> None:
        """Listen until cancelled; ``connected`` gets True once subscribed (False,
        and an ``OSError``-like exception, when there is no bus)."""
        if jeepney is None:
            raise OSError("jeepney is not installed")
        try:
            connection = await jeepney_aio.open_dbus_connection(self._bus)
        except BaseException:
            if connected is not None and not connected.done():
                connected.set_result(False)
            raise
        try:
            async with jeepney_aio.DBusRouter(connection) as router:
                rule = jeepney.MatchRule(
                    type="signal",
                    interface=LOGIN1_MANAGER,
                    member="PrepareForSleep",
                    path=LOGIN1_PATH,
                )
                await jeepney_aio.Proxy(jeepney.message_bus, router).AddMatch(rule)
                with router.filter(rule, bufsize=8) as queue:
                    if connected is not None and not connected.done():
                        connected.set_result(True)
                    while True:
                        message: Any = await queue.get()
                        self._signal(message.body)
        finally:
            await connection.close()

    def _signal(self, body: tuple[Any, ...]) -> None:
        if not body or not isinstance(body[0], bool):
            return
        if body[0]:
            log_event(_log, "sleep", state="sleeping", source="logind")
            self._listener.sleeping()
        else:
            log_event(_log, "sleep", state="woke", source="logind")
            self._listener.woke("logind")


class SleepWatcher:
    """logind where it answers, else the clock fallback; one task, ``aclose()`` ends it."""

    def __init__(
        self,
        listener: SleepListener,
        *,
        bus: str = "SYSTEM",
        clocks: Callable[[], tuple[float, float]] = boot_and_monotonic,
        clock_interval: float = 5.0,
    ) -> None:
        self._logind = LogindSleep(listener, bus)
        self._clock = ClockSleep(listener, clocks=clocks, interval=clock_interval)
        self._task: asyncio.Task[None] | None = None
        self.source: str | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        connected: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        listening = asyncio.ensure_future(self._logind.run(connected))
        try:
            waiting: list[asyncio.Future[Any]] = [listening, connected]
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if connected.done() and connected.result():
                self.source = "logind"
                log_event(_log, "sleep_watch", source="logind")
                await asyncio.wait([listening])  # until the bus goes away (or cancelled)
        finally:
            if not listening.done():
                listening.cancel()
            with contextlib.suppress(BaseException):
                await listening
        failure = None if listening.cancelled() else listening.exception()
        reason = type(failure).__name__ if failure is not None else "bus closed"
        self.source = "clock"
        log_event(_log, "sleep_watch", logging.INFO, source="clock", reason=reason)
        self._clock.check()  # compare from now on
        await self._clock.run()

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
