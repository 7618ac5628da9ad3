"""The user's story, with the real app in a real desktop session.

`python -m storyclip_desktop` runs as a process (tests/app_process.py) against the
local backend process (tests/backend.py), on the session's X screen, session bus,
Secret Service keyring, notification daemon and tray host (tests/e2e/session.sh).
Everything is observed from outside, as a user or a support person would: the
app's JSON-lines log, the keyring (`secret-tool`), dunst's history, the backend's
own records (its access log and its database), and the X screen (which windows are
mapped, and screenshots).

How the app is driven: with xdotool, as a user does it, through XTEST input on the
real X windows: typing into the sign-in form, clicking the dialog's Refresh button,
clicking the tray balloon, right-clicking the tray icon inside trayer and picking
from its menu with the arrow keys. No hook in the app: whatever the test does, a
user could do. What that costs, and why it is still chosen:
  * the session has no window manager, so the test gives the window the keyboard
    focus itself (`xdotool windowfocus`) and closes a window with the
    WM_DELETE_WINDOW message a window manager would send (xprobe.py close-window);
  * a click lands on coordinates: the Refresh button is found by its place in the
    dialog's header (top right), a menu item by keyboard order from the bottom
    (Quit is last, Sign out just above it). If the layout changes, the step fails
    loudly because the effect (the backend's reads, the log's signed_out) is
    checked, never the click itself;
  * windows are told apart by their X window type (NORMAL, DIALOG, TOOLTIP for Qt's
    balloon, POPUP_MENU) and whether they sit inside the tray host (xprobe.py
    windows), never by asking the app.
The sign-out goes through the XEmbed tray's menu (a real click on a real icon), not
through the StatusNotifierItem's D-Bus menu: that would be a D-Bus call a test makes,
not something a user does.

The app gets its own HOME and XDG directories (AppProcess), so the grep for secrets
covers exactly its files (settings, memory, logs). The keyring daemon is reached
over the session bus (DBUS_SESSION_BUS_ADDRESS), not through HOME, so the real
keyring is still the one the app uses; PYTHON_KEYRING_BACKEND is removed so `keyring`
picks the Secret Service by itself, as on a user's machine.

Scenarios (one test per tray mode; each step's duration is in the run's summary):
  xembed  first launch and sign-in through the form, the dialog on the running
          batches, Refresh, quit; the session in the keyring and nowhere else;
          relaunch --minimized into the tray; each finished batch in exactly one
          balloon (ends close together share one, naming each); a click on the
          balloon opens the dialog; sign out and quit from the tray menu.
  sni     (Spanish) signed in from the environment, only a StatusNotifierItem in the
          tray; the backend killed and restarted mid-batch; each batch named in
          exactly one desktop notification in dunst, with the right counts.
  none    no tray at all: --minimized still shows the window; each batch in exactly
          one desktop notification; closing the window asks, then quits.
(tests/e2e/test_notices.py: 25 batches ending within 5 s, grouped, none replaced unread.)
Screenshots go to $STORYCLIP_E2E_ARTIFACTS/story/ (CI keeps them); the README's
copies live in docs/screenshots/.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.app_process import AppProcess
from tests.backend import Backend
from tests.e2e.desktop import (
    DesktopSession,
    Notification,
    XWindow,
    app_windows,
    click,
    close_window,
    colour_count,
    crop,
    dunst_history,
    focus_window,
    keyring_get,
    pixel_signature,
    press,
    run,
    screenshot,
    set_root_color,
    type_text,
    union,
    wait_until,
    watcher_item_pids,
)

pytestmark = pytest.mark.desktop

VAULT_SERVICE = "StoryClip Desktop"  # storyclip_desktop/core/vault.py: service and account
VAULT_ACCOUNT = "session"
APP_NAME = "StoryClip Desktop"  # the app name in its notifications
DESKTOP_COLOR = "4c566a"  # the screenshots' desktop background
BAD_EXIT_WORDS = ("Traceback", "Task was destroyed", "Event loop is closed", "was never awaited")
JWT = re.compile(rb"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")  # any access token

# Clip time on the backend, and batch sizes: a batch must still run when the app finds
# it (1-2 s after it starts here; after a sign-in, a quit and a relaunch in the xembed
# story, 4-7 s on a busy 2-core machine). The sizes leave about twice that; when a batch
# ends too early, the test says so (found_running) instead of timing out.
CLIP_SECONDS = 0.2


# --- fixtures ------------------------------------------------------------------------


class Story:
    """Named steps of a scenario: each step's duration goes to the run's summary, and
    a failure names the step it happened in."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report
        self.steps: list[tuple[str, float]] = []
        self._start = time.perf_counter()

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        except BaseException as exc:
            exc.add_note(f"in the step: {name}")
            raise
        finally:
            self.steps.append((name, time.perf_counter() - start))

    def report(self) -> None:
        total = time.perf_counter() - self._start
        lines = [f"{seconds:5.2f} s  {name}" for name, seconds in self.steps]
        self._report(f"{total:.1f} s in all\n    " + "\n    ".join(lines))


