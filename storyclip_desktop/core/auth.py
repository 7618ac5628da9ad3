"""Supabase Auth (GoTrue) over REST: sign in, refresh, user, sign out.

:class:`AuthClient` is the thin wire layer: ``apikey`` on every call,
``grant_type`` in the query, both error shapes Supabase has used
(``{"code", "error_code", "msg"}`` and ``{"error", "error_description"}``) and
non-JSON failures read into one :class:`AuthError` with a stable ``reason`` the
UI can translate. Its messages never carry a token, a password or an e-mail.
The session built from these calls is kept by :mod:`.tokens`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeGuard

import httpx

from .http import BodyTooLarge, exchange, parse_retry_after, tls_context
from .reasons import AuthReason, SignOutReason
from .text import shorten

__all__ = ["AuthClient", "AuthError", "AuthReason", "GrantKind", "Session"]

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

    @property
    def sign_out_reason(self) -> SignOutReason:
        """For a terminal refresh error: did someone end the session (``revoked``:
        logout elsewhere, reuse detected) or did it run out (``session_expired``)?"""
        code = (self.code or "").lower()
        if code in _REVOKED_CODES:
            return "revoked"
        detail = (self.detail or "").lower()
        if code == "invalid_grant" and ("already used" in detail or "not found" in detail):
            return "revoked"
        return "session_expired"


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
        detail=shorten(detail) if isinstance(detail, str) else None,
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
            response, body = await exchange(
                self._client, request, max_body=_MAX_AUTH_BODY, deadline=self._timeout
            )
        except TimeoutError:
            raise AuthError(
                "network",
                f"{what} failed: the auth server did not answer within {self._timeout:g} s",
            ) from None
        except httpx.TransportError as exc:
            raise AuthError(
                "network", f"{what} failed: could not reach the auth server ({type(exc).__name__})"
            ) from None
        except BodyTooLarge as exc:
            raise AuthError(
                "server", f"{what} failed: the auth server's answer is too large", status=exc.status
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
