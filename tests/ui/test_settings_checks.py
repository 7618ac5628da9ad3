"""The "Test connection" check (core.checks) against real servers over loopback: the local
backend in both modes, a closed port, a plain web server, and the backend's own
fault switches for proxy pages and slow answers. Each outcome is what the dialog
turns into a sentence, so each must be told apart precisely."""

from __future__ import annotations

import asyncio
import http.server
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from storyclip_desktop.core.checks import ConnectionReport, check_connection
from tests.backend import REPO, Backend


def check(
    api_url: str, supabase_url: str, anon_key: str, api_key: str, deadline: float = 5.0
) -> ConnectionReport:
    return asyncio.run(
        check_connection(api_url, supabase_url, anon_key, api_key, deadline=deadline)
    )


def outcomes(report: ConnectionReport) -> tuple[str, str]:
    return report.auth.outcome, report.api.outcome


def test_everything_right_in_default_mode(backend: Backend) -> None:
    report = check(backend.url, backend.url, backend.anon_key, backend.api_key)
    assert outcomes(report) == ("ok", "ok")
    assert report.ok
    # The local backend wants a user token next: that answer proves the key passed.
    assert report.api.detail == "MISSING_TOKEN"


def test_everything_right_against_the_deployed_shape(
    backend_factory: Callable[..., Backend],
) -> None:
    upstream = backend_factory(mode="upstream")
    report = check(upstream.url, upstream.url, upstream.anon_key, upstream.api_key)
    assert outcomes(report) == ("ok", "ok")
    assert report.api.status == 200


def test_wrong_and_missing_keys_are_told_apart(backend: Backend) -> None:
    wrong = check(backend.url, backend.url, "not-the-anon-key", "not-the-api-key")
    assert outcomes(wrong) == ("bad_anon_key", "bad_api_key")
    assert wrong.api.detail == "INVALID_API_KEY"
    missing = check(backend.url, backend.url, "", "")
    assert outcomes(missing) == ("missing_anon_key", "missing_api_key")
    assert missing.api.detail == "MISSING_API_KEY"


def test_a_key_without_the_read_scope(backend: Backend) -> None:
    subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "add-api-key", "publish-only-key",
         "--scopes", "publish", "--db", str(backend.db_path)],
        cwd=REPO, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    report = check(backend.url, backend.url, backend.anon_key, "publish-only-key")
    assert outcomes(report) == ("ok", "insufficient_scope")


def test_wrong_paths_answer_not_found(backend: Backend) -> None:
    report = check(backend.url + "/api", backend.url + "/auth/v1", backend.anon_key, "k")
    assert outcomes(report) == ("not_found", "not_found")
    assert report.api.status == 404


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_nothing_listening_is_unreachable() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    assert outcomes(check(url, url, "a", "b")) == ("unreachable", "unreachable")


def test_https_to_a_plain_http_server_is_a_tls_failure(backend: Backend) -> None:
    url = backend.url.replace("http://", "https://")
    report = check(url, url, backend.anon_key, backend.api_key)
    assert outcomes(report) == ("tls", "tls")


@pytest.fixture
def web_page() -> Iterator[str]:
    """A plain web server answering an HTML page on every path (a website's address)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><html><body>Welcome</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_website_instead_of_the_services_is_unexpected(web_page: str) -> None:
    report = check(web_page, web_page, "a", "b")
    assert outcomes(report) == ("unexpected", "unexpected")
    assert report.api.detail == "HTTP 200, not JSON"


def test_a_proxy_error_page_is_a_server_error(backend: Backend) -> None:
    backend.faults(fail_next=2, fail_status=502)
    report = check(backend.url, backend.url, backend.anon_key, backend.api_key)
    assert outcomes(report) == ("server_error", "server_error")
    assert report.api.detail == "HTTP 502"


def test_a_server_that_does_not_answer_in_time(backend: Backend) -> None:
    backend.faults(delay=3, delay_path_prefix="/auth")
    report = check(backend.url, backend.url, backend.anon_key, backend.api_key, deadline=0.5)
    assert outcomes(report) == ("timeout", "ok")


def test_no_address_is_not_configured() -> None:
    assert outcomes(check("", "", "", "")) == ("not_configured", "not_configured")
