"""The one current session: sign-in, restore, tokens on demand, sign-out.

:class:`SessionManager` owns the session: it refreshes ahead of expiry (on the
wall clock, so a laptop that slept past ``expires_at`` refreshes on wake instead
of sending a dead token), runs at most one refresh at a time (refresh tokens
rotate: two refreshes with the same token look like theft to the server and
revoke the whole family), stores the rotated refresh token before the new
access token is handed out, and reports to its :class:`TokenListener` every
session it holds (each rotation included) and the end of a session exactly once.
The wire calls are :mod:`.auth`'s.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from .auth import AuthClient, AuthError, Session
from .log import get_logger, log_event
from .reasons import SignOutReason
from .vault import StoredSession, Vault

__all__ = ["SessionManager", "TokenListener"]

_log = get_logger("auth")

#: Seconds a sign-in without "remember me" waits for the keyring to remove an
#: earlier stored session (see SessionManager.sign_in).
_CLEAR_WAIT = 3.0


class TokenListener(Protocol):
    """Hears what the :class:`SessionManager` holds; called on the event loop, must
    not block."""

    def session_changed(self, session: Session) -> None:
        """A new session is held: signed in, restored, or refreshed (a rotation: new
        access *and* refresh token). Every token the app ever holds passes here
        (the app registers each with the log's redactor)."""

    def refresh_token_loaded(self, refresh_token: str) -> None:
        """A stored session was read from the vault: its refresh token is held before
        any refresh succeeded (offline at start, the refresh may come much later)."""

    def signed_out(self, reason: SignOutReason) -> None:
        """The session ended, once per session: ``user``, ``session_expired``,
        ``revoked`` or ``error``."""


class SessionManager:
    """The one current session: sign-in, restore, tokens on demand, sign-out.

    Internally the session is its stored part (refresh token, user) plus, once a
    refresh or sign-in succeeded, the :class:`Session` with an access token: a
    session restored while offline keeps the stored part and refreshes on the
    next :meth:`access_token` call instead of forgetting the user.

    Every sign-in or restore starts a new *generation*; work that started in an
    older one (a refresh still in flight at sign-out) is discarded when it ends,
    so it can neither resurrect the session nor report its end twice.
    """

    #: After a refresh fails for a passing reason, wait this long before trying
    #: again while the current access token is still good.
    retry_interval = 5.0

    def __init__(
        self,
        auth: AuthClient,
        vault: Vault,
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 60.0,
    ) -> None:
        self._auth = auth
        self.vault = vault
        self._clock = clock
        self._margin = refresh_margin
        self._session: Session | None = None
        self._stored: StoredSession | None = None
        self._lifetime = 0.0
        self._remember = True
        self._generation = 0
        self._refresh_task: asyncio.Task[Session] | None = None
        self._retry_not_before = 0.0
        self._retry_error: AuthError | None = None
        self._listeners: list[TokenListener] = []
        #: Refresh requests sent so far (for the log and the tests).
        self.refresh_count = 0

    # ------------------------------------------------------------ state

    @property
    def session(self) -> Session | None:
        return self._session

    @property
    def user_id(self) -> str | None:
        return self._stored.user_id if self._stored else None

    @property
    def email(self) -> str | None:
        return self._stored.email if self._stored else None

    @property
    def signed_in(self) -> bool:
        return self._stored is not None

    def add_listener(self, listener: TokenListener) -> None:
        """Report session changes and ends to ``listener`` (see :class:`TokenListener`)."""
        self._listeners.append(listener)

    def _tell(self, call: Callable[[TokenListener], None], what: str) -> None:
        for listener in list(self._listeners):
            try:
                call(listener)
            except Exception:
                _log.exception("session listener failed (%s)", what)

    def _emit(self, reason: SignOutReason) -> None:
        log_event(_log, "auth.signed_out", reason=reason)
        self._tell(lambda listener: listener.signed_out(reason), "signed_out")

    def _rebase(self, session: Session) -> Session:
        """The client dates expiry on ``time.time``; keep it on this manager's clock
        (the same one unless a test or the app injected another)."""
        if self._clock is time.time:
            return session
        lifetime = session.expires_at - time.time()
        return dataclasses.replace(session, expires_at=self._clock() + lifetime)

    def _set(self, session: Session, stored: StoredSession) -> None:
        self._session = session
        self._stored = stored
        self._lifetime = max(0.0, session.expires_at - self._clock())
        self._retry_not_before = 0.0
        self._retry_error = None
        self._tell(lambda listener: listener.session_changed(session), "session_changed")

    def _drop(self) -> None:
        """Forget the session in memory and invalidate work of its generation."""
        self._generation += 1
        self._session = None
        self._stored = None
        self._lifetime = 0.0
        self._retry_not_before = 0.0
        self._retry_error = None

    def _stored_for(self, session: Session) -> StoredSession:
        return StoredSession(
            refresh_token=session.refresh_token,
            user_id=session.user_id,
            email=session.email,
            auth_url=self._auth.auth_url,
        )

    def _margin_now(self) -> float:
        # A margin larger than half the token's life would refresh on every call
        # (short-lived test tokens, or a server configured with a 60 s lifetime).
        return min(self._margin, self._lifetime / 2)

    def _not_signed_in(self) -> AuthError:
        return AuthError("session_expired", "Not signed in")

    # ------------------------------------------------------------ refresh

    def _refresh(self) -> asyncio.Future[Session]:
        """Join the refresh in flight or start one. The task is shielded: a caller
        that gives up must not abort a refresh whose rotated token still has to
        be stored."""
        task = self._refresh_task
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(
                self._do_refresh(self._generation), name="storyclip-auth-refresh"
            )
            # Mark the outcome as seen even if every waiter was cancelled.
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._refresh_task = task
        return asyncio.shield(task)

    async def _do_refresh(self, generation: int) -> Session:
        stored = self._stored
        if stored is None:
            raise self._not_signed_in()
        self.refresh_count += 1
        started = time.perf_counter()
        try:
            session = self._rebase(await self._auth.refresh(stored.refresh_token))
        except AuthError as exc:
            log_event(
                _log,
                "auth.refresh_failed",
                logging.WARNING,
                reason=exc.reason,
                status=exc.status,
                code=exc.code,
                terminal=exc.terminal,
            )
            if generation != self._generation:
                raise self._not_signed_in() from None
            if exc.terminal:
                await self._end(exc.sign_out_reason)
            else:
                self._retry_not_before = self._clock() + max(
                    self.retry_interval, exc.retry_after or 0.0
                )
                self._retry_error = exc
            raise
        if generation != self._generation:
            # Signed out (or in again) while this was on the wire: not ours to keep.
            raise self._not_signed_in()
        if session.user_id != stored.user_id:
            log_event(_log, "auth.user_changed", logging.ERROR)
            await self._end("error")
            raise AuthError(
                "server", "Session refresh failed: the server answered for another user"
            )
        new_stored = self._stored_for(session)
        if self._remember:
            # Before anyone sees the new access token: the old refresh token is
            # spent now, and a crash must leave the new one in the keyring.
            # (The vault serializes its calls, so a sign-out's clear that comes
            # after this save also lands after it.)
            await self.vault.save(new_stored)
        if generation != self._generation:
            raise self._not_signed_in()
        self._set(session, new_stored)
        log_event(
            _log,
            "auth.refreshed",
            ms=round((time.perf_counter() - started) * 1000, 1),
            expires_in=round(session.expires_at - self._clock()),
        )
        return session

    async def _end(self, reason: SignOutReason) -> None:
        """The session ended on its own (terminal refresh error): once per session."""
        self._drop()
        await self.vault.clear()
        self._emit(reason)

    # ------------------------------------------------------------ public

    async def restore(self) -> Session | None:
        """The stored session, refreshed. ``None`` when nothing is stored, it belongs
        to another auth server, or the server ended it (then the signed-out
        listeners hear why). Network and server errors raise :class:`AuthError`
        and keep the stored session, so a later :meth:`access_token` retries."""
        if self._stored is not None:
            if self._session is not None:
                return self._session
            return await self._refresh()
        stored = await self.vault.load()
        if stored is None:
            return None
        if stored.auth_url is not None and stored.auth_url != self._auth.auth_url:
            log_event(_log, "auth.restore_skipped", why="other auth server")
            return None
        if self._stored is not None:  # signed in while the vault was read
            return self._session
        self._drop()
        self._stored = stored
        self._remember = True
        token = stored.refresh_token
        self._tell(lambda listener: listener.refresh_token_loaded(token), "refresh_token_loaded")
        try:
            return await self._refresh()
        except AuthError as exc:
            if exc.terminal:
                return None
            raise

    async def sign_in(self, email: str, password: str, remember: bool = True) -> Session:
        """Sign in with e-mail and password; with ``remember`` the session is stored
        in the keyring, without it only kept in memory (and any stored one removed)."""
        session = self._rebase(await self._auth.sign_in_password(email, password))
        had_session = self._stored is not None
        self._drop()
        generation = self._generation
        if had_session:
            self._emit("user")
        stored = self._stored_for(session)
        self._remember = remember
        if remember:
            await self.vault.save(stored)
        else:
            # Removing an earlier stored session is tidying up: the user who chose
            # not to be remembered (the demo does) is not kept waiting on a locked
            # keyring's unlock prompt for it, a minute at worst.
            await self.vault.clear(at_most=_CLEAR_WAIT)
        if generation != self._generation:
            raise AuthError("session_expired", "Signed out while signing in")
        self._set(session, stored)
        log_event(
            _log, "auth.signed_in", remember=remember, persistent=self.vault.status.persistent
        )
        return session

    async def access_token(self) -> str:
        """A valid access token, refreshed first when it is within the margin of
        its expiry. Raises :class:`AuthError` ``session_expired`` when signed out
        (or the server ended the session), ``network``/``server``/``rate_limited``
        when a needed refresh failed for a passing reason."""
        if self._stored is None:
            raise self._not_signed_in()
        current = self._session
        now = self._clock()
        if current is not None:
            if now < current.expires_at - self._margin_now():
                return current.access_token
            if now < current.expires_at - 1.0 and now < self._retry_not_before:
                return current.access_token
        last = self._retry_error
        if last is not None and now < self._retry_not_before:
            # No working token and the last refresh failed moments ago (offline,
            # rate limited): do not hammer the server on every caller's behalf.
            raise AuthError(
                last.reason,
                str(last),
                status=last.status,
                code=last.code,
                retry_after=self._retry_not_before - now,
                detail=last.detail,
            )
        try:
            return (await self._refresh()).access_token
        except AuthError as exc:
            # A proactive refresh that failed for a passing reason is no reason to
            # drop a token that still works.
            if (
                not exc.terminal
                and current is not None
                and self._session is current
                and self._clock() < current.expires_at - 1.0
            ):
                return current.access_token
            raise

    async def token_rejected(self, token: str) -> str:
        """An API call got 401 with ``token``: refresh once and return the new token.
        If a refresh already happened since ``token`` was issued, the current token
        is returned without another one; concurrent callers share one refresh."""
        if self._stored is None:
            raise self._not_signed_in()
        current = self._session
        if current is not None and current.access_token != token:
            return await self.access_token()
        return (await self._refresh()).access_token

    async def sign_out(self) -> None:
        """End the session: memory and keyring cleared first (always), listeners
        told, then the server asked to end it (``scope=local``), best effort."""
        stored, session = self._stored, self._session
        self._drop()
        await self.vault.clear()
        if stored is None:
            return
        self._emit("user")
        token: str | None = None
        if session is not None and self._clock() < session.expires_at - 1.0:
            token = session.access_token
        else:
            try:  # an expired access token cannot log out; the refresh token can get one
                token = (await self._auth.refresh(stored.refresh_token)).access_token
            except AuthError as exc:
                log_event(_log, "auth.logout_skipped", reason=exc.reason)
        if token is not None:
            try:
                await self._auth.sign_out(token, scope="local")
            except AuthError as exc:
                log_event(_log, "auth.logout_failed", reason=exc.reason, status=exc.status)

    def _debug_state(self) -> dict[str, Any]:
        """For tests and support: the state without any secret in it."""
        return {
            "signed_in": self._stored is not None,
            "has_access_token": self._session is not None,
            "generation": self._generation,
            "refreshing": self._refresh_task is not None and not self._refresh_task.done(),
        }
