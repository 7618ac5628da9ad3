"""What Qt's tray does in this session, reported as JSON lines on stdout.

Run as a subprocess by tests/e2e/test_session.py (the app itself comes later): a
QApplication on the xcb platform asks QSystemTrayIcon.isSystemTrayAvailable(), shows
an icon, and with --title/--body calls showMessage. Under an XEmbed tray Qt draws
its own balloon (a top-level QBalloonTip window, reported with its geometry so the
test can look for it from outside); under a StatusNotifier watcher Qt sends
org.freedesktop.Notifications.Notify instead. It stays up until stdin closes, so
the test observes the screen while the icon and balloon exist.

Lines: {"event": "available", "value": bool}, {"event": "icon", "visible": bool,
"embedded": bool}, {"event": "message"}, {"event": "balloon", "x": .., "y": .., "w": .., "h": ..}
(xembed only: the test finds that window from outside), {"event": "error", "text": str}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

# Generous: the loop checks every 20 ms; these only bound a broken session.
EMBED_TIMEOUT_MS = 10_000
BALLOON_TIMEOUT_MS = 10_000


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def top_level(class_name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if widget.metaObject().className() == class_name and widget.isVisible():
            return widget
    return None


_timers: list[QTimer] = []  # keeps the polling timers alive


def poll(timeout_ms: int, check: Callable[[], Any], done: Callable[[Any], None], fail: str) -> None:
    """Call check() every 20 ms until it returns something, then done(it); report fail after."""
    timer = QTimer()
    timer.setInterval(20)
    deadline = time.monotonic() + timeout_ms / 1000

    def tick() -> None:
        value = check()
        if value is not None:
            timer.stop()
            done(value)
        elif time.monotonic() > deadline:
            timer.stop()
            emit(event="error", text=fail)

    timer.timeout.connect(tick)
    timer.start()
    _timers.append(timer)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-name", default="storyclip-e2e-probe")
    parser.add_argument("--title")
    parser.add_argument("--body", default="")
    args = parser.parse_args()

    app = QApplication([sys.argv[0]])
    app.setApplicationName(args.app_name)
    app.setApplicationDisplayName(args.app_name)
    app.setQuitOnLastWindowClosed(False)

    available = QSystemTrayIcon.isSystemTrayAvailable()
    emit(event="available", value=available, platform=app.platformName())

    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor("#e8590c"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    tray.setToolTip(args.app_name)
    tray.show()

    def embedded_icon() -> QWidget | None:
        return top_level("QSystemTrayIconSys")

    def balloon_shown(widget: QWidget) -> None:
        geo = widget.frameGeometry()
        emit(event="balloon", x=geo.x(), y=geo.y(), w=geo.width(), h=geo.height())

    def icon_ready(embedded: bool) -> None:
        emit(event="icon", visible=tray.isVisible(), embedded=embedded)
        if args.title is None:
            return
        tray.showMessage(args.title, args.body, QIcon(pixmap), 30_000)
        emit(event="message")
        if embedded:  # Qt's own balloon exists only on the XEmbed route
            poll(
                BALLOON_TIMEOUT_MS,
                lambda: top_level("QBalloonTip"),
                balloon_shown,
                "no QBalloonTip window after showMessage",
            )

    if available and not QSystemTrayIcon.supportsMessages():
        emit(event="error", text="tray available but supportsMessages() is False")
    # On the XEmbed route the icon is a widget the tray host embeds and maps, and Qt
    # shows a balloon only once it is visible. The D-Bus route has no such widget.
    if available and not _dbus_route():
        poll(
            EMBED_TIMEOUT_MS,
            embedded_icon,
            lambda _w: icon_ready(True),
            "the tray icon never became visible",
        )
    else:
        QTimer.singleShot(0, lambda: icon_ready(False))

    # Quit when the test closes our stdin.
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

    def stdin_ready() -> None:
        if not sys.stdin.readline():
            notifier.setEnabled(False)
            tray.hide()
            app.quit()

    notifier.activated.connect(stdin_ready)
    return app.exec()


def _dbus_route() -> bool:
    """Whether Qt shows the icon as a D-Bus StatusNotifierItem rather than by XEmbed.

    Qt takes the D-Bus route exactly when org.kde.StatusNotifierWatcher is on the bus.
    """
    from PySide6.QtDBus import QDBusConnection

    bus = QDBusConnection.sessionBus()
    iface = bus.interface() if bus.isConnected() else None
    return iface is not None and bool(
        iface.isServiceRegistered("org.kde.StatusNotifierWatcher").value()
    )


if __name__ == "__main__":
    sys.exit(main())
