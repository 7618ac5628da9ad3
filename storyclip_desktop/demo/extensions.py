"""The few places where a wrapper may change the local backend; by default, none.

The app's ``--demo`` and ``python -m storyclip_desktop.demo`` run the backend
with this class as it is: every hook leaves the behaviour alone. The test
suite's launcher (``python -m tests.demo_ext``, not shipped) passes a subclass
to :func:`storyclip_desktop.demo.__main__.main` that adds its own switches,
routes and stream behaviour (fault injection, benchmark streams, a loopback
admin endpoint), so none of that test scaffolding is in the package.

Hooks are consulted at request time, so a wrapper can change its answers while
the server runs (through the routes it adds).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from .publisher import LiveState
    from .server import Backend
    from .sse import StreamIO

#: What a stream does instead of carrying on: awaited with the stream's writer,
#: its result is the body's (True: the response ends cleanly; False: the
#: connection is cut mid-body, as a proxy dropping it would).
StreamBreak = Callable[["StreamIO"], Awaitable[bool]]

#: An ASGI application (middleware wraps one).
AsgiApp = Callable[[Any, Any, Any], Awaitable[None]]


class Extensions:
    """No-op hooks the backend consults; subclass and override what you need."""

    # ------------------------------------------------------------ command line

    def add_arguments(self, serve: argparse.ArgumentParser) -> None:
        """Add options to the ``serve`` command."""

    def configure(self, args: argparse.Namespace) -> None:
        """Read the options added above; a ``ValueError`` stops ``serve`` with status 2."""

    # ------------------------------------------------------------ wiring

    def attach(self, backend: Backend) -> None:
        """The backend is built (store, auth, publisher); called once, before serving."""

    def routes(self) -> list[BaseRoute]:
        """Routes served beside the auth and API routes."""
        return []

    def wrap(self, app: AsgiApp) -> AsgiApp:
        """Middleware around the whole application."""
        return app

    # ------------------------------------------------------------ behaviour

    def resumes(self, batch: Any) -> bool:
        """Whether a ``processing`` batch row found at start-up is published again."""
        return True

    def stream(
        self, batch: Any, resume_from: int | None, headers: list[tuple[str, str]]
    ) -> Response | None:
        """A stream of its own for this batch row (default mode), or None for the usual one."""
        return None

    def stream_break(self, sent: int, idle: bool) -> StreamBreak | None:
        """Checked before a stream's first event, after each one (``sent`` so far) and,
        with ``idle``, whenever a heartbeat is due; None carries on."""
        return None

    def active_count(self, listed: int) -> int:
        """The ``count`` of ``/batches/active`` for a list of ``listed`` batches."""
        return listed

    def status_body(self, body: dict[str, Any], state: LiveState | None) -> dict[str, Any]:
        """The ``/status`` answer (``state``: the router's memory of the batch, if any)."""
        return body

    def auth_error(self, status: int, error_code: str, msg: str) -> Response | None:
        """An auth error in another shape, or None for Supabase's current one."""
        return None
