"""Supabase Auth (GoTrue) over REST, and the one current session.

:class:`AuthClient` is the thin wire layer: ``apikey`` on every call,
``grant_type`` in the query, both error shapes Supabase has used
(``{"code", "error_code", "msg"}`` and ``{"error", "error_description"}``) and
non-JSON failures read into one :class:`AuthError` with a stable ``reason`` the
UI can translate. Its messages never carry a token, a password or an e-mail.

:class:`SessionManager` owns the session: it refreshes ahead of expiry (on the
wall clock, so a laptop that slept past ``expires_at`` refreshes on wake instead
of sending a dead token), runs at most one refresh at a time (refresh tokens
rotate: two refreshes with the same token look like theft to the server and
revoke the whole family), stores the rotated refresh token before the new
access token is handed out, and reports the end of a session exactly once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import math
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TypeGuard

import httpx

from .events import SignOutReason
from .log import get_logger, log_event
from .vault import StoredSession, Vault

__all__ = [
    "AuthClient",
    "AuthError",
    "AuthReason",
    "Session",
    "SessionManager",
    "parse_retry_after",
    "read_error_body",
    "read_limited",
]

_log = get_logger("auth")

AuthReason = Literal[
    "invalid_credentials",
    "email_not_confirmed",
    "session_expired",
    "rate_limited",
    "network",
    "server",
]

#: Refresh errors after which the refresh token can never work again.
_TERMINAL_CODES = frozenset(
    {
        "refresh_token_not_found",
        "refresh_token_already_used",
        "session_not_found",
        "session_expired",
    }
)
#: ...of which these mean someone ended the session (logout elsewhere, reuse detected).
_REVOKED_CODES = frozenset(
    {
        "refresh_token_not_found",
        "refresh_token_already_used",
        "session_not_found",
    }
)
_RATE_CODES = frozenset(
    {
        "over_request_rate_limit",
        "over_email_send_rate_limit",
        "over_sms_send_rate_limit",
    }
)
_MAX_AUTH_BODY = 1 << 20
_MAX_DETAIL = 200
#: Seconds a sign-in without "remember me" waits for the keyring to remove an
#: earlier stored session (see SessionManager.sign_in).
_CLEAR_WAIT = 3.0


class BodyTooLarge(Exception):
    """A response body above the reader's limit (a broken or hostile server)."""


async def read_limited(response: httpx.Response, limit: int) -> bytes:
    """Read a streamed response body, decoded, but never more than ``limit`` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
        raise BodyTooLarge(f"declared {declared} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_error_body(response: httpx.Response, limit: int) -> bytes:
    """The body of a success, or of an error page as far as it can be read: a 5xx
    whose body breaks off is still a 5xx, not a network error."""
    try:
        return await read_limited(response, limit)
    except (httpx.TransportError, BodyTooLarge):
        if response.is_success:
            raise
        return b""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None``
    when absent or unreadable. Capped at a day so a typo cannot park the client."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        seconds = float(int(text))
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), 86400.0)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


class AuthError(Exception):
    """A sign-in, refresh or sign-out that failed, by ``reason`` (stable, translatable).

    ``code`` is the server's error code when it gave one (``refresh_token_already_used``),
    ``terminal`` whether the session can never be refreshed again, ``detail`` the
    server's own text, cut short (untrusted: plain text only). The message is
    built from these and never holds a secret.
    """

    def __init__(
        self,
        reason: AuthReason,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        terminal: bool = False,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason: AuthReason = reason
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.terminal = terminal
        self.detail = detail


@dataclass(frozen=True)
class Session:
    """A signed-in session. ``expires_at`` is epoch seconds on this machine's clock."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float
    user_id: str
    email: str | None = None


GrantKind = Literal["password", "refresh", "user", "logout"]


@dataclass(frozen=True)
class _ErrorBody:
    code: str | None
    detail: str | None


