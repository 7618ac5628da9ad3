"""Wiring: the starlette app, the admin routes, start-up/shutdown and uvicorn.

The socket is bound here (so ``--port 0`` works and the real port is known),
the base URL is printed as the first line of standard output once start-up
(recovery, seeding) is done, and SIGTERM/SIGINT end every open stream at once
so uvicorn's graceful shutdown does not wait for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import logging.config
import os
import secrets
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import unquote

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .api import StoryClipApi
from .auth import Auth
from .bench import Bench
from .config import DEFAULT_API_KEY, ServerConfig
from .faults import ADMIN_PREFIX, FaultMiddleware, Faults, is_loopback_request
from .publisher import Hub, Publisher
from .sse import EventStreamResponse, StreamIO, frame_text
from .store import ALL_SCOPES, Store, iso_now
from .web import BadRequest, check_batch_id, query_int, read_json_object

log = logging.getLogger("storyclip.demo")


class Backend:
    """One running local backend: store, auth, publisher, faults and routes."""

    def __init__(self, config: ServerConfig, base_url: str = "") -> None:
        self.config = config
        self.base_url = base_url
        self.store = Store(config.db)
        self.auth = Auth(self.store, config, base_url)
        self.hub = Hub()
        self.publisher = Publisher(self.store, config, self.hub)
        self.faults = Faults()
        self.shutdown = asyncio.Event()
        self.api = StoryClipApi(self)
        self.bench = Bench(self)
        self.cli_keys = frozenset(config.api_keys)
        self.demo_key_only = not self.cli_keys and self.store.api_key_count() == 0
        if config.faults:
            self.set_faults(config.faults)

    # ------------------------------------------------------------ keys and faults

    def api_key_scopes(self, key: str) -> frozenset[str] | None:
        """Scopes of an API key: command-line keys have all, DB keys their own."""
        for known in self.cli_keys:
            if secrets.compare_digest(key.encode(), known.encode()):
                return ALL_SCOPES
        scopes = self.store.api_key_scopes(key)
        if scopes is not None:
            return scopes
        if self.demo_key_only and secrets.compare_digest(key.encode(), DEFAULT_API_KEY.encode()):
            return ALL_SCOPES
        return None

    def set_faults(self, values: dict[str, Any]) -> None:
        self.faults.update(values)
        self._apply_auth_faults()

    def reset_faults(self) -> None:
        self.faults.reset()
        self._apply_auth_faults()

    def _apply_auth_faults(self) -> None:
        self.auth.legacy_errors = self.faults.auth_legacy_errors
        limit = self.faults.token_rate_limit
        window = self.faults.token_rate_window
        self.auth.limiter.reset(
            limit if limit is not None else self.config.token_rate_limit,
            window if window is not None else self.config.token_rate_window,
        )

    # ------------------------------------------------------------ lifecycle

    def begin_shutdown(self) -> None:
        """SIGTERM/SIGINT: end every stream now so uvicorn can close promptly."""
        if not self.shutdown.is_set():
            log.info("shutting down")
            self.shutdown.set()
            self.hub.close_all()

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        if self.config.seed_demo:
            from .seed import seed_demo

            seed_demo(self)
        if not self.config.upstream:
            resumed = self.publisher.recover()
            if resumed:
                log.info("resumed %d processing batch(es) from the database", resumed)
        print(self.base_url, flush=True)
        try:
            yield
        finally:
            self.begin_shutdown()
            await self.publisher.stop_all()
            self.store.close()

    # ------------------------------------------------------------ admin

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
        method = request.method
        if what == "faults" and method == "GET":
            return JSONResponse(self.faults.as_dict())
        if (what == "faults" and method == "DELETE") or (
            what == "faults/reset" and method == "POST"
        ):
            self.reset_faults()
            return JSONResponse(self.faults.as_dict())
        if what == "faults" and method == "POST":
            body = await read_json_object(request)
            try:
                self.set_faults(body)
            except ValueError as exc:
                raise BadRequest(400, "INVALID_FAULT", str(exc)) from None
            return JSONResponse(self.faults.as_dict())
        if what == "revoke" and method == "POST":
            body = await read_json_object(request)
            user = None
            if isinstance(body.get("user_id"), str):
                user = self.store.user_by_id(body["user_id"])
            elif isinstance(body.get("email"), str):
                user = self.store.user_by_email(body["email"])
            if user is None:
                raise BadRequest(404, "USER_NOT_FOUND", "No such user (give email or user_id)")
            sessions = self.auth.revoke_user(str(user["id"]))
            return JSONResponse({"user_id": user["id"], "revoked_sessions": sessions})
        if what == "users" and method == "POST":
            body = await read_json_object(request)
            email, password = body.get("email"), body.get("password")
            if not isinstance(email, str) or "@" not in email or not isinstance(password, str):
                raise BadRequest(400, "INVALID_FIELD", "email and password are required")
            if not password:
                raise BadRequest(400, "INVALID_FIELD", "password must not be empty")
            user_id = self.store.add_user(email, password)
            return JSONResponse({"user_id": user_id, "email": email})
        if what == "bench" or what.startswith("bench/"):
            return await self.bench.admin(request, what)
        if what == "flood" and method == "GET":
            return self._flood(request)
        if what == "info" and method == "GET":
            return JSONResponse(
                {
                    "mode": self.config.mode,
                    "pid": os.getpid(),
                    "url": self.base_url,
                    "running_batches": self.publisher.running(),
                    "open_streams": self.hub.open_streams(),
                    "seed": self.publisher.seed,
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
        retry_ms = self.config.retry_ms
        shutdown = self.shutdown

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

    # ------------------------------------------------------------ app

    def asgi(self) -> Any:
        async def not_found(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 404
            code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "HTTP_ERROR")
            text = {404: "Not found", 405: "Method not allowed"}.get(status, "HTTP error")
            return JSONResponse({"error": text, "code": code}, status_code=status)

        async def crashed(request: Request, exc: Exception) -> Response:
            log.error("unhandled error on %s: %s", request.url.path, type(exc).__name__)
            return JSONResponse(
                {"error": "Internal server error", "code": "INTERNAL_ERROR"}, status_code=500
            )

        routes = [
            *self.auth.routes(),
            *self.api.routes(),
            Route(ADMIN_PREFIX + "/{what:path}", self.admin, methods=["GET", "POST", "DELETE"]),
        ]
        app = Starlette(
            routes=routes,
            lifespan=self.lifespan,
            exception_handlers={HTTPException: not_found, Exception: crashed},
        )
        return FaultMiddleware(_KeepEncodedSlashes(app), self.faults)


class _KeepEncodedSlashes:
    """Route on the raw path, as Express does: ``%2F`` stays inside its segment.

    Starlette matches the decoded path, so ``/batch/x%2Fcancel`` would reach the
    ``/batch/{id}/cancel`` control. Here an encoded slash becomes a character no
    batch id may hold, so the id check refuses it with a 400 instead.
    """

    _PLACEHOLDER = "\ue000"

    def __init__(self, app: Any) -> None:
        self._app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raw = scope.get("raw_path") if scope.get("type") == "http" else None
        if raw and b"%2f" in raw.lower():
            path = raw.split(b"?", 1)[0].decode("latin-1")
            marked = path.replace("%2F", self._PLACEHOLDER).replace("%2f", self._PLACEHOLDER)
            scope = {**scope, "path": unquote(marked)}
        await self._app(scope, receive, send)


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "storyclip.demo": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


class _Server(uvicorn.Server):
    """uvicorn's server with our signal handling: streams end, exit status 0."""

    def __init__(self, config: uvicorn.Config, backend: Backend) -> None:
        super().__init__(config)
        self.backend = backend

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _on_signal(self, sig: int) -> None:
        self.handle_exit(sig, None)
        self.backend.begin_shutdown()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY on accepted sockets only then,
    # and without it every keep-alive request waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def _serve(server: _Server, exit_with_stdin: bool, sock: socket.socket) -> None:
    """Serve; with ``exit_with_stdin``, stop as a signal would once stdin closes.

    The app's ``--demo`` keeps a pipe to our stdin open and never writes to it:
    when the app dies however it dies (X server gone, killed), the pipe closes
    and the backend does not outlive it.
    """
    loop = asyncio.get_running_loop()
    if exit_with_stdin:

        def watch() -> None:
            while sys.stdin.buffer.read(4096):
                pass
            loop.call_soon_threadsafe(server._on_signal, signal.SIGTERM)

        threading.Thread(target=watch, name="stdin-lifeline", daemon=True).start()
    await server.serve(sockets=[sock])


