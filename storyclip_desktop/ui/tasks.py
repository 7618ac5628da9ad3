"""Running coroutines from Qt slots without losing their errors.

A slot cannot await, so it starts a task on the qasync loop; the task is kept
referenced (asyncio holds only weak references) and its failure is logged as
the structured ``error`` event and handed to the caller, instead of surfacing
later as "Task exception was never retrieved".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from storyclip_desktop.core.log import get_logger, log_event

__all__ = ["spawn"]

_log = get_logger("ui")
_running: set[asyncio.Future[Any]] = set()

T = TypeVar("T")


def spawn(
    coro: Coroutine[Any, Any, T],
    *,
    where: str,
    on_error: Callable[[BaseException], None] | None = None,
    on_done: Callable[[], None] | None = None,
) -> asyncio.Future[T]:
    """Start ``coro`` on the running loop; log and report its exception.

    ``on_done`` runs whatever the outcome (cancelled included), which is where
    a busy state is switched off.
    """
    task = asyncio.ensure_future(coro)
    _running.add(task)

    def finished(fut: asyncio.Future[T]) -> None:
        _running.discard(fut)
        try:
            if fut.cancelled():
                return
            exc = fut.exception()
            if exc is None:
                return
            log_event(
                _log,
                "error",
                logging.WARNING,
                where=where,
                message=f"{type(exc).__name__}: {str(exc)[:200]}",
            )
            if on_error is not None:
                on_error(exc)
        finally:
            if on_done is not None:
                on_done()

    task.add_done_callback(finished)
    return task
