"""What the benchmark runner measures with: bench batches, app processes, /proc.

Kept apart from ``run.py`` so each measurement there reads as a recipe. Nothing
here is collected by pytest (no ``test_*`` files in this folder).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.app_process import AppProcess, Event
from tests.backend import REPO, Backend, wait_for

BENCH = Path(__file__).resolve().parent
MiB = 1 << 20


# ---------------------------------------------------------------- bench batches


def bench_batches(backend: Backend, count: int, clips: int, rate: float = 0.0) -> list[str]:
    """``count`` bench batches of the test user (quiet until :func:`bench_go`)."""
    body = {"email": backend.email, "count": count, "clips": clips, "rate": rate}
    ids: list[str] = backend._json(backend._admin("POST", "/bench/batches", body))["batch_ids"]
    return ids


def bench_go(
    backend: Backend, batch_ids: Sequence[str] | None = None, rate: float | None = None
) -> float:
    """Open the gates; the server's unix time when it did."""
    body: dict[str, Any] = {}
    if batch_ids is not None:
        body["batch_ids"] = list(batch_ids)
    if rate is not None:
        body["rate"] = rate
    return float(backend._json(backend._admin("POST", "/bench/go", body))["at"])


def bench_stats(backend: Backend) -> dict[str, Any]:
    stats: dict[str, Any] = backend._json(backend._admin("GET", "/bench"))
    return stats


# ---------------------------------------------------------------- numbers


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: a real observed value)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


def log_time(event: Event) -> float:
    """The unix time of a log line (``ts`` is ISO 8601 with milliseconds, UTC)."""
    return datetime.fromisoformat(str(event["ts"])).timestamp()


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, poll: float = 0.05) -> Any:
    """:func:`tests.backend.wait_for` in the runner's argument order."""
    return wait_for(predicate, timeout, interval=poll, what=what)


# ---------------------------------------------------------------- processes


def status_fields(pid: int) -> dict[str, int]:
    """``VmRSS`` / ``VmHWM`` (bytes) of a process from ``/proc/<pid>/status``."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0]) * 1024
    return out


def context_switches(pid: int) -> dict[int, int]:
    """Voluntary + involuntary context switches of each thread of ``pid`` (by id).

    ``/proc/<pid>/status`` counts the main thread only; a wake-up on any thread
    costs the same, so every ``/proc/<pid>/task/*/status`` is read. Compare two
    readings with :func:`switches_between` (threads come and go).
    """
    counts: dict[int, int] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
        counts[int(task.name)] = sum(
            int(line.split()[1])
            for line in text.splitlines()
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"))
        )
    return counts


def switches_between(before: dict[int, int], after: dict[int, int]) -> int:
    """Switches between two readings: threads in both by difference, new threads in
    full; a thread that ended in between is lost (its last switches with it)."""
    return sum(n - before.get(tid, 0) for tid, n in after.items())


def run_queue_wait(pid: int) -> float:
    """Seconds the main thread of ``pid`` has spent ready to run but waiting for a
    CPU (``/proc/<pid>/schedstat``, second field): how much other load took from it."""
    fields = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(fields[1]) / 1e9


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of ``pid`` so far, in nanosecond resolution
    (``/proc/<pid>/task/*/schedstat``; psutil's clock ticks are 10 ms, too coarse
    for an idle minute). Threads that ended are no longer counted."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1e9


def tcp_connections(pid: int, port: int) -> int:
    """Established TCP connections of process ``pid`` to ``port`` on loopback: its
    socket descriptors matched against the kernel's TCP tables."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                remote_port = int(parts[2].rsplit(":", 1)[1], 16)
                if parts[3] == "01" and remote_port == port and parts[9] in inodes:
                    count += 1
    return count


def thread_count(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


class BenchApp(AppProcess):
    """The app as a process for a benchmark: the real ``python -m storyclip_desktop``,
    or, with ``stats``, the same app run by ``driver.py`` with measuring hooks."""

    def __init__(
        self,
        home: Path,
        *,
        backend: Backend,
        args: Sequence[str] = (),
        stats: Path | None = None,
        probe_ms: float | None = None,
        per_batch: bool = False,
    ) -> None:
        """``per_batch``: one stream per batch even where the server has an account
        stream (the sections that measure per-batch streams: bench batches' events
        flow on their own streams only)."""
        if stats is None:
            command = None  # python -m storyclip_desktop
        else:
            command = [sys.executable, str(BENCH / "driver.py"), "--stats", str(stats)]
            if probe_ms:
                command += ["--probe-ms", str(probe_ms)]
            command.append("--")
        env = {"STORYCLIP_PER_BATCH_STREAMS": "1"} if per_batch else None
        super().__init__(home, backend=backend, args=args, command=command, env=env)
        self.stats_path = stats
        self.probe_ms = probe_ms
        self.started_at = 0.0

    def start(self) -> BenchApp:
        self.started_at = time.time()  # the spawn, as the floors measure it
        super().start()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def wait_live(
        self, batch_ids: Iterable[str], timeout: float = 60.0, after: float = 0.0
    ) -> float:
        """Until every batch's stream was live (logged at or after ``after``); the
        unix time of the last one."""
        wanted = set(batch_ids)

        def all_live() -> float | None:
            live: dict[str, float] = {}
            for e in self.events("stream_state", state="live"):
                at = log_time(e)
                if e.get("batch_id") in wanted and at >= after:
                    live[str(e["batch_id"])] = max(at, live.get(str(e["batch_id"]), 0.0))
            return max(live.values()) if len(live) == len(wanted) else None

        return float(self._wait(all_live, timeout, f"{len(wanted)} live streams"))

    def wait_finished(self, batch_ids: Iterable[str], timeout: float = 120.0) -> list[Event]:
        wanted = set(batch_ids)

        def all_finished() -> list[Event] | None:
            found = [e for e in self.events("batch_finished") if e.get("batch_id") in wanted]
            return found if len({e["batch_id"] for e in found}) == len(wanted) else None

        result: list[Event] = self._wait(all_finished, timeout, f"{len(wanted)} finished batches")
        return result

    def _wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        def check() -> Any:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the app exited before {what}:\n{self.tail()}")
            return predicate()

        try:
            return wait_until(check, timeout, what, poll=0.1)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{self.tail()}") from None

    def read_stats(self) -> dict[str, Any]:
        assert self.stats_path is not None
        stats: dict[str, Any] = json.loads(self.stats_path.read_text())
        return stats


def bare_env(home: Path) -> dict[str, str]:
    """The environment an app process gets (offscreen, isolated HOME), for floors."""
    return dict(AppProcess(home).env)


def run_floor(kind: str, home: Path, *extra: str, timeout: float = 120.0) -> dict[str, Any]:
    """Run ``floors.py KIND``; its JSON answer plus ``spawned`` (unix time just before)."""
    env = bare_env(home)
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, str(BENCH / "floors.py"), kind, *extra],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"floors.py {kind} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    answer["spawned"] = spawned
    return answer


def python_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    return env
