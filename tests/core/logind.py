"""A stand-in for logind on a private bus: owns ``org.freedesktop.login1`` and
emits the real ``PrepareForSleep(b)`` signal of ``org.freedesktop.login1.Manager``
from ``/org/freedesktop/login1`` when a test says so (tests/ui/notification_daemon.py
provides the private ``dbus-daemon``)."""

from __future__ import annotations

import threading
from typing import Any

from jeepney import DBusAddress, new_signal  # type: ignore[import-untyped]
from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

NAME = "org.freedesktop.login1"
PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"


class Logind:
    """``start()`` owns the name in a thread; ``prepare_for_sleep(True/False)`` emits."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._outbox: list[Any] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.sent = 0

    def start(self) -> Logind:
        self._thread = threading.Thread(target=self._run, name="logind-standin", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self.error is not None:
            raise RuntimeError(f"logind stand-in did not start: {self.error!r}")
        return self

    def prepare_for_sleep(self, start: bool) -> None:
        emitter = DBusAddress(PATH, interface=MANAGER)
        with self._lock:
            self._outbox.append(new_signal(emitter, "PrepareForSleep", "b", (start,)))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        try:
            with open_dbus_connection(bus=self.address) as conn:
                conn.send_and_get_reply(message_bus.RequestName(NAME))
                self._ready.set()
                while not self._stop.is_set():
                    with self._lock:
                        outbox, self._outbox = self._outbox, []
                    for message in outbox:
                        conn.send(message)
                        self.sent += 1
                    try:
                        conn.receive(timeout=0.05)
                    except TimeoutError:
                        continue
        except BaseException as exc:  # reported by the test
            self.error = exc
            self._ready.set()
