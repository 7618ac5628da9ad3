"""The local backend as a real process, for every test of the project.

``Backend`` runs ``python -m tests.demo_ext serve`` (the shipped
``storyclip_desktop.demo`` backend plus the test switches) in a subprocess on a
free loopback port with its own SQLite file, reads the base URL from the first
line of standard output (with a deadline), and keeps draining stdout/stderr in
threads so the pipes never fill. It creates one test user on first start.

    b = Backend(mode="upstream", clip_seconds=0.05).start()
    batch_id = b.create_batch(5)
    summary = b.wait_batch_final(batch_id, timeout=10)
    assert summary["published"] == sum(r["status"] == "published" for r in b.clip_rows(batch_id))
    b.kill(); b.restart()      # same database, same port: clients reconnect to the same URL
    b.stop()

Attributes: ``url`` (base, == ``api_url``), ``auth_url`` (``url + "/auth/v1"``),
``api_key`` (``X-Api-Key``), ``anon_key`` (auth ``apikey``), ``db_path``, ``port``,
``email`` / ``password`` / ``user_id`` of the test user, ``proc``.

Constructor keywords map to ``serve`` options: ``mode``, ``clip_seconds``,
``failure_rate``, ``seed`` (publisher RNG; fixed by default so failures are
reproducible), ``waits``, ``token_ttl``, ``reuse_interval``, ``heartbeat``,
``retry_ms``, ``seed_demo``, ``fail_batch_on_first_error``, ``token_rate_limit``,
``token_rate_window``, ``faults`` (initial switches), ``extra_args`` (anything else).

The fixtures ``backend_factory`` and ``backend`` in ``tests/conftest.py`` build
and stop these for a test. The admin calls (``faults``, ``revoke``, ``info``)
use the backend's loopback-only ``/__admin`` endpoint: see
``tests/demo_ext/faults.py`` for every switch.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from queue import Empty, Queue
from types import TracebackType
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
#: The module that serves the backend with the test switches (run from REPO).
LAUNCHER = "tests.demo_ext"

TEST_API_KEY = "test-api-key"
TEST_ANON_KEY = "test-anon-key"
TEST_EMAIL = "tester@example.com"
TEST_PASSWORD = "tester-password-1"
# The demo account --seed-demo creates (stable across databases).
DEMO_EMAIL = "demo@storyclip.app"
DEMO_PASSWORD = "storyclip-demo"

FINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})


class BackendError(RuntimeError):
    """The backend did not start, or answered a harness call with an error."""


def wait_for(
    predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02, what: str = ""
) -> Any:
    """Poll ``predicate`` until it returns something truthy; that value, or TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)


