"""A chaos run: random faults from a seed, then check that nothing was lost.

The real app process follows the real local backend (tests/backend.py) in both
modes (``default`` and ``upstream``, one after the other) while a schedule drawn
from one seed kills and restarts the backend, stops it gracefully, answers
every API call with 5xx pages for a while, slows every answer down, drops and
stalls streams, lets access tokens expire (a short TTL) and restarts the app.
Batches are created throughout. Then the faults stop and the run checks:

* every batch the server ended was announced by the app exactly once
  (``batch_finished`` and one ``notification`` over all the app's runs), with
  the server's exact status and counts;
* a batch the app never saw running (it started and ended while the app was
  closed: catch-up is a later issue) was announced at most once, and correctly
  if at all; the schedule creates batches only while the app runs, so this is
  rare (a very short batch during an app restart);
* a batch the server never ended (upstream mode: a restart orphans running
  batches for good, as the deployed backend does) was never announced;
* no app run wrote a traceback (log or stderr).

    python -m tests.faults.chaos --minutes 20 --seed 7      # the full run
    python -m tests.faults.chaos --minutes 2 --seed 1 --batches 12

A failing run prints its seed and the replay command; the schedule depends
only on the seed (the timing of the machine does not change what is done).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.app_process import EXPECT_NETWORK_ERRORS, AppProcess
from tests.backend import FINAL_STATUSES, Backend, BackendError

BAD_WORDS = ("Traceback", "Task was destroyed", "Event loop is closed", "was never awaited")

#: (action, weight) of the random schedule; ``create`` is placed separately.
ACTIONS: list[tuple[str, int]] = [
    ("kill_backend", 2),
    ("restart_backend", 1),
    ("outage", 2),
    ("slow", 2),
    ("drop_streams", 2),
    ("stall_streams", 1),
    ("restart_app", 1),
]


@dataclass(frozen=True)
class Step:
    at: float  # seconds from the start of the mode's run
    action: str
    params: dict[str, Any]


@dataclass
class Outcome:
    seed: int
    mode: str
    batches: int = 0
    ended: int = 0
    orphaned: int = 0
    unseen: int = 0  # ended without the app ever showing it running (catch-up: later)
    actions: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def schedule(seed: int, mode: str, seconds: float, batches: int) -> list[Step]:
    """The run's steps, from the seed alone."""
    rng = random.Random(f"{seed}-{mode}")
    steps: list[Step] = []
    # Batches spread over the first 80 % of the run, so the last ones can end.
    for _ in range(batches):
        at = rng.uniform(0.0, seconds * 0.8)
        clips = rng.randint(5, 14)
        fail = sorted(rng.sample(range(1, clips + 1), k=rng.randint(0, min(2, clips))))
        steps.append(Step(at, "create", {"clips": clips, "fail": fail}))
    names = [a for a, _ in ACTIONS]
    weights = [w for _, w in ACTIONS]
    at = rng.uniform(2.0, 5.0)
    while at < seconds * 0.8:
        action = rng.choices(names, weights)[0]
        params: dict[str, Any] = {}
        if action == "kill_backend":
            params = {"down": round(rng.uniform(0.2, 3.0), 2)}
        elif action == "outage":
            params = {"calls": rng.randint(3, 12), "status": rng.choice([500, 502, 503, 504])}
        elif action == "slow":
            params = {"delay": round(rng.uniform(0.3, 2.5), 2), "for": round(rng.uniform(2, 8), 1)}
        elif action in ("drop_streams", "stall_streams"):
            params = {"after": rng.randint(0, 4), "for": round(rng.uniform(2, 8), 1)}
        elif action == "restart_app":
            params = {"down": round(rng.uniform(0.2, 2.0), 2)}
        steps.append(Step(round(at, 2), action, params))
        at += rng.uniform(2.0, 8.0)
    return sorted(steps, key=lambda s: s.at)


