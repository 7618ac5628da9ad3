"""The real app as a process, observed from outside through its JSON-lines log.

    app = AppProcess(tmp_path, backend=b).start()
    app.wait_event("batch_finished", batch_id=bid)
    app.stop()                       # SIGTERM; the exit code and stderr are kept
    assert app.events("notification", kind="completed") == [...]

Any ``error`` line the app logs (the ``error`` event, or any line at level error)
fails the test that started it, unless the test declared it expected:
``AppProcess(..., expect_errors=[{"where": "stream"}])`` or ``app.expect_error(where=...)``
(each value is a regular expression searched in that field). The check runs after the
test (the autouse fixture in tests/conftest.py), the way qutebrowser's end-to-end
tests fail on unexpected log messages: an error nobody looked at is a bug nobody saw.

Each instance gets its own HOME and XDG directories, so the single-instance
lock, the settings and the monitor's memory never leak between tests (two
``AppProcess`` objects may share one ``home`` to act as the same user twice).
Without ``env`` overrides the session bus is removed: offscreen, no keyring.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.backend import REPO, Backend

Event = dict[str, Any]

#: Every AppProcess made during the current test (tests/conftest.py checks their logs).
LIVE: list[AppProcess] = []

#: The kinds of notice that announce ends: one batch's, or several grouped (``finished``).
END_KINDS = frozenset({"completed", "failed", "cancelled", "finished"})


def covers(batch_id: str) -> Callable[[Event], bool]:
    """A ``notification`` line that announces this batch's end, alone or grouped."""
    return lambda e: e.get("kind") in END_KINDS and batch_id in e.get("batch_ids", ())


#: What a scenario that breaks the network or the server on purpose expects: the
#: rooms that talk to the server say what failed, as warnings. A line at level
#: error (an exception nobody handled, a crash of the loop) is never among them.
EXPECT_NETWORK_ERRORS: tuple[dict[str, str], ...] = (
    {
        "level": "^warning$",
        "where": (
            "^(stream|account_stream|poll|settle|batch|discovery|active batches|history"
            "|catch_up|capabilities)$"
        ),
    },
)


class AppProcess:
    """``python -m storyclip_desktop`` with a log file the test can read."""

    def __init__(
        self,
        home: Path,
        *,
        backend: Backend | None = None,
        args: Sequence[str] = (),
        env: Mapping[str, str | None] | None = None,
        sign_in: bool = True,
        platform: str = "offscreen",
        log_name: str = "app.log",
        command: Sequence[str] | None = None,
        cwd: Path | None = None,
        expect_errors: Sequence[Mapping[str, str]] = (),
    ) -> None:
        """``command``: what runs the app (default ``python -m storyclip_desktop`` from
        the checkout; a frozen binary or an installed command, run from ``cwd``).
        ``expect_errors``: the error lines this test provokes (see the module docstring)."""
        self.expected_errors: list[dict[str, str]] = [dict(e) for e in expect_errors]
        LIVE.append(self)
        self.command = list(command or (sys.executable, "-m", "storyclip_desktop"))
        self.cwd = cwd or REPO
        self.home = home
        self.log_path = home / log_name
        self.args = list(args)
        self.backend = backend
        self.proc: subprocess.Popen[str] | None = None
        self.stderr_lines: list[str] = []
        self._reader: threading.Thread | None = None
        environ = dict(os.environ)
        for name in (
            "DBUS_SESSION_BUS_ADDRESS",
            "STORYCLIP_EMAIL",
            "STORYCLIP_PASSWORD",
            "STORYCLIP_API_KEY",
            "DISPLAY",
            "WAYLAND_DISPLAY",
        ):
            environ.pop(name, None)
        runtime = home / "runtime"
        runtime.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o700)
        environ.update(
            HOME=str(home),
            XDG_RUNTIME_DIR=str(runtime),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CACHE_HOME=str(home / "cache"),
            QT_QPA_PLATFORM=platform,
            PYTHONUNBUFFERED="1",
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        if backend is not None:
            self.args += [
                "--api-url", backend.api_url, "--supabase-url", backend.url,
                "--supabase-anon-key", backend.anon_key,
            ]  # fmt: skip
            environ["STORYCLIP_API_KEY"] = backend.api_key
            if sign_in:
                environ["STORYCLIP_EMAIL"] = backend.email
                environ["STORYCLIP_PASSWORD"] = backend.password
        for key, value in (env or {}).items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        self.env = environ

    # ------------------------------------------------------------ life

    def start(self) -> AppProcess:
        self.proc = subprocess.Popen(
            [*self.command, "--log-file", str(self.log_path), *self.args],
            cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        return self

    def _drain(self) -> None:
        assert self.proc is not None
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_lines.append(line.rstrip("\n"))

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM (a user's logout or `kill`), then wait; the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the app did not quit within {timeout} s of SIGTERM") from None
        self._close_pipe()
        return code

    def _close_pipe(self) -> None:
        if self._reader is not None:
            self._reader.join(5)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()

    def wait_exit(self, timeout: float = 20.0) -> int:
        assert self.proc is not None
        code = self.proc.wait(timeout)
        self._close_pipe()
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_pipe()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # ------------------------------------------------------------ the log

    def end_notices(self, batch_id: str) -> list[Event]:
        """The notices that announced this batch's end (alone or grouped with others)."""
        return [e for e in self.events("notification") if covers(batch_id)(e)]

    def expect_error(self, **fields: str) -> None:
        """Declare an error line this test provokes: every field's regex must match."""
        self.expected_errors.append(dict(fields))

    def unexpected_errors(self) -> list[Event]:
        """The error lines no expectation covers (see the module docstring)."""
        return [
            e for e in self.all_events()
            if (e.get("event") == "error" or e.get("level") in ("error", "critical"))
            and not any(
                all(re.search(pattern, str(e.get(key, ""))) for key, pattern in expected.items())
                for expected in self.expected_errors
            )
        ]  # fmt: skip

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def all_events(self) -> list[Event]:
        out: list[Event] = []
        for line in self.log_text().splitlines():
            if line.strip():
                out.append(json.loads(line))  # every line must be JSON: this checks it
        return out

    def events(self, name: str, **fields: Any) -> list[Event]:
        return [
            e for e in self.all_events()
            if e.get("event") == name and all(e.get(k) == v for k, v in fields.items())
        ]  # fmt: skip

    def wait_event(
        self,
        name: str,
        timeout: float = 30.0,
        count: int = 1,
        where: Callable[[Event], bool] | None = None,
        **fields: Any,
    ) -> list[Event]:
        """Poll the log until ``count`` matching events are there (or fail with the log)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events(name, **fields) if where is None or where(e)]
            if len(found) >= count:
                return found
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"the app exited ({self.proc.returncode}) before {name} {fields}:\n"
                    + self.tail()
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {count}x {name} {fields} within {timeout} s:\n" + self.tail()
                )
            time.sleep(0.05)  # the poll interval of a wait-for-condition, because the log is a file

    def tail(self, lines: int = 40) -> str:
        log = self.log_text().splitlines()[-lines:]
        return "\n".join([*log, "--- stderr ---", *self.stderr_lines[-lines:]])
