"""The desktop session is real, and does what the app will rely on.

Each test looks at the session from outside, as the app's own e2e scenarios will:
the Secret Service keyring through `keyring` and `secret-tool`, Qt's tray in a
subprocess (tests/e2e/qt_tray_probe.py), the X screen through xdotool and
screenshots, and dunst's history for notifications.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import pytest
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from keyring.backends import SecretService

from tests.e2e.desktop import (
    DesktopSession,
    dunst_history,
    dunst_history_with_ids,
    image_mean,
    keyring_get,
    run,
    screenshot,
    wait_until,
    watcher_item_pids,
    x_windows,
)

pytestmark = pytest.mark.desktop

PROBE = Path(__file__).resolve().with_name("qt_tray_probe.py")
ALL_MODES = ("xembed", "sni", "none")


# --- the session itself ---------------------------------------------------------------


@pytest.mark.tray(*ALL_MODES)
def test_session_is_isolated_and_has_its_screen(desktop_session: DesktopSession) -> None:
    """A fresh user in a temp dir, a private bus, and the 1280x800 Xvfb screen."""
    home = desktop_session.home
    assert home.name == "home"
    assert home.parent.name.startswith("storyclip-e2e.")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        assert Path(os.environ[var]).is_relative_to(home), var
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    assert runtime.is_relative_to(home.parent)
    assert runtime.stat().st_mode & 0o777 == 0o700
    assert desktop_session.bus_address.startswith(f"unix:path={home.parent}/")
    assert run(["xdotool", "getdisplaygeometry"]).split() == ["1280", "800"]


# --- keyring -------------------------------------------------------------------------


@pytest.mark.tray(*ALL_MODES)
def test_keyring_round_trip_through_secret_service(
    desktop_session: DesktopSession, report_figure: Callable[[str], None]
) -> None:
    """The app's vault goes through `keyring`: here that must be the real Secret Service."""
    backend = keyring.get_keyring()
    assert isinstance(backend, SecretService.Keyring), type(backend)

    service, account = f"storyclip-e2e-{uuid.uuid4().hex[:8]}", "user@example.com"
    secret = f"refresh-{uuid.uuid4().hex}"
    timings: dict[str, float] = {}

    def timed(name: str, call: Any) -> Any:
        start = time.perf_counter()
        result = call()
        timings[name] = (time.perf_counter() - start) * 1000
        return result

    timed("first set", lambda: keyring.set_password(service, account, secret))
    assert timed("get", lambda: keyring.get_password(service, account)) == secret
    # Seen from outside the process, by another Secret Service client.
    assert keyring_get(service, account) == secret
    timed("second set", lambda: keyring.set_password(service, account, secret + "-2"))
    assert keyring_get(service, account) == secret + "-2"
    timed("delete", lambda: keyring.delete_password(service, account))
    assert keyring.get_password(service, account) is None
    assert keyring_get(service, account) is None

    # The keyring file on disk is encrypted: the secret is nowhere in plain text.
    data_home = Path(os.environ["XDG_DATA_HOME"])
    for path in data_home.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path

    report_figure("keyring " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in timings.items()))
    assert all(ms < 2000 for ms in timings.values()), timings


# --- Qt's tray, run in a subprocess --------------------------------------------------


