"""Shared parts of the fault matrix: listener, clients, log capture, the table.

Each test in this folder is one scenario: the core (BatchMonitor + StoryClipApi +
SessionManager) against the real local backend process, one fault injected,
and the outcome a user cares about checked. The first line of a test's
docstring is its scenario name; the test sets ``row.recovery`` (seconds from
the end of the fault to the stream being live again, or the batch finished)
and ``row.detail``. At the end of the run the table is printed and written to
``tests/artifacts/faults.json``.

Timings are shrunk (clip times, policy, API timeout) so the folder runs in
well under two minutes on two cores; ``FAULTS_OUTAGE_SECONDS`` lengthens the
network outage scenario (120 for the issue's two-minute run).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail

from storyclip_desktop.core.api import StoryClipApi
from storyclip_desktop.core.auth import AuthClient, Session
from storyclip_desktop.core.memory import MonitorMemory
from storyclip_desktop.core.model import PART_ONE, ServerCapabilities
from storyclip_desktop.core.monitor import BatchMonitor
from storyclip_desktop.core.stream import FollowPolicy
from storyclip_desktop.core.tokens import SessionManager
from storyclip_desktop.core.vault import Vault
from tests.backend import Backend
from tests.faults.proxy import Proxy
from tests.monitoring import Recorder

REPO = Path(__file__).resolve().parents[2]
ARTIFACT = REPO / "tests" / "artifacts" / "faults.json"

#: Follower timings for the matrix: every wait shrunk, the order of magnitude kept.
FAST = FollowPolicy(
    base_delay=0.05, max_delay=0.5, watchdog=1.0, poll_initial=0.1, poll_max=0.3,
    stream_retry_every=0.5, stall_after=2.0, stalled_poll=0.5,
    settle_delays=(0.05, 0.1, 0.2, 0.4, 0.8), healthy_after=0.5,
)  # fmt: skip

#: The StoryClipApi deadline in the matrix (15 s in the app): REST calls to a
#: server that never answers give up after this, stream opens after twice this.
API_TIMEOUT = 1.0

OUTAGE_SECONDS = float(os.environ.get("FAULTS_OUTAGE_SECONDS", "10"))


# ---------------------------------------------------------------- the table


@dataclass
class Row:
    scenario: str
    test: str
    result: str = "not run"
    recovery_s: float | None = None
    detail: str = ""
    seconds: float = 0.0

    def recovered(self, seconds: float) -> None:
        """Keep the longest recovery seen in the scenario (several faults in a row)."""
        rounded = round(seconds, 2)
        self.recovery_s = rounded if self.recovery_s is None else max(self.recovery_s, rounded)


@dataclass
class Matrix:
    rows: list[Row] = field(default_factory=list)


_MATRIX_KEY = pytest.StashKey[Matrix]()
_ROW_KEY = pytest.StashKey[Row]()


@pytest.fixture(scope="session")
def fault_matrix(request: pytest.FixtureRequest) -> Matrix:
    """The session's proof table; the terminal summary prints it."""
    matrix = Matrix()
    request.config.stash[_MATRIX_KEY] = matrix
    return matrix


@pytest.fixture
def row(request: pytest.FixtureRequest, fault_matrix: Matrix) -> Iterator[Row]:
    doc = (request.node.obj.__doc__ or request.node.name).strip().splitlines()[0]
    entry = Row(scenario=doc.rstrip("."), test=request.node.name)
    request.node.stash[_ROW_KEY] = entry
    fault_matrix.rows.append(entry)
    started = time.monotonic()
    yield entry
    entry.seconds = round(time.monotonic() - started, 1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    entry = item.stash.get(_ROW_KEY, None)
    if entry is not None:
        if report.failed:
            entry.result = "FAIL" if report.when == "call" else f"FAIL ({report.when})"
        elif report.skipped:
            entry.result = "skipped"
        elif report.when == "call" and entry.result == "not run":
            entry.result = "pass"
    return report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    matrix = config.stash.get(_MATRIX_KEY, None)
    if matrix is None or not matrix.rows:
        return
    width = max(len(r.scenario) for r in matrix.rows)
    tr = terminalreporter
    tr.section("fault matrix (core)")
    tr.write_line(f"{'scenario':<{width}}  result  recovery  test time  detail")
    for r in matrix.rows:
        recovery = "-" if r.recovery_s is None else f"{r.recovery_s:.2f} s"
        tr.write_line(
            f"{r.scenario:<{width}}  {r.result:<6}  {recovery:>8}  {r.seconds:>7.1f} s  {r.detail}"
        )
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        json.dumps({"rows": [asdict(r) for r in matrix.rows]}, indent=2) + "\n",
        encoding="utf-8",
    )
    tr.write_line(f"written to {ARTIFACT.relative_to(REPO)}")


# ---------------------------------------------------------------- async plumbing


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def assert_finished_once(recorder: Recorder, ids: Sequence[str]) -> None:
    assert sorted(recorder.finished_ids()) == sorted(ids), recorder.finished_ids()


# ---------------------------------------------------------------- log capture


