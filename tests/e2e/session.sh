#!/usr/bin/env bash
# A real desktop session for the end-to-end tests, made from scratch and torn down.
#
#   tests/e2e/session.sh [--tray xembed|sni|none] [--artifacts DIR] -- COMMAND...
#   tests/e2e/session.sh [--tray MODE] --check      only check that the programs exist
# (--tray defaults to xembed.)
#
# Inside ONE dbus-run-session (a private bus with no service activation: every
# service on it is one this script started and stops), with a fresh HOME,
# XDG_RUNTIME_DIR (0700) and XDG config/data/cache dirs in a temp dir, it starts
#   Xvfb (free display number, 1280x800x24, -nolisten tcp),
#   gnome-keyring-daemon unlocked (secrets only; BEFORE DISPLAY exists, since with a
#     display it waits on an unlock prompt forever: shared/desktop-test-env.md),
#   dunst (the notification daemon; `dunstctl history` shows what it received),
#   and per --tray: trayer (an XEmbed tray host), snw_watcher.py (a stand-in
#   org.kde.StatusNotifierWatcher, so Qt sends notifications over D-Bus) or nothing,
# waits for each to be ready (no fixed sleeps), runs COMMAND with DISPLAY,
# DBUS_SESSION_BUS_ADDRESS, the XDG dirs, STORYCLIP_E2E_SESSION=<tray mode> and
# STORYCLIP_E2E_ARTIFACTS=<dir> (default tests/artifacts/e2e) set, then stops every
# process it started (each in its own process group, killed as a group, checked gone;
# each also gets SIGTERM if this script dies without cleaning up), and exits with
# COMMAND's exit code. A process COMMAND left connected to the session bus (an app a
# test did not stop) is reported, stopped, and turns a success into exit 78.
#
# Installs nothing. Exit codes of its own:
#   77  a needed program is missing (the message names the Debian package);
#       tests/e2e/run_passes.sh turns it into skipped tests on a developer machine
#       and into a failure in CI (STORYCLIP_REQUIRE_DESKTOP=1)
#   78  the session could not be made, or a process outlived it
#   2   bad usage
# Stop it with Ctrl-C or by signalling its process group (what timeout(1) does).
set -euo pipefail

readonly EXIT_MISSING=77
readonly EXIT_SESSION=78
readonly KEYRING_PASSWORD="storyclip-e2e"   # a throwaway keyring in a temp HOME; not a secret
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$E2E_DIR/../.." && pwd)
readonly E2E_DIR REPO_DIR

say() { echo "session.sh: $*" >&2; }

# A process that still runs: exists and is not a zombie waiting for its parent (or for
# init, once its parent is gone) to reap it.
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

usage() {
  sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
  exit 2
}

# Microseconds since the epoch, for deadlines and timings without fixed sleeps.
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

python_bin() {
  if [ -n "${STORYCLIP_PYTHON:-}" ]; then echo "$STORYCLIP_PYTHON"
  elif [ -x "$REPO_DIR/.venv/bin/python" ]; then echo "$REPO_DIR/.venv/bin/python"
  else command -v python3 || true
  fi
}

