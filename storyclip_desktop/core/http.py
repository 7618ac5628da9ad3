"""What every request of the client shares: TLS, body caps, Retry-After, the token retry.

* :func:`tls_context`: one CA bundle for every https client (building one costs
  30-70 ms), a context that trusts nothing for plain-http ones.
* :func:`exchange`, :func:`read_limited`, :func:`read_error_body`: a request's
  answer read up to a cap, and the response closed on every path. A body
  refused half-way must release its pooled connection *now*, in this task: a
  response iterator left half-read is finalised later by the garbage collector
  (the app's qasync loop installs no async-generator hooks), its clean-up
  cannot await there ("async generator ignored GeneratorExit", "cancel scope in
  a different task") and the connection never returns to the pool; ten such
  answers (a proxy's chunked "502 Bad Gateway" page) and every call waited out
  its timeout (issue 13).
* :func:`with_token_retry`: the one 401 -> refresh -> retry path, used by every
  REST call and by opening a stream.
* :func:`parse_retry_after`.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar, cast

import httpx

__all__ = [
    "BodyTooLarge",
    "TokenSource",
    "exchange",
    "parse_retry_after",
    "read_error_body",
    "read_limited",
    "tls_context",
    "with_token_retry",
]

_T = TypeVar("_T")


class BodyTooLarge(Exception):
    """A response body above the reader's limit (a broken or hostile server).
    ``status`` is the HTTP status of the answer that was refused."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


async def read_limited(response: httpx.Response, limit: int) -> bytes:
    """Read a streamed response body, decoded, but never more than ``limit`` bytes;
    the response is closed when this returns or raises."""
    # httpx's iterator is an async generator (typed as a mere iterator).
    body = cast("AsyncGenerator[bytes, None]", response.aiter_bytes())
    try:
        declared = response.headers.get("Content-Length", "")
        if (
            declared.isdigit()
            and int(declared) > limit
            and "Content-Encoding" not in response.headers
        ):
            raise BodyTooLarge(f"declared {declared} bytes", response.status_code)
        chunks: list[bytes] = []
        size = 0
        async for chunk in body:
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"more than {limit} bytes", response.status_code)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        # The response first: that releases (or drops) its pooled connection,
        # here and now. Then the iterator, which has nothing left to release, so
        # nothing of it is left for the garbage collector to finalise elsewhere.
        await response.aclose()
        await body.aclose()


async def read_error_body(response: httpx.Response, limit: int) -> bytes:
    """The body of a success, or of an error page as far as it can be read: a 5xx
    whose body breaks off is still a 5xx, not a network error. Closes the response."""
    try:
        return await read_limited(response, limit)
    except (httpx.TransportError, BodyTooLarge):
        if response.is_success:
            raise
        return b""


async def exchange(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    max_body: int,
    max_error_body: int | None = None,
    deadline: float | None = None,
) -> tuple[httpx.Response, bytes]:
    """Send ``request`` and read its answer: a success up to ``max_body`` bytes
    (:class:`BodyTooLarge` above), an error page up to ``max_error_body`` (cut
    to nothing above: the status is what counts). ``deadline`` bounds the whole
    exchange (:class:`TimeoutError`), so a server that trickles bytes cannot
    hold a call forever. Transport errors propagate; the response is closed."""
    error_limit = max_body if max_error_body is None else max_error_body
    async with asyncio.timeout(deadline):
        response = await client.send(request, stream=True)
        if response.is_success:
            body = await read_limited(response, max_body)
        else:
            body = await read_error_body(response, error_limit)
    return response, body


class TokenSource(Protocol):
    """Where bearer tokens come from (the session manager, core/tokens.py)."""

    async def access_token(self) -> str: ...

    async def token_rejected(self, token: str) -> str: ...


async def with_token_retry(
    tokens: TokenSource,
    attempt: Callable[[str], Awaitable[_T]],
    rejected: Callable[[_T], bool],
    on_rejected: Callable[[_T], None] | None = None,
) -> _T:
    """``attempt(token)`` with the current token; when ``rejected`` says its outcome
    is a 401 about that token, one refresh (shared with concurrent callers by
    the token source) and one more attempt, whose outcome is final. An outcome
    that is dropped for the retry must already be closed by ``attempt``."""
    token = await tokens.access_token()
    outcome = await attempt(token)
    if not rejected(outcome):
        return outcome
    if on_rejected is not None:
        on_rejected(outcome)
    return await attempt(await tokens.token_rejected(token))


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
