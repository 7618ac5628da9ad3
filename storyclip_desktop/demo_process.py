"""The local backend as a child process of the app (``--demo``, "Try the demo").

The client shares no code with :mod:`storyclip_desktop.demo`: it starts it as a
separate process, reads the URL it prints, and stops it on quit. The child's
stdin is its lifeline: it exits when the pipe closes, so a crashed app never
leaves a backend behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
import tempfile
from pathlib import Path

from storyclip_desktop.config import RUN_DEMO_BACKEND

__all__ = ["RUN_DEMO_BACKEND", "DemoProcess", "demo_backend_command"]


#: How long the child may take to print its URL.
START_TIMEOUT = 30.0
#: How long it may take to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0


def demo_backend_command() -> list[str]:
    """The command that runs ``python -m storyclip_desktop.demo`` in this installation."""
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_DEMO_BACKEND]
    return [sys.executable, "-m", "storyclip_desktop.demo"]


class DemoProcess:
    """One local backend child: its URL, keys and process (core.session.DemoBackend).

    The API key is random per run, so no other program on the machine can use the
    demo backend with a key it guessed.
    """

    anon_key = "demo-anon-key"

    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""
        self.api_key = "demo-" + secrets.token_urlsafe(12)
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self) -> str:
        """Start the child (once) and return its URL."""
        if self.running:
            return self.url
        self._dir = tempfile.TemporaryDirectory(prefix="storyclip-demo-")
        self.proc = await asyncio.create_subprocess_exec(
            *demo_backend_command(),
            "serve",
            "--port",
            "0",
            "--seed-demo",
            "--db",
            str(Path(self._dir.name) / "demo.sqlite3"),
            "--api-key",
            self.api_key,
            "--anon-key",
            self.anon_key,
            "--exit-with-stdin",
            stdin=asyncio.subprocess.PIPE,  # the lifeline: it closes when we die
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), START_TIMEOUT)
        url = line.decode("utf-8", "replace").strip()
        if not url.startswith("http://"):
            await self.stop()
            raise RuntimeError("the demo backend did not start")
        self.url = url
        self._drain = asyncio.ensure_future(self._discard(self.proc.stdout))
        return url

    @staticmethod
    async def _discard(stream: asyncio.StreamReader) -> None:
        while await stream.read(65536):
            pass

    async def stop(self) -> None:
        """Close the lifeline, ask it to end, kill it if it will not; idempotent."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        drain, self._drain = self._drain, None
        if drain is not None:
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain
        folder, self._dir = self._dir, None
        if folder is not None:
            folder.cleanup()
