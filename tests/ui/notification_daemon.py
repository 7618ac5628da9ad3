"""A private D-Bus session bus and a small ``org.freedesktop.Notifications`` service.

The bus is a real ``dbus-daemon``; the service is a stand-in for a desktop's
notification daemon that records every call (with its wire signature, which
GDBus-based daemons check strictly) and can click a notification or play dead.
The real daemon (dunst) is exercised by the end-to-end tests under Xvfb.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MessageType, new_method_return, new_signal  # type: ignore[import-untyped]
from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>{listen}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def dbus_daemon_available() -> bool:
    return shutil.which("dbus-daemon") is not None


class PrivateBus:
    """``dbus-daemon`` with no service files: nothing is auto-started on it.

    ``socket``: listen there (a bus started again on it has the same address);
    by default a new socket in ``folder``.
    """

    def __init__(self, folder: Path, socket: Path | None = None) -> None:
        config = folder / "bus.conf"
        listen = f"unix:path={socket}" if socket is not None else f"unix:dir={folder}"
        config.write_text(_CONFIG.format(listen=listen), encoding="utf-8")
        self.process = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.address = self.process.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not start")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass
class Call:
    member: str
    signature: str
    body: tuple[Any, ...]


@dataclass
class NotificationService:
    """Owns ``org.freedesktop.Notifications`` on ``address`` in a thread.

    ``silent`` makes it take calls and never answer (a hung daemon).
    """

    address: str
    silent: bool = False
    capabilities: tuple[str, ...] = ("body", "body-markup", "actions")
    calls: list[Call] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _ready: threading.Event = field(default_factory=threading.Event)
    _outbox: list[Any] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None
    error: BaseException | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="notification-service", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"notification service did not start: {self.error!r}")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def notifies(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.member == "Notify"]

    def click(self, notification_id: int, action: str = "default") -> None:
        """The user clicks the notification (or one of its actions): ActionInvoked."""
        emitter = DBusAddress(PATH, interface=NAME)
        with self._lock:
            self._outbox.append(
                new_signal(emitter, "ActionInvoked", "us", (notification_id, action))
            )

    def _run(self) -> None:
        try:
            with open_dbus_connection(bus=self.address) as conn:
                conn.send_and_get_reply(message_bus.RequestName(NAME))
                self._ready.set()
                next_id = 1
                while not self._stop.is_set():
                    with self._lock:
                        outbox, self._outbox = self._outbox, []
                    for message in outbox:
                        conn.send(message)
                    try:
                        message = conn.receive(timeout=0.05)
                    except TimeoutError:
                        continue
                    header = message.header
                    if header.message_type is not MessageType.method_call:
                        continue
                    member = header.fields.get(_MEMBER)
                    signature = header.fields.get(_SIGNATURE, "")
                    with self._lock:
                        self.calls.append(Call(member, signature, tuple(message.body)))
                    if self.silent:
                        continue
                    if member == "GetCapabilities":
                        conn.send(new_method_return(message, "as", (list(self.capabilities),)))
                    elif member == "Notify":
                        # As the specification says: a replaced notice keeps its id.
                        replaces = int(message.body[1])
                        conn.send(new_method_return(message, "u", (replaces or next_id,)))
                        next_id += 0 if replaces else 1
        except BaseException as exc:  # reported by the test, never lost in the thread
            self.error = exc
            self._ready.set()


def _fields() -> tuple[Any, Any]:
    from jeepney import HeaderFields

    return HeaderFields.member, HeaderFields.signature


_MEMBER, _SIGNATURE = _fields()
