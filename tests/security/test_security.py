"""Security pass (issue 6): one test per promise SECURITY.md makes.

Against the real local backend process and the real app process where they can
show it; other promises already proven elsewhere are named in each docstring.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backends import fail

from storyclip_desktop.config import ConfigError, resolve_servers
from storyclip_desktop.core.api import ApiError, StoryClipApi
from storyclip_desktop.core.auth import AuthClient, AuthError
from storyclip_desktop.core.tokens import SessionManager
from storyclip_desktop.core.vault import Vault
from tests.app_process import AppProcess
from tests.backend import Backend
from tests.security.keyrings import ENV_FILE, FileKeyring

pytestmark = pytest.mark.anyio

SERVICE_KEY = "StoryClip Desktop/session"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Tokens:
    """A fixed bearer for calls that must fail before any token matters."""

    async def access_token(self) -> str:
        return "t"

    async def token_rejected(self, token: str) -> str:
        return "t"


def _all_tokens(backend: Backend) -> list[str]:
    return [r["token"] for r in backend._rows("SELECT token FROM auth_refresh_tokens")]


# ---------------------------------------------------------------- secrets at rest and in logs


def test_a_full_app_session_leaves_no_secret_behind(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    """Sign in, follow a batch with a failed clip and hostile titles, the server
    revokes the session, quit: the password, the API key and every token the
    server issued are absent from the log, stderr and every file under HOME (the
    settings, the data folder, the rotating log); only the keyring holds the
    session (the API key came from the environment: not stored)."""
    backend = backend_factory(clip_seconds=0.1)
    home = tmp_path / "home"
    ring = tmp_path / "ring"
    app = AppProcess(
        home,
        backend=backend,
        args=["--discovery-interval", "0.5"],
        env={"PYTHON_KEYRING_BACKEND": "tests.security.keyrings.FileKeyring", ENV_FILE: str(ring)},
    ).start()
    try:
        app.wait_event("signed_in")
        assert SERVICE_KEY in json.loads(ring.read_text())
        batch_id = backend.create_batch(10, fail=[2], titles=["<img src=x><b>hi</b>"] * 10)
        app.wait_event("batch_finished", batch_id=batch_id)
        backend.revoke()  # "signed out everywhere": the next refresh is refused
        access = backend.sign_in()  # also issued: must not show up either
        app.wait_event("notification", batch_id=batch_id)
    finally:
        code = app.stop()
    assert code == 0
    secrets = [backend.password, backend.api_key, access["access_token"], *_all_tokens(backend)]
    places = {"log": app.log_text(), "stderr": "\n".join(app.stderr_lines)}
    for path in home.rglob("*"):
        if path.is_file():
            places[str(path.relative_to(home))] = path.read_text("utf-8", "replace")
    assert any("config" in p for p in places), places.keys()  # the settings file was written
    for name, text in places.items():
        for secret in secrets:
            assert secret not in text, f"a secret in {name}"
    stored = json.loads(ring.read_text())
    assert set(stored) <= {SERVICE_KEY}


async def test_exception_messages_hold_no_secret(backend: Backend) -> None:
    """AuthError and ApiError text of failing calls never repeats what was sent."""
    auth = AuthClient(backend.auth_url, backend.anon_key, timeout=5)
    sessions = SessionManager(auth, Vault(backend=fail.Keyring()))  # type: ignore[no-untyped-call]
    wrong_password = "hunter2-wrong-" + "x" * 8
    bad_token = "rt-" + "y" * 20
    bad_key = "api-key-" + "z" * 20
    texts: list[str] = []
    try:
        with pytest.raises(AuthError) as err:
            await auth.sign_in_password(backend.email, wrong_password)
        texts += [str(err.value), repr(err.value)]
        with pytest.raises(AuthError) as err:
            await auth.refresh(bad_token)
        texts += [str(err.value), repr(err.value)]
        await sessions.sign_in(backend.email, backend.password)
        session = sessions.session
        assert session is not None
        api = StoryClipApi(backend.url, bad_key, sessions, timeout=5)
        try:
            with pytest.raises(ApiError) as api_err:
                await api.batch("batch_1_x")
            texts += [str(api_err.value), repr(api_err.value)]
            backend.faults(fail_next=1, fail_status=500, fail_path_prefix="/api")
            good = StoryClipApi(backend.url, backend.api_key, sessions, timeout=5)
            try:
                with pytest.raises(ApiError) as api_err:
                    await good.batch("batch_1_x")
                texts += [str(api_err.value), repr(api_err.value)]
            finally:
                await good.aclose()
        finally:
            await api.aclose()
        secrets = [wrong_password, bad_token, bad_key, backend.api_key, backend.password,
                   session.access_token, session.refresh_token]  # fmt: skip
    finally:
        await auth.aclose()
    for text in texts:
        for secret in secrets:
            assert secret not in text, text


async def test_sign_out_removes_the_session_from_the_keyring_even_when_logout_fails(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail-safe sign-out: /logout answers 502, the keyring entry is gone anyway
    (tests/core/test_auth.py proves the same on the in-memory keyring)."""
    monkeypatch.setenv(ENV_FILE, str(tmp_path / "ring"))
    auth = AuthClient(backend.auth_url, backend.anon_key, timeout=5)
    sessions = SessionManager(auth, Vault(backend=FileKeyring()))  # type: ignore[no-untyped-call]
    try:
        await sessions.sign_in(backend.email, backend.password, True)
        assert SERVICE_KEY in json.loads((tmp_path / "ring").read_text())
        backend.faults(fail_next=5, fail_status=502, fail_path_prefix="/auth/v1/logout")
        await sessions.sign_out()
    finally:
        await auth.aclose()
    assert json.loads((tmp_path / "ring").read_text()) == {}
    assert sessions.session is None


