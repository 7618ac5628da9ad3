"""tests/e2e/session.sh keeps its promises: it names what is missing, CI cannot skip,
COMMAND's exit code comes through, and no process it started outlives it.

These start nested sessions from inside the current one (Xvfb -displayfd picks the
next free display, the nested bus is its own) and check processes through /proc.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.desktop import (
    ENV_ARTIFACTS,
    ENV_PASS,
    ENV_PLAN,
    ENV_REPORT,
    ENV_REQUIRE,
    ENV_SESSION,
    EXIT_MISSING,
    REPO_DIR,
    SESSION_SH,
    wait_until,
)

pytestmark = [pytest.mark.desktop, pytest.mark.tray("none")]

READY = re.compile(r"session\.sh: tray=(\w+) display=(:\d+) ready in \d+ ms: (.*)")


MISSING = {"dunst", "trayer"}
# What session.sh needs up to its check (its own tools and every program it looks for):
# a PATH with only these, minus MISSING, is a machine without dunst and trayer.
CHECK_PATH_PROGRAMS = [
    *("bash", "dirname", "sed", "sort", "tr", "cat", "python3"),
    *("Xvfb", "dbus-run-session", "dbus-send", "gnome-keyring-daemon", "secret-tool"),
    *("dunst", "dunstctl", "xdotool", "setsid", "setpriv", "trayer", "import", "xwd", "convert"),
]


@pytest.fixture(scope="module")
def path_without_dunst_and_trayer(tmp_path_factory: pytest.TempPathFactory) -> str:
    shadow = tmp_path_factory.mktemp("bin")
    for name in CHECK_PATH_PROGRAMS:
        found = shutil.which(name)
        if name not in MISSING and found:
            (shadow / name).symlink_to(found)
    return str(shadow)


def outside_env(**extra: str) -> dict[str, str]:
    """This environment minus the current session's markers: as if started from a terminal."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (ENV_SESSION, ENV_PASS, ENV_PLAN, ENV_REPORT, ENV_REQUIRE)
    }
    env.update(extra)
    return env


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan can wait a while for init to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(") ", 1)[1].split()[0] != "Z"


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def daemons(stderr: str) -> dict[str, int]:
    match = READY.search(stderr)
    assert match, stderr
    return {name: int(pid) for name, pid in (pair.split("=") for pair in match.group(3).split())}


def assert_all_gone(started: dict[str, int]) -> None:
    for name, pid in started.items():
        assert not running(pid), f"{name} ({pid}) outlived the session"
        assert group_members(pid) == [], f"process group of {name} outlived the session"


@pytest.mark.parametrize(("mode", "named"), [("none", ["dunst"]), ("xembed", ["dunst", "trayer"])])
def test_missing_program_is_named_with_its_package(
    path_without_dunst_and_trayer: str, mode: str, named: list[str]
) -> None:
    """Only what this tray mode needs is reported, each with its Debian package, and exit 77."""
    proc = subprocess.run(
        ["bash", str(SESSION_SH), "--tray", mode, "--", "true"],
        env=outside_env(PATH=path_without_dunst_and_trayer),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == EXIT_MISSING, proc.stderr
    for program in MISSING:
        assert (f"{program} (Debian package: {program})" in proc.stderr) == (program in named)
    assert f"apt-get install --no-install-recommends {' '.join(named)} " in proc.stderr


@pytest.mark.parametrize("required", [False, True], ids=["developer", "ci"])
def test_missing_program_skips_locally_and_fails_in_ci(
    path_without_dunst_and_trayer: str, required: bool
) -> None:
    """Outside a session a desktop test skips naming the package, or fails with the CI flag."""
    extra = {"PATH": path_without_dunst_and_trayer}
    if required:
        extra[ENV_REQUIRE] = "1"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "tests/e2e/test_session.py::test_session_is_isolated_and_has_its_screen",
        ],
        cwd=REPO_DIR,
        env=outside_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "dunst (Debian package: dunst)" in proc.stdout, proc.stdout
    if required:
        assert proc.returncode == 1, proc.stdout
        assert "1 error" in proc.stdout
        assert "STORYCLIP_REQUIRE_DESKTOP=1" in proc.stdout
    else:
        assert proc.returncode == 0, proc.stdout
        assert "1 skipped" in proc.stdout


