"""A faithful subset of Supabase Auth (GoTrue) under ``/auth/v1``.

What the client depends on, with Supabase's own statuses and error codes:

* ``apikey`` header (or query) required on every call: 401 otherwise, in the
  gateway's shape plus ``code``/``error_code``/``msg``.
* ``POST /token?grant_type=password`` and ``?grant_type=refresh_token``.
  Refresh tokens rotate: the presented one is spent and a child is issued. A
  spent token presented again within ``reuse_interval`` seconds of being spent
  answers the session's current token (so two racing refreshes both succeed);
  later, the whole family (the session) is revoked and the answer is 400
  ``refresh_token_already_used``. Unknown or revoked-by-logout tokens: 400
  ``refresh_token_not_found``.
* 429 ``over_request_rate_limit`` once more than ``token_rate_limit`` token
  requests arrive within ``token_rate_window`` seconds.
* ``GET /user`` (403 ``bad_jwt`` for an expired or forged token, 403
  ``session_not_found`` once the session is signed out), ``POST /logout``
  with ``scope=global|local|others`` (204).
* Access tokens are HS256 JWTs (PyJWT) with ``sub``, ``exp``, ``iat``,
  ``aud=authenticated``, ``role``, ``email`` and ``session_id``; the signing
  secret lives in the database so tokens survive a restart.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections import deque
from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .config import ServerConfig
from .extensions import Extensions
from .store import Store, check_password, iso_now
from .web import BadRequest, read_json_object

AUDIENCE = "authenticated"


class RateLimiter:
    """A sliding window over token requests (the server is on loopback: one bucket)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: deque[float] = deque()

    def allow(self) -> bool:
        now = time.monotonic()
        while self._hits and now - self._hits[0] > self.window:
            self._hits.popleft()
        if len(self._hits) >= self.limit:
            return False
        self._hits.append(now)
        return True

    def reset(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits.clear()


class AuthError(Exception):
    def __init__(self, status: int, error_code: str, msg: str) -> None:
        super().__init__(msg)
        self.status, self.error_code, self.msg = status, error_code, msg


class Auth:
    """Users, sessions and tokens over the :class:`Store`."""

    def __init__(
        self,
        store: Store,
        config: ServerConfig,
        base_url: str = "",
        ext: Extensions | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.ext = ext or Extensions()
        self.secret = store.setting("jwt_secret", lambda: secrets.token_hex(32)) or ""
        self.issuer = base_url + "/auth/v1"
        self.limiter = RateLimiter(config.token_rate_limit, config.token_rate_window)

    # ------------------------------------------------------------ tokens

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token, or ``jwt.InvalidTokenError``."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self.secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "sub", "iat"]},
        )
        return claims

    def _access_token(self, user: Any, session_id: str) -> tuple[str, int]:
        now = int(time.time())
        exp = now + int(self.config.token_ttl)
        claims = {
            "iss": self.issuer,
            "sub": str(user["id"]),
            "aud": AUDIENCE,
            "exp": exp,
            "iat": now,
            "email": str(user["email"]),
            "phone": "",
            "app_metadata": {"provider": "email", "providers": ["email"]},
            "user_metadata": {},
            "role": "authenticated",
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": session_id,
            "is_anonymous": False,
        }
        return jwt.encode(claims, self.secret, algorithm="HS256"), exp

    def user_json(self, user: Any) -> dict[str, Any]:
        return {
            "id": str(user["id"]),
            "aud": AUDIENCE,
            "role": "authenticated",
            "email": str(user["email"]),
            "email_confirmed_at": user["created_at"],
            "phone": "",
            "confirmed_at": user["created_at"],
            "last_sign_in_at": user["last_sign_in_at"],
            "app_metadata": {"provider": "email", "providers": ["email"]},
            "user_metadata": {},
            "identities": [],
            "created_at": user["created_at"],
            "updated_at": user["updated_at"],
            "is_anonymous": False,
        }

    def _token_response(self, user: Any, session_id: str, refresh: str) -> dict[str, Any]:
        access, exp = self._access_token(user, session_id)
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(self.config.token_ttl),
            "expires_at": exp,
            "refresh_token": refresh,
            "user": self.user_json(user),
        }

    def _new_refresh(self, user_id: str, session_id: str, parent: str | None) -> str:
        token = secrets.token_urlsafe(16)
        now = time.time()
        self.store.run(
            "INSERT INTO auth_refresh_tokens"
            " (token, user_id, session_id, parent, revoked, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 0, ?, ?)",
            token,
            user_id,
            session_id,
            parent,
            now,
            now,
        )
        return token

    async def password_grant(self, body: dict[str, Any]) -> dict[str, Any]:
        email = body.get("email")
        password = body.get("password")
        if not isinstance(email, str) or not email.strip():
            raise AuthError(400, "validation_failed", "missing email or phone")
        if not isinstance(password, str) or password == "":
            raise AuthError(400, "validation_failed", "missing password")
        if len(email) > 320 or len(password) > 1024:
            raise AuthError(400, "invalid_credentials", "Invalid login credentials")
        user = self.store.user_by_email(email)
        stored = str(user["password_hash"]) if user is not None else _DUMMY_HASH
        ok = await asyncio.to_thread(check_password, password, stored)
        if user is None or not ok:
            raise AuthError(400, "invalid_credentials", "Invalid login credentials")
        session_id = str(uuid.uuid4())
        with self.store.tx():
            self.store.run(
                "INSERT INTO auth_sessions (id, user_id, created_at) VALUES (?, ?, ?)",
                session_id,
                user["id"],
                time.time(),
            )
            refresh = self._new_refresh(str(user["id"]), session_id, None)
            self.store.run(
                "UPDATE auth_users SET last_sign_in_at = ? WHERE id = ?", iso_now(), user["id"]
            )
        user = self.store.user_by_id(str(user["id"]))
        return self._token_response(user, session_id, refresh)

    def refresh_grant(self, body: dict[str, Any]) -> dict[str, Any]:
        token = body.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise AuthError(400, "validation_failed", "refresh_token required")
        not_found = AuthError(
            400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found"
        )
        with self.store.tx():
            row = self.store.one("SELECT * FROM auth_refresh_tokens WHERE token = ?", token)
            if row is None:
                raise not_found
            session = self.store.one("SELECT * FROM auth_sessions WHERE id = ?", row["session_id"])
            user = self.store.user_by_id(str(row["user_id"]))
            if session is None or user is None:
                raise not_found
            now = time.time()
            if not row["revoked"]:
                self.store.run(
                    "UPDATE auth_refresh_tokens SET revoked = 1, updated_at = ? WHERE id = ?",
                    now,
                    row["id"],
                )
                child = self._new_refresh(str(row["user_id"]), str(row["session_id"]), token)
                return self._token_response(user, str(row["session_id"]), child)
            if now - float(row["updated_at"]) <= self.config.reuse_interval:
                current = self.store.one(
                    "SELECT token FROM auth_refresh_tokens WHERE session_id = ? AND revoked = 0"
                    " ORDER BY id DESC LIMIT 1",
                    row["session_id"],
                )
                if current is not None:
                    return self._token_response(user, str(row["session_id"]), str(current["token"]))
            # Reuse outside the interval: someone replays a stolen token. Kill the family.
            self._end_sessions("id = ?", str(row["session_id"]), revoke_only=True)
        raise AuthError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used")

    def _end_sessions(self, where: str, *args: Any, revoke_only: bool = False) -> int:
        """End the matching sessions: their refresh tokens stop working.

        ``revoke_only`` (token reuse) keeps the session and its spent tokens, all
        marked revoked long ago, so any later replay of the family answers
        ``refresh_token_already_used``; a sign-out deletes them (``not_found``).
        """
        query = "SELECT id FROM auth_sessions WHERE " + where  # noqa: S608  (fixed clauses)
        ids = [str(r["id"]) for r in self.store.all(query, *args)]
        for sid in ids:
            if revoke_only:
                self.store.run(
                    "UPDATE auth_refresh_tokens SET revoked = 1, updated_at = ?"
                    " WHERE session_id = ?",
                    0.0,
                    sid,
                )
                continue
            self.store.run("DELETE FROM auth_refresh_tokens WHERE session_id = ?", sid)
            self.store.run("DELETE FROM auth_sessions WHERE id = ?", sid)
        return len(ids)

    def revoke_user(self, user_id: str) -> int:
        """Sign a user out everywhere: their refresh tokens stop working."""
        with self.store.tx():
            return self._end_sessions("user_id = ?", user_id)

    def claims_from(self, request: Request) -> dict[str, Any]:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(401, "no_authorization", "This endpoint requires a Bearer token")
        try:
            claims = self.verify(token.strip())
        except jwt.ExpiredSignatureError:
            raise AuthError(
                403,
                "bad_jwt",
                "invalid JWT: unable to parse or verify signature, token has invalid claims:"
                " token is expired",
            ) from None
        except jwt.InvalidTokenError:
            raise AuthError(
                403, "bad_jwt", "invalid JWT: unable to parse or verify signature"
            ) from None
        return claims

    # ------------------------------------------------------------ routes

    def _error(self, exc: AuthError) -> Response:
        other = self.ext.auth_error(exc.status, exc.error_code, exc.msg)
        if other is not None:
            return other
        return JSONResponse(
            {"code": exc.status, "error_code": exc.error_code, "msg": exc.msg},
            status_code=exc.status,
        )

    def _check_apikey(self, request: Request) -> JSONResponse | None:
        key = request.headers.get("apikey") or request.query_params.get("apikey")
        if not key:
            msg = "No API key found in request"
            code = "no_api_key"
            hint = "No `apikey` request header or url param was found."
        elif not secrets.compare_digest(key.encode(), self.config.anon_key.encode()):
            msg = "Invalid API key"
            code = "invalid_api_key"
            hint = "Double check your Supabase `anon` or `service_role` API key."
        else:
            return None
        return JSONResponse(
            {"message": msg, "hint": hint, "code": 401, "error_code": code, "msg": msg},
            status_code=401,
        )

    async def token(self, request: Request) -> Response:
        denied = self._check_apikey(request)
        if denied is not None:
            return denied
        if not self.limiter.allow():
            return self._error(
                AuthError(429, "over_request_rate_limit", "Request rate limit reached")
            )
        grant = request.query_params.get("grant_type", "")
        try:
            try:
                body = await read_json_object(request)
            except BadRequest as exc:
                status = 413 if exc.status == 413 else 400
                raise AuthError(
                    status, "bad_json", f"Could not parse request body as JSON: {exc.message}"
                ) from None
            if grant == "password":
                return JSONResponse(await self.password_grant(body))
            if grant == "refresh_token":
                return JSONResponse(self.refresh_grant(body))
            raise AuthError(400, "unsupported_grant_type", "unsupported_grant_type")
        except AuthError as exc:
            return self._error(exc)

    async def user(self, request: Request) -> Response:
        denied = self._check_apikey(request)
        if denied is not None:
            return denied
        try:
            claims = self.claims_from(request)
            if (
                self.store.one(
                    "SELECT id FROM auth_sessions WHERE id = ?", claims.get("session_id")
                )
                is None
            ):
                raise AuthError(
                    403, "session_not_found", "Session from session_id claim in JWT does not exist"
                )
            user = self.store.user_by_id(str(claims["sub"]))
            if user is None:
                raise AuthError(404, "user_not_found", "User from sub claim in JWT does not exist")
        except AuthError as exc:
            return self._error(exc)
        return JSONResponse(self.user_json(user))

    async def logout(self, request: Request) -> Response:
        denied = self._check_apikey(request)
        if denied is not None:
            return denied
        scope = request.query_params.get("scope", "global")
        try:
            if scope not in ("global", "local", "others"):
                raise AuthError(
                    400,
                    "validation_failed",
                    "Unsupported logout scope: use global, local or others",
                )
            claims = self.claims_from(request)
        except AuthError as exc:
            return self._error(exc)
        sid = str(claims.get("session_id") or "")
        uid = str(claims["sub"])
        with self.store.tx():
            if scope == "local":
                self._end_sessions("id = ?", sid)
            elif scope == "others":
                self._end_sessions("user_id = ? AND id != ?", uid, sid)
            else:
                self._end_sessions("user_id = ?", uid)
        return Response(status_code=204)

    async def health(self, request: Request) -> Response:
        denied = self._check_apikey(request)
        if denied is not None:
            return denied
        return JSONResponse(
            {"version": "storyclip-local", "name": "GoTrue", "description": "StoryClip local auth"}
        )

    async def settings(self, request: Request) -> Response:
        denied = self._check_apikey(request)
        if denied is not None:
            return denied
        return JSONResponse(
            {
                "external": {"email": True, "phone": False},
                "disable_signup": True,
                "mailer_autoconfirm": True,
                "phone_autoconfirm": False,
                "sms_provider": "",
                "saml_enabled": False,
            }
        )

    def routes(self) -> list[Route]:
        return [
            Route("/auth/v1/token", self.token, methods=["POST"]),
            Route("/auth/v1/user", self.user, methods=["GET"]),
            Route("/auth/v1/logout", self.logout, methods=["POST"]),
            Route("/auth/v1/health", self.health, methods=["GET"]),
            Route("/auth/v1/settings", self.settings, methods=["GET"]),
        ]


# Checked when the email is unknown so both answers take the same time.
_DUMMY_HASH = (
    "scrypt$16384$8$1$00000000000000000000000000000000$"
    "0000000000000000000000000000000000000000000000000000000000000000"
)