@pytest.fixture
def story(report_figure: Callable[[str], None]) -> Iterator[Story]:
    scenario = Story(report_figure)
    yield scenario
    scenario.report()


@pytest.fixture
def launch(desktop_session: DesktopSession) -> Iterator[Callable[..., AppProcess]]:
    """Start the app on the session's screen, bus and keyring; kill leftovers at the end."""
    started: list[AppProcess] = []

    def start(
        backend: Backend,
        home: Path,
        *args: str,
        sign_in: bool = False,
        log_name: str = "app.log",
    ) -> AppProcess:
        env: dict[str, str | None] = {
            "DISPLAY": desktop_session.display,
            "DBUS_SESSION_BUS_ADDRESS": desktop_session.bus_address,
            "PYTHON_KEYRING_BACKEND": None,
            "LANG": "C.UTF-8",
            "LC_ALL": None,
            "LANGUAGE": None,
        }
        app = AppProcess(
            home,
            backend=backend,
            args=args,
            env=env,
            sign_in=sign_in,
            platform="xcb",
            log_name=log_name,
        )
        started.append(app)
        return app.start()

    yield start
    for app in started:
        app.kill()  # a test that passed stopped its apps already; this is for failures


@pytest.fixture
def calm_desktop(desktop_session: DesktopSession) -> Iterator[None]:
    """A grey-blue desktop behind the windows for the screenshots; black again after."""
    set_root_color(DESKTOP_COLOR)
    yield
    set_root_color("000000")


@pytest.fixture
def no_stored_session(desktop_session: DesktopSession) -> None:
    """Nothing of an earlier test's session in the (per-pass) keyring."""
    run(
        ["secret-tool", "clear", "service", VAULT_SERVICE, "username", VAULT_ACCOUNT],
        check=False,
    )


# --- helpers -------------------------------------------------------------------------


def shot(name: str, window: XWindow | None = None) -> Path:
    """A screenshot under $STORYCLIP_E2E_ARTIFACTS/story/ (one window, or the screen)."""
    return screenshot(Path("story") / name, str(window.wid) if window else "root")


DRAWN_COLOURS = 8  # a window not painted yet is one flat colour


def window_shot(name: str, window: XWindow, settle: bool = False) -> Path:
    """A screenshot of the window once Qt has painted it (a mapped window can still be
    blank for a few hundred ms); with settle, once two shots in a row are the same."""
    signatures = [""]

    def ready() -> Path | None:
        path = shot(name, window)
        if colour_count(path) < DRAWN_COLOURS:
            return None
        if not settle:
            return path
        signatures.append(pixel_signature(path))
        return path if signatures[-1] == signatures[-2] else None

    return wait_until(ready, message=f"{name}: the window painted")


def screen_shot(name: str, *windows: XWindow) -> Path:
    """A screenshot of the whole screen once each of the windows is painted on it."""

    def ready() -> Path | None:
        path = shot(name)
        painted = all(colour_count(path, w.box) >= DRAWN_COLOURS for w in windows)
        return path if painted else None

    return wait_until(ready, message=f"{name}: {len(windows)} window(s) painted")


