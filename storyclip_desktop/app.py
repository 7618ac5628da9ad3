"""Composition root: command line, QApplication and qasync loop, services, UI.

Everything runs on the Qt main thread with asyncio driven by qasync. This module
is the only place that knows both the core and the UI: it builds the core's
services, hands the UI a narrow :class:`~storyclip_desktop.ui.services.AppServices`
and turns the core's listener calls into Qt signals through the UI's bridge.

Start-up order (issue 7): the first window is built and shown before anything it
does not need is imported. asyncio, qasync, the single-instance socket, the tray,
the notifier and the dialogs come right after it is shown (:func:`run_app`), the
core once the UI exists. So asyncio is imported inside the functions here, not at
the top of this module.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from storyclip_desktop import __version__

if TYPE_CHECKING:
    import asyncio

    from storyclip_desktop.core.api import StoryClipApi
    from storyclip_desktop.core.auth import AuthClient, SessionManager
    from storyclip_desktop.core.monitor import BatchMonitor
    from storyclip_desktop.core.vault import Vault
    from storyclip_desktop.ui.main_window import MainWindow

APP_NAME = "StoryClip Desktop"
ORG_NAME = "StoryClip"
DESKTOP_ID = "storyclip-desktop"
DEMO_EMAIL = "demo@storyclip.app"
DEMO_PASSWORD = "storyclip-demo"  # noqa: S105 - the public demo account of the local backend
ENV_EMAIL = "STORYCLIP_EMAIL"
ENV_PASSWORD = "STORYCLIP_PASSWORD"  # noqa: S105 - a variable name

_log = logging.getLogger("storyclip.app")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storyclip-desktop",
        description="Follow your StoryClip publish batches from the system tray.",
        epilog=(
            f"Environment: STORYCLIP_API_KEY (the StoryClip API key), {ENV_EMAIL} and "
            f"{ENV_PASSWORD} (sign in without the form, for scripted use)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the built-in local backend with demo data and sign in to it",
    )
    parser.add_argument("--api-url", metavar="URL", help="StoryClip API base URL")
    parser.add_argument("--supabase-url", metavar="URL", help="Supabase project URL")
    parser.add_argument("--supabase-anon-key", metavar="KEY", help="Supabase anon key")
    parser.add_argument("--api-key", metavar="KEY", help="StoryClip API key (or STORYCLIP_API_KEY)")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain http:// to a server that is not on this machine",
    )
    parser.add_argument("--minimized", action="store_true", help="start in the system tray")
    parser.add_argument("--log-file", metavar="PATH", type=Path, help="also write the log here")
    parser.add_argument("--lang", choices=("es", "en"), help="language of the interface")
    # For tests and benchmarks: where the monitor's memory lives, how often it
    # looks for batches started elsewhere.
    parser.add_argument("--data-dir", metavar="PATH", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--discovery-interval", metavar="S", type=float, default=30.0, help=argparse.SUPPRESS
    )
    return parser


#: Hidden first argument: run the local backend's command line instead of the app.
#: ``--demo`` starts the backend as a child process; in a frozen app
#: ``sys.executable`` is this app's binary, not Python, so it starts itself with this.
RUN_DEMO_BACKEND = "--run-demo-backend"


def demo_backend_command() -> list[str]:
    """The command that runs ``python -m storyclip_desktop.demo`` in this installation."""
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_DEMO_BACKEND]
    return [sys.executable, "-m", "storyclip_desktop.demo"]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, then run the app until the user quits."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == [RUN_DEMO_BACKEND]:
        from storyclip_desktop.demo.__main__ import main as demo_main

        return demo_main(argv[1:])
    args = build_parser().parse_args(argv)
    # Imported after parsing so --help and --version answer without loading Qt.
    from storyclip_desktop.config import LOG_FILE, log_dir
    from storyclip_desktop.jsonlog import setup_logging

    setup_logging(args.log_file, rotating=log_dir() / LOG_FILE)
    return run_app(args)


class _Demo:
    """The local backend as a child process of the app (``--demo``)."""

    def __init__(self) -> None:
        import secrets
        import tempfile

        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""
        self.api_key = "demo-" + secrets.token_urlsafe(12)
        self.anon_key = "demo-anon-key"
        self._dir = tempfile.TemporaryDirectory(prefix="storyclip-demo-")
        self._drain: asyncio.Task[None] | None = None

    async def start(self) -> str:
        import asyncio

        self.proc = await asyncio.create_subprocess_exec(
            *demo_backend_command(),
            "serve",
            "--port",
            "0",
            "--seed-demo",
            "--db",
            str(Path(self._dir.name) / "demo.sqlite3"),
            "--api-key",
            self.api_key,
            "--anon-key",
            self.anon_key,
            "--exit-with-stdin",
            stdin=asyncio.subprocess.PIPE,  # our lifeline: it closes when we die
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 30.0)
        url = line.decode("utf-8", "replace").strip()
        if not url.startswith("http://"):
            raise RuntimeError("the demo backend did not start")
        self.url = url
        self._drain = asyncio.ensure_future(self._discard(self.proc.stdout))
        return url

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @staticmethod
    async def _discard(stream: asyncio.StreamReader) -> None:
        while await stream.read(65536):
            pass

    async def stop(self) -> None:
        import asyncio

        proc, self.proc = self.proc, None
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()
        if proc is not None and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self._drain is not None:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain
        self._dir.cleanup()


def log_unhandled(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    """sys.excepthook: an exception escaping a Qt slot is logged, never silent."""
    from storyclip_desktop.core.log import log_event

    log_event(
        _log,
        "error",
        logging.ERROR,
        where="excepthook",
        message=f"{kind.__name__}: {str(value)[:300]}",
    )
    _log.debug("traceback", exc_info=(kind, value, tb))


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's handler: errors in tasks and callbacks go to the structured log."""
    from storyclip_desktop.core.log import log_event

    exc = context.get("exception")
    message = context.get("message", "")
    detail = f"{type(exc).__name__}: {str(exc)[:300]}" if exc else str(message)[:300]
    log_event(_log, "error", logging.ERROR, where="loop", message=detail)


