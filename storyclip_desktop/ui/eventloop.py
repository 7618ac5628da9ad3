"""The app's asyncio event loop on Qt: qasync's, with socket readers that are cheap to
pause and ready callbacks that leave Qt room to breathe.

Every read of an httpx stream goes through anyio, which pauses the socket's
reading after each receive and resumes it at the next (``pause_reading`` /
``resume_reading``, that is ``remove_reader`` / ``add_reader``). qasync builds a
new ``QSocketNotifier`` and connects its signal on every ``add_reader`` and tears
it down on every ``remove_reader``: about 90 µs per receive, which with fifty
busy streams was a large share of the app's time. Here a reader's notifier is
kept, disabled, when the reader is removed, and enabled again when one is added
for the same descriptor: two ``setEnabled`` calls instead.

The notifier of a descriptor that is closed stays disabled (Qt never watches a
disabled notifier); if the number is reused by a new socket, its notifier simply
serves that socket. A registration number guards against a readiness seen for
one reader reaching the next one registered on the same descriptor.

qasync also turns every ``call_soon`` into a Qt timer of its own, and Qt runs
every timer that is due in one pass: under load a pass ran hundreds of
callbacks, and painting, input and the app's own timers waited for all of them
(tens of milliseconds). Here ready callbacks wait in one queue, in order, and
one Qt timer runs them a slice (``READY_SLICE``) at a time: what is left waits
for the next pass, after Qt has had its turn. Callbacks still run in the order
they were scheduled, and those scheduled by a running callback wait for the
next pass, as in asyncio.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QObject, QSocketNotifier, QTimerEvent

__all__ = ["READY_SLICE", "QtEventLoop"]

#: Seconds of ready callbacks run in one Qt pass before Qt gets its turn again.
READY_SLICE = 0.004

_Reader = tuple[Callable[..., object], tuple[Any, ...], int]


class _ReadyRunner(QObject):
    """The loop's ready callbacks, in order, and the one Qt timer (interval 0) that
    runs them a slice at a time.

    Signals:
        none: a QObject for its timer only.
    """

    def __init__(self) -> None:
        super().__init__()
        self._handles: deque[asyncio.Handle] = deque()
        self._timer = 0

    def add(self, handle: asyncio.Handle) -> None:
        self._handles.append(handle)
        if not self._timer:
            self._timer = self.startTimer(0)

    def stop(self) -> None:
        """Stop the timer and drop what waits (the loop closed)."""
        if self._timer:
            self.killTimer(self._timer)
            self._timer = 0
        self._handles.clear()

    def timerEvent(self, event: QTimerEvent) -> None:
        if not self.run():
            # Nothing left: no idle wake-ups.
            self.killTimer(self._timer)
            self._timer = 0

    def run(self) -> bool:
        """Run the callbacks that were ready when the pass began, for one slice at
        most; True while some are left."""
        ready = self._handles
        ends = time.perf_counter() + READY_SLICE
        for _ in range(len(ready)):
            handle = ready.popleft()
            if not handle._cancelled:
                handle._run()
            if time.perf_counter() >= ends:
                break
        return bool(ready)


class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """``qasync.QEventLoop`` whose socket readers keep their notifier when paused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._reader_notifiers: dict[Any, QSocketNotifier] = {}
        self._readers: dict[Any, _Reader] = {}
        self._registrations = 0
        self._ready_runner = _ReadyRunner()
        super().__init__(*args, **kwargs)

    # ------------------------------------------------------------ ready callbacks

    def call_soon(
        self,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        self._check_closed()
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready_runner.add(handle)
        return handle

    # ------------------------------------------------------------ readers

    def _add_reader(self, fd: Any, callback: Callable[..., object], *args: Any) -> None:
        self._check_closed()
        notifier = self._reader_notifiers.get(fd)
        if notifier is None:
            fileno = fd if isinstance(fd, int) else fd.fileno()
            notifier = QSocketNotifier(fileno, QSocketNotifier.Type.Read)
            notifier.setEnabled(False)
            notifier.activated.connect(lambda *_args, fd=fd: self._reader_ready(fd))
            self._reader_notifiers[fd] = notifier
        self._registrations += 1
        self._readers[fd] = (callback, args, self._registrations)
        # qasync's own bookkeeping (close() disables what it finds there).
        self._read_notifiers[fd] = notifier
        notifier.setEnabled(True)

    def _remove_reader(self, fd: Any) -> bool:
        if self.is_closed():
            return False
        self._read_notifiers.pop(fd, None)
        if self._readers.pop(fd, None) is None:
            return False
        self._reader_notifiers[fd].setEnabled(False)
        return True

    def _reader_ready(self, fd: Any) -> None:
        notifier = self._reader_notifiers[fd]
        notifier.setEnabled(False)  # until the callback has run (level-triggered)
        reader = self._readers.get(fd)
        if reader is not None:
            self.call_soon(self._run_reader, fd, reader[2])

    def _run_reader(self, fd: Any, registration: int) -> None:
        reader = self._readers.get(fd)
        if reader is None or reader[2] != registration:
            return  # removed, or replaced by another reader, since it was ready
        callback, args, _ = reader
        try:
            callback(*args)
        finally:
            current = self._readers.get(fd)
            if current is not None and current[2] == registration:
                self._reader_notifiers[fd].setEnabled(True)

    def close(self) -> None:
        super().close()
        self._ready_runner.stop()
        for notifier in self._reader_notifiers.values():
            notifier.setEnabled(False)
        self._reader_notifiers.clear()
        self._readers.clear()