def _read_error_body(body: bytes) -> _ErrorBody | None:
    """Both GoTrue shapes (and the API gateway's ``{"message"}``); ``None`` if not JSON."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    code: object = data.get("error_code")
    if not isinstance(code, str):
        code = data.get("code") if isinstance(data.get("code"), str) else data.get("error")
    detail: object = None
    for key in ("msg", "error_description", "message", "error"):
        if isinstance(data.get(key), str):
            detail = data[key]
            break
    return _ErrorBody(
        code=code if isinstance(code, str) and code else None,
        detail=_cut(detail) if isinstance(detail, str) else None,
    )


_WHAT: dict[GrantKind, str] = {
    "password": "Sign-in",
    "refresh": "Session refresh",
    "user": "User lookup",
    "logout": "Sign-out",
}


def _classify(kind: GrantKind, status: int, headers: httpx.Headers, body: bytes) -> AuthError:
    info = _read_error_body(body)
    code = info.code if info else None
    detail = info.detail if info else None
    lowered = (code or "").lower()
    detail_low = (detail or "").lower()
    retry_after = parse_retry_after(headers.get("Retry-After"))
    terminal = False
    reason: AuthReason
    if status == 429 or lowered in _RATE_CODES:
        reason = "rate_limited"
    elif info is None or status >= 500:
        reason = "server"
    elif kind == "password" and (
        lowered == "email_not_confirmed" or "email not confirmed" in detail_low
    ):
        reason = "email_not_confirmed"
    elif kind == "password" and (
        status in (400, 422) or lowered in ("invalid_credentials", "invalid_grant")
    ):
        reason = "invalid_credentials"
    elif kind == "refresh" and (lowered in _TERMINAL_CODES or lowered == "invalid_grant"):
        reason, terminal = "session_expired", True
    elif kind in ("user", "logout") and status in (401, 403, 404):
        # An access token the server no longer accepts (expired, session gone).
        reason = "session_expired"
    else:
        reason = "server"
    shown = f"HTTP {status}" + (f", {code}" if code else "")
    message = f"{_WHAT[kind]} failed: {reason.replace('_', ' ')} ({shown})"
    return AuthError(
        reason,
        message,
        status=status,
        code=code,
        retry_after=retry_after,
        terminal=terminal,
        detail=detail,
    )


def _signed_out_reason(error: AuthError) -> SignOutReason:
    code = (error.code or "").lower()
    if code in _REVOKED_CODES:
        return "revoked"
    detail = (error.detail or "").lower()
    if code == "invalid_grant" and ("already used" in detail or "not found" in detail):
        return "revoked"
    return "session_expired"


@functools.cache
def _ca_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def tls_context(base_url: str) -> ssl.SSLContext:
    """TLS settings for an HTTP client of ``base_url``.

    httpx builds a context, loading the whole CA bundle, for every client it
    creates (30-70 ms each, and the app makes three before it can sign in):
    https clients share one, built at first use. A client of a plain-http URL
    never opens TLS (redirects are not followed); it gets a context that trusts
    no certificate, so it would fail closed if it ever did.
    """
    if base_url.lower().startswith("https://"):
        return _ca_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class AuthClient:
    """Supabase Auth REST calls; every failure is an :class:`AuthError`.

    ``auth_url`` is the Auth base (``https://<project>.supabase.co/auth/v1``).
    ``timeout`` bounds each whole exchange, not only each socket read, so a server
    that trickles bytes cannot hold a sign-in forever.
    """

    def __init__(
        self,
        auth_url: str,
        anon_key: str,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.auth_url = auth_url.rstrip("/")
        self._timeout = timeout
        self._client = httpx.AsyncClient(
            base_url=self.auth_url + "/",
            headers={"apikey": anon_key, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
            verify=tls_context(self.auth_url),
        )

    async def _exchange(
        self,
        kind: GrantKind,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, str] | None = None,
        bearer: str | None = None,
    ) -> tuple[int, httpx.Headers, bytes]:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else None
        request = self._client.build_request(
            method, path, params=params, json=json_body, headers=headers
        )
        what = _WHAT[kind]
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.send(request, stream=True)
                try:
                    body = await read_error_body(response, _MAX_AUTH_BODY)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise AuthError(
                "network",
                f"{what} failed: the auth server did not answer within {self._timeout:g} s",
            ) from None
        except httpx.TransportError as exc:
            raise AuthError(
                "network", f"{what} failed: could not reach the auth server ({type(exc).__name__})"
            ) from None
        except BodyTooLarge:
            raise AuthError(
                "server",
                f"{what} failed: the auth server's answer is too large",
                status=response.status_code,
            ) from None
        status = response.status_code
        if not 200 <= status < 300:
            raise _classify(kind, status, response.headers, body)
        return status, response.headers, body

    def _session_from(self, body: bytes, started: float, kind: GrantKind) -> Session:
        def bad(what: str) -> AuthError:
            return AuthError(
                "server", f"{_WHAT[kind]} failed: unexpected answer ({what})", status=200
            )

        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise bad("not JSON") from None
        if not isinstance(data, dict):
            raise bad("not an object")
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(access, str) or not access:
            raise bad("access_token")
        if not isinstance(refresh, str) or not refresh:
            raise bad("refresh_token")
        user = data.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
            raise bad("user.id")
        email = user.get("email")
        expires_in = data.get("expires_in")
        expires_at: float
        if _is_number(expires_in) and expires_in > 0:
            # Our own clock plus the lifetime: the server's ``expires_at`` is on
            # its clock, and a skewed local clock would make it useless.
            expires_at = started + float(expires_in)
        elif _is_number(data.get("expires_at")):
            expires_at = float(data["expires_at"])
        else:
            raise bad("expires_in")
        return Session(
            access_token=access,
            refresh_token=refresh,
            expires_at=expires_at,
            user_id=user["id"],
            email=email if isinstance(email, str) and email else None,
        )

    async def sign_in_password(self, email: str, password: str) -> Session:
        started = time.time()
        _, _, body = await self._exchange(
            "password",
            "POST",
            "token",
            params={"grant_type": "password"},
            json_body={"email": email, "password": password},
        )
        return self._session_from(body, started, "password")

    async def refresh(self, refresh_token: str) -> Session:
        started = time.time()
        _, _, body = await self._exchange(
            "refresh",
            "POST",
            "token",
            params={"grant_type": "refresh_token"},
            json_body={"refresh_token": refresh_token},
        )
        return self._session_from(body, started, "refresh")

    async def get_user(self, access_token: str) -> dict[str, object]:
        _, _, body = await self._exchange("user", "GET", "user", bearer=access_token)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise AuthError("server", "User lookup failed: unexpected answer", status=200)
        return data

    async def sign_out(self, access_token: str, scope: str = "local") -> None:
        await self._exchange(
            "logout", "POST", "logout", params={"scope": scope}, bearer=access_token
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


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
        self._listeners: list[Callable[[str], None]] = []
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

    def add_signed_out_listener(self, fn: Callable[[str], None]) -> None:
        """``fn(reason)`` once per session end: "user", "session_expired", "revoked"
        or "error". Called on the event loop; it must not block."""
        self._listeners.append(fn)

    def _emit(self, reason: SignOutReason) -> None:
        log_event(_log, "auth.signed_out", reason=reason)
        for fn in list(self._listeners):
            try:
                fn(reason)
            except Exception:
                _log.exception("signed-out listener failed")

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
                await self._end(_signed_out_reason(exc))
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