class SignalWakeup:
    """Lets SIGTERM/SIGINT reach Python while Qt's C++ loop is waiting.

    A socket pair is registered with ``signal.set_wakeup_fd``; the read end is
    watched by the event loop, so a signal wakes it at once (no polling timer).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, on_signal: Any) -> None:
        import socket

        self._loop = loop
        self._on_signal = on_signal
        self._r, self._w = socket.socketpair()
        self._r.setblocking(False)
        self._w.setblocking(False)
        self._old_fd = -1

    def install(self) -> None:
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        self._old_fd = signal.set_wakeup_fd(self._w.fileno())
        self._loop.add_reader(self._r.fileno(), self._drain)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda num, _frame: self._loop.call_soon(self._on_signal, num))

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._r.recv(4096)

    def uninstall(self) -> None:
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        signal.set_wakeup_fd(self._old_fd)
        with contextlib.suppress(Exception):
            self._loop.remove_reader(self._r.fileno())
        self._r.close()
        self._w.close()


def data_dir_default() -> Path:
    from storyclip_desktop.config import data_dir

    return data_dir()


# ---------------------------------------------------------------- the running app


class Services:
    """What the UI may ask of the core (ui.services.AppServices), plus the monitor's life.

    One monitor per signed-in session: it is built after sign-in (form, keyring,
    environment or demo) and stopped on sign-out, so nothing follows a user who left.
    """

    def __init__(self, app: App) -> None:
        self._app = app

    @property
    def user_email(self) -> str | None:
        sessions = self._app.sessions
        return sessions.email if sessions is not None and sessions.signed_in else None

    @property
    def vault_message(self) -> str | None:
        vault = self._app.vault
        if vault is None or vault.status.persistent:
            return None
        return vault.status.reason

    async def sign_in(self, email: str, password: str, remember: bool) -> None:
        await self._app.sign_in(email, password, remember)

    async def sign_out(self) -> None:
        await self._app.sign_out()

    async def refresh(self) -> None:
        await self._app.refresh()


class App:
    """The app's life from start to quit, on the qasync loop.

    ``window``: the main window :func:`run_app` already showed (before the loop
    and the rest of the UI existed); the UI takes it over. None: the UI builds it.
    """

    def __init__(self, args: argparse.Namespace, window: MainWindow | None = None) -> None:
        import asyncio

        # The core (httpx, keyring) is imported once the window is shown.
        self.args = args
        self.first_window = window
        self.demo: _Demo | None = None
        self.auth: AuthClient | None = None
        self.vault: Vault | None = None
        self.sessions: SessionManager | None = None
        self.api: StoryClipApi | None = None
        self.monitor: BatchMonitor | None = None
        self.quit_event = asyncio.Event()
        self._monitor_lock = asyncio.Lock()
        self.ui: Any = None
        self.bridge: Any = None

    # ------------------------------------------------------------ start

    async def run(self) -> int:
        import asyncio

        from PySide6.QtCore import QSettings

        from storyclip_desktop.config import ENV_API_KEY, load_settings
        from storyclip_desktop.ui.bridge import MonitorBridge, frame_interval_ms
        from storyclip_desktop.ui.controller import DesktopUi

        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception_handler)
        wakeup = SignalWakeup(loop, self._on_signal)
        wakeup.install()
        settings = load_settings(QSettings())
        self.args.minimized = bool(self.args.minimized or settings.start_minimized)
        # Views redraw at most once a frame however fast events come (the model
        # still applies every event): see MonitorBridge.
        self.bridge = MonitorBridge(coalesce_ms=frame_interval_ms())
        self.ui = DesktopUi(Services(self), self.bridge, window=self.first_window)
        self.ui.allow_insecure = bool(self.args.insecure)
        self.ui.api_key_overridden = bool(self.args.api_key or os.environ.get(ENV_API_KEY))
        self.ui.apply_settings(settings)
        self.ui.settingsApplied.connect(self._settings_applied)
        self.ui.demoRequested.connect(self._demo_requested)
        self.ui.quitRequested.connect(self.quit_event.set)
        self.ui.start(minimized=self.args.minimized)
        if self.first_window is None:  # else logged when that window was shown
            log_started(self.args)
        # After the first window: the settings' backend pulls in the keyring and
        # the connection check (httpx), which that window does not need.
        from storyclip_desktop.core.secrets import api_key_entry
        from storyclip_desktop.ui.settings_dialog import SettingsActions

        self.ui.settings_backend = SettingsActions(QSettings(), api_key_entry())
        try:
            await self._configure()
            await self.quit_event.wait()
        finally:
            await self._shutdown()
            wakeup.uninstall()
        return 0

    async def _configure(self) -> None:
        """Servers from the command line, the environment, the saved settings and the
        keyring (API key); then the session. Nothing configured: the settings open."""
        from PySide6.QtCore import QSettings

        from storyclip_desktop.config import (
            ENV_API_KEY,
            ConfigError,
            load_settings,
            resolve_servers,
        )
        from storyclip_desktop.core.log import log_event
        from storyclip_desktop.core.secrets import api_key_entry

        cli = {
            "api_url": self.args.api_url,
            "supabase_url": self.args.supabase_url,
            "anon_key": self.args.supabase_anon_key,
            "api_key": self.args.api_key,
        }
        saved: dict[str, str] = {}
        stored_key: str | None = None
        if self.args.demo:
            if self.demo is None:
                self.demo = _Demo()
                url = await self.demo.start()
                log_event(_log, "demo_backend", url=url, pid=self.demo.pid)
            cli = {
                "api_url": self.demo.url,
                "supabase_url": self.demo.url,
                "anon_key": self.demo.anon_key,
                "api_key": self.demo.api_key,
            }
        else:
            saved = load_settings(QSettings()).saved_servers()
            if not (cli["api_key"] or os.environ.get(ENV_API_KEY)):
                stored_key = await api_key_entry().load_text()
        try:
            servers = resolve_servers(
                cli=cli, saved=saved, allow_insecure=self.args.insecure, stored_api_key=stored_key
            )
        except ConfigError as exc:
            log_event(_log, "error", logging.ERROR, where="config", message=str(exc))
            servers = None
        if servers is not None and servers.complete:
            self._build_core(servers)
            await self._first_session()
        else:
            log_event(
                _log,
                "error",
                logging.WARNING,
                where="config",
                message="server settings incomplete: api url, supabase url, "
                "anon key and api key are needed",
            )
            self.ui.open_settings(first_run=True)

    def _settings_applied(self, _settings: Any, servers_changed: bool) -> None:
        """New servers or API key: start again on them (the demo keeps its own)."""
        if servers_changed and not self.args.demo:
            self._spawn(self._reconfigure())

    def _demo_requested(self) -> None:
        """The "Try the demo" button: this process restarts its services on the local
        backend (no relaunch: the single-instance lock and the tray icon stay as they are)."""
        self.args.demo = True
        self._spawn(self._reconfigure())

    async def _reconfigure(self) -> None:
        from storyclip_desktop.core.log import log_event

        async with self._monitor_lock:
            monitor, self.monitor = self.monitor, None
            if monitor is not None:
                await monitor.stop()
        for client in (self.api, self.auth):
            if client is not None:
                await client.aclose()
        self.api = self.auth = self.sessions = self.vault = None
        self.ui.session_reset()
        log_event(_log, "reconfigured", demo=bool(self.args.demo))
        await self._configure()

    def _build_core(self, servers: Any) -> None:
        from storyclip_desktop.core.api import StoryClipApi
        from storyclip_desktop.core.auth import AuthClient, SessionManager
        from storyclip_desktop.core.vault import Vault
        from storyclip_desktop.jsonlog import REDACTOR

        REDACTOR.add(servers.api_key)
        REDACTOR.add(servers.anon_key)
        self.auth = AuthClient(servers.auth_url, servers.anon_key)
        account = "demo-session" if self.args.demo else "session"
        self.vault = Vault(account=account)
        self.sessions = SessionManager(self.auth, self.vault)
        self.sessions.add_signed_out_listener(self._signed_out)
        self.api = StoryClipApi(servers.api_url, servers.api_key, self.sessions)

    async def _first_session(self) -> None:
        """Environment, then demo account, then the keyring; else the form waits."""
        from storyclip_desktop.core.auth import AuthError

        assert self.sessions is not None
        email = os.environ.get(ENV_EMAIL)
        password = os.environ.get(ENV_PASSWORD)
        if not (email and password) and self.args.demo:
            email, password = DEMO_EMAIL, DEMO_PASSWORD
        try:
            if email and password:
                await self.sign_in(email, password, remember=not self.args.demo)
            else:
                session = await self.sessions.restore()
                if session is not None:
                    await self._signed_in()
        except AuthError as exc:
            from storyclip_desktop.core.log import log_event

            log_event(_log, "error", logging.WARNING, where="sign_in", message=exc.reason)
            self.ui.window.sign_in.failed(_sign_in_text(exc.reason), clear_password=False)

    # ------------------------------------------------------------ session

    async def sign_in(self, email: str, password: str, remember: bool) -> None:
        if self.sessions is None:
            raise RuntimeError("the server settings are incomplete")
        from storyclip_desktop.jsonlog import REDACTOR

        REDACTOR.add(password)
        await self.sessions.sign_in(email, password, remember)
        await self._signed_in()

    async def _signed_in(self) -> None:
        from storyclip_desktop.core.log import log_event
        from storyclip_desktop.core.memory import MonitorMemory
        from storyclip_desktop.core.monitor import BatchMonitor
        from storyclip_desktop.jsonlog import REDACTOR

        assert self.sessions is not None
        assert self.api is not None
        session = self.sessions.session
        if session is not None:
            REDACTOR.add(session.access_token)
            REDACTOR.add(session.refresh_token)
        user_id = self.sessions.user_id or ""
        log_event(_log, "signed_in", user_id=user_id)
        self.ui.on_signed_in()
        vault_reason = Services(self).vault_message
        if vault_reason is not None:
            # What the account view now says: the session ends with the app.
            log_event(
                _log,
                "vault_notice",
                logging.WARNING,
                reason=vault_reason,
                text=self.ui.notice_text(),
            )
        async with self._monitor_lock:
            if self.monitor is not None:
                await self.monitor.stop()
            data = self.args.data_dir or data_dir_default()
            memory = MonitorMemory(data / "memory.json")
            memory.problem_listener = self._memory_problem
            if memory.problem is not None:
                self._memory_problem(memory.problem)
            self.monitor = BatchMonitor(
                self.api,
                user_id,
                self.bridge,
                memory,
                discovery_interval=max(0.2, self.args.discovery_interval),
            )
            monitor = self.monitor
            await monitor.start()
        running = [b for b in monitor.batches.values() if not b.is_final]
        if running:
            first = running[0].batch_id
            self.ui.announce_active(len(running), first)
            if not self.args.minimized:
                self.ui.open_batches()
                log_event(_log, "dialog_opened", reason="active_batches", count=len(running))

    def _memory_problem(self, problem: str | None) -> None:
        """The monitor's memory file cannot be saved or read: say what will be forgotten."""
        from storyclip_desktop.core.log import log_event

        text = self.ui.show_memory_problem(problem)
        log_event(
            _log,
            "memory_problem",
            logging.WARNING if problem else logging.INFO,
            problem=problem,
            text=text,
        )

    def _signed_out(self, reason: str) -> None:
        from storyclip_desktop.core.log import log_event

        log_event(_log, "signed_out", reason=reason)
        monitor, self.monitor = self.monitor, None
        if monitor is not None:
            self._spawn(monitor.stop())
        self.bridge.signed_out(reason)

    async def sign_out(self) -> None:
        if self.sessions is not None:
            await self.sessions.sign_out()

    async def refresh(self) -> None:
        if self.monitor is not None:
            await self.monitor.refresh()

    # ------------------------------------------------------------ quit

    def _on_signal(self, signum: int) -> None:
        from storyclip_desktop.core.log import log_event

        log_event(_log, "quit_signal", signal=signal.Signals(signum).name)
        self.quit_event.set()

    def _spawn(self, coro: Any) -> None:
        from storyclip_desktop.ui.tasks import spawn

        spawn(coro, where="app")

    async def _shutdown(self) -> None:
        """Close everything in order; every task awaited, every client closed."""
        import asyncio
        import gc

        from storyclip_desktop.core.log import log_event

        monitor, self.monitor = self.monitor, None
        if monitor is not None:
            await monitor.stop()
        if self.ui is not None:
            await self.ui.aclose()
        # Every other task ends before the clients close: one still signing in or
        # starting the monitor would otherwise open a connection on a closed
        # client's pool, and nothing would ever close it.
        current = asyncio.current_task()
        others = [t for t in asyncio.all_tasks() if t is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self.api is not None:
            await self.api.aclose()
        if self.auth is not None:
            await self.auth.aclose()
        if self.demo is not None:
            await self.demo.stop()
        # Closed streams leave httpcore's async generators in reference cycles;
        # collect them now, while the loop still runs their finalizers, rather
        # than at interpreter exit where they would fail on a closed loop.
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0)
        log_event(_log, "stopped")