class Run:
    """One mode's run: a backend, the app (restarted now and then), the steps."""

    def __init__(self, seed: int, mode: str, folder: Path, say: Callable[[str], None]) -> None:
        self.seed = seed
        self.mode = mode
        self.folder = folder
        self.say = say
        self.backend = Backend(
            mode=mode,
            clip_seconds=0.6,  # batches of 3-8 s: longer than most faults
            failure_rate=0.0,
            token_ttl=12,  # tokens expire several times in a run
            reuse_interval=10.0,
            heartbeat=5.0,
            db_path=folder / "backend.sqlite3",
        )
        self.apps: list[AppProcess] = []
        self.created: dict[str, float] = {}
        self.pending_clear: list[tuple[float, dict[str, Any]]] = []

    # ------------------------------------------------------------ parts

    @property
    def app(self) -> AppProcess:
        return self.apps[-1]

    def start_app(self) -> None:
        self.ensure_backend()
        app = AppProcess(
            self.folder / "home",
            backend=self.backend,
            # Batches come from the web app all the time: look for them often.
            args=["--minimized", "--discovery-interval", "1"],
            log_name=f"app-{len(self.apps)}.log",
            expect_errors=EXPECT_NETWORK_ERRORS,
        )
        self.apps.append(app.start())
        app.wait_event("signed_in", timeout=60)

    def ensure_backend(self) -> None:
        if not self.backend.running:
            self.backend.start()

    def clear_due(self, now: float) -> None:
        due = [c for c in self.pending_clear if c[0] <= now]
        self.pending_clear = [c for c in self.pending_clear if c[0] > now]
        for _, switches in due:
            if self.backend.running:
                self.backend.faults(**switches)

    def do(self, step: Step, now: float) -> None:
        p = step.params
        b = self.backend
        if step.action == "create":
            if not b.running or not self.app.running:
                return  # only while both run: each batch can be seen running
            batch_id = b.create_batch(p["clips"], fail=p["fail"])
            self.created[batch_id] = now
        elif step.action == "kill_backend" and b.running:
            b.kill()
            time.sleep(p["down"])  # the outage itself
            b.start()
        elif step.action == "restart_backend" and b.running:
            b.restart()
        elif step.action == "outage" and b.running:
            # Summaries and lists (not the web app's publish call, which is no
            # part of the app under test): ``calls`` of them refused.
            b.faults(
                fail_next=p["calls"], fail_status=p["status"], fail_path_prefix="/api/metricool/b"
            )
        elif step.action == "slow" and b.running:
            b.faults(delay=p["delay"], delay_path_prefix="/api")
            self.pending_clear.append((now + p["for"], {"delay": 0.0}))
        elif step.action == "drop_streams" and b.running:
            b.faults(drop_stream_after=max(1, p["after"]))
            self.pending_clear.append((now + p["for"], {"drop_stream_after": None}))
        elif step.action == "stall_streams" and b.running:
            b.faults(stall_streams_after=p["after"])
            self.pending_clear.append((now + p["for"], {"stall_streams_after": None}))
        elif step.action == "restart_app":
            self.app.stop()
            time.sleep(p["down"])  # the app is closed this long
            self.start_app()

    # ------------------------------------------------------------ the run

    def run(self, seconds: float, batches: int) -> Outcome:
        out = Outcome(self.seed, self.mode)
        started = time.monotonic()
        self.backend.start()
        try:
            self.start_app()
            steps = schedule(self.seed, self.mode, seconds, batches)
            for step in steps:
                while (now := time.monotonic() - started) < step.at:
                    self.clear_due(now)
                    time.sleep(0.05)  # because the schedule runs on the clock
                self.clear_due(now)
                out.actions[step.action] = out.actions.get(step.action, 0) + 1
                try:
                    self.do(step, now)
                except BackendError as exc:  # a create during a restart's first instant
                    self.say(f"  {step.action} at {now:.1f} s skipped: {exc}")
            self.ensure_backend()
            self.backend.reset_faults()
            self.pending_clear.clear()
            if not self.app.running:
                self.start_app()
            self.settle(out)
        finally:
            for app in self.apps:
                if app.running:
                    try:
                        app.stop()
                    except AssertionError as exc:
                        out.problems.append(str(exc))
            self.backend.close()
        out.seconds = round(time.monotonic() - started, 1)
        return out

    def settle(self, out: Outcome) -> None:
        """Faults over: wait for every batch's end, then check what the app said."""
        out.batches = len(self.created)
        deadline = time.monotonic() + 180
        final: dict[str, dict[str, Any]] = {}
        for batch_id in self.created:
            while True:
                summary = self.backend.batch(batch_id)
                if summary["status"] in FINAL_STATUSES:
                    final[batch_id] = summary
                    break
                if self.mode == "upstream" and time.monotonic() > deadline - 150:
                    break  # orphaned by a restart: the deployed backend never ends it
                if time.monotonic() > deadline:
                    out.problems.append(f"{batch_id}: never ended on the server")
                    break
                time.sleep(0.2)  # a poll, because the server sets the pace
        # The app sees each end within its polling interval (30 s at most), and tells
        # it once the ends that come together are gathered (5 s) and its route is free.
        wait_until = time.monotonic() + 60
        while time.monotonic() < wait_until:
            if all(self.finished(b) and self.notices(b) for b in final if self.seen_running(b)):
                break
            time.sleep(0.2)  # a poll, because the app's log is a file
        for batch_id, summary in final.items():
            done = self.finished(batch_id)
            notices = self.notices(batch_id)
            want = (summary["status"], summary["published"], summary["failed"], summary["total"])
            seen = self.seen_running(batch_id)
            if not seen:
                out.unseen += 1
            if seen and (len(done) != 1 or len(notices) != 1):
                out.problems.append(
                    f"{batch_id}: announced {len(done)}x / {len(notices)} notices, want 1"
                )
            elif len(done) > 1 or len(notices) > 1:
                out.problems.append(f"{batch_id} (ended unseen): announced {len(done)}x")
            for event in done:
                got = (event["status"], event["published"], event["failed"], event["total"])
                if got != want:
                    out.problems.append(f"{batch_id}: app ended on {got}, server on {want}")
        out.ended = len(final)
        for batch_id in self.created:
            if batch_id not in final:
                out.orphaned += 1
                if self.finished(batch_id):
                    out.problems.append(f"{batch_id}: never ended, but announced")
        for app in self.apps:
            text = app.log_text() + "\n".join(app.stderr_lines)
            for word in BAD_WORDS:
                if word in text:
                    out.problems.append(f"{app.log_path.name}: {word!r} in the log or stderr")

    def events(self, name: str, batch_id: str) -> list[dict[str, Any]]:
        return [e for app in self.apps for e in app.events(name, batch_id=batch_id)]

    def finished(self, batch_id: str) -> list[dict[str, Any]]:
        return self.events("batch_finished", batch_id)

    def notices(self, batch_id: str) -> list[dict[str, Any]]:
        return [e for app in self.apps for e in app.end_notices(batch_id)]

    def seen_running(self, batch_id: str) -> bool:
        """The app showed the batch before its end (found, or a stream state)."""
        for app in self.apps:
            for event in app.all_events():
                if event.get("event") == "batch_finished":
                    continue
                if event.get("batch_id") == batch_id or batch_id in event.get("batch_ids", ()):
                    return True
        return False


