"""The StoryClip REST calls and their errors.

Every call carries ``X-Api-Key`` and the user's bearer token, puts ids into the
URL percent-encoded (a batch id is server data: ``a/../b`` or ``x?userId=y`` must
not reach another path or query), answers a 401 with one token refresh and one
retry, and runs under a deadline for the whole exchange. Failures become one
:class:`ApiError` whose ``kind`` the UI can translate; an HTML page from a proxy
is "unavailable", never parsed. Bodies are read up to a cap, so a broken server
cannot make the client swallow gigabytes. The plumbing every request shares
(caps, closing, the token retry, TLS) is :mod:`.http`'s.

Streams get their own HTTP client and connection pool, sized for ``max_streams``
and with no read timeout (``stream.py`` has a watchdog for silence): a browser's
six connections per host stall every REST call once six streams are open; here
the REST pool stays free whatever the streams do.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx

from .http import (
    BodyTooLarge,
    TokenSource,
    exchange,
    parse_retry_after,
    read_error_body,
    tls_context,
    with_token_retry,
)
from .log import get_logger, log_event
from .model import (
    PART_ONE,
    Batch,
    BatchList,
    ControlResult,
    ProtocolError,
    PublishResult,
    ServerCapabilities,
    StatusReport,
    parse_active_list,
    parse_batch_list,
    parse_batch_response,
    parse_capabilities,
    parse_control_response,
    parse_error_body,
    parse_publish_response,
    parse_status_response,
)
from .reasons import ApiErrorKind
from .text import shorten

__all__ = [
    "CONTROL_ACTIONS",
    "FINAL_STATUSES",
    "ApiError",
    "ApiErrorKind",
    "ControlAction",
    "StoryClipApi",
    "TokenSource",
    "batch_path",
]

_log = get_logger("api")


#: 401 codes that are about the API key, not the user's token: a refresh cannot help.
_API_KEY_CODES = frozenset({"MISSING_API_KEY", "INVALID_API_KEY"})
ControlAction = Literal["pause", "resume", "cancel", "retry-failed"]
CONTROL_ACTIONS: tuple[ControlAction, ...] = ("pause", "resume", "cancel", "retry-failed")
_MAX_BODY = 16 << 20
_MAX_ERROR_BODY = 64 << 10
_REST_CONNECTIONS = 10


class ApiError(Exception):
    """A StoryClip call that failed.

    ``kind`` is stable (for translation and for deciding what to do), ``status`` the
    HTTP status when there was an answer, ``code`` the contract's error code
    (``BATCH_NOT_FOUND``), ``retry_after`` seconds from ``Retry-After``, ``detail``
    the server's own text, cut short (untrusted: plain text only).
    """

    def __init__(
        self,
        kind: ApiErrorKind,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: ApiErrorKind = kind
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.detail = detail


@dataclass(frozen=True, slots=True)
class _Reply:
    """One attempt's answer: the token it carried, the response (open only for a
    stream that opened), the body read, and the error it means (None: success)."""

    token: str
    response: httpx.Response
    body: bytes
    error: ApiError | None


def _token_rejected(reply: _Reply) -> bool:
    """A 401 about the user's token (not about the API key): a refresh can help."""
    return (
        reply.error is not None
        and reply.response.status_code == 401
        and reply.error.code not in _API_KEY_CODES
    )


def _segment(value: str) -> str:
    """One path segment, fully percent-encoded; ``.``/``..`` too, which an HTTP
    library or proxy would otherwise resolve as "this/parent folder"."""
    if not value:
        raise ValueError("an id in a URL path cannot be empty")
    encoded = quote(value, safe="")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded


#: The statuses a batch ends in (the history's default filter).
FINAL_STATUSES: tuple[str, ...] = ("completed", "failed", "cancelled")


