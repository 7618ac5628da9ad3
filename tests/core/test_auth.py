"""Supabase Auth client and SessionManager against the local backend over loopback.

The backend is a faithful Supabase Auth subset: rotation with a reuse interval
(0 here, so any second use of a spent refresh token revokes the whole session:
a refresh sent twice cannot go unnoticed), ``refresh_token_not_found`` after
an admin revoke, real expiry of short-lived tokens, 429 from its rate limiter,
the older error shape and 5xx proxy pages behind fault switches. Refreshes are
counted on the wire by a transport that wraps the real one.

One backend serves the whole module (each test has its own user, and resets the
fault switches it set); tests that need other server options start their own.
Only one test uses ``httpx.MockTransport``: a byte-level fault (an error page cut
off mid-body, a 200 with a truncated token) that the backend cannot produce.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from storyclip_desktop.core.auth import AuthClient, AuthError, Session
from storyclip_desktop.core.tokens import SessionManager
from storyclip_desktop.core.vault import StoredSession, Vault
from tests.backend import Backend, wait_for
from tests.core.test_vault import BlockingKeyring, BrokenKeyring, LockedKeyring

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# ---------------------------------------------------------------- plumbing


@pytest.fixture(scope="module")
def server() -> Iterator[Backend]:
    with Backend(reuse_interval=0) as backend:
        yield backend


@pytest.fixture
def srv(server: Backend) -> Iterator[Backend]:
    """The module's backend, its fault switches reset after the test."""
    yield server
    server.reset_faults()


_emails = itertools.count(1)


def new_user(backend: Backend, fresh: bool = False) -> tuple[str, str]:
    """Credentials to sign in with: the backend's test user (each sign-in is a
    session of its own, so tests do not share sessions), or a new user."""
    if not fresh:
        return backend.email, backend.password
    email = f"user{next(_emails)}-{time.monotonic_ns()}@example.com"
    password = f"pw-{email}"
    backend.add_user(email, password)
    return email, password


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real transport, counting token requests by grant type on the way out."""

    def __init__(self) -> None:
        super().__init__()
        self.grants: list[str] = []
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path.endswith("/token"):
            self.grants.append(request.url.params.get("grant_type", ""))
        return await super().handle_async_request(request)

    @property
    def refreshes(self) -> int:
        return self.grants.count("refresh_token")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring (the real one is tested in test_vault.py); it can be
    slowed so a test can look at the manager while a save is in flight."""

    priority = -10  # never a candidate for keyring's own backend choice

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.delay = delay
        self.saving = False
        self.saved: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saving = True
        if self.delay:
            time.sleep(self.delay)
        self.items[(service, username)] = password
        self.saved.append(password)
        self.saving = False

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")

    def stored(self) -> StoredSession | None:
        text = self.items.get(("StoryClip Desktop", "session"))
        return None if text is None else StoredSession.from_text(text)


