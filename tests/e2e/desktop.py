"""Helpers for tests that run inside tests/e2e/session.sh (a real desktop session).

They observe the session only from outside, the way a user or CI would: the
notification daemon's history (`dunstctl`), the X screen (`import`, `xdotool`), the
Secret Service keyring (`secret-tool`). conftest.py re-exports them with the
fixtures; import them from here in test modules.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple, TypeVar

E2E_DIR = Path(__file__).resolve().parent
REPO_DIR = E2E_DIR.parent.parent
SESSION_SH = E2E_DIR / "session.sh"

TRAY_MODES = ("xembed", "sni", "none")
EXIT_MISSING = 77  # session.sh: a needed program is missing

ENV_SESSION = "STORYCLIP_E2E_SESSION"  # set by session.sh: the tray mode of this session
ENV_ARTIFACTS = "STORYCLIP_E2E_ARTIFACTS"  # set by session.sh: where screenshots go
ENV_PASS = "STORYCLIP_E2E_PASS"  # set by run_passes.sh: the tray mode this pass runs
ENV_PLAN = "STORYCLIP_E2E_PLAN"  # run_passes.sh: write {nodeid: [modes]} here at collection
ENV_REPORT = "STORYCLIP_E2E_REPORT"  # run_passes.sh: write {nodeid: outcome} here at the end
ENV_REQUIRE = "STORYCLIP_REQUIRE_DESKTOP"  # .ci/run: a missing session is a failure, not a skip

T = TypeVar("T")


@dataclass(frozen=True)
class DesktopSession:
    """What session.sh made: the tests read it instead of poking at the environment."""

    tray_mode: str
    display: str
    artifacts: Path
    bus_address: str
    home: Path


def current_session() -> DesktopSession | None:
    """The session we run in, or None outside session.sh."""
    mode = os.environ.get(ENV_SESSION)
    if not mode:
        return None
    artifacts = Path(os.environ.get(ENV_ARTIFACTS) or REPO_DIR / "tests" / "artifacts" / "e2e")
    return DesktopSession(
        tray_mode=mode,
        display=os.environ.get("DISPLAY", ""),
        artifacts=artifacts,
        bus_address=os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""),
        home=Path(os.environ.get("HOME", "")),
    )


def desktop_required() -> bool:
    return os.environ.get(ENV_REQUIRE, "") not in ("", "0")


@cache
def missing_pieces(mode: str) -> str:
    """session.sh's own account of what is missing for `mode` ("" when nothing is)."""
    proc = subprocess.run(
        ["bash", str(SESSION_SH), "--tray", mode, "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode == 0:
        return ""
    lines = [line.strip() for line in proc.stderr.splitlines()]
    missing = [line[2:] for line in lines if line.startswith("- ")]
    install = [line.removeprefix("session.sh: ") for line in lines if "install with:" in line]
    if not missing:
        return f"session.sh --check exited {proc.returncode}: {proc.stderr.strip()}"
    return f"no desktop session (--tray {mode}): missing {', '.join(missing)}; " + " ".join(install)


def not_in_session_reason(mode: str) -> str:
    """Why a desktop test cannot run here, naming the missing Debian package if any."""
    missing = missing_pieces(mode)
    if missing:
        return missing
    return (
        f"not inside a desktop session (tray mode {mode}): run `bash tests/e2e/run_passes.sh` "
        f"or `tests/e2e/session.sh --tray {mode} -- .venv/bin/pytest tests/e2e`"
    )


class WaitTimeout(AssertionError):
    """A wait_until deadline passed: a test failure, with what was awaited."""


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.05,
    message: str = "",
) -> T:
    """Poll `predicate` until it returns something truthy and return that; fail at the deadline.

    The predicate is always tried once more at the deadline, so a slow machine only
    fails when the condition really never held.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            what = message or getattr(predicate, "__name__", repr(predicate))
            raise WaitTimeout(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)  # the poll interval of a wait-for-condition with a deadline


def run(cmd: Sequence[str], timeout: float = 30.0, check: bool = True) -> str:
    """Run a desktop tool and return its stdout; its stderr goes into the failure message."""
    proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        output = proc.stderr.strip() or proc.stdout.strip()
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}: {output}")
    return proc.stdout


class Notification(NamedTuple):
    """One notification as dunst received it (markup as sent, not as rendered)."""

    summary: str
    body: str
    appname: str


_history_floor = 0  # notifications with an id up to this were cleared by dunst_clear()


def _history_raw() -> list[tuple[int, Notification]]:
    """(dunst's id, notification) for everything in dunst's history, oldest first."""
    data = json.loads(run(["dunstctl", "history"]))
    found = [
        (
            int(entry["id"]["data"]),
            Notification(
                summary=entry["summary"]["data"],
                body=entry["body"]["data"],
                appname=entry["appname"]["data"],
            ),
        )
        for entry in data["data"][0]
    ]
    return sorted(found, key=lambda pair: pair[0])


def dunst_history_with_ids(close_displayed: bool = True) -> list[tuple[int, Notification]]:
    """dunst_history(), each with the id dunst gave it (the id Notify returned)."""
    if close_displayed:
        run(["dunstctl", "close-all"])
    return [(nid, n) for nid, n in _history_raw() if nid > _history_floor]


def dunst_history(close_displayed: bool = True) -> list[Notification]:
    """Every notification dunst received since the last dunst_clear(), oldest first.

    Each is a (summary, body, appname) tuple. dunst keeps a notification out of its
    history while it is on screen, so by default the shown ones are closed first
    (`dunstctl close-all`), which moves them into the history.
    """
    return [n for _nid, n in dunst_history_with_ids(close_displayed)]


def dunst_clear() -> None:
    """Forget every notification received so far (dunst 1.9 has no history-clear)."""
    global _history_floor
    run(["dunstctl", "close-all"])
    _history_floor = max([_history_floor, *(nid for nid, _n in _history_raw())])


def screenshot(path: Path | str, window: str = "root") -> Path:
    """Save a PNG of the whole X screen (or of one window id) and return its path."""
    target = Path(path)
    if not target.is_absolute():
        session = current_session()
        base = session.artifacts if session else REPO_DIR / "tests" / "artifacts" / "e2e"
        target = base / target
    target.parent.mkdir(parents=True, exist_ok=True)
    if shutil.which("import"):
        run(["import", "-window", window, str(target)])
    else:
        dump = target.with_suffix(".xwd")
        run(
            ["xwd", "-silent", "-out", str(dump)]
            + (["-root"] if window == "root" else ["-id", window])
        )
        run(["convert", str(dump), str(target)])
        dump.unlink()
    return target


def image_mean(path: Path) -> float:
    """Mean brightness of an image, 0 (black) to 1 (white): a cheap "something was drawn"."""
    return float(run(["identify", "-format", "%[fx:mean]", str(path)]))


def keyring_get(service: str, account: str) -> str | None:
    """The secret the `keyring` library stored for (service, account), read with secret-tool.

    keyring's Secret Service backend stores items with the attributes `service` and
    `username`; secret-tool exits 1 when nothing matches.
    """
    proc = subprocess.run(
        ["secret-tool", "lookup", "service", service, "username", account],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if proc.returncode != 0:
        if proc.stderr.strip():
            raise AssertionError(f"secret-tool lookup failed: {proc.stderr.strip()}")
        return None
    return proc.stdout


def x_windows(class_name: str) -> dict[int, tuple[int, int, int, int]]:
    """Visible X windows whose WM_CLASS matches, with their (x, y, width, height)."""
    out = run(["xdotool", "search", "--onlyvisible", "--class", class_name], check=False)
    windows = {}
    for wid in out.split():
        geometry = run(["xdotool", "getwindowgeometry", "--shell", wid], check=False)
        values = dict(line.split("=", 1) for line in geometry.splitlines() if "=" in line)
        if {"X", "Y", "WIDTH", "HEIGHT"} <= values.keys():
            windows[int(wid)] = (
                int(values["X"]),
                int(values["Y"]),
                int(values["WIDTH"]),
                int(values["HEIGHT"]),
            )
    return windows


# --- the X screen, driven and read from outside (xdotool, xprobe.py, ImageMagick) -------


@dataclass(frozen=True)
class XWindow:
    """A viewable X window of one process, as xprobe.py sees it."""

    wid: int
    name: str
    x: int
    y: int
    width: int
    height: int
    types: tuple[str, ...]  # _NET_WM_WINDOW_TYPE without the prefix: NORMAL, DIALOG, …
    embedded: bool  # reparented into another client's window (a tray icon in the tray host)

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.width, self.height

    @property
    def center(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height

    @property
    def kind(self) -> str:
        """tray-icon, menu, balloon, dialog or window: what a user would call it."""
        if self.embedded:
            return "tray-icon"
        if "POPUP_MENU" in self.types or "DROPDOWN_MENU" in self.types:
            return "menu"
        if "TOOLTIP" in self.types:
            return "balloon"  # Qt's tray message (QBalloonTip) is a tooltip window
        if "DIALOG" in self.types:
            return "dialog"
        return "window"


def app_windows(pid: int | None = None, wm_class: str | None = None) -> list[XWindow]:
    """The viewable X windows of process `pid` (by _NET_WM_PID), or with that WM_CLASS,
    bottom of the stack first."""
    from tests.e2e import xprobe

    return [
        XWindow(
            wid=int(w["id"]),
            name=str(w["name"]),
            x=int(w["x"]),
            y=int(w["y"]),
            width=int(w["width"]),
            height=int(w["height"]),
            types=tuple(w["types"]),
            embedded=bool(w["embedded"]),
        )
        for w in xprobe.windows(pid, wm_class)
    ]


def windows_of_kind(pid: int, kind: str) -> list[XWindow]:
    return [w for w in app_windows(pid) if w.kind == kind]


def click(x: int, y: int, button: int = 1) -> None:
    """Move the pointer to (x, y) on the screen and click, as a user does (XTEST).

    One xdotool run, so the X server takes the motion before the press. Not
    `mousemove --sync`: it waits for a motion event, and there is none when the
    pointer is already there (a second click on the same icon hangs it).
    """
    run(["xdotool", "mousemove", str(x), str(y), "click", str(button)])


def press(*keys: str) -> None:
    """Press keys (xdotool names: Up, Return, Tab, ctrl+w) on whatever has the focus."""
    run(["xdotool", "key", "--delay", "20", *keys])


def type_text(text: str) -> None:
    """Type text into the focused widget, key by key."""
    run(["xdotool", "type", "--delay", "4", "--", text])


def focus_window(wid: int) -> None:
    """Give a window the keyboard focus (no window manager in the session to do it)."""
    run(["xdotool", "windowfocus", "--sync", str(wid)])


def close_window(wid: int) -> None:
    """Ask the window to close, as a window manager's close button does (WM_DELETE_WINDOW)."""
    from tests.e2e import xprobe

    if xprobe.close_window(wid) != 0:
        raise AssertionError(f"window {wid:#x} does not take WM_DELETE_WINDOW")


def set_root_color(rgb: str) -> None:
    """Paint the desktop background (e.g. "2f3b47"), for screenshots a reader can read."""
    from tests.e2e import xprobe

    xprobe.root_color(int(rgb.removeprefix("#"), 16))


def crop(source: Path, target: Path | str, box: tuple[int, int, int, int], margin: int = 0) -> Path:
    """Save the part of a screenshot inside box (x, y, width, height) plus a margin."""
    x, y, width, height = box
    left, top = max(0, x - margin), max(0, y - margin)
    right, bottom = x + width + margin, y + height + margin
    out = Path(target)
    if not out.is_absolute():
        out = source.parent / out
    geometry = f"{right - left}x{bottom - top}+{left}+{top}"
    run(["convert", str(source), "-crop", geometry, "+repage", str(out)])
    return out


def colour_count(path: Path, box: tuple[int, int, int, int] | None = None) -> int:
    """Distinct colours in an image (or in box of it): 1 means nothing drawn there yet."""
    cmd = ["convert", str(path)]
    if box is not None:
        x, y, width, height = box
        cmd += ["-crop", f"{width}x{height}+{x}+{y}", "+repage"]
    return int(run([*cmd, "-format", "%k", "info:"]))


def pixel_signature(path: Path) -> str:
    """A hash of an image's pixels (not of the file, which holds a timestamp)."""
    return run(["identify", "-format", "%#", str(path)]).strip()


def union(*boxes: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The smallest box holding every box (x, y, width, height)."""
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return left, top, right - left, bottom - top


def watcher_item_pids() -> dict[str, int]:
    """The StatusNotifierWatcher's registered tray items, each with its owner's pid."""
    from jeepney import DBusAddress, Properties, message_bus
    from jeepney.io.blocking import open_dbus_connection

    watcher = DBusAddress(
        "/StatusNotifierWatcher",
        bus_name="org.kde.StatusNotifierWatcher",
        interface="org.kde.StatusNotifierWatcher",
    )
    with open_dbus_connection(bus="SESSION") as conn:
        reply = conn.send_and_get_reply(
            Properties(watcher).get("RegisteredStatusNotifierItems"), timeout=5
        )
        _signature, items = reply.body[0]
        pids = {}
        for item in items:
            service = item.split("/", 1)[0]
            owner = conn.send_and_get_reply(
                message_bus.GetConnectionUnixProcessID(service), timeout=5
            )
            pids[item] = int(owner.body[0])
    return pids
