"""The real app, in this process, with measuring hooks (benchmarks only).

    python tests/bench/driver.py --stats OUT.json [--probe-ms 5] [--profile P] -- APP ARGUMENTS

Runs ``storyclip_desktop.app.main(APP ARGUMENTS)`` exactly as
``python -m storyclip_desktop`` does (same QApplication settings, qasync loop,
core, UI and log), after installing three hooks that change nothing it does:

* every stream event handed to the monitor (``BatchMonitor.follower_event``,
  where an event is applied to the model) is counted in 10 ms buckets of unix
  time, so the runner can count the events applied after it opened the gates;
* with ``--probe-ms``, a precise QTimer of that interval records when it fires:
  the gaps beyond the interval are how long the Qt event loop was stalled;
* when the app shuts down, before the monitor stops, every batch the monitor
  holds is compared with what the UI's store shows (``exact``): updates to the
  views may be coalesced, the state they end on must be the model's.

The hooks write ``OUT.json`` when the app exits (SIGTERM from the runner).
``--profile`` (development only) runs the app under cProfile; here that run was
killed by SIGBUS twice in a few tries, so a sampling profiler from outside
(py-spy) is the better tool for this app.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # this checkout's package, whatever is installed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--probe-ms", type=float, default=0.0)
    parser.add_argument("--profile", type=Path, help="write cProfile stats here (development)")
    parser.add_argument("app_args", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    app_args = [a for a in opts.app_args if a != "--"]

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    # run_app() takes an existing QApplication as its own.
    qt_app = QApplication(sys.argv[:1])
    wall0, perf0 = time.time(), time.perf_counter()
    ticks = array("d")
    probe: QTimer | None = None
    if opts.probe_ms > 0:
        probe = QTimer()
        probe.setTimerType(Qt.TimerType.PreciseTimer)
        probe.setInterval(max(1, round(opts.probe_ms)))
        probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
        probe.start()

    from storyclip_desktop import app as app_module
    from storyclip_desktop.core import monitor as monitor_module

    buckets: Counter[int] = Counter()
    last = [0.0]
    applied = monitor_module.BatchMonitor.follower_event

    def counting(self: Any, batch_id: str, event: Any) -> None:
        now = last[0] = time.time()
        buckets[int(now * 100)] += 1
        applied(self, batch_id, event)

    monitor_module.BatchMonitor.follower_event = counting  # type: ignore[method-assign]

    check: dict[str, Any] = {"exact": None, "batches": 0, "mismatched": []}
    shutdown = app_module.App._shutdown

    async def checked_shutdown(self: Any) -> None:
        monitor = self.monitor
        if monitor is not None and self.ui is not None:
            batches = monitor.batches
            wrong = [bid for bid, b in batches.items() if self.ui.store.batch(bid) != b]
            check.update(exact=not wrong, batches=len(batches), mismatched=wrong[:10])
        await shutdown(self)

    app_module.App._shutdown = checked_shutdown  # type: ignore[method-assign]

    if opts.profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        code = profiler.runcall(app_module.main, app_args)
        profiler.dump_stats(str(opts.profile))
    else:
        code = app_module.main(app_args)
    if probe is not None:
        probe.stop()
    stats = {
        "code": code,
        "wall0": wall0,
        "perf0": perf0,
        "probe_ms": opts.probe_ms,
        "ticks": list(ticks),
        "buckets": {str(k): v for k, v in sorted(buckets.items())},
        "last_event": last[0],
        **check,
    }
    opts.stats.write_text(json.dumps(stats))
    del qt_app
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
