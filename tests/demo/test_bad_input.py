"""Bad input gets a clear 4xx JSON answer from the local backend, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.backend import Backend

BAD_IDS = ["..", "a..b", "%00", "a%00b", "x" * 10_000, "a%2Fb", "<script>", "id with space"]


def check_4xx_json(response: httpx.Response) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body.get("error") or body.get("error_code"), body
    assert "Traceback" not in response.text
    return body


@pytest.fixture(params=["default", "upstream"])
def any_mode(request: pytest.FixtureRequest, backend_factory: Callable[..., Backend]) -> Backend:
    backend: Backend = backend_factory(mode=request.param)
    return backend


def _publish(backend: Backend, content: bytes, content_type: str = "application/json") -> Any:
    headers = {**backend.api_headers(), "content-type": content_type}
    if backend.mode == "default":
        headers["Authorization"] = f"Bearer {backend.access_token()}"
    return backend.http.post(
        f"{backend.url}/api/metricool/publish/stories", content=content, headers=headers
    )


BAD_BODIES: list[tuple[bytes, str]] = [
    (b"", "MISSING_BODY"),
    (b"   ", "MISSING_BODY"),
    (b"{not json", "INVALID_JSON"),
    (b"\xff\xfe\x00garbage", "INVALID_JSON"),
    (b"[" * 100_000, "INVALID_JSON"),
    (b"[]", "INVALID_BODY"),
    (b'"posts"', "INVALID_BODY"),
    (b"{}", "MISSING_POSTS"),
    (b'{"posts": "x"}', "INVALID_POSTS"),
    (b'{"posts": {"url": "u"}}', "INVALID_POSTS"),
    (b'{"posts": [1]}', "INVALID_POSTS"),
    (b'{"posts": [{}]}', "INVALID_POSTS"),
    (b'{"posts": [{"url": 5}]}', "INVALID_FIELD"),
    (b'{"posts": [{"url": ["u"]}]}', "INVALID_FIELD"),
    (b'{"posts": [{"url": "u", "text": {"a": 1}}]}', "INVALID_FIELD"),
    (b'{"posts": [{"url": "u", "simulate": "explode"}]}', "INVALID_POSTS"),
    (b'{"posts": [], "schedule": "now"}', "INVALID_FIELD"),
    (b'{"posts": [], "schedule": {"mode": "later"}}', "INVALID_SCHEDULE"),
    (b'{"posts": [], "schedule": {"mode": "scheduled"}}', "INVALID_SCHEDULE"),
    (b'{"posts": [], "settings": []}', "INVALID_FIELD"),
    (b'{"posts": [], "jobId": {"x": 1}}', "INVALID_FIELD"),
    (b'{"posts": [], "jobId": true}', "INVALID_FIELD"),
    (b'{"posts": [], "userId": ["u"]}', "INVALID_FIELD"),
    (b'{"posts": [{"url": "u", "text": "' + b"t" * 10_000 + b'"}]}', "INVALID_FIELD"),
]


def test_bad_publish_bodies(any_mode: Backend) -> None:
    for content, code in BAD_BODIES:
        body = check_4xx_json(_publish(any_mode, content))
        assert body["code"] == code, (content[:60], body)
    big = check_4xx_json(_publish(any_mode, b'{"posts": [], "x": "' + b"a" * 1_100_000 + b'"}'))
    assert big["code"] == "PAYLOAD_TOO_LARGE"
    too_many = b'{"posts": [' + b",".join([b'{"url": "u"}'] * 1001) + b"]}"
    assert check_4xx_json(_publish(any_mode, too_many))["code"] == "INVALID_POSTS"
    assert "Traceback" not in any_mode.log()


def test_bad_batch_ids_everywhere(any_mode: Backend) -> None:
    base = any_mode.url + "/api/metricool"
    headers = any_mode.api_headers()
    for raw in BAD_IDS:
        for url in (
            f"{base}/batch/{raw}",
            f"{base}/status?batchId={raw}",
            f"{base}/stream?batchId={raw}",
            f"{base}/pause?batchId={raw}",
        ):
            response = any_mode.http.get(httpx.URL(url), headers=headers)
            body = check_4xx_json(response)
            assert body["code"] in ("INVALID_BATCH_ID", "NOT_FOUND"), (url[:80], body)
    for url in (f"{base}/status", f"{base}/stream", f"{base}/cancel", f"{base}/status?batchId="):
        assert check_4xx_json(any_mode.http.get(url, headers=headers))["code"] == "MISSING_BATCH_ID"
    unknown = check_4xx_json(any_mode.http.get(f"{base}/batch/batch_123_abcdef", headers=headers))
    assert unknown["code"] == "BATCH_NOT_FOUND"
    assert (
        check_4xx_json(any_mode.http.get(f"{base}/stream?batchId=batch_9_zz", headers=headers))[
            "code"
        ]
        == "BATCH_NOT_FOUND"
    )
    assert "Traceback" not in any_mode.log()


def test_bad_queries_and_routes(backend: Backend) -> None:
    base = backend.url + "/api/metricool"
    headers = backend.api_headers(backend.access_token())
    queries = ("limit=-1", "limit=abc", "limit=0", "limit=100000", "offset=-5",
               "status=bogus", "status=completed,x",
               "status=completed,failed,paused,processing,cancelled,x")  # fmt: skip
    for query in queries:
        body = check_4xx_json(backend.http.get(f"{base}/batches?{query}", headers=headers))
        assert body["code"].startswith("INVALID_"), (query, body)
    long_user = check_4xx_json(
        backend.http.get(f"{base}/batches/active", params={"userId": "u" * 10_000}, headers=headers)
    )
    assert long_user["code"] == "INVALID_USER_ID"
    nul_user = backend.http.get(httpx.URL(f"{base}/batches/active?userId=a%00b"), headers=headers)
    assert check_4xx_json(nul_user)["code"] == "INVALID_USER_ID"
    assert check_4xx_json(backend.http.get(f"{backend.url}/nowhere"))["code"] == "NOT_FOUND"
    assert (
        check_4xx_json(backend.http.delete(f"{base}/batches/active"))["code"]
        == "METHOD_NOT_ALLOWED"
    )
    bad_bearer = backend.http.get(
        f"{base}/batches/active", headers={**backend.api_headers(), "Authorization": "Basic x"}
    )
    assert check_4xx_json(bad_bearer)["code"] == "INVALID_TOKEN"
    garbage = backend.http.get(
        f"{base}/batches/active",
        headers={**backend.api_headers(), "Authorization": "Bearer " + "a" * 5000},
    )
    assert check_4xx_json(garbage)["code"] == "INVALID_TOKEN"
    assert "Traceback" not in backend.log()


def test_bad_auth_input(backend: Backend) -> None:
    url = f"{backend.auth_url}/token"
    key = {"apikey": backend.anon_key, "content-type": "application/json"}
    cases = [
        b"",
        b"{",
        b"[1]",
        b'{"email": null, "password": null}',
        b'{"email": "a@b.c", "password": 12}',
        b'{"email": "' + b"e" * 10_000 + b'@x.y", "password": "p"}',
        b"\xff",
    ]
    for content in cases:
        for grant in ("password", "refresh_token"):
            response = backend.http.post(
                url, params={"grant_type": grant}, content=content, headers=key
            )
            body = check_4xx_json(response)
            assert body["code"] == response.status_code
    headers = {"apikey": backend.anon_key, "Authorization": "Bearer x.y.z"}
    assert (
        check_4xx_json(backend.http.get(f"{backend.auth_url}/user", headers=headers))["error_code"]
        == "bad_jwt"
    )
    assert "Traceback" not in backend.log()


@pytest.mark.parametrize("action", ["cancel", "pause", "retry-failed"])
def test_encoded_slash_in_an_id_cannot_reach_another_route(backend: Backend, action: str) -> None:
    """``/batch/<id>%2Fcancel`` is one odd id (as Express routes it), never the control."""
    batch_id = backend.create_batch(30)
    headers = {**backend.api_headers(), "Authorization": f"Bearer {backend.access_token()}"}
    for method in ("GET", "POST"):
        response = backend.http.request(
            method, f"{backend.url}/api/metricool/batch/{batch_id}%2F{action}", headers=headers
        )
        assert response.status_code in (400, 404, 405), response.text
        if response.status_code != 405:
            check_4xx_json(response)
    assert backend.batch(batch_id)["status"] == "processing"
