"""The loopback-only ``/__admin`` endpoint: faults, users, revocation, info, flood, bench.

The wire interface the tests use (``tests/backend.py``, ``tests/bench``) is
described in :mod:`.faults` (switches and calls) and :mod:`.bench`.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storyclip_desktop.demo.sse import EventStreamResponse, StreamIO, frame_text
from storyclip_desktop.demo.store import iso_now
from storyclip_desktop.demo.web import BadRequest, check_batch_id, query_int, read_json_object

from .faults import ADMIN_PREFIX, is_loopback_request

if TYPE_CHECKING:
    from .switches import Switches


class Admin:
    """The admin calls over one backend and its switches."""

    def __init__(self, switches: Switches) -> None:
        self.switches = switches

    def route(self) -> Route:
        return Route(ADMIN_PREFIX + "/{what:path}", self.admin, methods=["GET", "POST", "DELETE"])

    async def admin(self, request: Request) -> Response:
        if not is_loopback_request(request):
            return JSONResponse({"error": "Not found", "code": "NOT_FOUND"}, status_code=404)
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return JSONResponse(
                    {"error": "Content-Type must be application/json", "code": "INVALID_BODY"},
                    status_code=415,
                )
        what = request.path_params["what"]
        try:
            return await self._admin(request, what)
        except BadRequest as exc:
            return JSONResponse({"error": exc.message, "code": exc.code}, status_code=exc.status)

    async def _admin(self, request: Request, what: str) -> Response:
        switches = self.switches
        backend = switches.backend
        method = request.method
        if what == "faults" and method == "GET":
            return JSONResponse(switches.faults.as_dict())
        if (what == "faults" and method == "DELETE") or (
            what == "faults/reset" and method == "POST"
        ):
            switches.reset_faults()
            return JSONResponse(switches.faults.as_dict())
        if what == "faults" and method == "POST":
            body = await read_json_object(request)
            try:
                switches.set_faults(body)
            except ValueError as exc:
                raise BadRequest(400, "INVALID_FAULT", str(exc)) from None
            return JSONResponse(switches.faults.as_dict())
        if what == "revoke" and method == "POST":
            body = await read_json_object(request)
            user = None
            if isinstance(body.get("user_id"), str):
                user = backend.store.user_by_id(body["user_id"])
            elif isinstance(body.get("email"), str):
                user = backend.store.user_by_email(body["email"])
            if user is None:
                raise BadRequest(404, "USER_NOT_FOUND", "No such user (give email or user_id)")
            sessions = backend.auth.revoke_user(str(user["id"]))
            return JSONResponse({"user_id": user["id"], "revoked_sessions": sessions})
        if what == "users" and method == "POST":
            body = await read_json_object(request)
            email, password = body.get("email"), body.get("password")
            if not isinstance(email, str) or "@" not in email or not isinstance(password, str):
                raise BadRequest(400, "INVALID_FIELD", "email and password are required")
            if not password:
                raise BadRequest(400, "INVALID_FIELD", "password must not be empty")
            user_id = backend.store.add_user(email, password)
            return JSONResponse({"user_id": user_id, "email": email})
        if what == "bench" or what.startswith("bench/"):
            return await switches.bench.admin(request, what)
        if what == "flood" and method == "GET":
            return self._flood(request)
        if what == "info" and method == "GET":
            return JSONResponse(
                {
                    "mode": backend.config.mode,
                    "pid": os.getpid(),
                    "url": backend.base_url,
                    "running_batches": backend.publisher.running(),
                    "open_streams": backend.hub.open_streams(),
                    "seed": backend.publisher.seed,
                }
            )
        return JSONResponse({"error": "Not found", "code": "NOT_FOUND"}, status_code=404)

    def _flood(self, request: Request) -> Response:
        """A synthetic default-mode stream sent as fast as the socket takes it.

        For throughput benchmarks of the client: ``events`` progress events
        (ids 1..N; each clip goes uploading, waiting x3, published, so the batch
        has N/5 clips), then ``completed``; no database, no publisher.
        """
        total_events = query_int(request, "events", 10_000, 0, 10_000_000)
        batch_id = request.query_params.get("batchId") or "batch_flood"
        check_batch_id(batch_id)
        cycle = ("uploading", "waiting", "waiting", "waiting", "published")
        retry_ms = self.switches.backend.config.retry_ms
        shutdown = self.switches.backend.shutdown

        async def body(io: StreamIO) -> bool:
            clips = max(1, -(-total_events // len(cycle)))
            head = {
                "type": "connected",
                "batchId": batch_id,
                "status": "processing",
                "published": 0,
                "errors": 0,
                "total": clips,
                "timestamp": iso_now(),
            }
            await io.write(frame_text(json.dumps(head), 0, retry_ms))
            published = 0
            for n in range(1, total_events + 1):
                if io.disconnected.is_set() or shutdown.is_set():
                    return True
                step = cycle[(n - 1) % len(cycle)]
                current = (n - 1) // len(cycle) + 1
                if step == "published":
                    published += 1
                event = {
                    "type": "progress",
                    "batchId": batch_id,
                    "current": current,
                    "total": clips,
                    "published": published,
                    "errors": 0,
                    "currentStory": f"post_{current}",
                    "status": step,
                    "timestamp": iso_now(),
                }
                await io.write(frame_text(json.dumps(event, separators=(",", ":")), n))
            done = {
                "type": "completed",
                "batchId": batch_id,
                "published": published,
                "errors": 0,
                "total": clips,
                "timestamp": iso_now(),
            }
            await io.write(frame_text(json.dumps(done), total_events + 1))
            return True

        headers = [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
        ]
        return EventStreamResponse(body, headers)