def _iso(moment: datetime) -> str:
    """UTC ISO 8601 with ``Z`` (a naive time is taken as UTC, as the wire's are)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


def batch_path(batch_id: str) -> str:
    return f"/api/metricool/batch/{_segment(batch_id)}"


def _looks_like_json(headers: httpx.Headers, body: bytes) -> bool:
    ctype = headers.get("Content-Type", "").lower()
    if "html" in ctype:
        return False
    start = body.lstrip()[:1]
    return start in (b"{", b"[")


def _kind_for(status: int, is_json: bool) -> ApiErrorKind:
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not_found"
    if status == 429:
        return "rate_limited"
    if status == 408:
        return "network"
    if status in (502, 503, 504) or (status >= 500 and not is_json):
        return "unavailable"
    if status >= 500:
        return "server"
    if 400 <= status < 500:
        return "bad_request"
    return "protocol"  # 1xx, 3xx (redirects are not followed: they would carry the key)


# httpcore's trace steps, by the timeout kind a deadline hit during them means.
_TIMEOUT_KIND = {
    "connect_tcp": "connect",
    "start_tls": "connect",
    "send_request_headers": "write",
    "send_request_body": "write",
    "receive_response_headers": "read",
    "receive_response_body": "read",
}


class _Phase:
    """Where one exchange is (httpx's ``trace`` extension), so a deadline that
    hits it can say which timeout it was: ``pool`` until a connection is had,
    then ``connect``, ``write`` or ``read`` (issue 13: never just "network")."""

    __slots__ = ("kind",)

    def __init__(self) -> None:
        self.kind = "pool"

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith(".started"):
            self.kind = _TIMEOUT_KIND.get(event.split(".")[1], self.kind)


def _transport_reason(exc: httpx.TransportError) -> str:
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):  # ConnectTimeout -> "connect timeout"
        return f"{name}: {name.removesuffix('Timeout').lower()} timeout"
    return name


def _log_refused(what: str, batches: BatchList) -> None:
    """A list entry the client cannot understand is skipped alone, and said so:
    which batch, which field, which value (issue 13: one bad entry hid them all)."""
    for entry in batches.refused:
        log_event(
            _log,
            "error",
            logging.WARNING,
            where=what,
            batch_id=entry.batch_id,
            kind="protocol",
            field=entry.error.field,
            value=entry.error.value,
            message=f"entry {entry.index} skipped: {entry.error.reason}",
        )


def h2_available() -> bool:
    """Whether httpx can speak HTTP/2 here (the ``h2`` package is installed)."""
    return importlib.util.find_spec("h2") is not None


class StoryClipApi:
    """The StoryClip backend's REST calls and its event streams.

    Methods raise :class:`ApiError`, or the token source's own error
    (:class:`~.auth.AuthError`) when no token can be had at all (signed out).
    ``transport`` replaces the network for both clients (byte-level fault tests).
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        tokens: TokenSource,
        *,
        timeout: float = 15.0,
        max_streams: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body: int = _MAX_BODY,
        http2: bool | None = None,
    ) -> None:
        """``http2``: offer HTTP/2 (None: where the server is https and ``h2`` is
        installed; the server's TLS answer decides). Over HTTP/2 the per-batch
        streams and the calls share one connection instead of one each."""
        base = api_url.rstrip("/")
        if http2 is None:
            http2 = base.lower().startswith("https://") and h2_available()
        self._http2 = http2
        #: The HTTP version of the last answer ("HTTP/1.1", "HTTP/2"); None before one.
        self.http_version: str | None = None
        self._api_key = api_key
        self._tokens = tokens
        self._timeout = timeout
        self._max_body = max_body
        self._base = base
        self._max_streams = max_streams
        self._transport = transport
        self._rest, self._streams = self._make_clients()

    def _make_clients(self) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        base, timeout, transport = self._base, self._timeout, self._transport
        max_streams = self._max_streams
        headers = {"X-Api-Key": self._api_key}
        tls = tls_context(base)  # one CA bundle for every client (http.tls_context)
        rest = httpx.AsyncClient(
            base_url=base,
            headers={**headers, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=_REST_CONNECTIONS, max_keepalive_connections=_REST_CONNECTIONS
            ),
            transport=transport,
            follow_redirects=False,
            verify=tls,
            http2=self._http2,
        )
        streams = httpx.AsyncClient(
            base_url=base,
            headers=headers,
            # No read timeout: a quiet batch sends nothing for minutes; the
            # stream's watchdog decides when silence means a dead connection.
            timeout=httpx.Timeout(timeout, read=None),
            limits=httpx.Limits(
                max_connections=max_streams,
                max_keepalive_connections=min(max_streams, 20),
            ),
            transport=transport,
            follow_redirects=False,
            verify=tls,
            http2=self._http2,
        )
        return rest, streams

    # ------------------------------------------------------------ plumbing

    def _redact(self, text: str, token: str) -> str:
        for secret in (self._api_key, token):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _error(
        self, status: int, headers: httpx.Headers, body: bytes, token: str, what: str
    ) -> ApiError:
        is_json = _looks_like_json(headers, body)
        code: str | None = None
        detail: str | None = None
        if is_json:
            try:
                body_info = parse_error_body(json.loads(body))
            except (ValueError, RecursionError):  # ProtocolError is a ValueError
                is_json = False
            else:
                if body_info.code:
                    code = shorten(body_info.code)
                texts = [t for t in (body_info.error, body_info.message) if t]
                if texts:
                    detail = self._redact(shorten(" - ".join(texts)), token)
        kind = _kind_for(status, is_json)
        shown = f"HTTP {status}" + (f" {code}" if code else "")
        if kind == "unavailable" and not is_json:
            shown += " (not JSON: a proxy or gateway page)"
        return ApiError(
            kind,
            f"StoryClip {what} failed: {kind.replace('_', ' ')} ({shown})",
            status=status,
            code=code,
            retry_after=parse_retry_after(headers.get("Retry-After")),
            detail=detail,
        )

    async def _exchange(
        self,
        what: str,
        method: str,
        path: str,
        params: dict[str, str] | None,
        json_body: Any,
        token: str,
    ) -> _Reply:
        phase = _Phase()
        request = self._rest.build_request(
            method,
            path,
            params=params,
            json=json_body,
            headers={"Authorization": f"Bearer {token}"},
            extensions={"trace": phase},
        )
        try:
            response, body = await exchange(
                self._rest,
                request,
                max_body=self._max_body,
                max_error_body=_MAX_ERROR_BODY,
                deadline=self._timeout,
            )
        except TimeoutError:
            raise ApiError(
                "network",
                f"StoryClip {what} failed: no answer within {self._timeout:g} s"
                f" ({phase.kind} timeout)",
            ) from None
        except httpx.TransportError as exc:
            raise ApiError(
                "network",
                f"StoryClip {what} failed: could not reach the server ({_transport_reason(exc)})",
            ) from None
        except BodyTooLarge as exc:
            raise ApiError(
                "protocol", f"StoryClip {what} failed: answer too large ({exc})", status=exc.status
            ) from None
        self.http_version = response.http_version
        error = None
        if not response.is_success:
            error = self._error(response.status_code, response.headers, body, token, what)
        return _Reply(token, response, body, error)

    async def _call(
        self,
        what: str,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        """One authenticated call: a 401 about the token gets one refresh and one retry."""

        async def attempt(token: str) -> _Reply:
            return await self._exchange(what, method, path, params, json_body, token)

        reply = await with_token_retry(
            self._tokens, attempt, _token_rejected, lambda _r: self._log_rejected(what)
        )
        response, body = reply.response, reply.body
        status = response.status_code
        if reply.error is not None:
            error = reply.error
            log_event(_log, "api.error", what=what, kind=error.kind, status=status, code=error.code)
            raise error
        if not _looks_like_json(response.headers, body):
            ctype = shorten(response.headers.get("Content-Type", "")) or "none"
            raise ApiError(
                "protocol",
                f"StoryClip {what} failed: the answer is not JSON"
                f" (HTTP {status}, content type {ctype!r})",
                status=status,
            )
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise ApiError(
                "protocol",
                f"StoryClip {what} failed: the answer is not valid JSON",
                status=status,
            ) from None

    @staticmethod
    def _log_rejected(what: str) -> None:
        log_event(_log, "api.token_rejected", what=what)

    @staticmethod
    def _parsed(what: str, parse: Any, data: Any) -> Any:
        try:
            return parse(data)
        except ProtocolError as exc:
            raise ApiError(
                "protocol", f"StoryClip {what}: unexpected answer ({exc})", status=200
            ) from exc

    # ------------------------------------------------------------ calls

    async def active_batches(self, user_id: str) -> list[Batch]:
        """The user's running batches. The deployed backend can return an empty list
        while they run (contract): callers must also re-check known ids."""
        data = await self._call(
            "active batches", "GET", "/api/metricool/batches/active", {"userId": user_id}
        )
        result: BatchList = self._parsed("active batches", parse_active_list, data)
        _log_refused("active batches", result)
        return result

    async def batch(self, batch_id: str) -> Batch:
        """One batch's summary; a batch the server does not know is ``not_found``."""
        data = await self._call("batch", "GET", batch_path(batch_id))
        result: Batch = self._parsed("batch", parse_batch_response, data)
        return result

    async def capabilities(self) -> ServerCapabilities:
        """What the server supports beyond Part 1 (asks without acting on any batch).

        A 404 is the deployed backend's answer: :data:`~.model.PART_ONE`. Other
        failures raise ``ApiError``; the caller decides whether to ask again later.
        """
        try:
            data = await self._call("capabilities", "GET", "/api/metricool/capabilities")
        except ApiError as exc:
            if exc.kind == "not_found":
                return PART_ONE
            raise
        result: ServerCapabilities = self._parsed("capabilities", parse_capabilities, data)
        return result

    async def history(
        self,
        user_id: str,
        statuses: Sequence[str] = ("completed", "failed"),
        limit: int = 50,
    ) -> list[Batch]:
        """Finished batches (local backend only, contract Part 2; the deployed one
        answers ``not_found``)."""
        params = {"userId": user_id, "status": ",".join(statuses), "limit": str(int(limit))}
        data = await self._call("history", "GET", "/api/metricool/batches", params)
        result: BatchList = self._parsed("history", parse_batch_list, data)
        _log_refused("history", result)
        return result

    async def history_page(
        self,
        user_id: str,
        *,
        statuses: Sequence[str] = FINAL_STATUSES,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
        finished_after: datetime | None = None,
        after_id: str | None = None,
        finished_before: datetime | None = None,
        search: str | None = None,
        clips: bool = False,
    ) -> list[Batch]:
        """A page of the history by finish time (local backend with ``historyCursor``).

        Without ``clips`` every batch comes without its clip list (``clips=()``): a
        catch-up after days away, or a history view of thousands, reads counts and
        times only, and asks :meth:`batch` for one batch's clips when shown.
        ``finished_after`` is inclusive; with ``after_id`` it is a cursor (the last
        batch already read at that time), so paging needs no offset.
        """
        params = {
            "userId": user_id,
            "status": ",".join(statuses),
            "limit": str(int(limit)),
            "order": "desc" if newest_first else "asc",
            "clips": "all" if clips else "none",
        }
        if offset:
            params["offset"] = str(int(offset))
        if finished_after is not None:
            params["finishedAfter"] = _iso(finished_after)
            if after_id is not None:
                params["afterId"] = after_id
        if finished_before is not None:
            params["finishedBefore"] = _iso(finished_before)
        if search:
            params["q"] = search
        data = await self._call("history", "GET", "/api/metricool/batches", params)
        result: list[Batch] = self._parsed("history", parse_batch_list, data)
        return result

    async def status(self, batch_id: str) -> StatusReport:
        """``/status?batchId=``: the database view, or the in-memory one (contract)."""
        data = await self._call("status", "GET", "/api/metricool/status", {"batchId": batch_id})
        result: StatusReport = self._parsed("status", parse_status_response, data)
        return result

    async def control(self, batch_id: str, action: ControlAction) -> ControlResult:
        """Pause, resume, cancel or retry the failed clips of a batch.

        Uses the local backend's ``POST /batch/{id}/{action}`` (Part 2); a server
        without that route (the deployed one: 404 without ``BATCH_NOT_FOUND``, or
        405) gets the old ``GET /{action}?batchId=`` form, which it answers but
        ignores today."""
        if action not in CONTROL_ACTIONS:
            raise ValueError(f"unknown control action {action!r}")
        what = f"{action} batch"
        try:
            data = await self._call(what, "POST", f"{batch_path(batch_id)}/{action}")
        except ApiError as exc:
            no_route = (exc.kind == "not_found" and exc.code != "BATCH_NOT_FOUND") or (
                exc.status == 405
            )
            if not no_route:
                raise
            data = await self._call(what, "GET", f"/api/metricool/{action}", {"batchId": batch_id})
        result: ControlResult = self._parsed(what, parse_control_response, data)
        return result

    async def publish(
        self,
        posts: Sequence[dict[str, Any]],
        schedule: dict[str, Any],
        settings: dict[str, Any],
        job_id: str | None = None,
    ) -> PublishResult:
        """``POST /publish/stories`` (the web app's "Publicar ahora"; used by the demo
        and the tests, the tray app itself only follows batches)."""
        body: dict[str, Any] = {"posts": list(posts), "schedule": schedule, "settings": settings}
        if job_id is not None:
            body["jobId"] = job_id
        data = await self._call("publish", "POST", "/api/metricool/publish/stories", json_body=body)
        result: PublishResult = self._parsed("publish", parse_publish_response, data)
        return result

    def open_stream(
        self, batch_id: str, last_event_id: str | None = None
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """Open a batch's event stream; the response is checked before it is yielded
        (200 and ``text/event-stream``, else :class:`ApiError`), closed on exit.

        ``last_event_id`` goes out as ``Last-Event-ID`` so a server that replays
        (contract Part 2) sends what was missed."""
        if not batch_id:
            raise ValueError("batch id cannot be empty")
        return self._open_stream("/api/metricool/stream", {"batchId": batch_id}, last_event_id)

    def open_account_stream(
        self, last_event_id: str | None = None
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """Open the signed-in user's account stream (``GET /api/metricool/events``,
        where the capabilities say ``accountStream``); checked and closed as
        :meth:`open_stream`."""
        return self._open_stream("/api/metricool/events", {}, last_event_id)

    async def probe(self) -> bool:
        """Whether the server answers (the offline state's one probe): any HTTP
        answer but a gateway's "unavailable" (502, 503, 504) counts. No token is
        needed and none is refreshed; it waits no longer than a third of the
        request deadline (at least a second)."""
        try:
            async with asyncio.timeout(max(1.0, self._timeout / 3)):
                response = await self._rest.get("/api/metricool/capabilities")
                await response.aclose()
        except (TimeoutError, httpx.TransportError):
            return False
        return response.status_code not in (502, 503, 504)

    async def reset_connections(self) -> None:
        """Drop every pooled connection (after a wake they are dead sockets): new
        clients from now on, the old ones closed."""
        old = (self._rest, self._streams)
        self._rest, self._streams = self._make_clients()
        for client in old:
            with contextlib.suppress(Exception):
                await client.aclose()

    @asynccontextmanager
    async def _open_stream(
        self, path: str, params: dict[str, str], last_event_id: str | None
    ) -> AsyncIterator[httpx.Response]:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id

        async def attempt(token: str) -> _Reply:
            phase = _Phase()
            request = self._streams.build_request(
                "GET",
                path,
                params=params,
                headers={**headers, "Authorization": f"Bearer {token}"},
                extensions={"trace": phase},
            )
            return await self._stream_reply(request, token, phase)

        reply = await with_token_retry(
            self._tokens, attempt, _token_rejected, lambda _r: self._log_rejected("stream")
        )
        response = reply.response
        try:
            if reply.error is not None:
                raise reply.error
            ctype = response.headers.get("Content-Type", "")
            if ctype.split(";", 1)[0].strip().lower() != "text/event-stream":
                raise ApiError(
                    "protocol",
                    f"StoryClip stream: content type {shorten(ctype)!r}, not text/event-stream",
                    status=200,
                )
            yield response
        finally:
            await response.aclose()

    async def _stream_reply(self, request: httpx.Request, token: str, phase: _Phase) -> _Reply:
        """Send a stream request; anything but 200 is read (capped, within the
        deadline), closed, and comes back with its error."""
        response = await self._send_stream(request, phase)
        status = response.status_code
        if status == 200:
            return _Reply(token, response, b"", None)
        if 200 < status < 300:
            # EventSource accepts 200 only (204 even means "stop reconnecting").
            await response.aclose()
            error = ApiError("protocol", f"StoryClip stream: HTTP {status}, not 200", status=status)
            return _Reply(token, response, b"", error)
        try:
            async with asyncio.timeout(self._timeout):
                body = await read_error_body(response, _MAX_ERROR_BODY)
        except TimeoutError:
            body = b""
        finally:
            await response.aclose()
        return _Reply(
            token, response, body, self._error(status, response.headers, body, token, "stream")
        )

    async def _send_stream(self, request: httpx.Request, phase: _Phase) -> httpx.Response:
        try:
            # The headers must come within the deadline (no read timeout on this
            # client); the body may take hours. Waiting for a free connection has
            # its own limit (the pool timeout), which is reached first.
            async with asyncio.timeout(2 * self._timeout):
                return await self._streams.send(request, stream=True)
        except TimeoutError:
            raise ApiError(
                "network",
                f"StoryClip stream failed: no answer within {2 * self._timeout:g} s"
                f" ({phase.kind} timeout)",
            ) from None
        except httpx.PoolTimeout:
            raise ApiError(
                "network", "StoryClip stream failed: too many streams open at once"
            ) from None
        except httpx.TransportError as exc:
            raise ApiError(
                "network",
                f"StoryClip stream failed: could not reach the server ({_transport_reason(exc)})",
            ) from None

    async def aclose(self) -> None:
        await self._rest.aclose()
        await self._streams.aclose()