class Backend:
    """One local backend process; see the module docstring."""

    def __init__(
        self,
        *,
        mode: str = "default",
        clip_seconds: float = 0.05,
        failure_rate: float = 0.0,
        seed: int | None = 1234,
        waits: int = 3,
        token_ttl: int = 3600,
        reuse_interval: float = 10.0,
        heartbeat: float = 15.0,
        retry_ms: int | None = None,
        seed_demo: bool = False,
        fail_batch_on_first_error: bool = False,
        token_rate_limit: int | None = None,
        token_rate_window: float | None = None,
        faults: dict[str, Any] | None = None,
        api_key: str = TEST_API_KEY,
        anon_key: str = TEST_ANON_KEY,
        email: str = TEST_EMAIL,
        password: str = TEST_PASSWORD,
        db_path: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        extra_args: Sequence[str] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self.mode = mode
        self.api_key = api_key
        self.anon_key = anon_key
        self.email = email
        self.password = password
        self.user_id = ""
        self.host = host
        self.port = 0
        self.url = ""
        self.startup_timeout = startup_timeout
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="storyclip-backend-")
            db_path = Path(self._tmp.name) / "backend.sqlite3"
        self.db_path = Path(db_path)
        options: list[str] = [
            "--mode", mode,
            "--api-key", api_key,
            "--anon-key", anon_key,
            "--clip-seconds", str(clip_seconds),
            "--failure-rate", str(failure_rate),
            "--waits", str(waits),
            "--token-ttl", str(token_ttl),
            "--reuse-interval", str(reuse_interval),
            "--heartbeat", str(heartbeat),
        ]  # fmt: skip
        if seed is not None:
            options += ["--seed", str(seed)]
        if retry_ms is not None:
            options += ["--retry-ms", str(retry_ms)]
        if seed_demo:
            options.append("--seed-demo")
        if fail_batch_on_first_error:
            options.append("--fail-batch-on-first-error")
        if token_rate_limit is not None:
            options += ["--token-rate-limit", str(token_rate_limit)]
        if token_rate_window is not None:
            options += ["--token-rate-window", str(token_rate_window)]
        if faults:
            options += ["--faults", json.dumps(faults)]
        self.options = options + list(extra_args)
        self.proc: subprocess.Popen[str] | None = None
        self.stdout_lines: collections.deque[str] = collections.deque(maxlen=2000)
        self.stderr_lines: collections.deque[str] = collections.deque(maxlen=5000)
        self._first_line: Queue[str | None] = Queue()
        self._threads: list[threading.Thread] = []
        self._token: dict[str, Any] | None = None
        self._http: httpx.Client | None = None
        self.starts = 0

    # ------------------------------------------------------------ addresses

    @property
    def api_url(self) -> str:
        return self.url

    @property
    def auth_url(self) -> str:
        return self.url + "/auth/v1"

    @property
    def http(self) -> httpx.Client:
        """A keep-alive httpx client (absolute URLs) for this backend's lifetime.

        Cheaper than ``httpx.get`` (which builds a client, and its TLS context,
        per call). Closed by :meth:`stop` (renewed on next use); :meth:`kill`
        leaves it open so streams read through it see the crash.
        """
        if self._http is None:
            self._http = httpx.Client(timeout=10.0)
        return self._http

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise BackendError("backend not started")
        return self.proc.pid

    # ------------------------------------------------------------ process

    def start(self) -> Backend:
        """Start the process (port 0 the first time, the same port afterwards)."""
        if self.running:
            raise BackendError("backend already running")
        command = [
            sys.executable, "-m", LAUNCHER, "serve",
            "--host", self.host, "--port", str(self.port), "--db", str(self.db_path),
            *self.options,
        ]  # fmt: skip
        self._first_line = Queue()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._threads = [
            threading.Thread(target=self._drain_stdout, args=(self.proc,), daemon=True),
            threading.Thread(target=self._drain_stderr, args=(self.proc,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        try:
            line = self._first_line.get(timeout=self.startup_timeout)
        except Empty:
            self.kill()
            raise BackendError(
                f"backend gave no URL within {self.startup_timeout} s\n{self.log()}"
            ) from None
        if line is None or not line.startswith("http://"):
            self.kill()
            raise BackendError(f"backend did not start (first line {line!r})\n{self.log()}")
        self.url = line.strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        self.starts += 1
        if not self.user_id:
            self.user_id = self.add_user(self.email, self.password)
        return self

    def _drain_stdout(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        first = True
        for line in proc.stdout:
            if first:
                self._first_line.put(line.strip())
                first = False
            self.stdout_lines.append(line.rstrip("\n"))
        if first:
            self._first_line.put(None)

    def _drain_stderr(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.stderr_lines.append(line.rstrip("\n"))

    def _reap(self, timeout: float) -> int | None:
        if self.proc is None:
            return None
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=10)
        for thread in self._threads:
            thread.join(timeout=5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return code

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM and wait (SIGKILL after ``timeout``); the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self._reap(timeout)
        if self._http is not None:
            self._http.close()
            self._http = None
        return code

    def kill(self) -> int | None:
        """SIGKILL: the backend dies mid-work, as in a crash."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.kill()
        return self._reap(10)

    def restart(self, hard: bool = False) -> Backend:
        """Stop (or kill, with ``hard``) and start again on the same database and port."""
        if self.running:
            if hard:
                self.kill()
            else:
                self.stop()
        return self.start()

    def close(self) -> None:
        """Stop the process and remove the temporary database folder."""
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Backend:
        return self if self.running else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def log(self) -> str:
        """The server's standard error so far (for assertion messages)."""
        return "\n".join(self.stderr_lines)

    # ------------------------------------------------------------ http

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on the base URL sending the API key."""
        headers = {"X-Api-Key": self.api_key, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 10.0)
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, self.url + path, **kwargs)

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise BackendError(
                f"{response.request.method} {response.request.url.path} answered"
                f" {response.status_code}: {response.text[:500]}"
            )
        return response.json()

    def api_headers(self, token: str | None = None) -> dict[str, str]:
        headers = {"X-Api-Key": self.api_key}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    # ------------------------------------------------------------ auth

    def add_user(self, email: str, password: str) -> str:
        """Add a user (or reset its password) through the admin endpoint; its id."""
        body = self._json(self._admin("POST", "/users", {"email": email, "password": password}))
        return str(body["user_id"])

    def sign_in(self, email: str | None = None, password: str | None = None) -> dict[str, Any]:
        """Password grant; the token JSON (``access_token``, ``refresh_token``, ``user`` …)."""
        response = self._request(
            "POST",
            "/auth/v1/token?grant_type=password",
            headers={"apikey": self.anon_key},
            json={"email": email or self.email, "password": password or self.password},
        )
        token: dict[str, Any] = self._json(response)
        return token

    def refresh(self, refresh_token: str) -> httpx.Response:
        """Refresh grant, answered as is (tests look at errors too)."""
        return self._request(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            headers={"apikey": self.anon_key},
            json={"refresh_token": refresh_token},
        )

    def access_token(self) -> str:
        """A valid access token of the test user (signed in once, renewed near expiry)."""
        token = self._token
        if token is None or token["expires_at"] - time.time() < 5:
            token = self._token = self.sign_in()
        return str(token["access_token"])

    def revoke(self, email: str | None = None, user_id: str | None = None) -> int:
        """Sign a user out everywhere (admin); the number of sessions ended."""
        body: dict[str, str] = {"user_id": user_id} if user_id else {"email": email or self.email}
        return int(self._json(self._admin("POST", "/revoke", body))["revoked_sessions"])

    # ------------------------------------------------------------ batches

    def create_batch(
        self,
        clips: int,
        token: str | None = None,
        user_id: str | None = None,
        titles: Iterable[str | None] | None = None,
        mode: str = "now",
        fail: Iterable[int] = (),
        succeed: Iterable[int] = (),
        fail_once: Iterable[int] = (),
        job_id: str | None = None,
        scheduled_at: str | None = None,
    ) -> str:
        """POST /api/metricool/publish/stories with ``clips`` posts; the batchId.

        ``user_id=None`` means the test user in both modes (upstream: sent as the
        body's ``userId``); ``user_id=""`` sends none (upstream stores the batch
        with an empty user id, as the deployed backend does). In default mode the
        bearer is ``token`` or the test user's. ``fail`` / ``succeed`` list
        1-based clip indexes whose outcome is forced; ``fail_once`` ones fail their
        first attempt only (for retry-failed).
        """
        names = list(titles) if titles is not None else [f"Clip {n}" for n in range(1, clips + 1)]
        forced_fail, forced_ok, forced_once = set(fail), set(succeed), set(fail_once)
        posts = []
        for n in range(1, clips + 1):
            post: dict[str, Any] = {
                "id": f"post_{n}",
                "url": f"https://cdn.example.test/clips/{n:03d}.mp4",
                "text": names[n - 1] if n <= len(names) else None,
            }
            if n in forced_fail:
                post["simulate"] = "fail"
            elif n in forced_ok:
                post["simulate"] = "ok"
            elif n in forced_once:
                post["simulate"] = "fail-once"
            posts.append(post)
        schedule: dict[str, Any] = {"mode": mode}
        if mode == "scheduled":
            schedule["scheduledAt"] = scheduled_at or "2030-01-01T10:00:00Z"
        body: dict[str, Any] = {
            "posts": posts,
            "schedule": schedule,
            "settings": {"accountId": "acct_test", "publishSpeed": "fast"},
            "jobId": job_id,
        }
        named: str | None
        bearer: str | None
        if self.mode == "upstream":
            named = self.user_id if user_id is None else user_id
            bearer = token
        else:
            named = user_id or None
            bearer = token or self.access_token()
        if named:
            body["userId"] = named
        response = self._request(
            "POST", "/api/metricool/publish/stories", headers=self.api_headers(bearer), json=body
        )
        return str(self._json(response)["batchId"])

    def batch(self, batch_id: str, token: str | None = None) -> dict[str, Any]:
        """GET /api/metricool/batch/{id}: the summary object (``batch``)."""
        response = self._request(
            "GET", f"/api/metricool/batch/{batch_id}", headers=self.api_headers(token)
        )
        summary: dict[str, Any] = self._json(response)["batch"]
        return summary

    def active(self, token: str | None = None, user_id: str | None = None) -> dict[str, Any]:
        """GET /api/metricool/batches/active (default: bearer; upstream: ``userId``)."""
        if self.mode == "upstream":
            params = {"userId": user_id or self.user_id}
            headers = self.api_headers(token)
        else:
            params = {"userId": user_id} if user_id else {}
            headers = self.api_headers(token or self.access_token())
        body: dict[str, Any] = self._json(
            self._request("GET", "/api/metricool/batches/active", headers=headers, params=params)
        )
        return body

    def wait_batch_final(self, batch_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """Poll the summary until completed / failed / cancelled; that summary."""
        found: dict[str, Any] = {}

        def final() -> bool:
            found.update(self.batch(batch_id))
            return found.get("status") in FINAL_STATUSES

        wait_for(final, timeout=timeout, interval=0.05, what=f"batch {batch_id} to end")
        return found

    def control(self, batch_id: str, action: str, token: str | None = None) -> httpx.Response:
        """POST /api/metricool/batch/{id}/{action} (default) or the GET alias (upstream)."""
        if self.mode == "upstream":
            return self._request(
                "GET",
                f"/api/metricool/{action}",
                params={"batchId": batch_id},
                headers=self.api_headers(token),
            )
        return self._request(
            "POST",
            f"/api/metricool/batch/{batch_id}/{action}",
            headers=self.api_headers(token or self.access_token()),
        )

    # ------------------------------------------------------------ admin

    def _admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self._request(method, "/__admin" + path, json=body)

    def faults(self, **switches: Any) -> dict[str, Any]:
        """Set fault switches (merged into the current ones); the whole set."""
        state: dict[str, Any] = self._json(self._admin("POST", "/faults", switches))
        return state

    def reset_faults(self) -> dict[str, Any]:
        state: dict[str, Any] = self._json(self._admin("POST", "/faults/reset", {}))
        return state

    def info(self) -> dict[str, Any]:
        """Mode, pid, running batches and open streams of the server."""
        body: dict[str, Any] = self._json(self._admin("GET", "/info"))
        return body

    # ------------------------------------------------------------ database

    def _db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def _rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        conn = self._db()
        try:
            return [dict(row) for row in conn.execute(sql, args).fetchall()]
        finally:
            conn.close()

    def clip_rows(self, batch_id: str) -> list[dict[str, Any]]:
        """The batch's ``publish_batch_clips`` rows, read from the file, by ``clip_index``."""
        return self._rows(
            "SELECT * FROM publish_batch_clips WHERE batch_id = ? ORDER BY clip_index", batch_id
        )

    def batch_row(self, batch_id: str) -> dict[str, Any] | None:
        """The batch's ``publish_batches`` row, read from the file."""
        rows = self._rows("SELECT * FROM publish_batches WHERE batch_id = ?", batch_id)
        return rows[0] if rows else None

    def seed_history(
        self,
        count: int,
        *,
        days: float = 7.0,
        clips: int = 6,
        end: datetime | None = None,
        user_id: str | None = None,
        prefix: str = "seed",
    ) -> list[str]:
        """Write ``count`` finished batches straight into the database, their ends
        spread evenly over the ``days`` before ``end`` (default now), each with
        ``clips`` clips (titles ``"<prefix> N clip K"``); every 7th one failed with
        one failed clip, every 23rd cancelled. For a week of history without
        publishing it for a week; the server reads the same rows it writes.
        Returns the batch ids, oldest end first."""
        end = end or datetime.now(UTC)
        user = user_id if user_id is not None else self.user_id
        step = timedelta(days=days) / max(1, count)
        ids: list[str] = []
        batches: list[tuple[Any, ...]] = []
        clip_rows: list[tuple[Any, ...]] = []
        for n in range(count):
            done = end - step * (count - 1 - n)
            started = done - timedelta(seconds=30 + 5 * clips)
            batch_id = f"batch_{prefix}_{n:06d}"
            status, failed = "completed", 0
            if n % 7 == 3:
                status, failed = "failed", 1
            elif n % 23 == 5:
                status = "cancelled"
            published = clips - failed if status != "cancelled" else clips // 2
            stamp = done.strftime("%Y-%m-%d %H:%M:%S")
            batches.append((
                batch_id, f"job_{prefix}_{n}", user, status, clips, published, failed, clips,
                started.strftime("%Y-%m-%d %H:%M:%S"), started.strftime("%Y-%m-%d %H:%M:%S"),
                stamp, "Clip failed" if failed else None,
            ))  # fmt: skip
            for k in range(1, clips + 1):
                clip: tuple[str, str | None, str | None, str | None]
                if k <= published:
                    clip = ("published", f"mc_{n}_{k}", stamp, None)
                elif k == clips and failed:
                    clip = ("failed", None, None, "Upload rejected")
                else:
                    clip = ("pending", None, None, None)
                clip_rows.append((
                    batch_id, k, f"post_{k}", f"https://cdn.example.test/{n}/{k}.mp4",
                    f"{prefix} {n} clip {k}", clip[0], clip[1], clip[3],
                    1 if clip[0] != "pending" else 0, clip[2], clip[2],
                ))  # fmt: skip
            ids.append(batch_id)
        conn = self._db()
        try:
            with conn:
                conn.executemany(
                    "INSERT INTO publish_batches (batch_id, job_id, user_id, status, total,"
                    " published, failed, current_index, created_at, started_at, completed_at,"
                    " error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batches,
                )
                conn.executemany(
                    "INSERT INTO publish_batch_clips (batch_id, clip_index, post_id, url, title,"
                    " status, metricool_post_id, error, attempts, uploaded_at, published_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    clip_rows,
                )
        finally:
            conn.close()
        return ids

    def stored_events(self, batch_id: str) -> list[tuple[int, dict[str, Any]]]:
        """Default mode: the stream events stored for the batch, as ``(id, payload)``."""
        rows = self._rows(
            "SELECT seq, data FROM publish_batch_events WHERE batch_id = ? ORDER BY seq", batch_id
        )
        return [(int(r["seq"]), json.loads(r["data"])) for r in rows]