def one(app: AppProcess, kind: str) -> XWindow | None:
    """The app's one visible window of that kind (window, dialog, balloon, menu,
    tray-icon), or None; two of a kind is a failure."""
    assert app.proc is not None
    found = [w for w in app_windows(app.proc.pid) if w.kind == kind]
    assert len(found) <= 1, f"more than one {kind}: {found}"
    return found[0] if found else None


def kinds(app: AppProcess) -> list[str]:
    assert app.proc is not None
    return sorted(w.kind for w in app_windows(app.proc.pid))


def assert_clean_exit(app: AppProcess, code: int) -> None:
    assert code == 0, app.tail()
    stderr = "\n".join(app.stderr_lines)
    for word in BAD_EXIT_WORDS:
        assert word not in stderr, app.tail()
    assert app.events("stopped"), app.tail()
    errors = [e for e in app.all_events() if e["level"] in ("error", "critical")]
    assert errors == [], app.tail()


def requests(backend: Backend, method: str, path: str) -> int:
    """How many requests the backend's access log shows for that method and path."""
    needle = f'"{method} {path}'
    return sum(1 for line in list(backend.stderr_lines) if needle in line)


def server_reads(backend: Backend, batch_ids: list[str]) -> dict[str, int]:
    """The backend's count of active-list reads and of each batch's summary reads."""
    counts = {"active": requests(backend, "GET", "/api/metricool/batches/active")}
    for bid in batch_ids:
        counts[bid] = requests(backend, "GET", f"/api/metricool/batch/{bid} ")
    return counts


def refresh_tokens(backend: Backend) -> dict[str, int]:
    """Every refresh token the backend has on record, with its revoked flag."""
    conn = sqlite3.connect(f"file:{backend.db_path}?mode=ro", uri=True, timeout=10)
    try:
        rows = conn.execute("SELECT token, revoked FROM auth_refresh_tokens").fetchall()
    finally:
        conn.close()
    return {str(token): int(revoked) for token, revoked in rows}


def stored_session() -> dict[str, Any] | None:
    """The app's keyring entry, read with secret-tool (None when there is none)."""
    text = keyring_get(VAULT_SERVICE, VAULT_ACCOUNT)
    if text is None:
        return None
    data: dict[str, Any] = json.loads(text)
    return data


def secrets_found(home: Path, secrets: dict[str, str]) -> tuple[list[str], list[Path]]:
    """(what secret is in which file, the files read) for every file under home."""
    files = sorted(p for p in home.rglob("*") if p.is_file())
    found = []
    for path in files:
        data = path.read_bytes()
        where = path.relative_to(home)
        found += [f"{label} in {where}" for label, v in secrets.items() if v.encode() in data]
        if JWT.search(data):
            found.append(f"an access token (JWT) in {where}")
    return found, files


def assert_no_secret_in(home: Path, backend: Backend) -> list[Path]:
    """No password, API key, refresh token (any ever issued) or access token in any of
    the app's files: settings, data, cache and logs. Returns the files read."""
    secrets = {"the password": backend.password, "the API key": backend.api_key}
    for n, token in enumerate(refresh_tokens(backend)):
        secrets[f"refresh token #{n}"] = token
    found, files = secrets_found(home, secrets)
    assert found == [], found
    names = {p.relative_to(home).parts[0] for p in files}
    # The grep read the settings and the data folders, not an empty tree.
    assert {"config", "data"} <= names, sorted(str(p.relative_to(home)) for p in files)
    return files


def expect_dunst(count: int) -> None:
    """Wait until dunst shows at least `count` notifications (before reading them)."""
    wait_until(
        lambda: int(run(["dunstctl", "count", "displayed"]).strip()) >= count,
        message=f"dunst to show {count} notifications",
    )


def dunst_window() -> XWindow | None:
    """dunst's popup window (one for all it shows), when it shows any."""
    windows = app_windows(wm_class="Dunst")
    return windows[0] if windows else None


END_KINDS = ("completed", "failed", "cancelled", "finished")
#: A notice about ends, in English: one batch ("Publishing completed: NAME") or several
#: ("3 publications finished", each named on a line of its body).
ENDS_EN = re.compile(r"Publishing (completed|failed|cancelled): |\d+ publications finished")