@dataclass
class Probe:
    """A running qt_tray_probe.py: its JSON events as they come, its stderr once it ended."""

    proc: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    events: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""

    def read_stdout(self) -> None:
        """Runs in a thread: a select() on the pipe would miss lines already buffered."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")

    def next_event(self, timeout: float = 20.0) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no event from the Qt probe in {timeout} s: {self.events}"
            ) from None
        if not line:
            raise AssertionError(f"the Qt probe ended (exit {self.proc.wait()}): {self.events}")
        event: dict[str, Any] = json.loads(line)
        self.events.append(event)
        if event["event"] == "error":
            raise AssertionError(f"Qt probe: {event['text']}")
        return event

    def wait_event(self, name: str) -> dict[str, Any]:
        while True:
            event = self.next_event()
            if event["event"] == name:
                return event


@contextmanager
def qt_probe(*args: str) -> Iterator[Probe]:
    """Run the probe; on leaving, close its stdin (its signal to quit) and collect stderr."""
    env = dict(os.environ, QT_LOGGING_RULES="qt.qpa.tray*=true")
    with tempfile.TemporaryFile("w+") as stderr_file:
        proc = subprocess.Popen(
            [sys.executable, str(PROBE), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr_file,  # a file, not a pipe: Qt's debug output can never block it
            text=True,
            env=env,
        )
        probe = Probe(proc)
        reader = threading.Thread(target=probe.read_stdout, daemon=True)
        reader.start()
        failure: AssertionError | None = None
        try:
            yield probe
        except AssertionError as exc:
            failure = exc
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                failure = failure or AssertionError("the Qt probe did not quit when stdin closed")
            reader.join(timeout=10)
            assert proc.stdout is not None
            proc.stdout.close()
            stderr_file.seek(0)
            probe.stderr = stderr_file.read()
    if failure is not None:
        raise AssertionError(f"{failure}\n--- Qt probe stderr ---\n{probe.stderr}") from failure
    assert proc.returncode == 0, probe.stderr


@pytest.mark.tray("xembed")
def test_xembed_tray_shows_qt_balloon(
    desktop_session: DesktopSession, report_figure: Callable[[str], None]
) -> None:
    """With only an XEmbed tray host, showMessage is Qt's own balloon window on screen."""
    app_name = "storyclip-e2e-xembed"
    start = time.perf_counter()
    with qt_probe(
        "--app-name", app_name, "--title", "Batch done", "--body", "3 of 3 published"
    ) as probe:
        assert probe.wait_event("available")["value"] is True
        assert probe.wait_event("icon") == {"event": "icon", "visible": True, "embedded": True}
        balloon = probe.wait_event("balloon")
        geometry = (balloon["x"], balloon["y"], balloon["w"], balloon["h"])
        # From outside: a visible X window of the probe with exactly the balloon's geometry.
        wid = wait_until(
            lambda: next((w for w, g in x_windows(app_name).items() if g == geometry), None),
            message=f"a visible {app_name} window at {geometry}",
        )
        report_figure(f"Qt start to balloon seen by xdotool {time.perf_counter() - start:.2f} s")
        screenshot("session-xembed-tray-balloon.png")
        # The balloon is drawn: a light tooltip, where Xvfb's root window is black.
        balloon_shot = screenshot("session-xembed-balloon-only.png", str(wid))
        assert image_mean(balloon_shot) > 0.5
    assert "D-Bus tray available: false" in probe.stderr
    assert dunst_history() == [], "the XEmbed route must not send a D-Bus notification"


@pytest.mark.tray("sni")
@pytest.mark.usefixtures("clean_notifications")
def test_sni_show_message_reaches_dunst(
    desktop_session: DesktopSession, report_figure: Callable[[str], None]
) -> None:
    """With a StatusNotifierWatcher, Qt's showMessage is a Notify that dunst receives."""
    app_name = "storyclip-e2e-sni"
    title, body = "Batch done", f"20 of 20 published ({uuid.uuid4().hex[:6]})"
    with qt_probe("--app-name", app_name, "--title", title, "--body", body) as probe:
        assert probe.wait_event("available")["value"] is True
        assert probe.wait_event("icon")["embedded"] is False
        probe.wait_event("message")
        sent = time.perf_counter()
        # Qt registered its icon with the stand-in watcher (the route a real SNI host sees).
        assert probe.proc.pid in watcher_item_pids().values()
        wait_until(
            lambda: run(["dunstctl", "count", "displayed"]).strip() == "1",
            message="dunst to show the notification",
        )
        report_figure(
            f"showMessage to dunst showing it {(time.perf_counter() - sent) * 1000:.0f} ms"
        )
        # No tray host draws anything here: the screen is black until dunst's popup is drawn.
        wait_until(
            lambda: image_mean(screenshot("session-sni-dunst-notification.png")) > 0,
            message="dunst's popup on the screen",
        )
        received = wait_until(dunst_history, message="the notification in dunst's history")
    assert received == [(title, body, app_name)]
    assert "D-Bus tray available: true" in probe.stderr
    assert "registering" in probe.stderr


def _notify(app_name: str, summary: str, body: str) -> int:
    """org.freedesktop.Notifications.Notify, as the app sends it when there is no tray."""
    notifications = DBusAddress(
        "/org/freedesktop/Notifications",
        bus_name="org.freedesktop.Notifications",
        interface="org.freedesktop.Notifications",
    )
    message = new_method_call(
        notifications,
        "Notify",
        "susssasa{sv}i",
        (app_name, 0, "", summary, body, [], {}, -1),
    )
    with open_dbus_connection(bus="SESSION") as conn:
        reply = conn.send_and_get_reply(message, timeout=5)
    notification_id: int = reply.body[0]
    return notification_id


@pytest.mark.tray("none")
@pytest.mark.usefixtures("clean_notifications")
def test_no_tray_means_none_for_qt_and_notify_reaches_dunst(
    desktop_session: DesktopSession, report_figure: Callable[[str], None]
) -> None:
    """No tray host at all: Qt says so, and a plain D-Bus Notify still reaches dunst."""
    with qt_probe("--app-name", "storyclip-e2e-none") as probe:
        assert probe.wait_event("available")["value"] is False
    title, body = "Batch failed", f"2 of 5 clips failed ({uuid.uuid4().hex[:6]})"
    sent = time.perf_counter()
    notification_id = _notify("StoryClip", title, body)
    assert notification_id > 0
    received = wait_until(dunst_history_with_ids, message="the notification in dunst's history")
    report_figure(f"Notify to dunst's history {(time.perf_counter() - sent) * 1000:.0f} ms")
    assert received == [(notification_id, (title, body, "StoryClip"))]
