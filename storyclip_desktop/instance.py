"""One running instance per user: a second launch hands over and exits.

Two processes must never spend the same rotating refresh token, so the first
one takes a lock file (stale locks of dead processes are taken over) before it
touches the keyring; a later launch finds the lock, asks the running instance
over a local socket to bring its window forward, and exits.

The lock alone decides who is primary (:meth:`SingleInstance.acquire`); the
primary starts listening (:meth:`SingleInstance.listen`) once its first window
is shown, so QtNetwork is not loaded before that window. A second launch in
between waits for the socket (:meth:`SingleInstance.notify_primary` retries).

The same socket carries the command line's requests to the running instance
(issue 16, :mod:`storyclip_desktop.remote`): one JSON object per line each way,
``{"op": "control", "action": ..., "batch_id": ...}`` or ``{"op": "list"}``,
answered by one JSON object (:meth:`SingleInstance.ask`). The plain line
``activate`` stays what a second launch sends.

Signals (SingleInstance):
    activationRequested(): another launch asked this instance to show itself.
    requestReceived(dict, object): a command-line request and the function to call,
        once, with its answer (a dict; from any later turn of the event loop).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCryptographicHash,
    QElapsedTimer,
    QLockFile,
    QObject,
    QStandardPaths,
    QThread,
    Signal,
)

if TYPE_CHECKING:
    # Imported when used: the primary listens after its first window is shown.
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["SingleInstance"]

_MESSAGE = b"activate\n"
#: A request's line may not be longer (the socket is the user's own, still: bounded).
_MAX_LINE = 4096

Answer = Callable[[dict[str, Any]], None]


def _server_name(key: str) -> str:
    # SHA-256 from QtCore, not hashlib: the same digest without loading OpenSSL
    # before the first window (start-up time).
    data = f"{key}:{getpass.getuser()}".encode()
    hashed = QCryptographicHash.hash(data, QCryptographicHash.Algorithm.Sha256)
    digest = hashed.toHex().toStdString()[:16]
    return f"{key.split(':', 1)[0]}-{digest}"


class SingleInstance(QObject):
    """Primary/secondary decision plus the activation channel."""

    activationRequested = Signal()
    requestReceived = Signal(dict, object)

    def __init__(self, app_id: str = "storyclip-desktop", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = _server_name(app_id)
        runtime = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
        folder = Path(
            runtime or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.TempLocation)
        )
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(folder / f"{self._name}.lock"))
        # The socket's name also depends on the runtime folder: an instance is
        # per user *and* per session (tests run isolated sessions side by side).
        # A short name, not a path inside the folder: socket paths are limited
        # to about 100 bytes.
        self._name = _server_name(f"{app_id}:{folder}")
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this process is the primary instance (it holds the lock).

        Call :meth:`listen` next, as soon as the window allows: until then a
        second launch keeps retrying its connection.
        """
        return bool(self._lock.tryLock(100))

    def listen(self) -> None:
        """Accept the activation requests of later launches (the primary only)."""
        if self._server is not None:
            return
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self._name)  # a crashed primary's socket
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_connection)
        server.listen(self._name)
        self._server = server

    def notify_primary(self, timeout_ms: int = 5000) -> bool:
        """Ask the primary to come forward (a second launch, before any event loop runs).

        The primary may still be starting (it holds the lock before it listens),
        so failed connects are retried until ``timeout_ms`` has passed.
        """
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        timer = QElapsedTimer()
        timer.start()
        while timer.elapsed() < timeout_ms:
            socket.connectToServer(self._name)
            if socket.waitForConnected(250):
                socket.write(_MESSAGE)
                socket.flush()
                socket.waitForBytesWritten(500)
                socket.disconnectFromServer()
                return True
            QThread.msleep(50)  # a refused connect returns at once: pace the retries
        return False

    def ask(self, request: dict[str, Any], timeout_ms: int = 60_000) -> dict[str, Any] | None:
        """Send ``request`` to the running instance and wait for its answer (the command
        line, before any event loop runs). None: no instance runs. Raises
        ``TimeoutError`` when one runs and does not answer in time."""
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        timer = QElapsedTimer()
        timer.start()
        while True:
            socket.connectToServer(self._name)
            if socket.waitForConnected(250):
                break
            if timer.elapsed() > 5000 or self._nobody_holds_the_lock():
                return None
            QThread.msleep(50)  # starting: it holds the lock before it listens
        socket.write(json.dumps(request).encode() + b"\n")
        socket.flush()
        data = b""
        while b"\n" not in data:
            if timer.elapsed() > timeout_ms:
                raise TimeoutError("the running instance did not answer")
            if not socket.waitForReadyRead(250):
                if socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
                    data += bytes(socket.readAll().data())
                    break
                continue
            data += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        line = data.split(b"\n", 1)[0]
        if not line:
            raise TimeoutError("the running instance closed without answering")
        answer = json.loads(line)
        return answer if isinstance(answer, dict) else {"result": "failed"}

    def _nobody_holds_the_lock(self) -> bool:
        if self._lock.tryLock(0):
            self._lock.unlock()
            return True
        return False

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_ready(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_ready(self, socket: QLocalSocket) -> None:
        buffered = bytes(socket.property("pending") or b"") + bytes(socket.readAll().data())
        while b"\n" in buffered:
            line, buffered = buffered.split(b"\n", 1)
            self._on_line(socket, line.strip())
        if len(buffered) > _MAX_LINE:
            socket.abort()
            return
        socket.setProperty("pending", buffered)

    def _on_line(self, socket: QLocalSocket, line: bytes) -> None:
        if line == _MESSAGE.strip():
            self.activationRequested.emit()
            return
        try:
            request = json.loads(line)
        except ValueError:
            request = None
        if not isinstance(request, dict):
            _answer(socket, {"result": "failed", "message": "not a request"})
            return
        self.requestReceived.emit(request, lambda answer: _answer(socket, answer))


def _answer(socket: QLocalSocket, answer: dict[str, Any]) -> None:
    """Write the answer line and close; a client that already left is no error."""
    from PySide6.QtNetwork import QLocalSocket

    try:
        if socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            return
        socket.write(json.dumps(answer).encode() + b"\n")
        socket.flush()
        socket.disconnectFromServer()
    except RuntimeError:  # the C++ socket is gone (deleteLater after disconnect)
        return