def named_once(notices: list[Notification], name: str) -> bool:
    """The batch called `name` is in exactly one of these notices: in the title of
    its own, or on a line ("• NAME — Completed") of a grouped one."""
    return sum((n.summary.endswith(f": {name}") or f"• {name} —" in n.body) for n in notices) == 1


def covers(batch_id: str) -> Callable[[dict[str, Any]], bool]:
    """A `notification` line that announces this batch's end, alone or grouped."""
    return lambda e: e["kind"] in END_KINDS and batch_id in e.get("batch_ids", ())


def end_notices(app: AppProcess) -> list[dict[str, Any]]:
    return [e for e in app.events("notification") if e["kind"] in END_KINDS]


def only_once_each(app: AppProcess, batch_ids: list[str], route: str) -> None:
    """The log: each batch finished once and was announced by exactly one notice (its
    own, or one grouping ends close together), on `route`."""
    for bid in batch_ids:
        assert len(app.events("batch_finished", batch_id=bid)) == 1, app.tail()
        notes = [e for e in app.events("notification") if covers(bid)(e)]
        assert [e["route"] for e in notes] == [route], app.tail()


def found_running(app: AppProcess, seeded: list[str]) -> None:
    """The app found every seeded batch still running (else: the machine is too slow for
    the batch sizes, which is said plainly rather than as a 30 s wait for a live stream)."""
    found = app.wait_event("batches_found")[0]
    missing = sorted(set(seeded) - set(found["batch_ids"]))
    assert not missing, (
        f"{len(missing)} seeded batch(es) ended before the app found them: this machine is "
        "slower than the batch sizes allow; give the batches more clips"
    )


def finished_as_on_server(app: AppProcess, backend: Backend, batch_ids: list[str]) -> None:
    for bid in batch_ids:
        event = app.wait_event("batch_finished", batch_id=bid, timeout=60)[0]
        server = backend.batch(bid)
        seen = (event["status"], event["published"], event["failed"], event["total"])
        assert seen == (server["status"], server["published"], server["failed"], server["total"])


# --- xembed: the whole story -------------------------------------------------------------


