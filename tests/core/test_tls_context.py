"""One CA bundle for every https client; plain-http clients get none and fail closed.

httpx loads the CA bundle for each client it builds (30-70 ms); the app builds
three before it can sign in. The security suite (tests/security) checks that a
self-signed https server is still refused by the real clients.
"""

from __future__ import annotations

import ssl

from storyclip_desktop.core.http import tls_context


def test_https_clients_share_one_verifying_context() -> None:
    first = tls_context("https://project.supabase.co/auth/v1")
    again = tls_context("HTTPS://api.storyclip.app")
    assert first is again
    assert first.verify_mode is ssl.CERT_REQUIRED
    assert first.check_hostname
    assert first.cert_store_stats()["x509_ca"] > 0


def test_plain_http_clients_trust_nothing() -> None:
    context = tls_context("http://127.0.0.1:8000")
    assert context is not tls_context("https://api.storyclip.app")
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