def test_exit_code_comes_through_and_nothing_is_left(
    tmp_path: Path, report_figure: Callable[[str], None]
) -> None:
    """A nested xembed session: COMMAND's exit code, every daemon gone, the temp dir removed."""
    proc = subprocess.run(
        [
            "bash",
            str(SESSION_SH),
            "--tray",
            "xembed",
            "--",
            "bash",
            "-c",
            'echo "$HOME"; test "$STORYCLIP_E2E_SESSION" = xembed && exit 7',
        ],
        env=outside_env(**{ENV_ARTIFACTS: str(tmp_path / "artifacts")}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 7, proc.stderr
    started = daemons(proc.stderr)
    assert set(started) == {"xvfb", "keyring", "dunst", "trayer"}
    ready = READY.search(proc.stderr)
    assert ready
    assert ready.group(2) != os.environ["DISPLAY"]
    assert_all_gone(started)
    session_tmp = Path(proc.stdout.strip()).parent
    assert session_tmp.name.startswith("storyclip-e2e.")
    assert not session_tmp.exists()
    # The daemons' logs are kept with the artifacts.
    assert (tmp_path / "artifacts" / "session-logs" / "xembed" / "dunst.log").exists()
    stopped = re.search(r"stopped .* in (\d+) ms", proc.stderr)
    assert stopped, proc.stderr
    report_figure(f"nested xembed session stopped in {stopped.group(1)} ms")


# Runs argv with SIGINT and SIGQUIT at their defaults: a shell that starts this test
# run in the background makes its children ignore them, and Ctrl-C would then be lost.
DEFAULT_SIGNALS = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.signal(signal.SIGQUIT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"
)


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name
)
def test_signal_to_the_launcher_group_leaves_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    """What timeout(1) and Ctrl-C do: signal the whole group while COMMAND runs.

    SIGKILL gives the launcher no chance to clean up: then each daemon gets SIGTERM from
    the kernel (setpriv --pdeathsig) when the launcher's inner shell dies.
    """
    marker = tmp_path / "running"
    launcher = [sys.executable, "-c", DEFAULT_SIGNALS, "bash", str(SESSION_SH), "--tray", "sni"]
    proc = subprocess.Popen(
        [*launcher, "--", "bash", "-c", f'echo "$HOME" > {marker}; exec sleep 300'],
        env=outside_env(**{ENV_ARTIFACTS: str(tmp_path / "artifacts")}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: marker.exists() and marker.read_text().strip(),
            timeout=30,
            message="COMMAND to run inside the nested session",
        )
        session_tmp = Path(marker.read_text().strip()).parent
        os.killpg(proc.pid, sig)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:  # the launcher's own exit: 130 or 143, never 0
        assert proc.returncode in (130, 143), stderr
    started = daemons(stderr)
    assert set(started) == {"xvfb", "keyring", "dunst", "snw"}
    wait_until(
        lambda: all(not running(pid) and not group_members(pid) for pid in started.values()),
        timeout=10,
        message="every daemon of the nested session to stop",
    )
    assert_all_gone(started)
    if sig == signal.SIGKILL:
        assert group_members(proc.pid) == []  # the launcher's own group, dbus-daemon included
        shutil.rmtree(session_tmp)  # nobody was left to remove it
    else:
        assert not session_tmp.exists()


def test_a_process_left_on_the_bus_is_stopped_and_fails_the_run(tmp_path: Path) -> None:
    """COMMAND exits 0 but leaves a bus client behind (an app a test forgot): exit 78."""
    pid_file = tmp_path / "stray.pid"
    stray = (
        "import os, signal; from jeepney.io.blocking import open_dbus_connection; "
        "c = open_dbus_connection('SESSION'); "
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); signal.pause()"
    )
    command = (
        f"setsid {sys.executable} -c {shlex.quote(stray)} & "
        f"until [ -s {pid_file} ]; do sleep 0.05; done; exit 0"
    )
    proc = subprocess.run(
        ["bash", str(SESSION_SH), "--tray", "none", "--", "bash", "-c", command],
        env=outside_env(**{ENV_ARTIFACTS: str(tmp_path / "artifacts")}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 78, proc.stderr
    assert "COMMAND left processes on the session bus" in proc.stderr
    stray_pid = int(pid_file.read_text())
    assert str(stray_pid) in proc.stderr
    assert not running(stray_pid)
    assert_all_gone(daemons(proc.stderr))
