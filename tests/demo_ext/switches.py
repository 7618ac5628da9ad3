"""The tests' extensions of the local backend: fault switches, bench batches, ``/__admin``.

:class:`Switches` fills in the hooks of
:class:`storyclip_desktop.demo.extensions.Extensions`; the shipped backend
consults them and, without this class, does none of it.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from storyclip_desktop.demo.extensions import AsgiApp, Extensions, StreamBreak

from .admin import Admin
from .bench import BENCH_SPEED, Bench
from .faults import FaultMiddleware, Faults, legacy_auth_error

if TYPE_CHECKING:
    from storyclip_desktop.demo.publisher import LiveState
    from storyclip_desktop.demo.server import Backend


def _faults_option(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


class Switches(Extensions):
    """Faults (:mod:`.faults`), bench batches (:mod:`.bench`) and their admin routes."""

    def __init__(self) -> None:
        self.faults = Faults()
        self.initial: dict[str, Any] = {}
        self._backend: Backend | None = None
        self._bench: Bench | None = None

    @property
    def backend(self) -> Backend:
        assert self._backend is not None, "not attached to a backend yet"
        return self._backend

    @property
    def bench(self) -> Bench:
        assert self._bench is not None, "not attached to a backend yet"
        return self._bench

    # ------------------------------------------------------------ command line

    def add_arguments(self, serve: argparse.ArgumentParser) -> None:
        serve.add_argument(
            "--faults", type=_faults_option, default={}, help="initial fault switches (JSON)"
        )

    def configure(self, args: argparse.Namespace) -> None:
        Faults().update(args.faults)  # a bad switch stops serve before it listens
        self.initial = args.faults

    # ------------------------------------------------------------ faults

    def set_faults(self, values: dict[str, Any]) -> None:
        self.faults.update(values)
        self._apply_auth_faults()

    def reset_faults(self) -> None:
        self.faults.reset()
        self._apply_auth_faults()

    def _apply_auth_faults(self) -> None:
        config = self.backend.config
        limit = self.faults.token_rate_limit
        window = self.faults.token_rate_window
        self.backend.auth.limiter.reset(
            limit if limit is not None else config.token_rate_limit,
            window if window is not None else config.token_rate_window,
        )

    # ------------------------------------------------------------ hooks

    def attach(self, backend: Backend) -> None:
        self._backend = backend
        self._bench = Bench(backend)
        if self.initial:
            self.set_faults(self.initial)

    def routes(self) -> list[BaseRoute]:
        return [Admin(self).route()]

    def wrap(self, app: AsgiApp) -> AsgiApp:
        return FaultMiddleware(app, self.faults)

    def resumes(self, batch: Any) -> bool:
        # Bench batches are driven by their streams, never published.
        return bool(batch["publish_speed"] != BENCH_SPEED)

    def stream(
        self, batch: Any, resume_from: int | None, headers: list[tuple[str, str]]
    ) -> Response | None:
        if batch["publish_speed"] == BENCH_SPEED:
            return self.bench.stream(batch, resume_from, headers)
        return None

    def stream_break(self, sent: int, idle: bool) -> StreamBreak | None:
        return self.faults.stream_break(sent, idle, self.backend.shutdown)

    def active_count(self, listed: int) -> int:
        return listed + self.faults.active_count_extra

    def status_body(self, body: dict[str, Any], state: LiveState | None) -> dict[str, Any]:
        if not self.faults.status_memory_form or state is None:
            return body
        # The deployed in-memory form: the router's fields instead of the clip rows.
        out = {k: v for k, v in body.items() if k not in ("clips", "error")}
        out.update(
            currentStory=state.current_story,
            currentStatus=state.current_status,
            waitProgress=state.wait_progress,
            updatedAt=state.updated_at,
            error=body.get("error"),
        )
        return out

    def auth_error(self, status: int, error_code: str, msg: str) -> Response | None:
        if self.faults.auth_legacy_errors:
            return legacy_auth_error(status, error_code, msg)
        return None
