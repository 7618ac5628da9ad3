"""The app's log: JSON lines with ``ts``, ``level``, ``event`` and the event's fields.

Tests and support tools read these lines, so the shape is a contract. A last
line of defence scrubs anything that looks like a token or a key, in case a
library's message carries one (the code itself never logs secrets).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from argparse import Namespace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from storyclip_desktop import __version__
from storyclip_desktop.core.log import REDACTOR, Redactor, log_event

__all__ = ["REDACTOR", "JsonFormatter", "Redactor", "log_started", "setup_logging"]


class JsonFormatter(logging.Formatter):
    """One JSON object per line; structured fields come from ``log_event``."""

    def __init__(self, redactor: Redactor = REDACTOR) -> None:
        super().__init__()
        self._redact = redactor

    def format(self, record: logging.LogRecord) -> str:
        event = getattr(record, "event", None)
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": event or "message",
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                if key not in out:
                    out[key] = value
        if not event:
            out["logger"] = record.name
            out["message"] = record.getMessage()
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        line = json.dumps(out, ensure_ascii=False, default=str)
        return self._redact(line)


#: The rotating log: this many bytes per file, this many old files kept (5 MiB at most).
ROTATE_BYTES = 1 << 20
ROTATE_BACKUPS = 4


def setup_logging(
    path: Path | None,
    *,
    level: int = logging.INFO,
    stream: TextIO | None = None,
    rotating: Path | None = None,
) -> None:
    """Send the app's JSON lines to ``path`` (if any), to ``rotating`` (a file that
    rotates at :data:`ROTATE_BYTES`, keeping :data:`ROTATE_BACKUPS` old ones: the log
    a user finds with "Open log folder") and to ``stream`` (stderr by default; none
    when there is no stderr, as in a windowed app on Windows)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = JsonFormatter()
    handlers: list[logging.Handler] = []
    if stream is not None or sys.stderr is not None:
        handlers.append(logging.StreamHandler(stream or sys.stderr))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, encoding="utf-8"))
    if rotating is not None:
        try:
            rotating.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(
                logging.handlers.RotatingFileHandler(
                    rotating, maxBytes=ROTATE_BYTES, backupCount=ROTATE_BACKUPS, encoding="utf-8"
                )
            )
        except OSError as exc:  # a read-only home must not stop the app
            print(f"storyclip-desktop: no log file at {rotating}: {exc}", file=sys.stderr)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level)
    # Third-party chatter (httpx logs every request URL at INFO) stays out of the contract log.
    for noisy in ("httpx", "httpcore", "asyncio", "qasync", "uvicorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_started(args: Namespace) -> None:
    """The ``started`` event: the main window was just shown (or, minimized, the
    tray), which is what start-up is measured to."""
    log_event(
        logging.getLogger("storyclip.app"),
        "started",
        version=__version__,
        demo=bool(args.demo),
        minimized=bool(args.minimized),
    )
