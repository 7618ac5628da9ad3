"""Wiring: the starlette app, start-up/shutdown and uvicorn.

The socket is bound here (so ``--port 0`` works and the real port is known),
the base URL is printed as the first line of standard output once start-up
(recovery, seeding) is done, and SIGTERM/SIGINT end every open stream at once
so uvicorn's graceful shutdown does not wait for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.config
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

from .api import StoryClipApi
from .auth import Auth
from .config import DEFAULT_API_KEY, ServerConfig
from .extensions import Extensions
from .publisher import Hub, Publisher
from .store import ALL_SCOPES, Store

log = logging.getLogger("storyclip.demo")


class Backend:
    """One running local backend: store, auth, publisher and routes.

    ``ext`` (:mod:`.extensions`) is consulted where a wrapper may change it; the
    default changes nothing.
    """

    def __init__(
        self, config: ServerConfig, base_url: str = "", ext: Extensions | None = None
    ) -> None:
        self.config = config
        self.base_url = base_url
        self.ext = ext or Extensions()
        self.store = Store(config.db)
        self.auth = Auth(self.store, config, base_url, self.ext)
        self.hub = Hub()
        self.publisher = Publisher(self.store, config, self.hub)
        self.shutdown = asyncio.Event()
        self.api = StoryClipApi(self)
        self.cli_keys = frozenset(config.api_keys)
        self.demo_key_only = not self.cli_keys and self.store.api_key_count() == 0
        self.ext.attach(self)

    # ------------------------------------------------------------ keys

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
            resumed = self.publisher.recover(self.ext.resumes)
            if resumed:
                log.info("resumed %d processing batch(es) from the database", resumed)
        print(self.base_url, flush=True)
        try:
            yield
        finally:
            self.begin_shutdown()
            await self.publisher.stop_all()
            self.store.close()

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

        routes = [*self.auth.routes(), *self.api.routes(), *self.ext.routes()]
        app = Starlette(
            routes=routes,
            lifespan=self.lifespan,
            exception_handlers={HTTPException: not_found, Exception: crashed},
        )
        return self.ext.wrap(_KeepEncodedSlashes(app))


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


def serve(config: ServerConfig, ext: Extensions | None = None) -> int:
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
    backend = Backend(config, f"http://{host}:{port}", ext)
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
