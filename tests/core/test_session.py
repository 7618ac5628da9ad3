"""The signed-in session (core/session.py) against the local backend and a server that
never answers: what it tells the ui, the order of the first session, every token it
holds in the log's redactor, and a quit that never waits for the network."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from storyclip_desktop.core.log import REDACTOR
from storyclip_desktop.core.model import Batch, StreamState
from storyclip_desktop.core.session import DesktopSession, SessionOptions
from tests.backend import Backend
from tests.monitoring import until

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


class Heard:
    """Both listeners of the session, recording what a ui would be told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    # SessionListener
    def signed_in(self, email: str | None) -> None:
        self.calls.append(("signed_in", email))

    def sign_in_failed(self, reason: str) -> None:
        self.calls.append(("sign_in_failed", reason))

    def settings_needed(self) -> None:
        self.calls.append(("settings_needed", None))

    def session_reset(self) -> None:
        self.calls.append(("session_reset", None))

    def memory_problem(self, problem: str | None) -> None:
        self.calls.append(("memory_problem", problem))

    def active_batches_found(self, batch_ids: Sequence[str]) -> None:
        self.calls.append(("active_batches_found", list(batch_ids)))

    # MonitorListener
    def batch_added(self, batch: Batch) -> None:
        self.calls.append(("batch_added", batch.batch_id))

    def batch_updated(self, batch: Batch, changed_clips: Sequence[int]) -> None:
        pass

    def batch_finished(self, batch: Batch) -> None:
        self.calls.append(("batch_finished", batch.batch_id))

    def stream_state_changed(self, batch_id: str, state: StreamState) -> None:
        pass

    def server_reachable_changed(self, reachable: bool) -> None:
        pass

    def signed_out(self, reason: str) -> None:
        self.calls.append(("signed_out", reason))


class NoDemo:
    """A DemoBackend for sessions that never use the demo (it must not be started)."""

    url = ""
    api_key = ""
    anon_key = ""
    pid = None
    stopped = False

    async def start(self) -> str:
        raise AssertionError("the demo backend was started")

    async def stop(self) -> None:
        self.stopped = True


class Saved:
    def __init__(self, servers: dict[str, str] | None = None) -> None:
        self.servers = servers or {}

    def saved_servers(self) -> dict[str, str]:
        return dict(self.servers)


def options_for(backend: Backend, tmp_path: Path, **env: str) -> SessionOptions:
    return SessionOptions(
        data_dir=tmp_path / "data",
        cli={
            "api_url": backend.api_url,
            "supabase_url": backend.url,
            "anon_key": backend.anon_key,
            "api_key": backend.api_key,
        },
        discovery_interval=0.5,
        env=env,
    )


@pytest.fixture
async def closing() -> AsyncIterator[list[DesktopSession]]:
    made: list[DesktopSession] = []
    yield made
    for session in made:
        await session.aclose()


async def test_nothing_configured_asks_for_the_settings(
    tmp_path: Path, closing: list[DesktopSession]
) -> None:
    heard = Heard()
    session = DesktopSession(
        SessionOptions(data_dir=tmp_path, env={}), heard, heard, Saved(), NoDemo()
    )
    closing.append(session)
    await session.start()
    assert heard.names() == ["settings_needed"]
    assert session.tokens is None
    assert session.user_email is None