class Clock:
    """A wall clock that can jump forward, as it does when a laptop wakes up."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class Heard:
    """A TokenListener that records what it hears."""

    def __init__(self) -> None:
        #: Every session the manager reported holding, in order.
        self.sessions: list[Session] = []
        #: Every end of a session, by reason.
        self.ended: list[str] = []
        #: Every refresh token read from the vault.
        self.loaded: list[str] = []

    def session_changed(self, session: Session) -> None:
        self.sessions.append(session)

    def refresh_token_loaded(self, refresh_token: str) -> None:
        self.loaded.append(refresh_token)

    def signed_out(self, reason: str) -> None:
        self.ended.append(reason)


class Kit:
    """One client setup: auth client on a counting transport, vault, manager."""

    def __init__(
        self,
        backend: Backend,
        keyring_backend: keyring.backend.KeyringBackend,
        auth_timeout: float = 5.0,
        **manager_kw: Any,
    ) -> None:
        self.transport = CountingTransport()
        self.auth = AuthClient(
            backend.auth_url, backend.anon_key, timeout=auth_timeout, transport=self.transport
        )
        self.keyring = keyring_backend
        self.vault = Vault(backend=keyring_backend)
        self.manager = SessionManager(self.auth, self.vault, **manager_kw)
        heard = Heard()
        self.manager.add_listener(heard)
        self.signed_out = heard.ended
        self.sessions = heard.sessions
        self.loaded = heard.loaded


@pytest.fixture
async def kits() -> AsyncIterator[Callable[..., Kit]]:
    made: list[Kit] = []

    def make(
        backend: Backend, keyring_backend: keyring.backend.KeyringBackend | None = None, **kw: Any
    ) -> Kit:
        kit = Kit(backend, keyring_backend or MemoryKeyring(), **kw)
        made.append(kit)
        return kit

    yield make
    for kit in made:
        await kit.auth.aclose()


async def poll(predicate: Callable[[], bool]) -> None:
    """Wait (up to 5 s) for a condition another thread (the keyring's) makes true."""
    deadline = time.monotonic() + 5.0
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def until(predicate: Callable[[], bool], what: str) -> None:
    """Wait for a condition on the server (each check is a blocking admin call,
    so it runs in a thread and the event loop keeps serving the client)."""
    await asyncio.to_thread(wait_for, predicate, 5.0, 0.05, what)


async def signed_in(kits: Callable[..., Kit], backend: Backend, **kw: Any) -> tuple[Kit, Session]:
    kit = kits(backend, **kw)
    email, password = new_user(backend)
    session = await kit.manager.sign_in(email, password)
    return kit, session


# ---------------------------------------------------------------- the wire


async def test_sign_in_user_and_sign_out_on_the_wire(srv: Backend, kits: Any) -> None:
    kit = kits(srv)
    email, password = new_user(srv)
    before = time.time()
    session = await kit.auth.sign_in_password(email, password)
    assert session.email == email
    assert session.user_id
    assert before + 3590 < session.expires_at < time.time() + 3601  # our clock + expires_in
    assert session.access_token not in repr(session)
    assert session.refresh_token not in repr(session)

    user = await kit.auth.get_user(session.access_token)
    assert user["id"] == session.user_id
    await kit.auth.sign_out(session.access_token)
    with pytest.raises(AuthError) as err:
        await kit.auth.get_user(session.access_token)
    assert err.value.reason == "session_expired"
    with pytest.raises(AuthError) as err:
        await kit.auth.refresh(session.refresh_token)
    assert (err.value.reason, err.value.code, err.value.terminal) == (
        "session_expired",
        "refresh_token_not_found",
        True,
    )
    # grant_type travels in the query, and every call above needed the apikey
    assert kit.transport.grants == ["password", "refresh_token"]


async def test_the_apikey_is_sent_and_a_wrong_one_is_not_a_password_problem(
    srv: Backend, kits: Any
) -> None:
    email, password = new_user(srv)
    wrong = AuthClient(srv.auth_url, "not-the-anon-key", timeout=5)
    try:
        with pytest.raises(AuthError) as err:
            await wrong.sign_in_password(email, password)
    finally:
        await wrong.aclose()
    assert (err.value.status, err.value.code) == (401, "invalid_api_key")
    assert err.value.reason == "server"  # a configuration problem, not "wrong password"


@pytest.mark.parametrize("legacy", [False, True], ids=["code-error_code-msg", "error-description"])
async def test_error_shapes_become_stable_reasons(srv: Backend, kits: Any, legacy: bool) -> None:
    """Both Supabase error shapes: ``{"code","error_code","msg"}`` and the older
    ``{"error": "invalid_grant", "error_description"}``."""
    kit = kits(srv)
    email, password = new_user(srv)
    srv.faults(auth_legacy_errors=legacy)
    for who, secret in ((email, "wrong-password-123"), ("nobody@example.com", password)):
        with pytest.raises(AuthError) as err:
            await kit.auth.sign_in_password(who, secret)
        assert err.value.reason == "invalid_credentials"
        assert err.value.status == 400
        assert err.value.code == ("invalid_grant" if legacy else "invalid_credentials")
        assert not err.value.terminal
        assert secret not in str(err.value)
        assert who not in str(err.value)
    with pytest.raises(AuthError) as err:
        await kit.auth.refresh("no-such-refresh-token")
    assert err.value.reason == "session_expired"
    assert err.value.terminal
    assert "no-such-refresh-token" not in str(err.value)


@pytest.mark.parametrize(
    ("status", "retry_after"), [(500, None), (502, None), (503, 5.0), (504, None)]
)
async def test_5xx_pages_are_server_errors_with_retry_after(
    srv: Backend, kits: Any, status: int, retry_after: float | None
) -> None:
    """500 in the deployed JSON shape; 502/503/504 as a proxy's HTML page (not JSON)."""
    kit = kits(srv)
    email, password = new_user(srv)
    srv.faults(fail_next=1, fail_status=status, fail_path_prefix="/auth", retry_after=5)
    with pytest.raises(AuthError) as err:
        await kit.auth.sign_in_password(email, password)
    assert (err.value.reason, err.value.status) == ("server", status)
    assert err.value.retry_after == retry_after
    assert (await kit.auth.sign_in_password(email, password)).email == email


async def test_429_is_rate_limited(srv: Backend, kits: Any) -> None:
    kit = kits(srv)
    email, password = new_user(srv)
    srv.faults(token_rate_limit=2, token_rate_window=60)
    await kit.auth.sign_in_password(email, password)
    await kit.auth.sign_in_password(email, password)
    with pytest.raises(AuthError) as err:
        await kit.auth.sign_in_password(email, password)
    assert (err.value.reason, err.value.status, err.value.code) == (
        "rate_limited",
        429,
        "over_request_rate_limit",
    )


async def test_network_failures_and_deadlines(srv: Backend, kits: Any) -> None:
    closed = AuthClient("http://127.0.0.1:9/auth/v1", "k", timeout=5)
    try:
        with pytest.raises(AuthError) as err:
            await closed.sign_in_password("a@b.c", "pw")
    finally:
        await closed.aclose()
    assert err.value.reason == "network"
    assert err.value.status is None

    slow = AuthClient(srv.auth_url, srv.anon_key, timeout=0.3)
    srv.faults(delay=3, delay_path_prefix="/auth")
    started = time.monotonic()
    try:
        with pytest.raises(AuthError) as err:
            await slow.sign_in_password("a@b.c", "pw")
    finally:
        await slow.aclose()
    assert err.value.reason == "network"
    assert time.monotonic() - started < 2


async def test_byte_level_faults() -> None:
    """MockTransport: an error page whose connection drops mid-body, and a 200
    whose token JSON is cut short: faults of bytes no real server produces on cue."""

    async def cut(first: bytes) -> AsyncIterator[bytes]:
        yield first
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    class Body(httpx.AsyncByteStream):
        def __init__(self, first: bytes) -> None:
            self.first = first

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in cut(self.first):
                yield chunk

    answers = iter(
        [
            httpx.Response(
                503, headers={"Content-Type": "text/html"}, stream=Body(b"<html><title>503 Service")
            ),
            httpx.Response(
                200,
                headers={"Content-Type": "application/json"},
                content=b'{"access_token": "abc", "refresh_tok',
            ),
            httpx.Response(
                200,
                headers={"Content-Type": "application/json"},
                content=b'{"access_token": "abc", "refresh_token": "r", "user": {}}',
            ),
        ]
    )
    auth = AuthClient(
        "http://auth.test/auth/v1", "k", transport=httpx.MockTransport(lambda r: next(answers))
    )
    try:
        reasons = []
        for _ in range(3):
            with pytest.raises(AuthError) as err:
                await auth.sign_in_password("a@b.c", "pw")
            reasons.append((err.value.reason, err.value.status))
    finally:
        await auth.aclose()
    assert reasons == [("server", 503), ("server", 200), ("server", 200)]


# ---------------------------------------------------------------- the session


async def test_refresh_ahead_of_expiry_with_short_lived_tokens(
    backend_factory: Callable[..., Backend], kits: Any
) -> None:
    """Tokens live 2 s on the server; the manager refreshes in the last half of
    that (the 60 s margin is capped at half a token's life) and never hands out
    a token the server would reject."""
    backend = backend_factory(token_ttl=2, reuse_interval=0)
    kit, first = await signed_in(kits, backend)
    token = await kit.manager.access_token()
    assert token == first.access_token
    assert kit.transport.refreshes == 0

    async def still_accepted(t: str) -> bool:
        await kit.auth.get_user(t)
        return True

    seen = {first.refresh_token}
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and len(seen) < 3:
        current = await kit.manager.access_token()
        assert await still_accepted(current)
        assert kit.manager.session is not None
        seen.add(kit.manager.session.refresh_token)
        await asyncio.sleep(0.05)
    assert len(seen) >= 3, "expected two refreshes within 8 s of 2 s tokens"
    assert kit.transport.refreshes == len(seen) - 1
    # the first token really expired on the server
    with pytest.raises(AuthError) as err:
        await kit.auth.get_user(first.access_token)
    assert err.value.reason == "session_expired"
    assert kit.signed_out == []


async def test_a_jump_of_the_wall_clock_refreshes_before_the_token_is_used(
    srv: Backend, kits: Any
) -> None:
    """A laptop that slept for an hour: the monotonic clock did not move, the wall
    clock did, and the token is past its expiry. The manager looks at the wall clock."""
    clock = Clock()
    kit, first = await signed_in(kits, srv, clock=clock)
    assert await kit.manager.access_token() == first.access_token
    clock.offset = 3600 - 30  # inside the 60 s margin
    await kit.manager.access_token()
    assert kit.transport.refreshes == 1
    await kit.manager.access_token()  # the new token is good for another hour
    assert kit.transport.refreshes == 1
    clock.offset = 2 * 3600 + 5  # slept right past the second token's expiry
    third = await kit.manager.access_token()
    assert kit.transport.refreshes == 2
    assert (await kit.auth.get_user(third))["id"] == first.user_id


async def test_every_session_held_is_reported_each_rotation_included(
    srv: Backend, kits: Any
) -> None:
    """The listener hears every session the manager holds: the sign-in, each
    refresh (a rotated refresh token, which the app registers with the log's
    redactor: issue 12) and a restore on the next start, in that order."""
    ring = MemoryKeyring()
    clock = Clock()
    kit, first = await signed_in(kits, srv, keyring_backend=ring, clock=clock)
    assert [s.refresh_token for s in kit.sessions] == [first.refresh_token]
    second = await kit.manager.token_rejected(first.access_token)
    clock.offset = 3600 - 30  # inside the margin: a proactive refresh
    third = await kit.manager.access_token()
    assert kit.transport.refreshes == 2
    held = kit.manager.session
    assert held is not None
    assert held.access_token == third
    assert [s.access_token for s in kit.sessions] == [first.access_token, second, third]
    rotated = [s.refresh_token for s in kit.sessions]
    assert len(set(rotated)) == 3  # each refresh handed out a new refresh token
    assert rotated[-1] == held.refresh_token == ring.stored().refresh_token  # type: ignore[union-attr]

    later = kits(srv, keyring_backend=ring)
    restored = await later.manager.restore()
    assert restored is not None
    assert later.sessions == [restored]
    assert restored.refresh_token not in rotated
    assert kit.signed_out == later.signed_out == []


async def test_twenty_concurrent_callers_share_one_refresh(srv: Backend, kits: Any) -> None:
    """20 × token_rejected(old) and 20 × access_token() inside the margin, all at
    once: exactly one refresh request on the wire. With a reuse interval of 0, a
    second refresh with the spent token would revoke the session, so the session
    still refreshing afterwards proves it too."""
    clock = Clock()
    kit, first = await signed_in(kits, srv, clock=clock)
    clock.offset = 3600 - 10
    calls = [kit.manager.token_rejected(first.access_token) for _ in range(20)]
    calls += [kit.manager.access_token() for _ in range(20)]
    tokens = await asyncio.gather(*calls)
    assert len(set(tokens)) == 1
    assert kit.transport.refreshes == 1
    assert kit.manager.refresh_count == 1

    # Late callers still holding the old token get the current one, no new refresh
    # (unless the server happened to mint an identical JWT within the same second).
    if tokens[0] != first.access_token:
        assert await kit.manager.token_rejected(first.access_token) == tokens[0]
        assert kit.transport.refreshes == 1
    # The family is intact: one more rotation works and the user is still there.
    refreshes = kit.transport.refreshes
    again = await kit.manager.token_rejected(tokens[0])
    assert kit.transport.refreshes == refreshes + 1
    assert (await kit.auth.get_user(again))["id"] == first.user_id
    assert kit.signed_out == []


async def test_the_rotated_token_is_stored_before_the_new_access_token_is_used(
    srv: Backend, kits: Any
) -> None:
    ring = MemoryKeyring(delay=0.3)
    kit, first = await signed_in(kits, srv, keyring_backend=ring)
    assert ring.stored() is not None
    assert ring.stored().refresh_token == first.refresh_token  # type: ignore[union-attr]
    task = asyncio.create_task(kit.manager.token_rejected(first.access_token))
    await poll(lambda: ring.saving)  # the refresh came back; the save is in the keyring thread
    assert not task.done()
    # Mid-save: nobody can have the new access token yet.
    assert kit.manager.session is not None
    assert kit.manager.session.access_token == first.access_token
    assert await kit.manager.access_token() == first.access_token
    new_token = await task
    stored = ring.stored()
    assert stored is not None
    assert kit.manager.session is not None
    assert stored.refresh_token == kit.manager.session.refresh_token != first.refresh_token
    assert new_token == kit.manager.session.access_token

    # A restart (a new manager on the same keyring) continues with the stored token.
    other = kits(srv, keyring_backend=ring)
    restored = await other.manager.restore()
    assert restored is not None
    assert restored.user_id == first.user_id
    assert other.signed_out == []


async def test_a_caller_that_gives_up_does_not_abort_the_refresh(srv: Backend, kits: Any) -> None:
    """Cancelling the waiting caller must not cancel the refresh: the server has
    already spent the old token, so the new one has to be kept and stored."""
    ring = MemoryKeyring(delay=0.2)
    kit, first = await signed_in(kits, srv, keyring_backend=ring)
    task = asyncio.create_task(kit.manager.token_rejected(first.access_token))
    await poll(lambda: ring.saving)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    def kept() -> bool:
        session = kit.manager.session
        return session is not None and session.refresh_token != first.refresh_token

    await poll(kept)
    token = await kit.manager.access_token()
    assert kit.transport.refreshes == 1  # the finished refresh was kept: no second one
    assert kit.manager.session is not None
    assert kit.manager.session.refresh_token == ring.stored().refresh_token  # type: ignore[union-attr]
    assert (await kit.auth.get_user(token))["id"] == first.user_id


async def test_a_revoked_session_ends_exactly_once(srv: Backend, kits: Any) -> None:
    kit, first = await signed_in(kits, srv)
    assert srv.revoke(user_id=first.user_id) >= 1
    results = await asyncio.gather(
        *[kit.manager.token_rejected(first.access_token) for _ in range(20)],
        return_exceptions=True,
    )
    assert all(isinstance(r, AuthError) and r.reason == "session_expired" for r in results)
    assert kit.signed_out == ["revoked"]
    assert kit.transport.refreshes == 1
    assert kit.manager.session is None
    assert kit.manager.user_id is None
    assert kit.keyring.stored() is None
    with pytest.raises(AuthError) as err:
        await kit.manager.access_token()
    assert err.value.reason == "session_expired"
    with pytest.raises(AuthError):
        await kit.manager.token_rejected(first.access_token)
    assert kit.transport.refreshes == 1
    assert kit.signed_out == ["revoked"]


async def test_token_reuse_detected_by_the_server_signs_out_once(srv: Backend, kits: Any) -> None:
    """Another process spent our refresh token (reuse interval 0): our next refresh
    presents a spent token, the server revokes the family, we sign out once."""
    kit, first = await signed_in(kits, srv)
    stolen = await kit.auth.refresh(first.refresh_token)
    assert stolen.refresh_token != first.refresh_token
    with pytest.raises(AuthError) as err:
        await kit.manager.token_rejected(first.access_token)
    assert (err.value.reason, err.value.code) == ("session_expired", "refresh_token_already_used")
    assert kit.signed_out == ["revoked"]
    # ...and the thief's token died with the family.
    with pytest.raises(AuthError) as err:
        await kit.auth.refresh(stolen.refresh_token)
    assert err.value.terminal


async def test_terminal_refresh_in_the_older_error_shape(srv: Backend, kits: Any) -> None:
    """``{"error": "invalid_grant", "error_description": "Invalid Refresh Token: ..."}``"""
    kit, first = await signed_in(kits, srv)
    srv.revoke(user_id=first.user_id)
    srv.faults(auth_legacy_errors=True)
    with pytest.raises(AuthError) as err:
        await kit.manager.token_rejected(first.access_token)
    assert (err.value.code, err.value.terminal) == ("invalid_grant", True)
    assert kit.signed_out == ["revoked"]


async def test_passing_refresh_failures_keep_the_session(srv: Backend, kits: Any) -> None:
    """A 502 page or a dead network during a refresh is no reason to sign out: the
    session and the stored token stay, a token still valid keeps being handed out,
    no request is sent again within the retry interval, and a later try works."""
    clock = Clock()
    kit, first = await signed_in(kits, srv, clock=clock, auth_timeout=0.5)
    stored_before = kit.keyring.stored()

    srv.faults(fail_next=1, fail_status=502, fail_path_prefix="/auth/v1/token")
    with pytest.raises(AuthError) as err:
        await kit.manager.token_rejected(first.access_token)
    assert (err.value.reason, err.value.terminal) == ("server", False)

    # Inside the margin, still valid: the proactive refresh fails (another 502),
    # the token in hand is returned, and the next call sends nothing.
    clock.offset = 3600 - 30
    srv.faults(fail_next=1)
    assert await kit.manager.access_token() == first.access_token
    assert kit.transport.refreshes == 2
    assert await kit.manager.access_token() == first.access_token
    assert kit.transport.refreshes == 2

    # Past expiry with the server out of reach (no answer within the client's
    # deadline; the delayed request then fails, so the server rotates nothing).
    clock.offset = 3600 + 30 + kit.manager.retry_interval
    srv.faults(delay=1.5, delay_path_prefix="/auth/v1/token", fail_next=1)
    with pytest.raises(AuthError) as err:
        await kit.manager.access_token()
    assert (err.value.reason, err.value.terminal) == ("network", False)
    assert kit.transport.refreshes == 3
    # A caller right after does not send another doomed request.
    with pytest.raises(AuthError) as err:
        await kit.manager.access_token()
    assert err.value.reason == "network"
    assert kit.transport.refreshes == 3

    assert kit.signed_out == []
    assert kit.manager.user_id == first.user_id
    assert kit.keyring.stored() == stored_before
    # The abandoned request ends on the server when its delay is over, by taking
    # the injected failure: once that is spent it has rotated nothing.
    await until(lambda: srv.faults()["fail_next"] == 0, "the delayed refresh failed")
    srv.reset_faults()
    clock.offset += 2 * kit.manager.retry_interval
    token = await kit.manager.access_token()
    assert kit.transport.refreshes == 4
    assert (await kit.auth.get_user(token))["id"] == first.user_id
    assert kit.signed_out == []


async def test_restore_from_the_vault(srv: Backend, kits: Any) -> None:
    ring = MemoryKeyring()
    _, first = await signed_in(kits, srv, keyring_backend=ring)

    later = kits(srv, keyring_backend=ring)
    restored = await later.manager.restore()
    assert restored is not None
    assert (restored.user_id, restored.email) == (first.user_id, first.email)
    assert later.manager.user_id == first.user_id
    assert later.transport.refreshes == 1  # a stored session needs a refresh
    assert await later.manager.restore() is restored  # already restored: no new refresh
    assert later.transport.refreshes == 1

    # Nothing stored → None, no event.
    empty = kits(srv)
    assert await empty.manager.restore() is None
    assert empty.signed_out == []


async def test_restore_offline_keeps_the_stored_session_and_retries_later(
    srv: Backend, kits: Any
) -> None:
    ring = MemoryKeyring()
    await signed_in(kits, srv, keyring_backend=ring)
    stored = ring.stored()
    assert stored is not None

    later = kits(srv, keyring_backend=ring)
    srv.faults(fail_next=1, fail_status=503, fail_path_prefix="/auth")
    with pytest.raises(AuthError) as err:
        await later.manager.restore()
    assert err.value.reason == "server"
    assert later.manager.user_id == stored.user_id
    assert later.manager.session is None
    # The refresh token read from the vault is held (and reported, for the log's
    # redactor) before any refresh succeeded.
    assert later.loaded == [stored.refresh_token]
    assert ring.stored() == stored
    # The retry interval is honoured, then the next call refreshes.
    with pytest.raises(AuthError):
        await later.manager.access_token()
    later.manager._retry_not_before = 0  # the interval passed
    token = await later.manager.access_token()
    assert (await later.auth.get_user(token))["id"] == stored.user_id


async def test_restore_of_a_revoked_session_is_none_with_one_event(srv: Backend, kits: Any) -> None:
    ring = MemoryKeyring()
    _, first = await signed_in(kits, srv, keyring_backend=ring)
    srv.revoke(user_id=first.user_id)
    later = kits(srv, keyring_backend=ring)
    assert await later.manager.restore() is None
    assert later.signed_out == ["revoked"]
    assert ring.stored() is None


async def test_a_session_of_another_auth_server_is_not_restored(srv: Backend, kits: Any) -> None:
    ring = MemoryKeyring()
    other = StoredSession("some-token", "some-user", None, "https://other.supabase.co/auth/v1")
    ring.items[("StoryClip Desktop", "session")] = other.to_text()
    kit = kits(srv, keyring_backend=ring)
    assert await kit.manager.restore() is None
    assert kit.transport.refreshes == 0  # its token never left for our server
    assert kit.signed_out == []


async def test_sign_out_ends_the_session_here_and_on_the_server(srv: Backend, kits: Any) -> None:
    kit, first = await signed_in(kits, srv)
    await kit.manager.sign_out()
    assert kit.signed_out == ["user"]
    assert kit.manager.session is None
    assert kit.keyring.stored() is None
    assert "/auth/v1/logout" in kit.transport.paths
    with pytest.raises(AuthError) as err:
        await kit.auth.refresh(first.refresh_token)
    assert err.value.code == "refresh_token_not_found"
    with pytest.raises(AuthError):
        await kit.manager.access_token()
    await kit.manager.sign_out()  # signing out twice is harmless and silent
    assert kit.signed_out == ["user"]


async def test_sign_out_clears_everything_even_when_the_server_fails(
    srv: Backend, kits: Any
) -> None:
    kit, _ = await signed_in(kits, srv)
    srv.faults(fail_next=5, fail_status=502, fail_path_prefix="/auth")
    await kit.manager.sign_out()
    assert kit.signed_out == ["user"]
    assert kit.manager.session is None
    assert kit.manager.user_id is None
    assert kit.keyring.stored() is None


async def test_sign_out_during_a_refresh_wins(srv: Backend, kits: Any) -> None:
    """The refresh in flight when the user signs out must neither bring the session
    back nor store its rotated token."""
    ring = MemoryKeyring()
    kit, first = await signed_in(kits, srv, keyring_backend=ring)
    srv.faults(delay=0.3, delay_path_prefix="/auth/v1/token")
    task = asyncio.create_task(kit.manager.token_rejected(first.access_token))
    await poll(lambda: kit.transport.refreshes == 1)  # the refresh is on the wire
    await kit.manager.sign_out()
    with pytest.raises(AuthError) as err:
        await task
    assert err.value.reason == "session_expired"
    assert kit.manager.session is None
    assert ring.stored() is None
    assert kit.signed_out == ["user"]


async def test_remember_false_keeps_nothing_in_the_keyring(srv: Backend, kits: Any) -> None:
    ring = MemoryKeyring()
    ring.items[("StoryClip Desktop", "session")] = StoredSession("old", "old-user").to_text()
    kit = kits(srv, keyring_backend=ring)
    email, password = new_user(srv)
    first = await kit.manager.sign_in(email, password, remember=False)
    assert ring.items == {}
    await kit.manager.token_rejected(first.access_token)
    assert ring.items == {}
    assert ring.saved == []


async def test_signing_in_without_remember_is_not_held_up_by_a_locked_keyring(
    srv: Backend, kits: Any
) -> None:
    """The demo signs in without "remember me"; removing an earlier stored session
    then waits a few seconds for the keyring at most, not the minute a vault call
    may wait for an unlock prompt (seen: the demo showed nothing for a minute on
    a desktop whose keyring was locked)."""
    ring = BlockingKeyring()
    kit = kits(srv, keyring_backend=ring)
    email, password = new_user(srv)
    started = time.monotonic()
    try:
        session = await kit.manager.sign_in(email, password, remember=False)
    finally:
        ring.release.set()
    assert time.monotonic() - started < 10
    assert kit.manager.session == session
    assert kit.vault.status.reason == "locked"  # what the account view then says


@pytest.mark.parametrize(
    ("ring", "reason"),
    [(fail.Keyring(), "no_keyring"), (LockedKeyring(), "locked"), (BrokenKeyring(), "error")],
    ids=["no-keyring", "locked", "raises-on-every-call"],
)
async def test_an_unusable_keyring_leaves_a_session_in_memory_and_a_sentence(
    srv: Backend, kits: Any, ring: keyring.backend.KeyringBackend, reason: str
) -> None:
    kit, first = await signed_in(kits, srv, keyring_backend=ring)
    status = kit.vault.status
    assert (status.persistent, status.reason) == (False, reason)
    assert status.message is not None
    assert status.message.endswith("; you will need to sign in again next time.")
    token = await kit.manager.token_rejected(first.access_token)
    assert (await kit.auth.get_user(token))["id"] == first.user_id
    assert kit.manager.user_id == first.user_id
    assert kit.signed_out == []
    await kit.manager.sign_out()
    assert kit.signed_out == ["user"]


async def test_signing_in_again_ends_the_previous_session_once(srv: Backend, kits: Any) -> None:
    kit, first = await signed_in(kits, srv)
    email, password = new_user(srv, fresh=True)
    second = await kit.manager.sign_in(email, password)
    assert kit.signed_out == ["user"]
    assert kit.manager.user_id == second.user_id != first.user_id


async def test_failed_sign_in_keeps_the_current_session(srv: Backend, kits: Any) -> None:
    kit, first = await signed_in(kits, srv)
    with pytest.raises(AuthError):
        await kit.manager.sign_in("nobody@example.com", "wrong-password")
    assert kit.manager.user_id == first.user_id
    assert kit.signed_out == []


async def test_no_secret_reaches_a_log_record_or_an_error(
    srv: Backend, kits: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    kit, first = await signed_in(kits, srv, clock=clock)
    email, password = new_user(srv)
    errors: list[BaseException] = []
    clock.offset = 3590
    second = await kit.manager.access_token()
    for attempt in (
        kit.auth.sign_in_password(email, "wrong-" + password),
        kit.auth.refresh(first.refresh_token),  # spent: revokes the family
        kit.manager.token_rejected(second),
    ):
        try:
            await attempt
        except AuthError as exc:
            errors.append(exc)
    assert len(errors) == 3
    secrets = [first.access_token, first.refresh_token, second, password, srv.anon_key]
    texts = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [r.getMessage() + repr(getattr(r, "fields", "")) for r in caplog.records]
    for text in texts:
        for secret in secrets:
            assert secret not in text