def log_started(args: argparse.Namespace) -> None:
    """The ``started`` event: the main window was just shown (or, minimized, the
    tray), which is what start-up is measured to."""
    from storyclip_desktop.core.log import log_event

    log_event(
        _log,
        "started",
        version=__version__,
        demo=bool(args.demo),
        minimized=bool(args.minimized),
    )


def _sign_in_text(reason: str) -> str:
    from storyclip_desktop.ui.texts import sign_in_error

    return str(sign_in_error(reason))


def run_app(args: argparse.Namespace) -> int:
    """Build the QApplication, claim the single instance, run the loop until quit.

    The main window is shown first, with only what it needs loaded (see the
    module's docstring); a second instance exits before any window exists.
    """
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from storyclip_desktop.config import load_settings
    from storyclip_desktop.core.log import log_event
    from storyclip_desktop.instance import SingleInstance
    from storyclip_desktop.ui.resources import app_icon, install_translator

    sys.excepthook = log_unhandled
    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(DESKTOP_ID)
    existing = QApplication.instance()
    qt_app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    instance = SingleInstance(DESKTOP_ID)
    if not instance.acquire():
        handed = instance.notify_primary()
        log_event(_log, "second_instance", handed_over=handed)
        return 0
    try:
        qt_app.setWindowIcon(app_icon())
        settings = load_settings(QSettings())
        install_translator(qt_app, args.lang or settings.language or None)
        args.minimized = bool(args.minimized or settings.start_minimized)
        window: MainWindow | None = None
        if not args.minimized:
            # The window the user waits for, before the event loop, the tray and
            # the rest of the UI: the UI takes it over (DesktopUi(window=...)).
            # Minimized, the tray decides whether a window shows at all.
            from storyclip_desktop.ui.main_window import MainWindow

            QApplication.setQuitOnLastWindowClosed(False)  # quitting is explicit
            window = MainWindow(None, QSettings(), QSystemTrayIcon.isSystemTrayAvailable)
            window.bring_forward()
            log_started(args)
            qt_app.processEvents()  # paint it now, not after what follows
        instance.listen()
        from storyclip_desktop.heap import keep_large_buffers_returnable

        keep_large_buffers_returnable()  # runs all day: big answers must not stay resident
        return _run_loop(qt_app, instance, App(args, window))
    finally:
        instance.release()


def _run_loop(qt_app: Any, instance: Any, app: App) -> int:
    """The qasync loop (ui/eventloop.py) running ``app`` until quit."""
    import asyncio

    from storyclip_desktop.core.log import log_event
    from storyclip_desktop.ui.eventloop import QtEventLoop

    def activate() -> None:
        log_event(_log, "activated", reason="second_instance")
        if app.ui is not None:
            app.ui.show_window()
        elif app.first_window is not None:
            app.first_window.bring_forward()

    instance.activationRequested.connect(activate)
    # qasync's loop with socket readers that are cheap to pause (ui/eventloop.py).
    with asyncio.Runner(loop_factory=lambda: QtEventLoop(qt_app)) as runner:
        return runner.run(app.run())
