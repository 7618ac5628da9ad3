"""Fault switches for tests (set through the loopback-only ``/__admin`` endpoint).

``POST /__admin/faults`` with a JSON object merges switches into the current
set (answering the whole set); ``GET`` reads them; ``POST /__admin/faults/reset``
(or ``DELETE /__admin/faults``) clears them. Switches:

==========================  ==========================================================
``drop_stream_after: N``    every stream (open or new) is cut, TCP-wise, once it has
                            sent N events (``connected`` included; pings not counted)
``stall_streams_after: N``  every stream goes silent (open, no events, no pings) once
                            it has sent N events; 0 = right after the headers. A
                            stalled stream stays stalled until the client leaves
``fail_next: N``            the next N matching requests get ``fail_status``
``fail_status``             500 (JSON, deployed shape), 502 / 504 (proxy HTML page),
                            503 (proxy HTML page with ``Retry-After``); default 500
``fail_path_prefix``        only requests under this path count ("" = all, "/api",
                            "/auth", "/api/metricool/stream" …)
``retry_after: S``          the ``Retry-After`` of a 503 (default 5)
``delay: S``                every matching response is delayed by S seconds
``delay_path_prefix``       which paths ``delay`` applies to ("" = all)
``status_memory_form``      ``/status`` answers the in-memory form (``currentStory``,
                            ``currentStatus``, ``waitProgress``, ``updatedAt``)
``active_count_extra: N``   ``/batches/active`` reports a ``count`` N above its list
                            (the deployed count is taken before filtering)
``auth_legacy_errors``      auth errors in the older ``error``/``error_description`` shape
``token_rate_limit: N``     token requests allowed per ``token_rate_window`` seconds
==========================  ==========================================================

Other admin calls: ``POST /__admin/revoke`` ``{"email"}`` or ``{"user_id"}`` signs the
user out everywhere (their refresh tokens answer ``refresh_token_not_found``);
``POST /__admin/users`` ``{"email", "password"}`` adds a user; ``GET /__admin/info``
gives mode, pid, running batches and open streams; ``GET /__admin/flood?events=N``
streams N synthetic progress events (default-mode framing, ids 1..N, then
``completed``) as fast as the socket takes them, for the client's benchmarks;
``/__admin/bench…`` creates and drives bench batches, real batches whose streams
the benchmark paces (see :mod:`.bench`). The routes are in :mod:`.admin`.

The admin paths answer only on loopback (peer address and ``Host`` header), and
POSTs only with ``Content-Type: application/json`` so a web page cannot reach
them with a simple cross-site form post. Admin calls are never faulted.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, fields
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from storyclip_desktop.demo.extensions import StreamBreak
from storyclip_desktop.demo.sse import StreamIO

ADMIN_PREFIX = "/__admin"


@dataclass
class Faults:
    drop_stream_after: int | None = None
    stall_streams_after: int | None = None
    fail_next: int = 0
    fail_status: int = 500
    fail_path_prefix: str = ""
    retry_after: int = 5
    delay: float = 0.0
    delay_path_prefix: str = ""
    status_memory_form: bool = False
    active_count_extra: int = 0
    auth_legacy_errors: bool = False
    token_rate_limit: int | None = None
    token_rate_window: float | None = None

    def reset(self) -> None:
        """Back to no faults, in place (the middleware holds this object)."""
        fresh = Faults()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def update(self, values: dict[str, Any]) -> None:
        """Validate every value first, then apply: a bad request changes nothing."""
        types = {f.name: f.type for f in fields(self)}
        checked: dict[str, Any] = {}
        for key, value in values.items():
            if key not in types:
                raise ValueError(f"unknown fault switch {key!r}")
            kind = str(types[key])
            if value is None and "None" in kind:
                checked[key] = None
            elif kind.startswith("int"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{key} must be a non-negative integer")
                checked[key] = value
            elif kind.startswith("float"):
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"{key} must be a non-negative number")
                checked[key] = float(value)
            elif kind == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
                checked[key] = value
            elif kind == "str":
                if not isinstance(value, str) or len(value) > 200:
                    raise ValueError(f"{key} must be a short string")
                checked[key] = value
            else:  # pragma: no cover - every field is one of the above
                raise ValueError(f"{key} cannot be set")
        status = checked.get("fail_status", self.fail_status)
        if status not in (500, 502, 503, 504):
            raise ValueError("fail_status must be 500, 502, 503 or 504")
        for key, value in checked.items():
            setattr(self, key, value)

    def take_failure(self, path: str) -> Response | None:
        """The injected error for this request, if one is due (counts it down)."""
        if self.fail_next <= 0 or not path.startswith(self.fail_path_prefix):
            return None
        self.fail_next -= 1
        return injected_error(self.fail_status, self.retry_after)

    def delay_for(self, path: str) -> float:
        return self.delay if self.delay > 0 and path.startswith(self.delay_path_prefix) else 0.0

    def stream_break(self, sent: int, idle: bool, shutdown: asyncio.Event) -> StreamBreak | None:
        """A stream that has sent ``sent`` events is cut (``drop_stream_after``) or goes
        silent (``stall_streams_after``); an ``idle`` one (heartbeat due) only stalls."""
        drop, stall = self.drop_stream_after, self.stall_streams_after
        stalls = stall is not None and sent >= stall
        if idle:
            return _stall(shutdown) if stalls else None
        if drop is not None and sent >= drop:
            return _drop
        return _stall(shutdown) if stalls else None


async def _drop(io: StreamIO) -> bool:
    """End the body unfinished: the client sees a cut chunked stream."""
    return False


def _stall(shutdown: asyncio.Event) -> StreamBreak:
    async def stall(io: StreamIO) -> bool:
        """Silence (no events, no pings) until the client leaves or the server stops."""
        stop = asyncio.ensure_future(io.disconnected.wait())
        ending = asyncio.ensure_future(shutdown.wait())
        try:
            await asyncio.wait({stop, ending}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            ending.cancel()
        return True

    return stall


_PROXY_TITLES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}


def legacy_auth_error(status: int, error_code: str, msg: str) -> Response:
    """``auth_legacy_errors``: the older GoTrue shape, ``error`` / ``error_description``."""
    legacy = "invalid_grant" if status == 400 else error_code
    return JSONResponse({"error": legacy, "error_description": msg}, status_code=status)


def injected_error(status: int, retry_after: int) -> Response:
    if status == 500:
        return JSONResponse(
            {"error": "Failed to fetch batch status", "message": "Injected fault (500)"},
            status_code=500,
        )
    title = _PROXY_TITLES[status]
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    headers = {"Retry-After": str(retry_after)} if status == 503 else None
    return HTMLResponse(page, status_code=status, headers=headers)


def is_loopback_request(request: Request) -> bool:
    client = request.client
    if client is None:
        return False
    try:
        if not ipaddress.ip_address(client.host).is_loopback:
            return False
    except ValueError:
        return False
    host = request.headers.get("host", "")
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else host
    else:
        name = host.rsplit(":", 1)[0] if ":" in host else host
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class FaultMiddleware:
    """Delays and injected errors for every non-admin request."""

    def __init__(self, app: Any, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        wait = self.faults.delay_for(path)
        if wait:
            await asyncio.sleep(wait)
        failure = self.faults.take_failure(path)
        if failure is not None:
            await failure(scope, receive, send)
            return
        await self.app(scope, receive, send)