# Lists what is missing for MODE as "program (Debian package: pkg)" lines.
missing_for() {
  local mode=$1 prog pkg
  local -a needs=(
    Xvfb:xvfb dbus-run-session:dbus-daemon dbus-send:dbus-bin
    gnome-keyring-daemon:gnome-keyring secret-tool:libsecret-tools
    dunst:dunst dunstctl:dunst xdotool:xdotool setsid:util-linux
  )
  [ "$mode" = xembed ] && needs+=(trayer:trayer)
  for entry in "${needs[@]}"; do
    prog=${entry%%:*}; pkg=${entry#*:}
    command -v "$prog" >/dev/null 2>&1 || echo "$prog (Debian package: $pkg)"
  done
  if ! command -v import >/dev/null 2>&1 \
     && ! { command -v xwd >/dev/null 2>&1 && command -v convert >/dev/null 2>&1; }; then
    echo "import, or xwd and convert, for screenshots (Debian package: imagemagick)"
  fi
  local py; py=$(python_bin)
  if [ -z "$py" ]; then
    echo "python3 (Debian package: python3)"
  elif [ "$mode" = sni ] && ! "$py" -c 'import jeepney' >/dev/null 2>&1; then
    echo "jeepney for $py (Debian package: python3-jeepney; or run packaging/dev-setup.sh)"
  fi
}

check_or_exit() {
  local mode=$1 missing
  missing=$(missing_for "$mode")
  [ -z "$missing" ] && return 0
  local pkgs
  pkgs=$(sed -n 's/.*Debian package: \([^;)]*\).*/\1/p' <<<"$missing" | sort -u | tr '\n' ' ')
  say "cannot make the desktop session (--tray $mode): missing"
  sed 's/^/  - /' <<<"$missing" >&2
  say "install with: sudo apt-get install --no-install-recommends ${pkgs% }  (or run packaging/dev-setup.sh)"
  exit "$EXIT_MISSING"
}

# ---------------------------------------------------------------------------------
# outer part: arguments, checks, the temp dir, and dbus-run-session around the inner part
# ---------------------------------------------------------------------------------
outer() {
  local mode=xembed check=0 artifacts=${STORYCLIP_E2E_ARTIFACTS:-$REPO_DIR/tests/artifacts/e2e}
  while [ $# -gt 0 ]; do
    case $1 in
      --tray) [ $# -ge 2 ] || usage; mode=$2; shift 2 ;;
      --tray=*) mode=${1#--tray=}; shift ;;
      --artifacts) [ $# -ge 2 ] || usage; artifacts=$2; shift 2 ;;
      --artifacts=*) artifacts=${1#--artifacts=}; shift ;;
      --check) check=1; shift ;;
      --) shift; break ;;
      -h|--help) usage ;;
      *) say "unknown argument: $1"; usage ;;
    esac
  done
  case $mode in xembed|sni|none) ;; *) say "--tray must be xembed, sni or none, not '$mode'"; exit 2 ;; esac
  check_or_exit "$mode"
  if [ "$check" = 1 ]; then
    say "every program for --tray $mode is installed"
    exit 0
  fi
  [ $# -gt 0 ] || usage

  mkdir -p "$artifacts"
  artifacts=$(cd "$artifacts" && pwd)
  SESSION_TMP=$(mktemp -d "${TMPDIR:-/tmp}/storyclip-e2e.XXXXXX")
  trap outer_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  mkdir -p "$SESSION_TMP/dbus-services" "$SESSION_TMP/logs"
  # The standard session config minus service activation: a call to a name nobody
  # owns fails fast (ServiceUnknown) instead of spawning a daemon (a11y bus, a second
  # keyring, a second dunst) that would outlive the session.
  cat >"$SESSION_TMP/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$SESSION_TMP</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$SESSION_TMP/dbus-services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  local rc=0
  dbus-run-session --config-file="$SESSION_TMP/bus.conf" -- \
    bash "${BASH_SOURCE[0]}" --inner "$mode" "$SESSION_TMP" "$artifacts" -- "$@" || rc=$?
  exit "$rc"
}

# Runs on every exit of the outer part: wait for the inner part's own cleanup, make
# sure the bus daemon is gone (dbus-run-session killed by a signal leaves it behind),
# then remove the temp dir.
outer_cleanup() {
  local rc=$? pid deadline
  trap - EXIT INT TERM HUP
  deadline=$(( $(now_us) + 15000000 ))
  for f in inner.pid bus.pid; do
    [ -s "$SESSION_TMP/$f" ] || continue
    pid=$(cat "$SESSION_TMP/$f")
    while running "$pid" && [ "$(now_us)" -lt "$deadline" ]; do
      sleep 0.05  # poll interval while the inner part finishes its own cleanup
    done
    if running "$pid"; then
      say "$f process $pid still alive after the session; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      [ "$rc" -ne 0 ] || rc=$EXIT_SESSION
    fi
  done
  rm -rf "$SESSION_TMP"
  exit "$rc"
}

# ---------------------------------------------------------------------------------
# inner part: runs inside dbus-run-session
# ---------------------------------------------------------------------------------
declare -a DAEMONS=()      # names, in start order
declare -A DAEMON_PID=()   # name -> pid (= its process group id: each runs under setsid)
CLEANED=0