def serve(config: ServerConfig) -> int:
    """Run the backend until SIGTERM/SIGINT; the exit status."""
    logging.config.dictConfig(LOGGING)
    level = getattr(logging, config.log_level.upper(), logging.INFO)
    logging.getLogger("storyclip.demo").setLevel(level)
    try:
        sock = _bind(config.host, config.port)
    except OSError as exc:
        print(f"cannot listen on {config.host}:{config.port}: {exc.strerror}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    # A wildcard bind is announced on loopback: the URL must be one a client can use.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(config.host, config.host)  # noqa: S104
    host = f"[{host}]" if ":" in host else host
    try:
        backend = Backend(config, f"http://{host}:{port}")
    except ValueError as exc:  # --faults with a bad switch
        print(f"serve: {exc}", file=sys.stderr)
        sock.close()
        return 2
    _announce(backend)
    uv_config = uvicorn.Config(
        backend.asgi(),
        http="h11",
        loop="asyncio",
        ws="none",
        lifespan="on",
        log_config=LOGGING,
        log_level=config.log_level,
        access_log=config.access_log,
        timeout_graceful_shutdown=2,
        timeout_keep_alive=5,
        server_header=False,
    )
    server = _Server(uv_config, backend)
    asyncio.run(_serve(server, config.exit_with_stdin, sock))
    return 0 if server.started or not server.should_exit else 1


def _announce(backend: Backend) -> None:
    config = backend.config
    log.info("StoryClip local backend, %s mode, database %s", config.mode, config.db)
    if backend.demo_key_only:
        log.info(
            "no --api-key given and none in the database: accepting the demo key %r",
            DEFAULT_API_KEY,
        )
    log.info(
        "clips take %.2f s, failure rate %.2f, seed %d, token ttl %d s, heartbeat %.1f s",
        config.clip_seconds,
        config.failure_rate,
        backend.publisher.seed,
        config.token_ttl,
        config.heartbeat,
    )
