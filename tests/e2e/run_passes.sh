#!/usr/bin/env bash
# Runs every desktop test (marker `desktop`, in any folder) in real sessions: one
# tests/e2e/session.sh per tray mode that has tests, then checks that the passes
# together ran every planned (test, mode). Called by tests/run.sh; developers can run
# it alone, with pytest arguments:  bash tests/e2e/run_passes.sh [-k keyring] [PATHS]
#
#   1. plan: collect `-m desktop` once, outside any session -> {test: [tray modes]}
#      (tests/e2e/plugin.py; a test without a tray(...) marker runs in `none`)
#   2. one pass per mode in the plan: session.sh --tray MODE -- pytest -m desktop FILES
#      (only the files with tests for MODE, unless PATHS were given); the plugin
#      deselects the tests of other modes and records each outcome.
#      session.sh exit 77 (a program is missing): in CI (STORYCLIP_REQUIRE_DESKTOP=1) a
#      failure; on a developer machine the pass runs without a session, so each of its
#      tests is reported skipped with a reason naming the Debian package.
#   3. verify: every planned (test, mode) ran in its pass; in CI, every one passed.
# Exit: 0 all good; 5 when the given arguments select no desktop test (tests/run.sh
# decides what that means); else the first failing pass's exit code (1: coverage gap).
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${STORYCLIP_PYTHON:-.venv/bin/python}
SESSION=tests/e2e/session.sh
PYTEST=("$PY" -m pytest -p tests.e2e.plugin -p no:cacheprovider -m desktop)
require=0
case ${STORYCLIP_REQUIRE_DESKTOP:-} in ""|0) ;; *) require=1 ;; esac

args=("$@")
has_path=0
for a in "${args[@]}"; do [ -e "${a%%::*}" ] && has_path=1; done

work=$(mktemp -d "${TMPDIR:-/tmp}/storyclip-e2e-passes.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Ctrl-C (or timeout's SIGTERM) stops every pass, not just the current one.
trap 'echo "e2e: interrupted" >&2; exit 130' INT
trap 'echo "e2e: terminated" >&2; exit 143' TERM
now_ms() { local t=$EPOCHREALTIME; echo $(( ${t/./} / 1000 )); }

t0=$(now_ms)
rc=0
STORYCLIP_E2E_PLAN=$work/plan.json "${PYTEST[@]}" --collect-only -q "${args[@]}" \
  >"$work/collect.log" 2>&1 || rc=$?
if [ "$rc" = 5 ]; then
  if [ $# -eq 0 ]; then
    echo "e2e: FAIL: no desktop test in the suite: the desktop tests were lost" >&2
    exit 1
  fi
  echo "e2e: no desktop test selected by: ${args[*]}" >&2
  exit 5
elif [ "$rc" != 0 ] || [ ! -s "$work/plan.json" ]; then
  cat "$work/collect.log" >&2
  echo "e2e: FAIL: collecting the desktop tests failed (pytest exit $rc)" >&2
  exit $(( rc == 0 ? 1 : rc ))
fi
modes=$("$PY" tests/e2e/passes.py modes "$work/plan.json")
echo "e2e: planned in $(( $(now_ms) - t0 )) ms" >&2

final=0
timings=()
for mode in $modes; do
  start=$(now_ms)
  echo "=== e2e pass: --tray $mode ===" >&2
  pass_args=("${args[@]}")
  if [ "$has_path" = 0 ]; then
    mapfile -t files < <("$PY" tests/e2e/passes.py files "$work/plan.json" "$mode")
    pass_args+=("${files[@]}")
  fi
  pass_env=(STORYCLIP_E2E_PASS="$mode" STORYCLIP_E2E_REPORT="$work/report-$mode.json")
  rc=0
  # No timeout here: pytest-timeout bounds each test, session.sh each wait, and .ci/run
  # the whole run (timeout(1) moves to a process group of its own, out of Ctrl-C's reach).
  env "${pass_env[@]}" bash "$SESSION" --tray "$mode" -- "${PYTEST[@]}" "${pass_args[@]}" || rc=$?
  if [ "$rc" = 77 ]; then
    if [ "$require" = 1 ]; then
      echo "e2e: FAIL: the $mode session cannot be made here, and STORYCLIP_REQUIRE_DESKTOP=1" >&2
    else
      echo "e2e: the $mode session cannot be made here; its tests are reported as skipped" >&2
      rc=0
      env "${pass_env[@]}" "${PYTEST[@]}" "${pass_args[@]}" || rc=$?
    fi
  elif [ "$rc" = 5 ]; then
    echo "e2e: FAIL: the $mode pass collected no test, but the plan has tests for it" >&2
  fi
  timings+=("$mode $(( $(now_ms) - start )) ms (exit $rc)")
  [ "$rc" = 0 ] || [ "$final" != 0 ] || final=$rc
done

verify=()
[ "$require" = 0 ] || verify=(--require)
"$PY" tests/e2e/passes.py verify "$work/plan.json" "$work" "${verify[@]}" || {
  [ "$final" != 0 ] || final=1
}
echo "e2e: passes: $(IFS=';'; echo "${timings[*]}"); total $(( $(now_ms) - t0 )) ms" >&2
exit "$final"