class LogCapture(logging.Handler):
    """Every ``storyclip.*`` and ``asyncio`` record of one test.

    ``asyncio`` is where an unretrieved task exception ("Task exception was
    never retrieved") lands: a follower that died silently shows up there.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._allowed: list[Callable[[logging.LogRecord], bool]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def allow(self, predicate: Callable[[logging.LogRecord], bool]) -> None:
        """Declare an error record the scenario expects."""
        self._allowed.append(predicate)

    def events(self, name: str, since: float = 0.0) -> list[dict[str, Any]]:
        """The fields of every ``name`` event (log_event), with ``_at`` (monotonic-ish)."""
        out = []
        for record in self.records:
            if getattr(record, "event", None) == name and record.created >= since:
                fields = dict(getattr(record, "fields", {}))
                fields["_at"] = record.created
                fields["_level"] = record.levelno
                out.append(fields)
        return out

    def at_least(self, level: int, since: float = 0.0) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= level and r.created >= since]

    def unexpected(self) -> list[logging.LogRecord]:
        return [
            r
            for r in self.records
            if (r.levelno >= logging.ERROR or r.exc_info) and not any(ok(r) for ok in self._allowed)
        ]


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    """Captures the core's log; fails the test on a traceback or an ERROR record."""
    capture = LogCapture()
    loggers = [logging.getLogger("storyclip"), logging.getLogger("asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.addHandler(capture)
    try:
        yield capture
        gc.collect()  # an unretrieved task exception is logged when the task is collected
        bad = capture.unexpected()
        assert not bad, "unexpected error records:\n" + "\n".join(
            f"{r.name} {r.levelname} {r.getMessage()} {getattr(r, 'fields', '')}"
            + (f" exc={r.exc_info[1]!r}" if r.exc_info else "")
            for r in bad
        )
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(capture)
            lg.setLevel(level)


# ---------------------------------------------------------------- clients and monitors


@dataclass
class Client:
    api: StoryClipApi
    sessions: SessionManager
    auth: AuthClient
    recorder: Recorder
    signed_out: list[str]


@dataclass
class Rig:
    """Builds clients and monitors for a test and closes them all at its end."""

    tmp_path: Path
    clients: list[Client] = field(default_factory=list)
    monitors: list[BatchMonitor] = field(default_factory=list)

    async def client(
        self,
        backend: Backend,
        *,
        base_url: str | None = None,
        api_timeout: float = API_TIMEOUT,
        recorder: Recorder | None = None,
    ) -> Client:
        """Signed in as the test user; ``base_url`` routes API and auth (a proxy)."""
        base = base_url or backend.url
        auth = AuthClient(base + "/auth/v1", backend.anon_key, timeout=api_timeout)
        sessions = SessionManager(auth, Vault(backend=fail.Keyring()))
        rec = recorder or Recorder()
        signed_out: list[str] = []
        client = Client(
            StoryClipApi(base, backend.api_key, sessions, timeout=api_timeout),
            sessions, auth, rec, signed_out,
        )  # fmt: skip
        self.clients.append(client)
        await sessions.sign_in(backend.email, backend.password)
        return client

    async def monitor(
        self,
        client: Client,
        *,
        policy: FollowPolicy = FAST,
        discovery_interval: float = 0.5,
        memory: MonitorMemory | None = None,
        start: bool = True,
        capabilities: ServerCapabilities = PART_ONE,
    ) -> BatchMonitor:
        """A monitor wired as the app wires it: a signed-out session stops it."""
        user_id = client.sessions.user_id
        assert user_id
        monitor = BatchMonitor(
            client.api, user_id, client.recorder,
            memory or MonitorMemory(self.tmp_path / f"memory-{len(self.monitors)}.json"),
            policy=policy, discovery_interval=discovery_interval, capabilities=capabilities,
        )  # fmt: skip
        self.monitors.append(monitor)
        stopping: set[asyncio.Task[None]] = set()

        class OnSession:
            def session_changed(self, session: Session) -> None:
                pass

            def refresh_token_loaded(self, refresh_token: str) -> None:
                pass

            def signed_out(self, reason: str) -> None:
                client.signed_out.append(reason)
                client.recorder.signed_out(reason)
                task = asyncio.ensure_future(monitor.stop())
                stopping.add(task)
                task.add_done_callback(stopping.discard)

        client.sessions.add_listener(OnSession())
        if start:
            await monitor.start()
        return monitor

    async def aclose(self) -> None:
        await asyncio.gather(*(m.stop() for m in self.monitors), return_exceptions=True)
        for client in self.clients:
            await client.api.aclose()
            await client.auth.aclose()


@pytest.fixture
async def proxy_to() -> AsyncIterator[Callable[[Backend], Proxy]]:
    """``proxy_to(backend)``: a :class:`Proxy` in front of it (call ``start()``)."""
    made: list[Proxy] = []

    def make(backend: Backend) -> Proxy:
        proxy = Proxy(backend.port)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        await proxy.aclose()


@pytest.fixture
async def rig(tmp_path: Path, logs: LogCapture) -> AsyncIterator[Rig]:
    """Depends on ``logs`` so the log check runs after everything is closed."""
    made = Rig(tmp_path)
    try:
        yield made
    finally:
        await made.aclose()
