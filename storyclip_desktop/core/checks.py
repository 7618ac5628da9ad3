"""The "Test connection" button: ask both services one harmless question each.

* Sign-in service (Supabase Auth): ``GET /auth/v1/settings`` with the anon key as
  ``apikey``. 200 with a JSON object means reachable and the key is accepted; 401
  means the server is there but refuses the key (the answer tells a missing key
  from a wrong one); 404, or an HTML page, means the address is not a Supabase
  project's.
* StoryClip API: ``GET /api/metricool/batches/active?userId=…`` with ``X-Api-Key``
  and no user token. ``MISSING_API_KEY``/``INVALID_API_KEY`` are about the key,
  ``INSUFFICIENT_SCOPE`` is a key without the read scope; a 200, or a request
  for a user token (the local backend's default mode), means the key works.

Neither call changes anything on a server, nor sends a user's password or token.
Each outcome is a stable code the UI translates; ``detail`` is short, untrusted
plain text (an HTTP status, an error code, an exception's type) for support.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from dataclasses import dataclass
from typing import Literal

import httpx

from .http import BodyTooLarge, exchange
from .log import get_logger, log_event
from .reasons import CheckOutcome
from .text import shorten

__all__ = ["CheckOutcome", "ConnectionReport", "ServiceCheck", "check_api", "check_auth",
           "check_connection"]  # fmt: skip

_log = get_logger("checks")

Service = Literal["auth", "api"]

_MAX_BODY = 64 << 10
#: The longest server text a check's ``detail`` carries.
_DETAIL = 80
_PROBE_USER = "storyclip-desktop-connection-check"


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    """What one service answered."""

    service: Service
    outcome: CheckOutcome
    status: int | None = None
    detail: str = ""
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    auth: ServiceCheck
    api: ServiceCheck

    @property
    def ok(self) -> bool:
        return self.auth.ok and self.api.ok


def _json_object(body: bytes) -> dict[str, object] | None:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _transport_outcome(exc: httpx.TransportError) -> tuple[CheckOutcome, str]:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", type(exc).__name__
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return "tls", shorten(
                str(getattr(cause, "reason", None) or type(cause).__name__), _DETAIL
            )
        cause = cause.__cause__ or cause.__context__
    if "SSL" in str(exc) or "CERTIFICATE" in str(exc):
        return "tls", shorten(str(exc), _DETAIL)
    return "unreachable", type(exc).__name__


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], params: dict[str, str]
) -> tuple[httpx.Response, bytes]:
    request = client.build_request("GET", url, headers=headers, params=params)
    return await exchange(client, request, max_body=_MAX_BODY)


async def _probe(
    service: Service,
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    params: dict[str, str],
) -> tuple[ServiceCheck | None, httpx.Response | None, bytes]:
    """The exchange; a ServiceCheck when it already decides the outcome."""
    started = time.perf_counter()
    try:
        response, body = await _get(client, url, headers, params)
    except httpx.TransportError as exc:
        outcome, detail = _transport_outcome(exc)
        ms = (time.perf_counter() - started) * 1000
        return ServiceCheck(service, outcome, None, detail, ms), None, b""
    except (BodyTooLarge, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        ms = (time.perf_counter() - started) * 1000
        return ServiceCheck(service, "unexpected", None, type(exc).__name__, ms), None, b""
    status = response.status_code
    ms = (time.perf_counter() - started) * 1000
    if status == 404:
        return ServiceCheck(service, "not_found", status, "HTTP 404", ms), response, body
    if status == 429:
        return ServiceCheck(service, "rate_limited", status, "HTTP 429", ms), response, body
    if status >= 500:
        return ServiceCheck(service, "server_error", status, f"HTTP {status}", ms), response, body
    return None, response, body


async def check_auth(client: httpx.AsyncClient, supabase_url: str, anon_key: str) -> ServiceCheck:
    """Is the sign-in service there, and does it take this anon key?"""
    if not supabase_url:
        return ServiceCheck("auth", "not_configured")
    url = supabase_url.rstrip("/") + "/auth/v1/settings"
    headers = {"apikey": anon_key} if anon_key else {}
    started = time.perf_counter()
    decided, response, body = await _probe("auth", client, url, headers, {})
    if decided is not None or response is None:
        assert decided is not None
        return decided
    ms = (time.perf_counter() - started) * 1000
    status = response.status_code
    data = _json_object(body)
    if data is None:
        return ServiceCheck("auth", "unexpected", status, f"HTTP {status}, not JSON", ms)
    code = shorten(
        str(data.get("error_code") or data.get("code") or data.get("message") or ""), _DETAIL
    )
    if status in (401, 403):
        text = json.dumps(data).lower()
        missing = not anon_key or "no api key" in text or "no_api_key" in text
        return ServiceCheck(
            "auth", "missing_anon_key" if missing else "bad_anon_key", status, code, ms
        )
    if status == 200:
        return ServiceCheck("auth", "ok", status, "", ms)
    return ServiceCheck("auth", "unexpected", status, f"HTTP {status} {code}".strip(), ms)


_KEY_OUTCOMES: dict[str, CheckOutcome] = {
    "MISSING_API_KEY": "missing_api_key",
    "INVALID_API_KEY": "bad_api_key",
    "INSUFFICIENT_SCOPE": "insufficient_scope",
}
#: Answers that prove the key was accepted: the next check wants a signed-in user.
_KEY_ACCEPTED = frozenset({"MISSING_TOKEN", "INVALID_TOKEN", "FORBIDDEN_USER"})


async def check_api(client: httpx.AsyncClient, api_url: str, api_key: str) -> ServiceCheck:
    """Is the StoryClip API there, and does it take this API key?"""
    if not api_url:
        return ServiceCheck("api", "not_configured")
    url = api_url.rstrip("/") + "/api/metricool/batches/active"
    headers = {"X-Api-Key": api_key} if api_key else {}
    started = time.perf_counter()
    decided, response, body = await _probe("api", client, url, headers, {"userId": _PROBE_USER})
    if decided is not None or response is None:
        assert decided is not None
        return decided
    ms = (time.perf_counter() - started) * 1000
    status = response.status_code
    ctype = response.headers.get("Content-Type", "").lower()
    data = None if "html" in ctype else _json_object(body)
    if data is None:
        return ServiceCheck("api", "unexpected", status, f"HTTP {status}, not JSON", ms)
    code = data.get("code")
    code_text = code if isinstance(code, str) else ""
    if code_text in _KEY_OUTCOMES:
        return ServiceCheck("api", _KEY_OUTCOMES[code_text], status, code_text, ms)
    if status == 200 and ("batches" in data or data.get("success") is True):
        return ServiceCheck("api", "ok", status, "", ms)
    if status in (401, 403) and code_text in _KEY_ACCEPTED:
        return ServiceCheck("api", "ok", status, code_text, ms)
    if status == 401 and not api_key:
        return ServiceCheck("api", "missing_api_key", status, code_text, ms)
    detail = f"HTTP {status} {shorten(code_text, _DETAIL)}".strip()
    return ServiceCheck("api", "unexpected", status, detail, ms)


async def check_connection(
    api_url: str,
    supabase_url: str,
    anon_key: str,
    api_key: str,
    *,
    deadline: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ConnectionReport:
    """Check both services at once, each within ``deadline`` seconds."""
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(deadline), follow_redirects=False, transport=transport
    ) as client:
        auth, api = await asyncio.gather(
            asyncio.wait_for(check_auth(client, supabase_url, anon_key), deadline * 1.5),
            asyncio.wait_for(check_api(client, api_url, api_key), deadline * 1.5),
            return_exceptions=True,
        )
    report = ConnectionReport(
        auth if isinstance(auth, ServiceCheck) else _failed("auth", auth),
        api if isinstance(api, ServiceCheck) else _failed("api", api),
    )
    log_event(
        _log,
        "connection_check",
        auth=report.auth.outcome,
        auth_status=report.auth.status,
        api=report.api.outcome,
        api_status=report.api.status,
    )
    return report


def _failed(service: Service, exc: BaseException) -> ServiceCheck:
    if isinstance(exc, TimeoutError):
        return ServiceCheck(service, "timeout", None, "TimeoutError")
    if isinstance(exc, asyncio.CancelledError):
        raise exc
    return ServiceCheck(service, "unexpected", None, type(exc).__name__)
