"""Server settings: precedence, validation, and no secret from the settings file."""

from __future__ import annotations

import pytest

from storyclip_desktop.config import ConfigError, check_url, resolve_servers


def test_command_line_beats_environment_beats_saved() -> None:
    cfg = resolve_servers(
        cli={"api_url": "https://cli.example"},
        env={
            "STORYCLIP_API_URL": "https://env.example",
            "STORYCLIP_SUPABASE_URL": "https://sb.example/",
        },
        saved={
            "api_url": "https://saved.example",
            "supabase_url": "https://x.example",
            "anon_key": "anon",
        },
    )
    assert cfg.api_url == "https://cli.example"
    assert cfg.supabase_url == "https://sb.example"
    assert cfg.auth_url == "https://sb.example/auth/v1"
    assert cfg.anon_key == "anon"


def test_api_key_is_never_taken_from_saved_settings() -> None:
    cfg = resolve_servers(cli={}, env={}, saved={"api_key": "leaked"})
    assert cfg.api_key is None
    assert not cfg.complete
    assert resolve_servers(cli={}, env={"STORYCLIP_API_KEY": "k"}).api_key == "k"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:1/", "http://[::1]:9"])
def test_plain_http_is_fine_on_loopback(url: str) -> None:
    assert check_url("api_url", url).startswith("http://")


@pytest.mark.parametrize(
    "url",
    [
        "http://story.example.app",
        "ftp://x",
        "story.example.app",
        "https://u:p@x.example",
        "https://x.example/?a=b",
        "",
    ],
)
def test_bad_urls_are_refused_with_the_setting_named(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_url("api_url", url)
    assert info.value.setting == "api_url"


def test_insecure_flag_allows_remote_http() -> None:
    assert check_url("api_url", "http://story.example.app", allow_insecure=True)
