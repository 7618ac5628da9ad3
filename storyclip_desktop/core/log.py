"""Structured log events: the core names what happened, the app writes JSON lines.

The event names and fields are a contract (tests and support tools read them),
so they are emitted through one helper instead of free-form messages. Never pass
a token, a password or the API key as a field.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["get_logger", "log_event"]


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"storyclip.{name}")


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log ``event`` with ``fields``; the app's JSON formatter turns it into one line."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"event": event, "fields": fields})