@pytest.mark.tray("xembed")
@pytest.mark.usefixtures("clean_notifications", "calm_desktop", "no_stored_session")
def test_story_sign_in_quit_relaunch_in_the_tray_and_sign_out(
    backend_factory: Callable[..., Backend],
    launch: Callable[..., AppProcess],
    story: Story,
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=CLIP_SECONDS, extra_args=["--access-log"])
    seeded = [backend.create_batch(n) for n in (55, 60, 65)]  # 11, 12 and 13 s of work
    home = tmp_path / "home"
    # A long discovery interval: any read of the active list is the app's start or a refresh.
    options = ("--lang", "en", "--discovery-interval", "600")

    with story.step("first launch shows the sign-in form"):
        app = launch(backend, home, *options)
        window = wait_until(lambda: one(app, "window"), message="the main window on screen")
        assert window.name == "StoryClip Desktop"
        assert app.events("signed_in") == []
        assert stored_session() is None

    with story.step("sign in through the form"):
        window_shot("xembed-01-sign-in-form.png", window)  # what the user sees first
        focus_window(window.wid)
        type_text(backend.email)
        press("Tab")
        type_text(backend.password)
        window_shot("xembed-01-sign-in.png", window, settle=True)
        press("Return")
        assert app.wait_event("signed_in")[0]["user_id"] == backend.user_id

    with story.step("the dialog opens on the running batches"):
        found_running(app, seeded)
        dialog = wait_until(lambda: one(app, "dialog"), message="the active-batches dialog")
        assert dialog.name == "Active batches — StoryClip"
        for bid in seeded:
            app.wait_event("stream_state", batch_id=bid, state="live")
        assert [e["route"] for e in app.events("notification", kind="active")] == ["tray"]
        wait_until(
            lambda: all(backend.batch(bid)["published"] >= 3 for bid in seeded),
            message="a few clips published",
        )
        window_shot("xembed-02-dialog-mid-batch.png", dialog)

    with story.step("the Refresh button re-reads every batch from the server"):
        before = server_reads(backend, seeded)
        # The button sits at the right end of the dialog's header (16 px margins).
        click(dialog.x + dialog.width - 56, dialog.y + 30)
        # On the account stream (this backend offers one) the active list is the
        # re-read: it carries every running batch's whole summary; with per-batch
        # streams each summary is read again too.
        per_batch = app.events("capabilities")[-1].get("account_stream") is False
        keys = list(before) if per_batch else ["active"]
        wait_until(
            lambda: all(server_reads(backend, seeded)[key] > before[key] for key in keys),
            message=f"the backend to see {', '.join(keys)} read again",
        )

    with story.step("quit (SIGTERM, as at logout)"):
        assert_clean_exit(app, app.stop())

    with story.step("the session is in the keyring, and in no file"):
        stored = stored_session()
        assert stored is not None, "no session in the Secret Service keyring"
        assert stored["uid"] == backend.user_id
        assert refresh_tokens(backend).get(stored["rt"]) == 0, "not a live token on the server"
        assert_no_secret_in(home, backend)

    with story.step("relaunch --minimized: restored from the keyring, in the tray"):
        again = launch(backend, home, "--minimized", *options, log_name="relaunch.log")
        assert again.wait_event("signed_in")[0]["user_id"] == backend.user_id
        found_running(again, seeded)
        for bid in seeded:
            again.wait_event("stream_state", batch_id=bid, state="live")
        icon = wait_until(lambda: one(again, "tray-icon"), message="the icon in the tray")
        # Followed without a window: only the icon (and the tray's balloon) are on screen.
        assert set(kinds(again)) <= {"tray-icon", "balloon"}, kinds(again)
        assert again.events("dialog_opened") == []

    with story.step("each batch completes: each in exactly one tray balloon"):
        finished_as_on_server(again, backend, seeded)
        for bid in seeded:
            again.wait_event("notification", where=covers(bid))
        balloon = wait_until(lambda: one(again, "balloon"), message="Qt's balloon on screen")
        screen = screen_shot("xembed-03-tray-balloon-screen.png", balloon)
        crop(screen, "xembed-03-tray-balloon.png", union(balloon.box, icon.box), margin=40)
        only_once_each(again, seeded, "tray")
        assert [n for n in dunst_history() if n.appname == APP_NAME] == [], (
            "with an XEmbed tray the balloon is the notification: nothing over D-Bus too"
        )

    with story.step("a click on the balloon opens the dialog"):
        click(balloon.x + 40, balloon.y + 20)  # on its title, away from its close box
        dialog = wait_until(lambda: one(again, "dialog"), message="the dialog after the click")
        wait_until(lambda: one(again, "balloon") is None, message="the balloon to close")
        window_shot("xembed-04-dialog-finished.png", dialog, settle=True)

    with story.step("sign out from the tray menu"):
        stored = stored_session()
        assert stored is not None
        menu = open_tray_menu(again, icon)
        screen = screen_shot("xembed-05-tray-menu-screen.png", menu)
        crop(screen, "xembed-05-tray-menu.png", union(menu.box, icon.box), margin=24)
        pick_from_the_bottom(menu, 1, tmp_path)  # Sign out: right above Quit, the last item
        assert again.wait_event("signed_out")[0]["reason"] == "user"
        wait_until(lambda: stored_session() is None, message="the keyring entry to be removed")
        # The server ended that session too: its refresh token is gone.
        wait_until(lambda: stored["rt"] not in refresh_tokens(backend), message="logout")

    with story.step("quit from the tray menu"):
        menu = open_tray_menu(again, icon)
        pick_from_the_bottom(menu, 0, tmp_path)  # Quit, the last item
        assert_clean_exit(again, again.wait_exit(20))

        assert_no_secret_in(home, backend)


def open_tray_menu(app: AppProcess, icon: XWindow) -> XWindow:
    """Right-click the tray icon (where no balloon covers it) and wait for its menu."""
    # A click on the icon while Qt's balloon shows counts as a click on the balloon.
    wait_until(lambda: one(app, "balloon") is None, message="no balloon over the icon")
    click(*icon.center, button=3)
    return wait_until(lambda: one(app, "menu"), message="the tray icon's menu")


HIGHLIGHT = "#308cc6"  # the Fusion style's highlight: the menu's selected item


