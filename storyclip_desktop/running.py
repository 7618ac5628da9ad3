"""The running app: the session and the ui, built and connected, until quit.

Imported by :mod:`storyclip_desktop.app` once the first window is shown (start-up
time: asyncio, qasync, httpx and the keyring load after it). It builds the core's
session (``core.session.DesktopSession``), the ui (``ui.controller.DesktopUi``)
and the two adapters that carry the core's news into Qt signals, connects the
user's requests to the session, runs until the user quits or a signal arrives,
and closes everything in order.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from storyclip_desktop.config import AppSettings, data_dir, load_settings
from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.secrets import api_key_entry
from storyclip_desktop.core.servers import ENV_API_URL, ENV_SUPABASE_URL
from storyclip_desktop.core.session import DesktopSession, SessionOptions
from storyclip_desktop.demo_process import DemoProcess
from storyclip_desktop.instance import SingleInstance
from storyclip_desktop.jsonlog import log_started
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.coalescer import frame_interval_ms
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.eventloop import QtEventLoop
from storyclip_desktop.ui.main_window import MainWindow
from storyclip_desktop.ui.network_info import NetworkWatch
from storyclip_desktop.ui.session_bridge import SessionBridge
from storyclip_desktop.ui.settings_actions import SettingsActions
from storyclip_desktop.wakeup import SignalWakeup

__all__ = ["RunningApp", "loop_exception_handler", "run_loop"]

_log = get_logger("app")

# anyio >= 4.14 (httpx's async I/O) wraps each task-group child in a coroutine that
# awaits it: a child cancelled before its first step is dropped un-awaited and Python
# warns when it is collected. It happens when a connection attempt (happy eyeballs'
# try_connect) is torn down the instant it started: a quit right after sign-in, a
# follower stopped while connecting. Nothing is lost (the attempt was cancelled on
# purpose); only that one warning is silenced, so stderr keeps meaning something.
warnings.filterwarnings(
    "ignore",
    message=r"coroutine 'connect_tcp\.<locals>\.try_connect' was never awaited",
    category=RuntimeWarning,
)


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's handler: errors in tasks and callbacks go to the structured log."""
    exc = context.get("exception")
    message = context.get("message", "")
    detail = f"{type(exc).__name__}: {str(exc)[:300]}" if exc else str(message)[:300]
    log_event(_log, "error", logging.ERROR, where="loop", message=detail)


async def _end_other_tasks(rounds: int = 5) -> None:
    """Cancel every task but this one and wait for them, again while cancelling made new
    ones (a connection attempt being torn down starts its own), so none is left
    half-started when the loop closes."""
    current = asyncio.current_task()
    for _ in range(rounds):
        others = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not others:
            return
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await asyncio.sleep(0)


class _SavedServers:
    """The servers saved in the settings file (core.session.SavedServers), read anew
    at each configure so a "Save" in the settings is what the next start uses."""

    def saved_servers(self) -> Mapping[str, str]:
        return load_settings(QSettings()).saved_servers()