# start_daemon NAME [--stdin FILE] COMMAND... : COMMAND in its own process group, input
# from FILE (default /dev/null), output to logs/NAME.log, and SIGTERM to it if this shell
# dies without cleaning up (setpriv --pdeathsig).
start_daemon() {
  local name=$1 input=/dev/null; shift
  if [ "$1" = --stdin ]; then input=$2; shift 2; fi
  local -a guard=()
  command -v setpriv >/dev/null 2>&1 && guard=(setpriv --pdeathsig TERM --)
  setsid "${guard[@]}" "$@" <"$input" >"$LOGS/$name.log" 2>&1 &
  DAEMON_PID[$name]=$!
  DAEMONS+=("$name")
}

fail_session() {
  say "$*"
  local log
  for log in "$LOGS"/*.log; do
    [ -s "$log" ] || continue
    say "--- $(basename "$log") ---"
    tail -n 20 "$log" >&2
  done
  exit "$EXIT_SESSION"
}

# wait_for WHAT DAEMON TIMEOUT_S COMMAND... : poll COMMAND until it succeeds; fail early
# if DAEMON died.
wait_for() {
  local what=$1 daemon=$2 timeout=$3; shift 3
  local deadline=$(( $(now_us) + timeout * 1000000 ))
  until "$@" >/dev/null 2>&1; do
    kill -0 "${DAEMON_PID[$daemon]}" 2>/dev/null || fail_session "$daemon exited before $what"
    [ "$(now_us)" -lt "$deadline" ] || fail_session "timed out after ${timeout}s waiting for $what"
    sleep 0.02  # poll interval of a wait-for-condition with a deadline
  done
}

bus_has_owner() {
  dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q true
}

# The keyring is usable once its default collection exists and is unlocked; the name
# appears on the bus a little before the login collection is created.
keyring_unlocked() {
  local path
  path=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets org.freedesktop.Secret.Service.ReadAlias string:default) || return 1
  path=$(tr -d ' \n' <<<"$path")
  [ -n "$path" ] && [ "$path" != / ] || return 1
  dbus-send --session --print-reply=literal --dest=org.freedesktop.secrets "$path" \
    org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked \
    | grep -q 'boolean false'
}

bus_pid_of() {
  dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" | awk '{print $2}'
}

# Every process still connected to the bus that this script did not start: left over
# by COMMAND (an app a test did not stop). Prints "pid" lines.
bus_strangers() {
  local names name pid ours=" $BUS_PID ${DAEMON_PID[*]} "
  names=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
    /org/freedesktop/DBus org.freedesktop.DBus.ListNames 2>/dev/null | tr -s ' \n' '\n\n' | grep '^:' || true)
  for name in $names; do
    pid=$(bus_pid_of "$name" 2>/dev/null) || continue
    [ -n "$pid" ] && [ "$pid" != $$ ] || continue
    case $ours in *" $pid "*) continue ;; esac
    kill -0 "$pid" 2>/dev/null && echo "$pid"
  done | sort -u
}

# Whether any process of process group $1 still runs (zombies do not count: this
# machine's init may take a while to reap an orphan).
group_running() {
  local f line state ppid pgrp
  kill -0 -- "-$PGID_QUERY" 2>/dev/null || return 1   # the quick answer, most of the time
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" || continue
    # after "pid (comm) " come: state ppid pgrp ...
    read -r state ppid pgrp _ <<<"${line##*) }"
    [ "$pgrp" = "$PGID_QUERY" ] && [ "$state" != Z ] && return 0
  done
  return 1
}

# stop_daemons NAME... : SIGTERM to each one's process group, wait (5 s at most) until
# nothing of the groups runs, then SIGKILL what is left. Returns 1 if SIGKILL was needed.
stop_daemons() {
  local name pid deadline status=0
  local -a alive
  for name in "$@"; do kill -TERM -- "-${DAEMON_PID[$name]}" 2>/dev/null || true; done
  deadline=$(( $(now_us) + 5000000 ))
  while :; do
    alive=()
    for name in "$@"; do
      pid=${DAEMON_PID[$name]}
      # Reap our own child as soon as it exits, so its group can empty.
      running "$pid" || wait "$pid" 2>/dev/null || true
      PGID_QUERY=$pid group_running && alive+=("$name")
    done
    [ ${#alive[@]} -eq 0 ] && return "$status"
    if [ "$(now_us)" -ge "$deadline" ]; then
      say "still running 5 s after SIGTERM, sending SIGKILL: ${alive[*]}"
      for name in "${alive[@]}"; do kill -KILL -- "-${DAEMON_PID[$name]}" 2>/dev/null || true; done
      status=1
      deadline=$(( $(now_us) + 5000000 ))
    fi
    sleep 0.02  # poll interval while the daemons shut down
  done
}

inner_cleanup() {
  local rc=$? name t0
  trap - EXIT INT TERM HUP
  [ "$CLEANED" = 1 ] && exit "$rc"
  CLEANED=1
  t0=$(now_us)
  # The X and bus clients first (in reverse start order), Xvfb last, so none of them
  # dies of a lost display while shutting down.
  local -a clients=()
  for (( i=${#DAEMONS[@]}-1; i>=0; i-- )); do
    [ "${DAEMONS[i]}" = xvfb ] || clients+=("${DAEMONS[i]}")
  done
  local forced=0
  if [ ${#clients[@]} -gt 0 ]; then stop_daemons "${clients[@]}" || forced=1; fi
  if [ -n "${DAEMON_PID[xvfb]:-}" ]; then stop_daemons xvfb || forced=1; fi
  [ "$forced" = 0 ] || [ "$rc" -ne 0 ] || rc=$EXIT_SESSION
  for name in "${DAEMONS[@]}"; do
    if PGID_QUERY=${DAEMON_PID[$name]} group_running; then
      say "process group of $name (${DAEMON_PID[$name]}) outlived the session"
      [ "$rc" -ne 0 ] || rc=$EXIT_SESSION
    fi
  done
  [ ${#DAEMONS[@]} -eq 0 ] || say "stopped ${DAEMONS[*]} in $(( ($(now_us) - t0) / 1000 )) ms"
  # Keep the daemons' logs with the artifacts: they explain a failed run in CI.
  if [ -n "${ARTIFACTS:-}" ] && [ -d "$LOGS" ]; then
    rm -rf "$ARTIFACTS/session-logs/$MODE"
    mkdir -p "$ARTIFACTS/session-logs"
    cp -r "$LOGS" "$ARTIFACTS/session-logs/$MODE" 2>/dev/null || true
  fi
  exit "$rc"
}

inner() {
  MODE=$1 TMP=$2 ARTIFACTS=$3
  shift 4   # mode tmp artifacts --
  LOGS=$TMP/logs
  echo $$ >"$TMP/inner.pid"
  trap inner_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  local t0 py
  t0=$(now_us)
  py=$(python_bin)
  BUS_PID=$(bus_pid_of org.freedesktop.DBus)
  echo "$BUS_PID" >"$TMP/bus.pid"

  # A fresh user: nothing of the caller's keyring, config or runtime dir leaks in.
  export HOME=$TMP/home XDG_RUNTIME_DIR=$TMP/run XDG_CONFIG_HOME=$TMP/home/.config \
    XDG_DATA_HOME=$TMP/home/.local/share XDG_CACHE_HOME=$TMP/home/.cache
  mkdir -p "$HOME" "$XDG_CONFIG_HOME/dunst" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  unset DISPLAY WAYLAND_DISPLAY XAUTHORITY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK \
    XDG_CURRENT_DESKTOP XDG_SESSION_DESKTOP DESKTOP_SESSION XDG_SESSION_TYPE \
    PYTHON_KEYRING_BACKEND QT_QPA_PLATFORMTHEME
  export NO_AT_BRIDGE=1 QT_QPA_PLATFORM=xcb

  # Xvfb picks a free display itself (-displayfd) and writes its number once it accepts
  # connections: no race with another X server, no guessing.
  start_daemon xvfb Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -br 3>"$TMP/display"
  # The keyring starts while Xvfb comes up, and without DISPLAY (see the header).
  printf '%s' "$KEYRING_PASSWORD" >"$TMP/keyring-password"
  start_daemon keyring --stdin "$TMP/keyring-password" \
    gnome-keyring-daemon --foreground --unlock --components=secrets
  wait_for "Xvfb to accept connections" xvfb 20 test -s "$TMP/display"
  local display=":$(tr -dc '0-9' <"$TMP/display")"
  wait_for "Xvfb to answer on $display" xvfb 10 env DISPLAY="$display" xdotool getdisplaygeometry
  wait_for "the keyring on the bus" keyring 10 bus_has_owner org.freedesktop.secrets
  wait_for "the keyring's default collection, unlocked" keyring 10 keyring_unlocked
  # Unlocked means a store and a lookup work without any prompt (and no display to show one).
  secret-tool store --label="session probe" storyclip-e2e probe <<<"probe" \
    && [ "$(secret-tool lookup storyclip-e2e probe)" = probe ] \
    && secret-tool clear storyclip-e2e probe \
    || fail_session "the keyring is on the bus but not unlocked"

  export DISPLAY=$display
  # dunst: no limit on shown notifications (none waits in a queue), a long history, and
  # they stay on screen until closed, so a screenshot can show them.
  cat >"$XDG_CONFIG_HOME/dunst/dunstrc" <<'EOF'
[global]
    monitor = 0
    follow = none
    notification_limit = 0
    history_length = 1000
    sticky_history = yes
    idle_threshold = 0
    font = DejaVu Sans 10
    width = 360
    offset = 12x12
    origin = top-right
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
EOF
  start_daemon dunst dunst -config "$XDG_CONFIG_HOME/dunst/dunstrc"
  wait_for "dunst to own org.freedesktop.Notifications" dunst 10 \
    bus_has_owner org.freedesktop.Notifications
  [ "$(bus_pid_of org.freedesktop.Notifications)" = "${DAEMON_PID[dunst]}" ] \
    || fail_session "org.freedesktop.Notifications is owned by someone else than our dunst"

  case $MODE in
    xembed)
      start_daemon trayer trayer --edge bottom --align right --widthtype request \
        --height 32 --SetDockType true --SetPartialStrut true --transparent false --tint 0x404040
      wait_for "trayer to own the system tray selection" trayer 10 \
        "$py" "$E2E_DIR/xprobe.py" wait-selection _NET_SYSTEM_TRAY_S0 1
      ;;
    sni)
      start_daemon snw "$py" "$E2E_DIR/snw_watcher.py"
      wait_for "the StatusNotifierWatcher stand-in" snw 10 \
        bus_has_owner org.kde.StatusNotifierWatcher
      ;;
    none) ;;
  esac

  mkdir -p "$ARTIFACTS"
  export STORYCLIP_E2E_SESSION=$MODE STORYCLIP_E2E_ARTIFACTS=$ARTIFACTS STORYCLIP_E2E_LOGS=$LOGS
  say "tray=$MODE display=$DISPLAY ready in $(( ($(now_us) - t0) / 1000 )) ms:" \
    "$(for n in "${DAEMONS[@]}"; do printf '%s=%s ' "$n" "${DAEMON_PID[$n]}"; done)"

  local rc=0
  "$@" || rc=$?

  # Nothing COMMAND started may outlive it on this bus.
  local strangers
  strangers=$(bus_strangers)
  if [ -n "$strangers" ]; then
    say "COMMAND left processes on the session bus; stopping them:"
    ps -o pid=,args= -p "$(tr '\n' ',' <<<"$strangers" | sed 's/,$//')" >&2 || true
    local p deadline=$(( $(now_us) + 5000000 ))
    for p in $strangers; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $strangers; do
      while running "$p" && [ "$(now_us)" -lt "$deadline" ]; do
        sleep 0.02  # poll interval while the strays stop
      done
      running "$p" && kill -KILL "$p" 2>/dev/null
    done
    [ "$rc" -ne 0 ] || rc=$EXIT_SESSION
  fi
  exit "$rc"
}

if [ "${1:-}" = "--inner" ]; then
  shift
  inner "$@"
else
  outer "$@"
fi