def highlighted_row(menu: XWindow, scratch: Path) -> tuple[int, int] | None:
    """(top, bottom) on the screen of the menu's highlighted item, read from a screenshot."""
    path = screenshot(scratch / "menu-probe.png")
    x, y, width, height = menu.box
    box = run(
        [
            "convert", str(path), "-crop", f"{width}x{height}+{x}+{y}", "+repage",
            "-fuzz", "10%", "-fill", "black", "+opaque", HIGHLIGHT, "-format", "%@", "info:",
        ]
    )  # fmt: skip
    found = re.fullmatch(r"(\d+)x(\d+)\+(\d+)\+(\d+)", box.strip())
    if found is None:
        return None
    band_width, band_height, _left, top = map(int, found.groups())
    if band_width < width // 2 or not 8 <= band_height <= 60:
        return None  # no highlighted item (the trim box of an all-black image)
    return y + top, y + top + band_height


def moved(menu: XWindow, scratch: Path, before: tuple[int, int]) -> tuple[int, int] | None:
    row = highlighted_row(menu, scratch)
    return row if row is not None and row != before else None


def pick_from_the_bottom(menu: XWindow, items_up: int, scratch: Path) -> None:
    """Choose the menu item `items_up` above the last one (0: the last) with the arrow
    keys, as a user does, checking on the screen where each key put the highlight:
    the first Up on the last item (which also shows the menu has the keyboard), each
    next one on the item right above. Then Return."""
    press("Up")
    row = wait_until(
        lambda: highlighted_row(menu, scratch), message="the tray menu's last item highlighted"
    )
    assert menu.y + menu.height - row[1] <= 8, f"Up highlighted {row}, not the last item"
    for _ in range(items_up):
        below = row
        press("Up")
        row = wait_until(
            functools.partial(moved, menu, scratch, below), message="the highlight to move up"
        )
        assert abs(row[1] - below[0]) <= 3, f"{row} is not the item right above {below}"
    press("Return")


# --- sni: desktop notifications across a backend restart ------------------------------------

COMPLETED_ES = "Publicación completada"
#: A notice about ends: one batch ("Publicación completada: lote-a") or several
#: ("Terminaron 3 publicaciones").
ENDS_ES = re.compile(rf"{COMPLETED_ES}: |Terminaron \d+ publicaciones")
ACTIVE_ES = "Publicación en progreso"
UNREACHABLE_ES = "No se pudo conectar al servidor"


@pytest.mark.tray("sni")
@pytest.mark.usefixtures("clean_notifications", "calm_desktop", "no_stored_session")
def test_sni_one_notification_per_batch_across_a_backend_restart(
    backend_factory: Callable[..., Backend],
    launch: Callable[..., AppProcess],
    story: Story,
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=CLIP_SECONDS)
    batches = {  # 5 to 6 s of work each; named by their job ids
        backend.create_batch(25, job_id="lote-a"): "lote-a",
        backend.create_batch(28, fail=[3, 9], job_id="lote-b"): "lote-b",
        backend.create_batch(30, job_id="lote-c"): "lote-c",
    }
    seeded = list(batches)

    with story.step("signed in from the environment, in a StatusNotifierItem tray"):
        app = launch(backend, tmp_path / "home", "--minimized", "--lang", "es", sign_in=True)
        assert app.proc is not None
        assert app.wait_event("signed_in")[0]["user_id"] == backend.user_id
        found_running(app, seeded)
        for bid in seeded:
            app.wait_event("stream_state", batch_id=bid, state="live")
        wait_until(
            lambda: app.proc is not None and app.proc.pid in watcher_item_pids().values(),
            message="the app's item registered with the StatusNotifierWatcher",
        )
        assert kinds(app) == [], "minimized with a tray: no window at all"

    with story.step("the backend is killed mid-batch"):
        wait_until(
            lambda: all(backend.batch(bid)["published"] >= 2 for bid in seeded),
            message="a few clips published",
        )
        assert all(backend.batch(bid)["status"] == "processing" for bid in seeded)
        backend.kill()
        for bid in seeded:
            app.wait_event(
                "stream_state",
                batch_id=bid,
                where=lambda e: e["state"] in ("reconnecting", "polling"),
            )

    with story.step("the backend restarts; every batch completes"):
        backend.restart()
        finished_as_on_server(app, backend, seeded)
        for bid in seeded:
            app.wait_event("notification", where=covers(bid))

    with story.step("each batch named in exactly one desktop notification"):
        ends = end_notices(app)
        expect_dunst(len(ends) + 1)
        window = dunst_window()
        assert window is not None, "dunst shows nothing"
        screen = screen_shot("sni-01-notifications-screen.png", window)
        crop(screen, "sni-01-notifications.png", window.box, margin=12)
        ours = [n for n in dunst_history() if n.appname == APP_NAME]
        finished = [n for n in ours if ENDS_ES.match(n.summary)]
        assert len(finished) == len(ends), ours
        for name in batches.values():
            assert named_once(finished, name), (name, ours)
        assert [n for n in ours if n.summary == ACTIVE_ES] == [
            Notification(ACTIVE_ES, "Tienes 3 publicaciones en proceso", APP_NAME)
        ], ours
        others = [n for n in ours if n not in finished and n.summary != ACTIVE_ES]
        # The outage may be announced, once; nothing else.
        assert [n.summary for n in others] in ([], [UNREACHABLE_ES]), ours
        only_once_each(app, seeded, "dbus")

    with story.step("quit"):
        assert_clean_exit(app, app.stop())