class RunningApp:
    """The app's life on the qasync loop: session and ui, from start to quit.

    ``window``: the main window :func:`storyclip_desktop.app.run_app` already showed
    (before this module was loaded); the ui takes it over. None: the ui builds it.
    """

    def __init__(self, args: argparse.Namespace, window: MainWindow | None = None) -> None:
        self.args = args
        self.first_window = window
        self.quit_event = asyncio.Event()
        self.ui: DesktopUi | None = None
        self.bridge: MonitorBridge | None = None
        self.session: DesktopSession | None = None
        self.network: NetworkWatch | None = None
        self._tasks: set[asyncio.Future[None]] = set()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception_handler)
        wakeup = SignalWakeup(loop, self)
        wakeup.install()
        settings = load_settings(QSettings())
        self.args.minimized = bool(self.args.minimized or settings.start_minimized)
        bridge = self.bridge = MonitorBridge()
        options = SessionOptions(
            data_dir=self.args.data_dir or data_dir(),
            cli={
                "api_url": self.args.api_url,
                "supabase_url": self.args.supabase_url,
                "anon_key": self.args.supabase_anon_key,
                "api_key": self.args.api_key,
            },
            discovery_interval=self.args.discovery_interval,
            allow_insecure=bool(self.args.insecure),
            demo=bool(self.args.demo),
        )
        # The core reports through the two adapters; the ui's services are the session.
        events = SessionBridge()
        session = self.session = DesktopSession(
            options, events, bridge, _SavedServers(), DemoProcess()
        )
        # Views redraw at most once a frame however fast events come (the model
        # still applies every event): see ui.coalescer.
        ui = self.ui = DesktopUi(
            session,
            bridge,
            window=self.first_window,
            coalesce_ms=frame_interval_ms(),
            session_events=events,
        )
        ui.allow_insecure = options.allow_insecure
        ui.api_key_overridden = session.api_key_overridden
        ui.servers_given = any(options.cli.get(k) for k in ("api_url", "supabase_url")) or any(
            os.environ.get(name) for name in (ENV_API_URL, ENV_SUPABASE_URL)
        )
        self._apply(settings)
        ui.settingsApplied.connect(self._settings_applied)
        ui.demoRequested.connect(session.use_demo)
        ui.quitRequested.connect(self.quit_event.set)
        ui.start(minimized=self.args.minimized)
        if self.first_window is None:  # else logged when that window was shown
            log_started(self.args)
        ui.settings_backend = SettingsActions(QSettings(), api_key_entry())
        # The OS's view of the network, as a hint to the session's connectivity.
        self.network = NetworkWatch(session)
        self.network.start()
        try:
            session.begin()
            await self.quit_event.wait()
        finally:
            await self._shutdown()
            wakeup.uninstall()
        return 0

    def _apply(self, settings: AppSettings) -> None:
        assert self.ui is not None
        self.ui.apply_settings(settings)

    def _settings_applied(self, _settings: object, servers_changed: bool) -> None:
        if servers_changed and self.session is not None:
            self.session.servers_changed()

    def quit_signal(self, signum: int) -> None:
        """SIGTERM / SIGINT (wakeup.SignalListener): quit as if the user chose Quit."""
        log_event(_log, "quit_signal", signal=signal.Signals(signum).name)
        self.quit_event.set()

    def remote_request(
        self, request: dict[str, Any], answer: Callable[[dict[str, Any]], None]
    ) -> None:
        """A command-line request over the single-instance socket (issue 16): ``list``
        answers at once; ``control`` acts through the session, source ``cli``."""
        session = self.session
        op = request.get("op")
        if session is None:
            answer({"result": "failed", "message": "the app is starting"})
        elif op == "list":
            answer({"result": "ok", "lines": session.listing()})
        elif op == "control":
            task = asyncio.ensure_future(
                self._control(
                    session, str(request.get("batch_id", "")), str(request.get("action")), answer
                )
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            answer({"result": "failed", "message": f"unknown request {str(op)[:40]}"})

    @staticmethod
    async def _control(
        session: DesktopSession,
        batch_id: str,
        action: str,
        answer: Callable[[dict[str, Any]], None],
    ) -> None:
        try:
            outcome = await session.control(batch_id[:200], action, "cli")
        except Exception as exc:  # the command line must get an answer whatever broke
            log_event(_log, "error", logging.ERROR, where="control", message=repr(exc)[:300])
            answer({"result": "failed", "reason": "error", "message": "the app failed"})
            return
        answer({"result": outcome.result, "reason": outcome.reason, "message": outcome.message})

    def activate(self) -> None:
        """A second launch asked this instance to show itself."""
        log_event(_log, "activated", reason="second_instance")
        if self.ui is not None:
            self.ui.show_window()
        elif self.first_window is not None:
            self.first_window.bring_forward()

    async def _shutdown(self) -> None:
        """Close everything in order; every task awaited, every client closed.

        The monitor stops first (no new requests), then the ui (its windows and
        D-Bus connection), then every other task, a sign-in or a list the server
        never answers included, so that none can open a connection on a closed
        client's pool; then the session closes its clients and the demo backend.
        """
        session = self.session
        if session is not None:
            await session.stop()
        if self.ui is not None:
            await self.ui.aclose()
        await _end_other_tasks()
        if session is not None:
            await session.aclose()
        await _end_other_tasks()
        # Closed streams leave httpcore's async generators in reference cycles;
        # collect them now, while the loop still runs their finalizers, rather
        # than at interpreter exit where they would fail on a closed loop.
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0)
        log_event(_log, "stopped")


def run_loop(
    qt_app: QApplication,
    instance: SingleInstance,
    args: argparse.Namespace,
    window: MainWindow | None,
) -> int:
    """The qasync loop (ui/eventloop.py) running the app until quit."""
    app = RunningApp(args, window)
    instance.activationRequested.connect(app.activate)
    instance.requestReceived.connect(app.remote_request)
    # qasync's loop with socket readers that are cheap to pause (ui/eventloop.py).
    with asyncio.Runner(loop_factory=lambda: QtEventLoop(qt_app)) as runner:
        return runner.run(app.run())