def chaos(
    seed: int,
    minutes: float,
    batches: int,
    modes: tuple[str, ...] = ("default", "upstream"),
    folder: Path | None = None,
    say: Callable[[str], None] = print,
) -> list[Outcome]:
    """Both modes, the time and the batches split between them."""
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="storyclip-chaos-") as tmp:
        base = folder or Path(tmp)
        for i, mode in enumerate(modes):
            share = batches // len(modes) + (1 if i < batches % len(modes) else 0)
            seconds = minutes * 60 / len(modes)
            say(f"chaos seed {seed}, mode {mode}: {share} batches over {seconds:.0f} s")
            where = base / mode
            where.mkdir(parents=True, exist_ok=True)
            outcome = Run(seed, mode, where, say).run(seconds, share)
            say(f"  {json.dumps(outcome.__dict__ | {'ok': outcome.ok})}")
            outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--mode", choices=["both", "default", "upstream"], default="both")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    modes = ("default", "upstream") if args.mode == "both" else (args.mode,)
    outcomes = chaos(seed, args.minutes, args.batches, modes)
    bad = [o for o in outcomes if not o.ok]
    for o in bad:
        for problem in o.problems:
            print(f"FAIL [{o.mode}] {problem}", file=sys.stderr)
    if bad:
        print(
            f"chaos FAILED with seed {seed}; replay: python -m tests.faults.chaos "
            f"--minutes {args.minutes:g} --batches {args.batches} --seed {seed}"
            + ("" if args.mode == "both" else f" --mode {args.mode}"),
            file=sys.stderr,
        )
        return 1
    print(f"chaos passed (seed {seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
