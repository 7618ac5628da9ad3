"""A hostile but real server: StoryClip + Supabase Auth on raw asyncio sockets.

Why not the local backend? It is a well-behaved starlette app; the answers that
blinded the client (issue 13) come from broken deployments and proxies: chunked
error pages without a length, an HTML page or JSON where an event stream belongs,
redirects to another origin, bytes that trickle and never finish an event, JSON
nested 100,000 deep, ``1e999``, ``NaN``, negative counts, a sign-in that never
answers. Raw sockets let this server say exactly those bytes.

It speaks enough HTTP/1.1 (keep-alive, Content-Length or chunked), SSE (the
deployed framing: ``data:`` lines, no ids) and the contract's JSON to be signed
in against, listed and followed by the app. Its own publisher advances every
batch one clip per ``clip_seconds``, so a test knows the exact end::

    with Hostile(clip_seconds=0.1) as h:          # a thread with its own loop
        bid = h.add_batch(20, fail=[3])
        h.fault("stream", "html200", batch_id=bid)   # every stream open of bid
        h.fault("batch", "nan", batch_id=bid, times=3)
        ...  # run the app with h.app_args / h.app_env
        assert h.summary(bid)["status"] == "completed"

``other`` is a second listener on another port (another origin) that records
every request it gets: redirects point there, so a test can check that no
credential ever reached it. ``seen`` records every request (method, target,
headers) this server got; ``secrets()`` every credential it knows or issued.

Faults (``fault(route, kind, batch_id=None, times=None, size=...)``), by route
``token``, ``user``, ``active``, ``batch``, ``stream``, ``history``, ``any``:

=================  =================================================================
``hang``           accept, read the request, never answer (until the client leaves)
``chunked_502``    502 HTML gateway page, chunked, no length, ``size`` bytes (100 KB)
``chunked_big``    200 JSON body, chunked, over ``size`` bytes (17 MiB: the body cap)
``http500``        500 JSON in the deployed shape
``html200``        200 ``text/html`` page (a captive portal, a login page)
``json200``        200 ``application/json`` ``{"success": true}``
``redirect``       302 to the same path on ``other`` (another origin)
``slowloris``      stream: event-stream headers, then one byte of an event that never
                   ends every 0.05 s; REST: a Content-Length it then trickles toward
``endless``        stream: one ``data:`` line that never ends, as fast as it goes
``deep``           200 JSON nested 100,000 levels deep
``nan``            the summary's ``published`` is ``NaN``
``inf``            the summary's ``published`` is ``1e999``
``negative``       the summary's ``published`` is ``-1``
``over_total``     the summary's ``published`` is ``total + 5`` (parses; a lie)
=================  =================================================================

``bad_entries`` (a list of dicts) are put into every active list beside the good
batches: entries with impossible values, which must not hide the good ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

API_KEY = "hostile-api-key-" + secrets.token_hex(8)
ANON_KEY = "hostile-anon-key-" + secrets.token_hex(8)
EMAIL = "hostile@example.com"
PASSWORD = "hostile-password-" + secrets.token_hex(4)
USER_ID = "user-hostile-1"

_REASONS = {
    200: "OK",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_MAX_HEAD = 64 << 10


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass
class _Fault:
    kind: str
    times: int | None
    size: int


@dataclass
class _Batch:
    batch_id: str
    total: int
    fail: frozenset[int]
    created: float
    done: int = 0  # clips handled so far
    frozen: bool = False  # the publisher leaves it where it is

    def summary(self) -> dict[str, Any]:
        published = sum(1 for i in range(1, self.done + 1) if i not in self.fail)
        failed = self.done - published
        final = self.done >= self.total
        clips = []
        for i in range(1, self.total + 1):
            status = "pending"
            if i <= self.done:
                status = "failed" if i in self.fail else "published"
            elif i == self.done + 1:
                status = "uploading"
            clips.append(
                {
                    "index": i,
                    "url": f"https://cdn.example.app/{i}.mp4",
                    "title": f"Clip {i}",
                    "status": status,
                    "metricoolPostId": None,
                    "facebookPostId": None,
                    "error": "refused" if status == "failed" else None,
                    "attempts": 1,
                    "uploadedAt": None,
                    "publishedAt": None,
                }
            )
        return {
            "batchId": self.batch_id,
            "jobId": None,
            "status": "completed" if final else "processing",
            "publishMode": "now",
            "total": self.total,
            "published": published,
            "failed": failed,
            "currentIndex": min(self.done + 1, self.total),
            "progress": round(100 * self.done / self.total) if self.total else None,
            "scheduledFor": None,
            "createdAt": "2026-01-01T00:00:00Z",
            "startedAt": "2026-01-01T00:00:01Z",
            "completedAt": "2026-01-01T00:10:00Z" if final else None,
            "error": None,
            "clips": clips,
        }


class _Listener:
    """One asyncio server socket on loopback; ``handle`` answers each request."""

    def __init__(self, owner: Hostile) -> None:
        self.owner = owner
        self.server: asyncio.Server | None = None
        self.port = 0
        self.seen: list[Seen] = []
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in list(self.writers):
            writer.close()
        if self.server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                if len(head) > _MAX_HEAD:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = [*lines[0].split(" ", 2), "", ""][:3]
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                seen = Seen(method, target, headers)
                self.seen.append(seen)
                keep = await self.owner._answer(self, seen, body, reader, writer)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            return  # the server is stopping: a quiet end, not an error in the log
        finally:
            self.writers.discard(writer)
            writer.close()


class Hostile:
    """See the module docstring. Attributes mirror ``tests.backend.Backend``'s
    (``url``, ``api_url``, ``auth_url``, ``api_key``, ``anon_key``, ``email``,
    ``password``, ``user_id``) so the app harness can point the app at it."""

    def __init__(self, *, clip_seconds: float = 0.1) -> None:
        self.clip_seconds = clip_seconds
        self.api_key = API_KEY
        self.anon_key = ANON_KEY
        self.email = EMAIL
        self.password = PASSWORD
        self.user_id = USER_ID
        self.issued: list[str] = []  # every access and refresh token handed out
        self.bad_entries: list[dict[str, Any]] = []
        self._faults: dict[tuple[str, str | None], _Fault] = {}
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._main: _Listener | None = None
        self._other: _Listener | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._count = 0

    # ------------------------------------------------------------ life

    def start(self) -> Hostile:
        self._thread = threading.Thread(target=self._run, name="hostile", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._main, self._other = _Listener(self), _Listener(self)
        await self._main.start()
        await self._other.start()
        ticker = asyncio.ensure_future(self._publisher())
        self._ready.set()
        await self._stop.wait()
        ticker.cancel()
        await self._main.close()
        await self._other.close()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    def __enter__(self) -> Hostile:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ addresses

    @property
    def url(self) -> str:
        assert self._main is not None
        return f"http://127.0.0.1:{self._main.port}"

    api_url = url

    @property
    def auth_url(self) -> str:
        return self.url + "/auth/v1"

    @property
    def other_url(self) -> str:
        assert self._other is not None
        return f"http://127.0.0.1:{self._other.port}"

    @property
    def seen(self) -> list[Seen]:
        assert self._main is not None
        return list(self._main.seen)

    @property
    def other_seen(self) -> list[Seen]:
        """Every request another origin got (redirects point there)."""
        assert self._other is not None
        return list(self._other.seen)

    def secrets(self) -> list[str]:
        """Every credential: what no log and no other origin may ever see."""
        return [self.api_key, self.anon_key, self.password, *self.issued]

    def app_args(self) -> list[str]:
        return [
            "--api-url",
            self.url,
            "--supabase-url",
            self.url,
            "--supabase-anon-key",
            self.anon_key,
        ]

    def app_env(self) -> dict[str, str]:
        return {
            "STORYCLIP_API_KEY": self.api_key,
            "STORYCLIP_EMAIL": self.email,
            "STORYCLIP_PASSWORD": self.password,
        }

    # ------------------------------------------------------------ the script

    def fault(
        self,
        route: str,
        kind: str,
        *,
        batch_id: str | None = None,
        times: int | None = None,
        size: int = 0,
    ) -> None:
        """Answer ``route`` (for ``batch_id`` only, if given) with ``kind``; ``times``
        answers, or for good. ``size``: bytes of an oversized answer."""
        with self._lock:
            self._faults[(route, batch_id)] = _Fault(kind, times, size)

    def clear(self, route: str | None = None) -> None:
        with self._lock:
            for key in [k for k in self._faults if route is None or k[0] == route]:
                del self._faults[key]

    def add_batch(self, total: int, fail: Iterable[int] = ()) -> str:
        with self._lock:
            self._count += 1
            batch_id = f"batch_hostile_{self._count}_{secrets.token_hex(3)}"
            self._batches[batch_id] = _Batch(batch_id, total, frozenset(fail), time.monotonic())
        return batch_id

    def freeze(self, batch_id: str, frozen: bool = True) -> None:
        """Stop (or resume) the batch's progress: its summary stops moving."""
        with self._lock:
            self._batches[batch_id].frozen = frozen

    def summary(self, batch_id: str) -> dict[str, Any]:
        with self._lock:
            return self._batches[batch_id].summary()

    def wait_final(self, batch_id: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while self.summary(batch_id)["status"] == "processing":
            if time.monotonic() > deadline:
                raise TimeoutError(batch_id)
            time.sleep(0.05)  # the publisher's own pace, because the server runs in a thread
        return self.summary(batch_id)

    async def _publisher(self) -> None:
        while True:
            await asyncio.sleep(self.clip_seconds)
            with self._lock:
                for batch in self._batches.values():
                    if batch.done < batch.total and not batch.frozen:
                        batch.done += 1

    def _take(self, route: str, batch_id: str | None) -> _Fault | None:
        with self._lock:
            for key in ((route, batch_id), (route, None), ("any", None)):
                fault = self._faults.get(key)
                if fault is None:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        del self._faults[key]
                return fault
        return None

    # ------------------------------------------------------------ answering

    async def _answer(
        self,
        listener: _Listener,
        seen: Seen,
        body: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Answer one request; False closes the connection."""
        if listener is self._other:
            await _send(writer, 404, "application/json", b'{"error": "other origin"}')
            return True
        parts = urlsplit(seen.target)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route, batch_id = _route(seen.method, path, query)
        fault = self._take(route, batch_id)
        if fault is not None:
            return await self._faulty(fault, route, seen, batch_id, reader, writer)
        if route.startswith("token"):
            return await self._token(route, body, writer)
        if route == "user":
            return await _send_json(writer, 200, self._user())
        if route == "logout":
            await _send(writer, 204, None, b"")
            return True
        if seen.headers.get("x-api-key") != self.api_key and route in _API_ROUTES:
            return await _send_json(writer, 401, {"error": "bad key", "code": "INVALID_API_KEY"})
        if route == "active":
            with self._lock:
                good = [b.summary() for b in self._batches.values() if b.done < b.total]
            listed = [*good, *self.bad_entries]
            return await _send_json(
                writer, 200, {"success": True, "batches": listed, "count": len(listed)}
            )
        if route == "batch" and batch_id in self._batches:
            return await _send_json(writer, 200, {"success": True, "batch": self.summary(batch_id)})
        if route == "stream" and batch_id in self._batches:
            await self._stream(batch_id, writer)
            return False
        return await _send_json(
            writer,
            404,
            {
                "error": "Not found",
                "code": "BATCH_NOT_FOUND" if route in ("batch", "stream") else "NOT_FOUND",
            },
        )

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "email": self.email, "aud": "authenticated"}

    async def _token(self, route: str, body: bytes, writer: asyncio.StreamWriter) -> bool:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        if route == "token_password" and (
            data.get("email") != self.email or data.get("password") != self.password
        ):
            return await _send_json(
                writer, 400, {"code": 400, "error_code": "invalid_credentials", "msg": "Invalid"}
            )
        if route == "token_refresh" and data.get("refresh_token") not in self.issued:
            return await _send_json(
                writer, 400, {"code": 400, "error_code": "refresh_token_not_found", "msg": "no"}
            )
        access, refresh = "acc-" + secrets.token_hex(16), "ref-" + secrets.token_hex(16)
        self.issued += [access, refresh]
        return await _send_json(
            writer,
            200,
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": 3600,
                "expires_at": int(time.time()) + 3600,
                "refresh_token": refresh,
                "user": self._user(),
            },
        )

    async def _stream(self, batch_id: str, writer: asyncio.StreamWriter) -> None:
        """The deployed framing: ``data: {json}\\n\\n``, one chunk per event; the
        progress of this server's publisher as it happens; closed after the end."""
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        summary = self.summary(batch_id)
        stamp = "2026-01-01T00:00:00.000Z"

        def event(data: dict[str, Any]) -> None:
            _chunk(writer, b"data: " + json.dumps(data).encode() + b"\n\n")

        event(
            {
                "type": "connected",
                "batchId": batch_id,
                "timestamp": stamp,
                "status": summary["status"],
                "published": summary["published"],
                "errors": summary["failed"],
                "total": summary["total"],
            }
        )
        await writer.drain()
        told = -1
        while True:
            summary = self.summary(batch_id)
            done = summary["published"] + summary["failed"]
            if done != told:
                told = done
                if done:
                    index = done
                    event(
                        {
                            "type": "progress",
                            "batchId": batch_id,
                            "timestamp": stamp,
                            "current": index,
                            "total": summary["total"],
                            "published": summary["published"],
                            "errors": summary["failed"],
                            "currentStory": f"post-{index}",
                            "status": summary["clips"][index - 1]["status"],
                        }
                    )
                if summary["status"] != "processing":
                    event(
                        {
                            "type": "completed",
                            "batchId": batch_id,
                            "timestamp": stamp,
                            "published": summary["published"],
                            "errors": summary["failed"],
                            "total": summary["total"],
                        }
                    )
                    writer.write(b"0\r\n\r\n")
                    await writer.drain()
                    return
                await writer.drain()
            await asyncio.sleep(self.clip_seconds / 2)

    async def _faulty(
        self,
        fault: _Fault,
        route: str,
        seen: Seen,
        batch_id: str | None,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        kind = fault.kind
        if kind == "hang":
            with contextlib.suppress(Exception):
                await reader.read()  # until the client gives up and closes
            return False
        if kind == "chunked_502":
            page = (
                b"<html><body><h1>502 Bad Gateway</h1>"
                + b"<p>nginx</p>" * ((fault.size or 100_000) // 12)
                + b"</body></html>"
            )
            await _send_chunked(writer, 502, "text/html", page)
            return True
        if kind == "chunked_big":
            blob = b'{"success": true, "pad": "' + b"x" * (fault.size or 17 << 20) + b'"}'
            await _send_chunked(writer, 200, "application/json", blob)
            return True
        if kind == "http500":
            return await _send_json(
                writer, 500, {"error": "Failed to fetch batch", "message": "db down"}
            )
        if kind == "html200":
            await _send(
                writer,
                200,
                "text/html; charset=utf-8",
                b"<!doctype html><html><body>Sign in to the Wi-Fi</body></html>",
            )
            return True
        if kind == "json200":
            return await _send_json(writer, 200, {"success": True})
        if kind == "redirect":
            location = self.other_url + seen.target
            await _send(writer, 302, "text/plain", b"moved", extra=[("Location", location)])
            return True
        if kind == "slowloris":
            if route == "stream":
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n"
                )
                pattern = b'data: {"type": "progress", "never": "ends' + b"." * 1000
                for i in range(10**9):
                    _chunk(writer, pattern[i % len(pattern) : i % len(pattern) + 1])
                    await writer.drain()
                    await asyncio.sleep(0.05)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n{"
            )
            for _ in range(10**9):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.05)
            return False
        if kind == "endless":
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            _chunk(writer, b"data: ")
            block = b"x" * 65536
            for _ in range(10**9):
                _chunk(writer, block)
                await writer.drain()
            return False
        if kind == "deep":
            depth = 100_000
            await _send(writer, 200, "application/json", b"[" * depth + b"]" * depth)
            return True
        if kind in ("nan", "inf", "negative", "over_total"):
            if batch_id is None or batch_id not in self._batches:
                return await _send_json(writer, 404, {"error": "no", "code": "BATCH_NOT_FOUND"})
            summary = self.summary(batch_id)
            value = {
                "nan": "NaN",
                "inf": "1e999",
                "negative": "-1",
                "over_total": str(summary["total"] + 5),
            }[kind]
            text = json.dumps({"success": True, "batch": {**summary, "published": "@@"}})
            await _send(writer, 200, "application/json", text.replace('"@@"', value).encode())
            return True
        raise ValueError(f"unknown fault {kind!r}")


_API_ROUTES = frozenset({"active", "batch", "stream", "history"})


def _route(method: str, path: str, query: dict[str, str]) -> tuple[str, str | None]:
    if path == "/auth/v1/token":
        grant = query.get("grant_type", "")
        return ("token_password" if grant == "password" else "token_refresh"), None
    if path == "/auth/v1/user":
        return "user", None
    if path == "/auth/v1/logout":
        return "logout", None
    if path == "/api/metricool/batches/active":
        return "active", None
    if path == "/api/metricool/batches":
        return "history", None
    if path.startswith("/api/metricool/batch/"):
        return "batch", path.removeprefix("/api/metricool/batch/").split("/")[0]
    if path == "/api/metricool/stream":
        return "stream", query.get("batchId")
    return "other", None


def _chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    ctype: str | None,
    body: bytes,
    extra: Iterable[tuple[str, str]] = (),
) -> None:
    head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    if ctype:
        head.append(f"Content-Type: {ctype}")
    if status != 204:
        head.append(f"Content-Length: {len(body)}")
    head += [f"{k}: {v}" for k, v in extra]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()


async def _send_json(writer: asyncio.StreamWriter, status: int, data: Any) -> bool:
    await _send(writer, status, "application/json", json.dumps(data).encode())
    return True


async def _send_chunked(writer: asyncio.StreamWriter, status: int, ctype: str, body: bytes) -> None:
    writer.write(
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\nContent-Type: "
        f"{ctype}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    )
    for start in range(0, len(body), 16384):
        _chunk(writer, body[start : start + 16384])
        await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()
