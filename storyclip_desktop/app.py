"""The doorway: command line, QApplication, single instance, the event loop.

Start-up order (issue 7): the first window is built and shown before anything it
does not need is imported. This module imports only what the command line and
that window need; asyncio, qasync, the core and the rest of the ui come with
:mod:`storyclip_desktop.running`, loaded once the window is shown, which builds
the session and the ui and connects them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from storyclip_desktop import __version__
from storyclip_desktop.config import LOG_FILE, RUN_DEMO_BACKEND, load_settings, log_dir
from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.servers import ENV_API_KEY
from storyclip_desktop.instance import SingleInstance
from storyclip_desktop.jsonlog import log_started, setup_logging
from storyclip_desktop.ui.main_window import HostTray, MainWindow
from storyclip_desktop.ui.resources import app_icon, install_translator

__all__ = ["build_parser", "main", "run_app"]

APP_NAME = "StoryClip Desktop"
ORG_NAME = "StoryClip"
DESKTOP_ID = "storyclip-desktop"
ENV_EMAIL = "STORYCLIP_EMAIL"
ENV_PASSWORD = "STORYCLIP_PASSWORD"  # noqa: S105 - a variable name

_log = get_logger("app")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storyclip-desktop",
        description="Follow your StoryClip publish batches from the system tray.",
        epilog=(
            f"Environment: {ENV_API_KEY} (the StoryClip API key), {ENV_EMAIL} and "
            f"{ENV_PASSWORD} (sign in without the form, for scripted use). "
            "To act on a batch in the running app: storyclip-desktop "
            "pause|resume|cancel|retry-failed BATCH_ID; to list its batches: "
            "storyclip-desktop --list."
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
    parser.add_argument("--api-key", metavar="KEY", help=f"StoryClip API key (or {ENV_API_KEY})")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, then run the app until the user quits."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == [RUN_DEMO_BACKEND]:
        # A frozen app starts itself with this to run the local backend (demo_process).
        from storyclip_desktop.demo.__main__ import main as demo_main

        return demo_main(argv[1:])
    from storyclip_desktop.remote import is_remote

    if is_remote(argv):
        # pause|resume|cancel|retry-failed BATCH_ID, --list: for the running instance.
        from storyclip_desktop.remote import main as remote_main

        return remote_main(argv)
    args = build_parser().parse_args(argv)
    setup_logging(args.log_file, rotating=log_dir() / LOG_FILE)
    return run_app(args)


def log_unhandled(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    """sys.excepthook: an exception escaping a Qt slot is logged, never silent."""
    log_event(_log, "error", 40, where="excepthook", message=f"{kind.__name__}: {str(value)[:300]}")
    _log.debug("traceback", exc_info=(kind, value, tb))


def run_app(args: argparse.Namespace) -> int:
    """Build the QApplication, claim the single instance, show the first window, then
    run the loop until quit (:mod:`storyclip_desktop.running`).

    A second instance hands over to the first and exits before any window exists.
    """
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
            # the rest of the ui: the ui takes it over. Minimized, the tray decides
            # whether a window shows at all.
            QApplication.setQuitOnLastWindowClosed(False)  # quitting is explicit
            window = MainWindow(None, QSettings(), HostTray())
            window.bring_forward()
            log_started(args)
            qt_app.processEvents()  # paint it now, not after what follows
        instance.listen()
        from storyclip_desktop.heap import keep_large_buffers_returnable

        keep_large_buffers_returnable()  # runs all day: big answers must not stay resident
        # After the window: asyncio, qasync, the core and the rest of the ui.
        from storyclip_desktop.running import run_loop

        return run_loop(qt_app, instance, args, window)
    finally:
        instance.release()