# --- none: no tray at all -------------------------------------------------------------------


@pytest.mark.tray("none")
@pytest.mark.usefixtures("clean_notifications", "calm_desktop", "no_stored_session")
def test_without_a_tray_the_window_stays_and_closing_it_quits(
    backend_factory: Callable[..., Backend],
    launch: Callable[..., AppProcess],
    story: Story,
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=CLIP_SECONDS)
    batches = {  # 5 and 6 s of work; named by their job ids
        backend.create_batch(25, job_id="spring-a"): "spring-a",
        backend.create_batch(30, fail=[5], job_id="spring-b"): "spring-b",
    }
    seeded = list(batches)

    with story.step("--minimized without a tray shows the window anyway"):
        app = launch(backend, tmp_path / "home", "--minimized", "--lang", "en", sign_in=True)
        window = wait_until(lambda: one(app, "window"), message="the main window on screen")
        found_running(app, seeded)
        for bid in seeded:
            app.wait_event("stream_state", batch_id=bid, state="live")
        assert one(app, "tray-icon") is None
        expect_dunst(1)  # "Publishing in progress"
        wait_until(
            lambda: all(backend.batch(bid)["published"] >= 3 for bid in seeded),
            message="a few clips published",
        )
        dunst = dunst_window()
        assert dunst is not None, "dunst shows nothing"
        screen_shot("none-01-main-window-screen.png", window, dunst)
        window_shot("none-01-main-window.png", window)

    with story.step("each batch completes: each in exactly one desktop notification"):
        finished_as_on_server(app, backend, seeded)
        for bid in seeded:
            app.wait_event("notification", where=covers(bid))
        ends = end_notices(app)
        expect_dunst(len(ends) + 1)
        dunst = dunst_window()
        assert dunst is not None, "dunst shows nothing"
        screen_shot("none-02-notifications-screen.png", window, dunst)
        ours = [n for n in dunst_history() if n.appname == APP_NAME]
        finished = [n for n in ours if ENDS_EN.match(n.summary)]
        assert len(finished) == len(ends), ours
        for name in batches.values():
            assert named_once(finished, name), (name, ours)
        assert [n.summary for n in ours].count("Publishing in progress") == 1, ours
        only_once_each(app, seeded, "dbus")

    with story.step("closing the window asks, then quits the app"):
        close_window(window.wid)
        question = wait_until(lambda: one(app, "dialog"), message="the quit question")
        assert question is not None
        app.wait_event("question_asked", what="quit")
        window_shot("none-03-close-question.png", question)
        focus_window(question.wid)
        press("Return")  # its default button: Quit
        assert app.wait_event("question_answered", what="quit")[0]["agreed"] is True
        assert_clean_exit(app, app.wait_exit(20))
