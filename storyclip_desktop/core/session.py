"""The signed-in session: the one object the ui talks to.

It builds the core's clients from the server settings, owns the order of the
first session (environment account, then the demo account, then the session in
the keyring), signs in and out, starts a monitor per signed-in user and stops
it when the user leaves, starts again on other servers (new settings, "Try the
demo"), and closes everything in order on quit. It registers every secret it
ever holds with the log's redactor: the keys when the clients are built, the
password when it is typed, and every token the token manager hands it, each
rotation included.

It reports through :class:`~storyclip_desktop.core.events.SessionListener` (the
ui adapts it into Qt signals) and hands the monitor's news straight to the
:class:`~storyclip_desktop.core.events.MonitorListener` it was given. Qt-free,
like the rest of the core; everything runs on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .api import ApiError, StoryClipApi
from .auth import AuthClient, AuthError, Session
from .connectivity import Connectivity
from .controls import ControlOutcome, ControlSource, listing, perform
from .events import MonitorListener, SessionListener
from .log import REDACTOR, get_logger, log_event
from .memory import MonitorMemory, remembered_page
from .model import PART_ONE, Batch, HistoryPage, HistoryQuery, ServerCapabilities
from .monitor import BatchMonitor
from .reasons import SignOutReason
from .secrets import api_key_entry
from .servers import ENV_API_KEY, ConfigError, ServerConfig, resolve_servers
from .sleep import SleepWatcher
from .tokens import SessionManager
from .vault import Vault

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "ENV_EMAIL",
    "ENV_PASSWORD",
    "DemoBackend",
    "DesktopSession",
    "SavedServers",
    "SessionOptions",
]

DEMO_EMAIL = "demo@storyclip.app"
DEMO_PASSWORD = "storyclip-demo"  # noqa: S105 - the public demo account of the local backend
ENV_EMAIL = "STORYCLIP_EMAIL"
ENV_PASSWORD = "STORYCLIP_PASSWORD"  # noqa: S105 - a variable name
#: "1": one stream per batch even where the server has an account stream (support
#: and the benchmarks that measure per-batch streams).
ENV_PER_BATCH = "STORYCLIP_PER_BATCH_STREAMS"
MEMORY_FILE = "memory.json"

_log = get_logger("session")


class DemoBackend(Protocol):
    """The local backend the app can start for ``--demo`` (storyclip_desktop.demo_process)."""

    @property
    def url(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    @property
    def anon_key(self) -> str: ...

    @property
    def pid(self) -> int | None: ...

    async def start(self) -> str:
        """Start it (once) and return its base URL."""

    async def stop(self) -> None:
        """Stop it; idempotent."""


class SavedServers(Protocol):
    """The servers the user saved in the settings (read again at each configure)."""

    def saved_servers(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """What the command line says about the session.

    ``cli``: ``api_url``, ``supabase_url``, ``anon_key``, ``api_key`` as given (None:
    not given). ``env``: the environment (``os.environ`` when None).
    """

    data_dir: Path
    cli: Mapping[str, str | None] = field(default_factory=dict)
    discovery_interval: float = 30.0
    allow_insecure: bool = False
    demo: bool = False
    env: Mapping[str, str] | None = None
    #: Listen for suspend and wake (logind, else the clock fallback).
    watch_sleep: bool = True


class DesktopSession:
    """The app's session, from configuration to quit (see the module docstring).

    The ui calls :attr:`user_email`, :attr:`vault_message`, :meth:`sign_in`,
    :meth:`sign_out` and :meth:`refresh` (ui.services.AppServices); the app calls
    :meth:`begin`, :meth:`use_demo`, :meth:`servers_changed`, :meth:`stop` and
    :meth:`aclose`.
    """

    def __init__(
        self,
        options: SessionOptions,
        listener: SessionListener,
        monitor_listener: MonitorListener,
        saved: SavedServers,
        demo: DemoBackend,
    ) -> None:
        self._options = options
        self._listener = listener
        self._monitor_listener = monitor_listener
        self._saved = saved
        self._demo_backend = demo
        self._demo = options.demo
        self._demo_started = False
        self.auth: AuthClient | None = None
        self.vault: Vault | None = None
        self.tokens: SessionManager | None = None
        self.api: StoryClipApi | None = None
        self.monitor: BatchMonitor | None = None
        #: What the server supports beyond Part 1; asked once per server (None: not yet).
        self.capabilities: ServerCapabilities | None = None
        #: Whether the server can be reached: one state for the monitor and its streams.
        self.connectivity: Connectivity | None = None
        self._sleep: SleepWatcher | None = None
        self._sleep_lock = asyncio.Lock()
        self._monitor_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ what the ui reads

    @property
    def demo(self) -> bool:
        """Whether this session runs on the built-in local backend."""
        return self._demo

    @property
    def demo_backend(self) -> DemoBackend:
        return self._demo_backend

    @property
    def user_email(self) -> str | None:
        tokens = self.tokens
        return tokens.email if tokens is not None and tokens.signed_in else None

    @property
    def vault_message(self) -> str | None:
        """None while the session is safe in the keyring; else why it lives only in memory."""
        vault = self.vault
        if vault is None or vault.status.persistent:
            return None
        return vault.status.reason

    @property
    def api_key_overridden(self) -> bool:
        """The API key comes from the command line or the environment, not the settings."""
        return bool(self._options.cli.get("api_key") or self._env.get(ENV_API_KEY))

    @property
    def _env(self) -> Mapping[str, str]:
        return os.environ if self._options.env is None else self._options.env

    # ------------------------------------------------------------ configuration

    def begin(self) -> None:
        """Start (:meth:`start`) as the session's own task, so that quitting cancels it
        at once even while the server never answers."""
        self._spawn(self.start())

    async def start(self) -> None:
        """Servers from the command line, the environment, the saved settings and the
        keyring (API key), then the first session. Nothing configured: the listener
        hears ``settings_needed`` and the user sets things up."""
        servers = await self._resolve()
        if servers is None or not servers.complete:
            log_event(
                _log,
                "error",
                logging.WARNING,
                where="config",
                message="server settings incomplete: api url, supabase url, "
                "anon key and api key are needed",
            )
            self._listener.settings_needed()
            return
        self._build(servers)
        await self._first_session()

    async def _resolve(self) -> ServerConfig | None:
        cli = dict(self._options.cli)
        saved: Mapping[str, str] = {}
        stored_key: str | None = None
        if self._demo:
            url = await self._demo_backend.start()
            if not self._demo_started:
                self._demo_started = True
                log_event(_log, "demo_backend", url=url, pid=self._demo_backend.pid)
            cli = {
                "api_url": url,
                "supabase_url": url,
                "anon_key": self._demo_backend.anon_key,
                "api_key": self._demo_backend.api_key,
            }
        else:
            saved = self._saved.saved_servers()
            if not self.api_key_overridden:
                stored_key = await api_key_entry().load_text()
        try:
            return resolve_servers(
                cli=cli,
                env=self._env,
                saved=saved,
                allow_insecure=self._options.allow_insecure,
                stored_api_key=stored_key,
            )
        except ConfigError as exc:
            log_event(_log, "error", logging.ERROR, where="config", message=str(exc))
            return None

    def _build(self, servers: ServerConfig) -> None:
        REDACTOR.add(servers.api_key)
        REDACTOR.add(servers.anon_key)
        self.auth = AuthClient(servers.auth_url, servers.anon_key)
        self.vault = Vault(account="demo-session" if self._demo else "session")
        self.tokens = SessionManager(self.auth, self.vault)
        self.tokens.add_listener(_TokenRelay(self))
        assert servers.api_key is not None  # complete
        self.api = StoryClipApi(servers.api_url, servers.api_key, self.tokens)
        self.connectivity = Connectivity(self.api.probe)
        if self._options.watch_sleep and self._sleep is None:
            self._sleep = SleepWatcher(self)
            self._sleep.start()

    async def _first_session(self) -> None:
        """The environment's account, then the demo account, then the keyring; else the
        form waits for the user."""
        assert self.tokens is not None
        email = self._env.get(ENV_EMAIL)
        password = self._env.get(ENV_PASSWORD)
        if not (email and password) and self._demo:
            email, password = DEMO_EMAIL, DEMO_PASSWORD
        try:
            if email and password:
                await self.sign_in(email, password, remember=not self._demo)
            elif await self.tokens.restore() is not None:
                await self._signed_in()
        except AuthError as exc:
            log_event(_log, "error", logging.WARNING, where="sign_in", message=exc.reason)
            self._listener.sign_in_failed(exc.reason)

    def use_demo(self) -> None:
        """ "Try the demo": start again on the local backend (same process, same tray)."""
        self._demo = True
        self._spawn(self._reconfigure())

    def servers_changed(self) -> None:
        """New servers or API key were saved: start again on them (the demo keeps its own)."""
        if not self._demo:
            self._spawn(self._reconfigure())

    async def _reconfigure(self) -> None:
        await self.stop_monitor()
        await self._close_clients()
        self._listener.session_reset()
        log_event(_log, "reconfigured", demo=self._demo)
        await self.start()

    # ------------------------------------------------------------ signing in and out

    async def sign_in(self, email: str, password: str, remember: bool) -> None:
        """Sign in and start following the user's batches (raises ``AuthError``)."""
        if self.tokens is None:
            raise RuntimeError("the server settings are incomplete")
        REDACTOR.add(password)
        await self.tokens.sign_in(email, password, remember)
        await self._signed_in()

    async def _signed_in(self) -> None:
        assert self.tokens is not None
        assert self.api is not None
        user_id = self.tokens.user_id or ""
        log_event(_log, "signed_in", user_id=user_id)
        self._listener.signed_in(self.tokens.email)
        caps = await self._learn_capabilities()
        if caps.account_stream and self._env.get(ENV_PER_BATCH) == "1":
            caps = dataclasses.replace(caps, account_stream=False)
            log_event(_log, "account_stream_off", reason=ENV_PER_BATCH)
        async with self._monitor_lock:
            if self.monitor is not None:
                await self.monitor.stop()
            memory = MonitorMemory(self._options.data_dir / MEMORY_FILE, self._listener)
            self.monitor = BatchMonitor(
                self.api,
                user_id,
                self._monitor_listener,
                memory,
                discovery_interval=max(0.2, self._options.discovery_interval),
                capabilities=caps,
                connectivity=self.connectivity,
            )
            monitor = self.monitor
            await monitor.start()
        running = [b.batch_id for b in monitor.batches.values() if not b.is_final]
        if running:
            self._listener.active_batches_found(running)

    async def _learn_capabilities(self) -> ServerCapabilities:
        """Ask the server once what it supports (no batch is touched). An answer that
        cannot be had now (network, 5xx) counts as Part 1 for this sign-in and is
        asked again at the next one; the deployed backend's 404 is final."""
        if self.capabilities is not None:
            return self.capabilities
        assert self.api is not None
        try:
            caps = await self.api.capabilities()
        except ApiError as exc:
            log_event(_log, "error", logging.WARNING, where="capabilities", message=exc.kind)
            return PART_ONE
        self.capabilities = caps
        log_event(
            _log,
            "capabilities",
            advertised=caps.advertised,
            history=caps.history,
            history_cursor=caps.history_cursor,
            controls=sorted(caps.controls),
            account_stream=caps.account_stream,
            http2=self.api.http_version == "HTTP/2",
        )
        return caps

    def _signed_out(self, reason: SignOutReason) -> None:
        """The token manager ended the session (the user, or a refresh that can never
        work again): stop following, tell the views."""
        log_event(_log, "signed_out", reason=reason)
        monitor, self.monitor = self.monitor, None
        if monitor is not None:
            self._spawn(monitor.stop())
        self._monitor_listener.signed_out(reason)

    async def sign_out(self) -> None:
        if self.tokens is not None:
            await self.tokens.sign_out()

    async def refresh(self) -> None:
        """Re-read every batch from the server now (the REST summary is the truth)."""
        if self.monitor is not None:
            await self.monitor.refresh()

    # ------------------------------------------------------------ history

    async def history_page(
        self, query: HistoryQuery, offset: int = 0, limit: int = 50, clips: bool = False
    ) -> HistoryPage:
        """A page of ended batches, newest first: the server's history where it pages by
        finish time (``clips``: with each batch's clips, for an export), else the
        batches this app remembers (raises ``ApiError`` / ``AuthError``)."""
        caps = self.capabilities or PART_ONE
        monitor = self.monitor
        if self.api is None or self.tokens is None or monitor is None:
            return HistoryPage((), "remembered", False)
        user_id = self.tokens.user_id or ""
        if not (caps.history and caps.history_cursor):
            return remembered_page(monitor.memory.batches(user_id), query, offset, limit)
        found = await self.api.history_page(
            user_id,
            statuses=query.statuses,
            limit=limit + 1,  # one more says whether there is a next page
            offset=offset,
            finished_after=query.finished_after,
            finished_before=query.finished_before,
            search=query.search.strip() or None,
            clips=clips,
        )
        return HistoryPage(tuple(found[:limit]), "history", len(found) > limit)

    # ------------------------------------------------------------ acting on a batch

    async def control(self, batch_id: str, action: str, source: ControlSource) -> ControlOutcome:
        """Pause, resume, cancel or retry the failed clips of a batch (issue 16; see
        :mod:`.controls`): ``unsupported`` without a request where the server did not
        advertise the action (the deployed backend), ``failed`` while it is not known
        yet (the capabilities call failed: asked again at the next sign-in)."""
        return await perform(self.api, self.monitor, self.capabilities, batch_id, action, source)

    def listing(self) -> list[str]:
        """The batches followed now, for the command line's ``--list`` (see
        :func:`.controls.listing`)."""
        monitor = self.monitor
        return listing(monitor.batches.values()) if monitor is not None else []

    async def batch(self, batch_id: str) -> Batch:
        """One batch with its clips (the history view shows them on demand)."""
        if self.api is None:
            raise RuntimeError("not signed in")
        return await self.api.batch(batch_id)

    # ------------------------------------------------------------ network and sleep

    def network_changed(self, online: bool) -> None:
        """The OS says the network went down or came up (the ui's network
        information); a hint the connectivity checks with its probe."""
        if self.connectivity is not None:
            self.connectivity.network_changed(online)

    def sleeping(self) -> None:
        """The machine is about to suspend (core.sleep.SleepListener): close streams."""
        self._spawn(self._before_sleep())

    def woke(self, source: str) -> None:
        """The machine woke: drop every connection, rediscover, catch up, reconnect."""
        self._spawn(self._after_wake(source))

    async def _before_sleep(self) -> None:
        async with self._sleep_lock:
            monitor = self.monitor
            if monitor is not None:
                await monitor.suspend()

    async def _after_wake(self, source: str) -> None:
        async with self._sleep_lock:
            monitor = self.monitor
            log_event(_log, "woke", source=source, following=monitor is not None)
            if monitor is not None:
                # Seen by the clock only after the fact: its streams are still
                # "open" on dead sockets; closed first (idempotent after logind's).
                await monitor.suspend()
            if self.api is not None:
                await self.api.reset_connections()
            if monitor is not None:
                await monitor.wake()

    # ------------------------------------------------------------ quitting

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` as the session's own task: cancelled at :meth:`aclose`, and an
        error in it is logged, never lost."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log_event(
                _log,
                "error",
                logging.ERROR,
                where="session",
                message=f"{type(exc).__name__}: {str(exc)[:300]}",
            )

    async def stop_monitor(self) -> None:
        """Stop following batches (its streams and tasks end; its memory is saved)."""
        async with self._monitor_lock:
            monitor, self.monitor = self.monitor, None
            if monitor is not None:
                await monitor.stop()

    async def _close_clients(self) -> None:
        if self.connectivity is not None:
            await self.connectivity.aclose()
            self.connectivity = None
        for client in (self.api, self.auth):
            if client is not None:
                await client.aclose()
        self.api = self.auth = self.tokens = self.vault = None
        self.capabilities = None  # the next servers may differ

    async def stop(self) -> None:
        """Quitting, first step: the session's own tasks end at once (a sign-in, or a
        monitor start whose first list the server never answers), then the monitor
        stops. The clients stay open for :meth:`aclose`."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.stop_monitor()

    async def aclose(self) -> None:
        """Quit: :meth:`stop`, then the clients close and the demo backend stops. Call
        it after every other task that may use the clients ended."""
        await self.stop()
        sleep, self._sleep = self._sleep, None
        if sleep is not None:
            await sleep.aclose()
        await self._close_clients()
        await self._demo_backend.stop()


class _TokenRelay:
    """The token manager's listener (core.tokens.TokenListener) for the session: every
    token it holds goes to the log's redactor, each rotation included, and the end of
    a session stops the monitor."""

    def __init__(self, session: DesktopSession) -> None:
        self._session = session

    def session_changed(self, session: Session) -> None:
        REDACTOR.add(session.access_token)
        REDACTOR.add(session.refresh_token)

    def refresh_token_loaded(self, refresh_token: str) -> None:
        REDACTOR.add(refresh_token)

    def signed_out(self, reason: SignOutReason) -> None:
        self._session._signed_out(reason)
