"""Whether the server can be reached: one state for the whole app, not one loop per batch.

When a request cannot reach the server, the app goes offline once; from then on
one probe at a time asks whether the server answers, with backoff and jitter and
never more than ``max_delay`` apart (10 s as shipped, 30 s at most), and
everything else that would touch the network waits in
:meth:`Connectivity.wait_online` instead of running its own reconnect loop.
When the probe (or any request) gets an answer, the app is ``resumed``: the
waiters go on at once and the listener catches up. The OS's own view (Qt's
QNetworkInformation, through the session) and sleep/wake only hint: a hint of
"down" goes offline now, "up" and "woke" probe now.

After a wake the network often needs a few seconds: an outage that starts within
``quiet_after_wake`` of a wake and ends within it is not announced (no burst of
error notices for a laptop lid).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from .log import get_logger, log_event

__all__ = ["PROBE_MAX_DELAY", "Connectivity", "ConnectivityListener", "ConnectivityState"]

_log = get_logger("connectivity")

ConnectivityState = Literal["online", "offline", "resumed"]

#: The longest wait between two probes as shipped: back within 10 s of the server
#: (8.5 s on average with the jitter), and no more than about 10 probes a minute.
#: Never above 30 s whatever a caller asks.
PROBE_MAX_DELAY = 10.0


class ConnectivityListener(Protocol):
    """Told when the app goes offline and when it is back (the monitor)."""

    def connectivity_changed(self, online: bool, announce: bool) -> None:
        """``announce`` is False for an outage the user need not hear of (a wake)."""


class Connectivity:
    """The app's one view of reachability (see the module docstring).

    ``probe`` answers True when the server answers anything at all; it is only
    ever called by this object, one call at a time.
    """

    def __init__(
        self,
        probe: Callable[[], Awaitable[bool]],
        *,
        base_delay: float = 1.0,
        max_delay: float = PROBE_MAX_DELAY,
        jitter: float = 0.3,
        quiet_after_wake: float = 15.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._probe = probe
        self._base = max(0.01, base_delay)
        self._max = min(30.0, max(self._base, max_delay))
        self._jitter = jitter
        self._quiet = quiet_after_wake
        self._rng = rng
        self._listeners: list[ConnectivityListener] = []
        self._online = asyncio.Event()
        self._online.set()
        self._poke = asyncio.Event()
        self._prober: asyncio.Task[None] | None = None
        self._woke_at: float | None = None
        self._announced = False
        self._closed = False
        self._paused = False
        self._said_online = False
        self.probes = 0  # how many probes ran (tests, the benchmark)
        self.outages = 0

    # ------------------------------------------------------------ reading

    @property
    def online(self) -> bool:
        return self._online.is_set()

    def add_listener(self, listener: ConnectivityListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: ConnectivityListener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    async def wait_online(self) -> None:
        """Return at once while online; else when the server answers again."""
        if not self._online.is_set():
            await self._online.wait()

    # ------------------------------------------------------------ what requests say

    def failed(self, reason: str) -> None:
        """A request could not reach the server: offline (once) and probe."""
        if self._closed or self._paused or not self._online.is_set():
            return
        self._online.clear()
        self.outages += 1
        loop = asyncio.get_running_loop()
        quiet = self._woke_at is not None and loop.time() - self._woke_at < self._quiet
        self._announced = not quiet
        log_event(_log, "connectivity", state="offline", reason=reason)
        self._tell(False, self._announced)
        self._prober = asyncio.ensure_future(self._probe_until_back(quiet))

    def succeeded(self, reason: str = "request") -> None:
        """A request got an answer: the server is reachable."""
        if self._closed:
            return
        if self._online.is_set():
            if not self._said_online:
                self._said_online = True  # once: the first answer of this server
                log_event(_log, "connectivity", state="online", reason="first answer")
            return
        self._back(reason)

    # ------------------------------------------------------------ hints

    def network_changed(self, up: bool) -> None:
        """The OS says the network went down or came up (a hint, checked by a probe)."""
        if up:
            self._poke.set()
        else:
            self.failed("network_down")

    def sleeping(self) -> None:
        """The machine suspends: no probes until :meth:`woke`."""
        self._paused = True

    def woke(self) -> None:
        """The machine woke: connections are dead; probe at once, and keep an
        outage that ends soon quiet."""
        self._paused = False
        self._woke_at = asyncio.get_running_loop().time()
        self._poke.set()

    async def aclose(self) -> None:
        self._closed = True
        task, self._prober = self._prober, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._online.set()  # nobody waits for a closed one

    # ------------------------------------------------------------ inside

    def _tell(self, online: bool, announce: bool) -> None:
        for listener in list(self._listeners):
            listener.connectivity_changed(online, announce)

    def _back(self, reason: str) -> None:
        self._online.set()
        self._said_online = True
        task, self._prober = self._prober, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        log_event(_log, "connectivity", state="resumed", reason=reason)
        self._tell(True, self._announced)

    def _delay(self, attempt: int) -> float:
        raw: float = min(self._max, self._base * (2.0**attempt))
        return raw * (1.0 - self._jitter * float(self._rng()))

    async def _probe_until_back(self, quiet: bool) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        while not self._closed and not self._online.is_set():
            self._poke.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), self._delay(attempt))
            attempt = min(attempt + 1, 30)
            if self._paused or self._online.is_set():
                continue
            self.probes += 1
            if await self._probe():
                if not self._online.is_set():
                    self._back("probe")
                return
            if (
                quiet
                and not self._announced
                and self._woke_at is not None
                and loop.time() - self._woke_at >= self._quiet
            ):
                # Still offline well after the wake: a real outage, announced now.
                self._announced = True
                self._tell(False, True)
