"""Bookkeeping for tests/e2e/run_passes.sh: which passes to run, and did they cover everything.

`modes PLAN` prints the tray modes that have tests (in a fixed order), from the plan
plugin.py wrote at collection ({nodeid: [modes]}); `files PLAN MODE` the test files a
pass collects.
`verify PLAN DIR` reads DIR/report-<mode>.json (written by plugin.py in each pass)
and fails when a planned (test, mode) did not run in that mode's pass; with
--require (CI) it also fails when one did not pass (skipped, failed, missing): the
sum of the passes must cover every desktop test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TRAY_MODES = ("xembed", "sni", "none")
GOOD = {"passed", "xfailed"}


def load_plan(path: Path) -> dict[str, list[str]]:
    plan: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return plan


def load_report(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    report: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return report


def modes(plan: dict[str, list[str]]) -> list[str]:
    wanted = {mode for item_modes in plan.values() for mode in item_modes}
    return [mode for mode in TRAY_MODES if mode in wanted]


def files(plan: dict[str, list[str]], mode: str) -> list[str]:
    """The test files with tests for `mode`: all a pass needs to collect."""
    found: dict[str, None] = {}
    for nodeid, item_modes in plan.items():
        if mode in item_modes:
            found[nodeid.split("::", 1)[0]] = None
    return list(found)


def verify(plan_path: Path, reports: Path, require: bool) -> int:
    plan = load_plan(plan_path)
    problems, skipped = [], []
    for mode in modes(plan):
        report = load_report(reports / f"report-{mode}.json")
        for nodeid, item_modes in sorted(plan.items()):
            if mode not in item_modes:
                continue
            outcome = report.get(nodeid)
            if outcome is None:
                problems.append(f"{nodeid} [{mode}]: did not run in the {mode} pass")
            elif outcome == "skipped":
                skipped.append(f"{nodeid} [{mode}]")
            elif outcome not in GOOD:
                problems.append(f"{nodeid} [{mode}]: {outcome}")
    planned = sum(len(item_modes) for item_modes in plan.values())
    if skipped:
        kind = "FAILURE (STORYCLIP_REQUIRE_DESKTOP=1)" if require else "skipped"
        print(f"e2e: {len(skipped)} of {planned} desktop test runs {kind}:", file=sys.stderr)
        for line in skipped:
            print(f"  {line}", file=sys.stderr)
        if require:
            problems.append(f"{len(skipped)} desktop test runs skipped in CI")
    if problems:
        print("e2e: the passes do not cover the desktop tests:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"e2e: all {planned} planned desktop test runs accounted for", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_modes = sub.add_parser("modes")
    p_modes.add_argument("plan", type=Path)
    p_files = sub.add_parser("files")
    p_files.add_argument("plan", type=Path)
    p_files.add_argument("mode", choices=TRAY_MODES)
    p_verify = sub.add_parser("verify")
    p_verify.add_argument("plan", type=Path)
    p_verify.add_argument("reports", type=Path)
    p_verify.add_argument("--require", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "modes":
        plan = load_plan(args.plan)
        counts = ", ".join(
            f"{mode} {sum(mode in m for m in plan.values())}" for mode in modes(plan)
        )
        print(
            f"e2e: plan: {len(plan)} desktop tests; runs per tray mode: {counts}", file=sys.stderr
        )
        print(" ".join(modes(plan)))
        return 0
    if args.command == "files":
        print("\n".join(files(load_plan(args.plan), args.mode)))
        return 0
    return verify(args.plan, args.reports, args.require)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
