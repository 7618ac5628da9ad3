"""Structured log events: the core names what happened, the app writes JSON lines.

The event names and fields are a contract (tests and support tools read them),
so they are emitted through one helper instead of free-form messages. Never pass
a token, a password or the API key as a field.
"""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["REDACTOR", "Redactor", "get_logger", "log_event"]

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")


class Redactor:
    """Replaces known secrets (registered at run time) and token shapes by ``[redacted]``.

    The last line of defence of the log: the code never logs a secret, but a library's
    message might carry one. Lives in the core because the core holds the secrets
    (the session registers every token it is given, each rotation included)."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 6:
            self._secrets.add(secret)

    def __contains__(self, secret: object) -> bool:
        return secret in self._secrets

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "[redacted]")
        text = _JWT.sub("[redacted]", text)
        return _BEARER.sub(r"\1[redacted]", text)


#: The process's one redactor: the JSON log formatter scrubs every line with it.
REDACTOR = Redactor()


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"storyclip.{name}")


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log ``event`` with ``fields``; the app's JSON formatter turns it into one line."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"event": event, "fields": fields})
