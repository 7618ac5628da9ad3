#!/usr/bin/env bash
# The project's test command (README): set up, lint, type-check, test.
#   bash tests/run.sh [PYTEST ARGS]
# 1. every test not marked `desktop` (core, ui, demo, ...), in this process's environment;
# 2. the desktop tests (tests/e2e) in real sessions, one per tray mode, through
#    tests/e2e/run_passes.sh (see there; with STORYCLIP_REQUIRE_DESKTOP=1, as .ci/run
#    sets it, a session that cannot be made is a failure, not a skip).
# PYTEST ARGS go to both runs. pytest's exit code 5 (no test collected) is a failure,
# except when arguments select tests of only one of the two runs.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'echo "tests/run.sh: interrupted" >&2; exit 130' INT
trap 'echo "tests/run.sh: terminated" >&2; exit 143' TERM
bash packaging/dev-setup.sh
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache  # the design's arrows: pyproject.toml [tool.importlinter]

now_ms() { local t=$EPOCHREALTIME; echo $(( ${t/./} / 1000 )); }
t0=$(now_ms)
unit=0
.venv/bin/python -m pytest -m "not desktop" "$@" || unit=$?
t1=$(now_ms)
# The desktop tests run even when the others failed: CI reports both at once.
e2e=0
bash tests/e2e/run_passes.sh "$@" || e2e=$?
t2=$(now_ms)
echo "tests/run.sh: tests $(( t1 - t0 )) ms (pytest exit $unit)," \
  "desktop tests $(( t2 - t1 )) ms (exit $e2e)" >&2

# Exit code 5 (nothing collected): without arguments both runs must have tests; with
# arguments that select tests of only one run, the other one's 5 is expected.
if [ "$unit" = 5 ] && { [ $# -eq 0 ] || [ "$e2e" = 5 ]; }; then
  echo "tests/run.sh: FAIL: no test collected by: pytest -m 'not desktop' $*" >&2
  exit 5
fi
[ "$unit" = 5 ] && unit=0
[ "$e2e" = 5 ] && e2e=0
if [ "$unit" != 0 ]; then
  echo "tests/run.sh: FAIL: the tests failed (pytest exit $unit)" >&2
  exit "$unit"
fi
if [ "$e2e" != 0 ]; then
  echo "tests/run.sh: FAIL: the desktop tests failed (exit $e2e)" >&2
  exit "$e2e"
fi
