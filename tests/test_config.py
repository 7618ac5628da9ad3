"""Server settings: precedence, validation, and no secret from the settings file;
the platform's folders for the log and the app's memory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from storyclip_desktop.config import ConfigError, check_url, data_dir, log_dir, resolve_servers


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


# ---------------------------------------------------------------- platform folders
#
# Each platform's answer comes from platformdirs, which reads the environment when a
# folder is asked for: the tests inject it (HOME, XDG_*, and on Windows the local
# app-data folder through platformdirs' own WIN_PD_OVERRIDE_LOCAL_APPDATA, since the
# real Windows known-folder call cannot run here) and name the platform.

_PLATFORM_VARS = (
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "LOCALAPPDATA",
    "WIN_PD_OVERRIDE_LOCAL_APPDATA",
)


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh HOME and none of the variables that move the platform folders."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in _PLATFORM_VARS:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_data_folder_on_windows_and_macos_is_the_platforms_own(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug: the "already announced" memory went to a Linux-style
    ~/.local/share/storyclip-desktop on Windows and macOS too (the app's default
    knew only XDG), while the log folder was right. The app asks ``data_dir()``
    with no platform (running.py), which is what is checked here."""
    monkeypatch.setattr(sys, "platform", "darwin")
    mac = data_dir()
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", "C:/Users/ana/AppData/Local")
    monkeypatch.setattr(sys, "platform", "win32")
    windows = data_dir()
    monkeypatch.undo()
    assert mac == home / "Library/Application Support/StoryClip Desktop"
    assert windows == Path("C:/Users/ana/AppData/Local/StoryClip/StoryClip Desktop")


def test_data_folder_on_linux_follows_xdg(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert data_dir("linux") == home / ".local/share/storyclip-desktop"
    monkeypatch.setenv("XDG_DATA_HOME", "/data")
    assert data_dir("linux") == Path("/data/storyclip-desktop")
    # A relative XDG value is not a base directory (XDG spec): it is ignored.
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    assert data_dir("linux") == home / ".local/share/storyclip-desktop"


def test_data_folder_on_windows(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", "C:/L")
    assert data_dir("win32") == Path("C:/L/StoryClip/StoryClip Desktop")


def test_data_folder_on_macos(home: Path) -> None:
    assert data_dir("darwin") == home / "Library/Application Support/StoryClip Desktop"


def test_log_folder_on_linux_follows_xdg(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert log_dir("linux") == home / ".local/state/storyclip-desktop/log"
    monkeypatch.setenv("XDG_STATE_HOME", "/s")
    assert log_dir("linux") == Path("/s/storyclip-desktop/log")


def test_log_folder_on_windows(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", "C:/L")
    assert log_dir("win32") == Path("C:/L/StoryClip/StoryClip Desktop/Logs")


def test_log_folder_on_macos(home: Path) -> None:
    assert log_dir("darwin") == home / "Library/Logs/StoryClip Desktop"


def test_folders_default_to_the_running_platform(home: Path) -> None:
    assert log_dir() == log_dir(sys.platform)
    assert data_dir() == data_dir(sys.platform)
