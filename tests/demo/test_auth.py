"""Supabase Auth subset of the local backend, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt

from tests.backend import Backend, wait_for


def _token_call(backend: Backend, grant: str, body: object, **headers: str) -> httpx.Response:
    sent = {"apikey": backend.anon_key, **headers}
    return backend.http.post(
        f"{backend.auth_url}/token", params={"grant_type": grant}, json=body, headers=sent
    )


def _error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["code"] == response.status_code
    assert isinstance(body["msg"], str)
    assert body["msg"]
    return response.status_code, body["error_code"]


def test_password_grant_returns_a_real_jwt(backend: Backend) -> None:
    token = backend.sign_in()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600
    assert token["user"]["id"] == backend.user_id
    assert token["user"]["email"] == backend.email
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert claims["sub"] == backend.user_id
    assert claims["exp"] == token["expires_at"]
    assert claims["aud"] == "authenticated"
    assert abs(claims["exp"] - time.time() - 3600) < 60
    # Signed for real: a token re-signed with another key is refused.
    forged = jwt.encode(claims, "not-the-secret-" * 4, algorithm="HS256")
    response = backend.http.get(
        f"{backend.auth_url}/user",
        headers={"apikey": backend.anon_key, "Authorization": f"Bearer {forged}"},
    )
    assert _error(response) == (403, "bad_jwt")


def test_wrong_password_and_unknown_user(backend: Backend) -> None:
    for email, password in ((backend.email, "wrong"), ("nobody@example.com", "x")):
        response = _token_call(backend, "password", {"email": email, "password": password})
        assert _error(response) == (400, "invalid_credentials")
        assert response.json()["msg"] == "Invalid login credentials"


def test_apikey_is_required(backend: Backend) -> None:
    body = {"email": backend.email, "password": backend.password}
    missing = backend.http.post(f"{backend.auth_url}/token?grant_type=password", json=body)
    assert missing.status_code == 401
    assert missing.json()["error_code"] == "no_api_key"
    wrong = _token_call(backend, "password", body, apikey="nope")
    assert wrong.status_code == 401
    assert wrong.json()["error_code"] == "invalid_api_key"
    user = backend.http.get(f"{backend.auth_url}/user")
    assert user.status_code == 401


def test_user_and_logout(backend: Backend) -> None:
    token = backend.sign_in()
    headers = {"apikey": backend.anon_key, "Authorization": f"Bearer {token['access_token']}"}
    user = backend.http.get(f"{backend.auth_url}/user", headers=headers)
    assert user.status_code == 200
    assert user.json()["id"] == backend.user_id
    assert (
        backend.http.get(f"{backend.auth_url}/user", headers={"apikey": backend.anon_key}).json()[
            "error_code"
        ]
        == "no_authorization"
    )
    out = backend.http.post(f"{backend.auth_url}/logout", headers=headers)
    assert out.status_code == 204
    assert out.content == b""
    # The session is gone: its refresh token no longer works, /user says so.
    assert _error(backend.refresh(token["refresh_token"])) == (400, "refresh_token_not_found")
    assert _error(backend.http.get(f"{backend.auth_url}/user", headers=headers)) == (
        403,
        "session_not_found",
    )


def test_logout_scopes(backend: Backend) -> None:
    a, b, c = backend.sign_in(), backend.sign_in(), backend.sign_in()

    def logout(token: dict[str, str], scope: str) -> int:
        return backend.http.post(
            f"{backend.auth_url}/logout",
            params={"scope": scope},
            headers={
                "apikey": backend.anon_key,
                "Authorization": f"Bearer {token['access_token']}",
            },
        ).status_code

    assert logout(a, "bogus") == 400
    assert logout(a, "others") == 204  # ends b and c, keeps a
    assert backend.refresh(b["refresh_token"]).status_code == 400
    assert backend.refresh(c["refresh_token"]).status_code == 400
    a2 = backend.refresh(a["refresh_token"])
    assert a2.status_code == 200
    assert logout(a2.json(), "local") == 204
    assert backend.refresh(a2.json()["refresh_token"]).status_code == 400
    d, e = backend.sign_in(), backend.sign_in()
    assert logout(d, "global") == 204
    assert backend.refresh(e["refresh_token"]).status_code == 400


def test_refresh_rotates_and_tolerates_reuse_within_interval(backend: Backend) -> None:
    first = backend.sign_in()
    second = backend.refresh(first["refresh_token"])
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"]
    assert new["user"]["id"] == backend.user_id
    # A racing second use of the spent token within the interval: same new token.
    again = backend.refresh(first["refresh_token"])
    assert again.status_code == 200
    assert again.json()["refresh_token"] == new["refresh_token"]
    third = backend.refresh(new["refresh_token"])
    assert third.status_code == 200


def test_reuse_outside_interval_revokes_the_family(
    backend_factory: Callable[..., Backend],
) -> None:
    backend = backend_factory(reuse_interval=0.3)
    first = backend.sign_in()
    other = backend.sign_in()  # another session: must survive
    child = backend.refresh(first["refresh_token"]).json()
    time.sleep(0.5)  # let the reuse interval pass (because the thing under test is time)
    replay = backend.refresh(first["refresh_token"])
    assert _error(replay) == (400, "refresh_token_already_used")
    assert replay.json()["msg"] == "Invalid Refresh Token: Already Used"
    # The whole family is dead, the legitimate holder's newest token included.
    assert _error(backend.refresh(child["refresh_token"])) == (400, "refresh_token_already_used")
    assert backend.refresh(other["refresh_token"]).status_code == 200


def test_expired_access_token(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(token_ttl=1)
    token = backend.sign_in()
    assert token["expires_in"] == 1
    headers = {"apikey": backend.anon_key, "Authorization": f"Bearer {token['access_token']}"}
    assert backend.http.get(f"{backend.auth_url}/user", headers=headers).status_code == 200

    def expired() -> bool:
        return backend.http.get(f"{backend.auth_url}/user", headers=headers).status_code == 403

    wait_for(expired, timeout=5, interval=0.2, what="the access token to expire")
    assert _error(backend.http.get(f"{backend.auth_url}/user", headers=headers)) == (403, "bad_jwt")
    fresh = backend.refresh(token["refresh_token"])
    assert fresh.status_code == 200


def test_unknown_refresh_token_and_bad_bodies(backend: Backend) -> None:
    assert _error(backend.refresh("does-not-exist")) == (400, "refresh_token_not_found")
    assert _error(_token_call(backend, "refresh_token", {})) == (400, "validation_failed")
    assert _error(_token_call(backend, "password", {"email": 5, "password": []})) == (
        400,
        "validation_failed",
    )
    assert _error(_token_call(backend, "magic", {"a": 1})) == (400, "unsupported_grant_type")
    raw = backend.http.post(
        f"{backend.auth_url}/token?grant_type=password",
        content=b"{not json",
        headers={"apikey": backend.anon_key, "content-type": "application/json"},
    )
    assert _error(raw) == (400, "bad_json")
    listed = _token_call(backend, "password", ["a", "b"])
    assert _error(listed) == (400, "bad_json")


def test_rate_limit_answers_429(backend_factory: Callable[..., Backend]) -> None:
    backend = backend_factory(token_rate_limit=3, token_rate_window=60)
    statuses = [backend.refresh("x").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    limited = backend.refresh("x")
    assert _error(limited) == (429, "over_request_rate_limit")


def test_admin_revoke_signs_the_user_out(backend: Backend) -> None:
    token = backend.sign_in()
    assert backend.revoke() >= 1
    assert _error(backend.refresh(token["refresh_token"])) == (400, "refresh_token_not_found")


def test_legacy_error_shape_switch(backend: Backend) -> None:
    backend.faults(auth_legacy_errors=True)
    response = _token_call(backend, "password", {"email": backend.email, "password": "bad"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid login credentials",
    }
    backend.reset_faults()
    assert (
        "error_code" in _token_call(backend, "password", {"email": "a@b.c", "password": "x"}).json()
    )


def test_concurrent_refreshes_of_one_token_all_succeed(backend: Backend) -> None:
    """Twenty racing refreshes of one token (a client's single-flight failing) get one family."""
    import concurrent.futures

    token = backend.sign_in()
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: backend.refresh(token["refresh_token"]), range(20)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["refresh_token"] for a in answers}) == 1