async def test_environment_account_signs_in_and_finds_what_is_publishing(
    backend_factory: object, tmp_path: Path, closing: list[DesktopSession]
) -> None:
    backend: Backend = backend_factory(clip_seconds=2.0)  # type: ignore[operator]
    running = backend.create_batch(3)
    heard = Heard()
    env = {"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password}
    session = DesktopSession(options_for(backend, tmp_path, **env), heard, heard, Saved(), NoDemo())
    closing.append(session)
    await session.start()
    assert session.user_email == backend.email
    # Told once that a session exists, then what is publishing, in that order.
    assert heard.names().count("signed_in") == 1
    assert ("active_batches_found", [running]) in heard.calls
    assert heard.names().index("signed_in") < heard.names().index("active_batches_found")


async def test_a_refused_environment_sign_in_is_reported_and_the_form_waits(
    backend_factory: object, tmp_path: Path, closing: list[DesktopSession]
) -> None:
    backend: Backend = backend_factory()  # type: ignore[operator]
    heard = Heard()
    env = {"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": "wrong-password"}
    session = DesktopSession(options_for(backend, tmp_path, **env), heard, heard, Saved(), NoDemo())
    closing.append(session)
    await session.start()
    assert heard.calls == [("sign_in_failed", "invalid_credentials")]
    assert session.monitor is None


async def test_every_token_the_session_holds_reaches_the_redactor(
    backend_factory: object, tmp_path: Path, closing: list[DesktopSession]
) -> None:
    """Refresh tokens rotate: the one a refresh hands out must be scrubbed from the log
    like the first (an opaque, non-JWT one would pass the shape-based filters)."""
    backend: Backend = backend_factory()  # type: ignore[operator]
    heard = Heard()
    env = {"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password}
    session = DesktopSession(options_for(backend, tmp_path, **env), heard, heard, Saved(), NoDemo())
    closing.append(session)
    await session.start()
    assert session.tokens is not None
    assert session.tokens.session is not None
    first = session.tokens.session.refresh_token
    assert first in REDACTOR
    # The server refuses the access token (as after a revocation of it alone): the
    # manager refreshes, and the server rotates the refresh token.
    await session.tokens.token_rejected(session.tokens.session.access_token)
    rotated = session.tokens.session.refresh_token
    assert rotated != first  # the server rotated it
    assert rotated in REDACTOR
    assert session.tokens.session.access_token in REDACTOR


async def test_quit_does_not_wait_for_a_sign_in_the_server_never_answers(
    tmp_path: Path, closing: list[DesktopSession]
) -> None:
    accepted = asyncio.Event()
    held: list[asyncio.StreamWriter] = []

    async def never_answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        accepted.set()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    options = SessionOptions(
        data_dir=tmp_path,
        cli={"api_url": url, "supabase_url": url, "anon_key": "anon", "api_key": "key-1"},
        env={"STORYCLIP_EMAIL": "a@example.com", "STORYCLIP_PASSWORD": "secret-password"},
    )
    heard = Heard()
    demo = NoDemo()
    session = DesktopSession(options, heard, heard, Saved(), demo)
    try:
        session.begin()
        await asyncio.wait_for(accepted.wait(), 10)
        # The sign-in waits on the server; quitting must not (the request's timeout
        # is several seconds longer than this).
        await asyncio.wait_for(session.aclose(), 2.0)
        assert demo.stopped
        assert heard.calls == []  # no failure reported for a request the user abandoned
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_servers_changed_starts_again_on_the_saved_servers(
    backend_factory: object, tmp_path: Path, closing: list[DesktopSession]
) -> None:
    backend: Backend = backend_factory()  # type: ignore[operator]
    heard = Heard()
    saved = Saved()
    session = DesktopSession(
        SessionOptions(
            data_dir=tmp_path,
            cli={"api_key": backend.api_key},
            env={"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password},
        ),
        heard,
        heard,
        saved,
        NoDemo(),
    )
    closing.append(session)
    await session.start()
    assert heard.names() == ["settings_needed"]
    saved.servers = {
        "api_url": backend.api_url,
        "supabase_url": backend.url,
        "anon_key": backend.anon_key,
    }
    session.servers_changed()
    await until(lambda: session.user_email == backend.email, timeout=20)
    assert heard.names()[:3] == ["settings_needed", "session_reset", "signed_in"]


@pytest.mark.parametrize("mode", ["default", "upstream"])
async def test_the_server_is_asked_once_what_it_supports(
    backend_factory: object,
    tmp_path: Path,
    closing: list[DesktopSession],
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The local backend advertises its history, working controls and account stream; the deployed
    backend (upstream mode) has no such answer, so nothing beyond Part 1 is assumed —
    its control calls answer success and change nothing."""
    caplog.set_level(logging.INFO, logger="storyclip")
    backend: Backend = backend_factory(mode=mode)  # type: ignore[operator]
    heard = Heard()
    env = {"STORYCLIP_EMAIL": backend.email, "STORYCLIP_PASSWORD": backend.password}
    session = DesktopSession(options_for(backend, tmp_path, **env), heard, heard, Saved(), NoDemo())
    closing.append(session)
    await session.start()
    caps = session.capabilities
    assert caps is not None
    if mode == "default":
        assert caps.advertised
        assert caps.history
        assert caps.controls == {"pause", "resume", "cancel", "retry-failed"}
    else:
        assert not caps.advertised
        assert not caps.history
        assert caps.controls == frozenset()
    assert caps.account_stream == (mode == "default")  # one stream for the account
    # Asked once per server: a second sign-in does not ask again.
    await session.sign_in(backend.email, backend.password, remember=False)
    told = [r for r in caplog.records if getattr(r, "event", None) == "capabilities"]
    assert len(told) == 1
    assert told[0].fields["controls"] == sorted(caps.controls)  # type: ignore[attr-defined]
