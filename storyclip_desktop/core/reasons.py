"""The stable reason and kind codes the core reports and the ui translates.

One home, so the ui's sentences and the core's errors cannot drift apart: the
ui imports these (this module is pure typing, it pulls in neither httpx nor the
keyring) instead of keeping copies, and texts are looked up by these codes.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "SIGN_IN_REASONS",
    "SIGN_OUT_REASONS",
    "VAULT_REASONS",
    "ApiErrorKind",
    "AuthReason",
    "CheckOutcome",
    "SignOutReason",
    "VaultReason",
]

#: Why a sign-in, refresh or sign-out failed (``AuthError.reason``).
AuthReason = Literal[
    "invalid_credentials",
    "email_not_confirmed",
    "session_expired",
    "rate_limited",
    "network",
    "server",
]
#: Every ``AuthError.reason``: the sign-in form has a sentence for each.
SIGN_IN_REASONS: frozenset[AuthReason] = frozenset(get_args(AuthReason))

#: Why a session ended (the session listener's and the monitor's ``signed_out``).
SignOutReason = Literal["user", "session_expired", "revoked", "error"]
SIGN_OUT_REASONS: frozenset[SignOutReason] = frozenset(get_args(SignOutReason))

#: Why the keyring cannot keep a secret (``VaultStatus.reason``): the session or
#: the API key then lives in memory only.
VaultReason = Literal["no_keyring", "locked", "error"]
VAULT_REASONS: frozenset[VaultReason] = frozenset(get_args(VaultReason))

#: What kind of failure a StoryClip call had (``ApiError.kind``).
ApiErrorKind = Literal[
    "unauthorized",
    "forbidden",
    "not_found",
    "bad_request",
    "rate_limited",
    "unavailable",
    "server",
    "network",
    "protocol",
]

#: What the "Test connection" button found for one service (``ServiceCheck.outcome``).
CheckOutcome = Literal[
    "ok",
    "not_configured",  # no address given
    "unreachable",  # DNS failure, connection refused, no route
    "timeout",
    "tls",  # the certificate or the TLS handshake failed
    "not_found",  # the server answered 404: wrong address or path
    "unexpected",  # an answer that is not the service's (an HTML page, another app)
    "missing_anon_key",
    "bad_anon_key",
    "missing_api_key",
    "bad_api_key",
    "insufficient_scope",
    "rate_limited",
    "server_error",  # 5xx, or a proxy's 502/503/504 page
]