# ---------------------------------------------------------------- transport


def test_plain_http_to_another_machine_is_refused_unless_insecure(
    backend: Backend, tmp_path: Path
) -> None:
    """resolve_servers refuses http:// off loopback; the app says so and sends nothing
    (tests/test_config.py covers every URL shape)."""
    remote = {"api_url": "http://story.example.app", "supabase_url": "https://sb.example",
              "anon_key": "a", "api_key": "k"}  # fmt: skip
    with pytest.raises(ConfigError):
        resolve_servers(cli=remote, env={})
    assert resolve_servers(cli=remote, env={}, allow_insecure=True).complete
    app = AppProcess(tmp_path / "home", args=["--api-url", "http://story.example.app",
                     "--supabase-url", backend.url, "--supabase-anon-key", backend.anon_key],
                     env={"STORYCLIP_API_KEY": backend.api_key},
                     expect_errors=[{"where": "^config$"}])  # fmt: skip
    app.start()
    try:
        error = app.wait_event("error", where=lambda e: e.get("where") == "config")[0]
    finally:
        assert app.stop() == 0
    assert "http" in error["message"]
    assert app.events("signed_in") == []


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTPS server with a self-signed certificate for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(65536)
                    tls.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                                b"content-length: 2\r\nconnection: close\r\n\r\n{}")  # fmt: skip
            except (ssl.SSLError, OSError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{port}"
    stop.set()
    thread.join(5)
    listener.close()


async def test_tls_certificates_are_verified(tls_server: str) -> None:
    """The clients core/api.py and core/auth.py build refuse a self-signed server
    (a client with verification off does reach it: the server works)."""
    import httpx

    async with httpx.AsyncClient(verify=False) as unchecked:
        assert (await unchecked.get(tls_server + "/")).status_code == 200
    auth = AuthClient(tls_server + "/auth/v1", "anon", timeout=5)
    api = StoryClipApi(tls_server, "key", Tokens(), timeout=5)
    try:
        with pytest.raises(AuthError) as auth_err:
            await auth.sign_in_password("a@example.com", "pw")
        assert auth_err.value.reason == "network"
        with pytest.raises(ApiError) as api_err:
            await api.batch("batch_1_x")
        assert api_err.value.kind == "network"
    finally:
        await api.aclose()
        await auth.aclose()


async def test_a_batch_id_stays_in_its_path_segment_on_the_wire() -> None:
    """The raw request line a hostile id produces (tests/core/test_api.py checks
    many ids, the query and the stream path too)."""
    lines: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        lines.append(await reader.readline())
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        body = b'{"success":false,"code":"BATCH_NOT_FOUND","error":"not found"}'
        head = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
        head += b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
        writer.write(head + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    api = StoryClipApi(f"http://127.0.0.1:{port}", "k", Tokens(), timeout=5)
    try:
        with pytest.raises(ApiError):
            await api.batch("../../admin?x=1#frag")
    finally:
        await api.aclose()
        server.close()
        await server.wait_closed()
    method, target, _ = lines[0].split(b" ")
    assert method == b"GET"
    assert target.startswith(b"/api/metricool/batch/")
    segment = target[len(b"/api/metricool/batch/") :]
    assert not any(c in segment for c in b"/?#"), target


def test_admin_and_fault_endpoints_answer_only_to_loopback(backend: Backend) -> None:
    """A rebinding Host header and a cross-site form post get nothing
    (tests/demo/test_faults.py also comes from a non-loopback peer)."""
    for path in ("/__admin/info", "/__admin/faults"):
        assert (
            backend.http.get(backend.url + path, headers={"host": "evil.example"}).status_code
            == 404
        )
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    form = backend.http.post(
        backend.url + "/__admin/faults", content=b"fail_next=5", headers=form_type
    )
    assert form.status_code in (404, 415)
    assert backend.faults()["fail_next"] == 0
