"""Where the server speaks HTTP/2, the per-batch streams share one connection.

The local backend's own application served by hypercorn with TLS (a self-signed
certificate made here and trusted through ``SSL_CERT_FILE``), as a deployed
backend behind an HTTP/2 front would be; the client follows its batches with
one stream per batch (no account stream asked for) and the test counts this
process's TCP connections to the server in the kernel's tables.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from keyring.backends import fail

from storyclip_desktop.core import http as core_http
from storyclip_desktop.core.api import StoryClipApi, h2_available
from storyclip_desktop.core.auth import AuthClient
from storyclip_desktop.core.memory import MonitorMemory
from storyclip_desktop.core.model import PART_ONE
from storyclip_desktop.core.monitor import BatchMonitor
from storyclip_desktop.core.tokens import SessionManager
from storyclip_desktop.core.vault import Vault
from tests.backend import REPO, TEST_ANON_KEY, TEST_API_KEY, TEST_EMAIL, TEST_PASSWORD
from tests.bench.harness import tcp_connections
from tests.faults.conftest import FAST, assert_finished_once
from tests.monitoring import Recorder, until

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not h2_available(), reason="h2 is not installed"),
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class H2Server:
    url: str
    port: int
    cert: Path

    def client(self) -> httpx.Client:
        trust = ssl.create_default_context(cafile=str(self.cert))
        return httpx.Client(base_url=self.url, verify=trust, http2=True, timeout=10)


@pytest.fixture
def h2_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[H2Server]:
    cert, key = _certificate(tmp_path)
    db = tmp_path / "backend.sqlite3"
    demo = [sys.executable, "-m", "storyclip_desktop.demo"]
    subprocess.run([*demo, "add-user", TEST_EMAIL, TEST_PASSWORD, "--db", str(db)],
                   check=True, cwd=REPO, capture_output=True)  # fmt: skip
    port = _free_port()
    url = f"https://127.0.0.1:{port}"
    env = {
        **os.environ,
        "STORYCLIP_H2_DB": str(db),
        "STORYCLIP_H2_URL": url,
        "STORYCLIP_H2_API_KEY": TEST_API_KEY,
        "STORYCLIP_H2_ANON_KEY": TEST_ANON_KEY,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hypercorn", "--certfile", str(cert), "--keyfile", str(key),
         "--bind", f"127.0.0.1:{port}", "tests.h2_backend:app"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    server = H2Server(url, port, cert)
    try:
        with server.client() as probe:
            for _ in range(200):
                try:
                    probe.get("/api/metricool/capabilities", headers={"X-Api-Key": TEST_API_KEY})
                    break
                except httpx.TransportError:
                    if proc.poll() is not None:
                        raise RuntimeError("hypercorn exited") from None
                    time.sleep(0.05)  # a poll for the port, because it has no event
        # The client trusts this certificate as it would a public CA's.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        core_http._ca_context.cache_clear()
        yield server
    finally:
        core_http._ca_context.cache_clear()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()


def _create_batch(server: H2Server, token: str, clips: int) -> str:
    with server.client() as client:
        response = client.post(
            "/api/metricool/publish/stories",
            headers={"X-Api-Key": TEST_API_KEY, "Authorization": f"Bearer {token}"},
            json={"posts": [{"url": f"https://cdn.example.test/{n}.mp4"} for n in range(clips)]},
        )
        response.raise_for_status()
        return str(response.json()["batchId"])


@pytest.fixture
async def signed_in(h2_server: H2Server) -> AsyncIterator[tuple[StoryClipApi, SessionManager]]:
    auth = AuthClient(h2_server.url + "/auth/v1", TEST_ANON_KEY)
    sessions = SessionManager(auth, Vault(backend=fail.Keyring()))
    await sessions.sign_in(TEST_EMAIL, TEST_PASSWORD, remember=False)
    api = StoryClipApi(h2_server.url, TEST_API_KEY, sessions)
    try:
        yield api, sessions
    finally:
        await api.aclose()
        await auth.aclose()


async def test_per_batch_streams_share_one_http2_connection(
    h2_server: H2Server, signed_in: tuple[StoryClipApi, SessionManager], tmp_path: Path
) -> None:
    api, sessions = signed_in
    token = await sessions.access_token()
    ids = [_create_batch(h2_server, token, 40) for _ in range(8)]
    assert await api.capabilities() is not None
    assert api.http_version == "HTTP/2"
    rec = Recorder()
    assert sessions.user_id
    monitor = BatchMonitor(
        api, sessions.user_id, rec, MonitorMemory(tmp_path / "memory.json"),
        policy=FAST, discovery_interval=30.0, capabilities=PART_ONE,
    )  # fmt: skip
    await monitor.start()
    try:
        await until(lambda: sum(rec.last_state(i) == "live" for i in ids) >= 6, what="live")
        streams = sum(monitor.follower(i) is not None for i in ids)
        connections = tcp_connections(os.getpid(), h2_server.port)
        await until(lambda: len(rec.finished) == 8, timeout=60, what="all finished")
    finally:
        await monitor.stop()
    assert streams >= 6
    # One connection for the streams and one for the REST calls (the auth client's
    # may be open too): not one per stream.
    assert connections <= 3, f"{connections} connections for {streams} streams"
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert (batch.published, batch.total) == (40, 40)
