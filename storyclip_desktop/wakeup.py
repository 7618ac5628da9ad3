"""SIGTERM and SIGINT while Qt's C++ loop waits: the signal wake-up pipe.

Python runs a signal handler only when the interpreter gets control back; with
Qt's loop waiting in C++, that could be never. A socket pair registered with
``signal.set_wakeup_fd`` is watched by the event loop, so a signal wakes it at
once (no polling timer), and the handler hands the signal to the app on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from typing import Protocol

__all__ = ["SignalListener", "SignalWakeup"]

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class SignalListener(Protocol):
    def quit_signal(self, signum: int) -> None:
        """SIGTERM or SIGINT arrived; called on the event loop."""


class SignalWakeup:
    """Installs the handlers and the wake-up pipe; only from the main thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, listener: SignalListener) -> None:
        self._loop = loop
        self._listener = listener
        self._r, self._w = socket.socketpair()
        self._r.setblocking(False)
        self._w.setblocking(False)
        self._old_fd = -1
        self._installed = False

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        self._old_fd = signal.set_wakeup_fd(self._w.fileno())
        self._loop.add_reader(self._r.fileno(), self._drain)
        for sig in _SIGNALS:
            signal.signal(sig, self._handle)
        self._installed = True

    def _handle(self, signum: int, _frame: object) -> None:
        self._loop.call_soon(self._listener.quit_signal, signum)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._r.recv(4096)

    def uninstall(self) -> None:
        if self._installed:
            for sig in _SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            signal.set_wakeup_fd(self._old_fd)
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self._r.fileno())
            self._installed = False
        self._r.close()
        self._w.close()
