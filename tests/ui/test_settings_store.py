"""The settings behind the dialog (config.py): what is saved where, what never is,
the autostart entry, and the API key's keyring entry (core.secrets); the log
folder's tests are in tests/test_config.py."""

from __future__ import annotations

import asyncio
import configparser
from pathlib import Path

import keyring.backend
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings

from storyclip_desktop.config import (
    NOTIFICATION_KINDS,
    AppSettings,
    ConfigError,
    autostart_enabled,
    autostart_entry,
    autostart_path,
    check_key,
    load_settings,
    resolve_servers,
    save_settings,
    set_autostart,
)
from storyclip_desktop.core.secrets import API_KEY_ACCOUNT, api_key_entry

SAMPLE = AppSettings(
    api_url="https://story.example.app",
    supabase_url="https://abc.supabase.co",
    anon_key="anon-public-key",
    language="es",
    start_at_login=True,
    start_minimized=True,
    notifications=frozenset({"failed", "unreachable"}),
)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in a dict (never a candidate for keyring's own choice)."""

    priority = -10

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


def test_settings_round_trip_through_a_real_ini_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    store = QSettings(str(path), QSettings.Format.IniFormat)
    save_settings(store, SAMPLE)
    store.sync()
    again = load_settings(QSettings(str(path), QSettings.Format.IniFormat))
    assert again == SAMPLE
    assert again.wants("failed")
    assert not again.wants("completed")
    assert again.wants("some-future-kind")  # unknown kinds are never muted


def test_defaults_when_nothing_is_saved_or_values_are_garbage(tmp_path: Path) -> None:
    assert load_settings(QSettings(str(tmp_path / "none.ini"), QSettings.Format.IniFormat)) == (
        AppSettings()
    )
    path = tmp_path / "bad.ini"
    path.write_text(
        "[ui]\nlanguage=klingon\n[startup]\natLogin=perhaps\nminimized=1\n"
        "[notifications]\nfailed=false\n",
        encoding="utf-8",
    )
    loaded = load_settings(QSettings(str(path), QSettings.Format.IniFormat))
    assert loaded.language == ""
    assert loaded.start_at_login is False
    assert loaded.start_minimized is True
    assert loaded.notifications == frozenset(NOTIFICATION_KINDS) - {"failed"}


def test_no_secret_ever_lands_in_the_settings_file(tmp_path: Path) -> None:
    """An API key someone put in the file by hand is removed at the next save, and
    never read: resolve_servers takes the key only from cli, env or the keyring."""
    path = tmp_path / "settings.ini"
    path.write_text("[servers]\napiKey=leaked-api-key-123\n", encoding="utf-8")
    store = QSettings(str(path), QSettings.Format.IniFormat)
    cfg = resolve_servers(cli={}, env={}, saved=dict(SAMPLE.saved_servers(), api_key="x"))
    assert cfg.api_key is None
    save_settings(store, SAMPLE)
    store.sync()
    text = path.read_text(encoding="utf-8")
    assert "leaked-api-key-123" not in text
    assert "apiKey" not in text
    parsed = configparser.ConfigParser()
    parsed.read_string(text)
    assert parsed["servers"]["apiUrl"] == SAMPLE.api_url


def test_api_key_precedence_command_line_environment_keyring() -> None:
    kwargs = {"saved": SAMPLE.saved_servers(), "stored_api_key": "from-keyring"}
    assert resolve_servers(cli={}, env={}, **kwargs).api_key == "from-keyring"  # type: ignore[arg-type]
    env = {"STORYCLIP_API_KEY": "from-env"}
    assert resolve_servers(cli={}, env=env, **kwargs).api_key == "from-env"  # type: ignore[arg-type]
    cli = {"api_key": "from-cli"}
    assert resolve_servers(cli=cli, env=env, **kwargs).api_key == "from-cli"  # type: ignore[arg-type]
    assert resolve_servers(cli={}, env={}, **kwargs).complete  # type: ignore[arg-type]


def test_redacted_settings_show_presence_not_keys() -> None:
    shown = SAMPLE.redacted(api_key_stored=True)
    assert "anon-public-key" not in repr(shown)
    assert shown["anon_key"] == "[redacted, 15 chars]"
    assert shown["api_key"] == "[in the keyring]"
    assert AppSettings().redacted(api_key_stored=False)["api_key"] == "[not set]"


@pytest.mark.parametrize(
    ("key", "reason"),
    [("", "empty"), ("two words", "bad_chars"), ("clé", "bad_chars"), ("x" * 5000, "too_long")],
)
def test_keys_are_one_printable_word(key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_key("api_key", key)
    assert info.value.reason == reason
    assert check_key("api_key", "  sk_live-AbC.123  ") == "sk_live-AbC.123"


def test_autostart_entry_is_written_and_removed(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    assert not autostart_enabled(env)
    path = set_autostart(True, command=["/opt/Story Clip/storyclip-desktop"], env=env)
    assert path == tmp_path / "cfg/autostart/storyclip-desktop.desktop"
    assert autostart_enabled(env)
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(path, encoding="utf-8")
    assert entry["Desktop Entry"]["Type"] == "Application"
    assert entry["Desktop Entry"]["Exec"] == '"/opt/Story Clip/storyclip-desktop"'
    set_autostart(False, env=env)
    assert not path.exists()
    set_autostart(False, env=env)  # removing twice is fine
    assert autostart_path({"HOME": "/h"}) == Path("/h/.config/autostart/storyclip-desktop.desktop")


@pytest.mark.parametrize(
    "args",
    [
        ["/usr/bin/storyclip-desktop"],
        ["/opt/My Apps/storyclip-desktop", "--minimized"],
        ["/usr/bin/python3", "-m", "storyclip_desktop", "--lang", "es"],
        ['/weird/$HOME/`x`/a"b\\c/100%/run'],
    ],
)
def test_exec_line_quotes_as_the_desktop_entry_spec_says(args: list[str]) -> None:
    """Unescape the Exec value the way a launcher does (string escapes, then the
    spec's quoting, then %% -> %) and get the arguments back."""
    line = next(x for x in autostart_entry(args).splitlines() if x.startswith("Exec="))
    value = line.removeprefix("Exec=").replace("\\\\", "\\")
    assert [a.replace("%%", "%") for a in _split_exec(value)] == args


def _split_exec(value: str) -> list[str]:
    """The Exec key's word splitting: spaces separate, double quotes group, and inside
    quotes a backslash escapes one of ``"`$\\``."""
    words: list[str] = []
    word: list[str] | None = None
    quoted = False
    chars = iter(value)
    for c in chars:
        if quoted:
            if c == "\\":
                word.append(next(chars))  # type: ignore[union-attr]
            elif c == '"':
                quoted = False
            else:
                word.append(c)  # type: ignore[union-attr]
        elif c == " ":
            if word is not None:
                words.append("".join(word))
                word = None
        else:
            word = word if word is not None else []
            if c == '"':
                quoted = True
            else:
                word.append(c)
    if word is not None:
        words.append("".join(word))
    return words


def test_api_key_entry_in_a_keyring_and_without_one() -> None:
    memory = MemoryKeyring()
    entry = api_key_entry(backend=memory)

    async def scenario() -> tuple[str | None, bool, str | None, str | None]:
        before = await entry.load_text()
        saved = await entry.save_text("sk-test-123456")
        after = await entry.load_text()
        await entry.clear()
        return before, saved, after, await entry.load_text()

    assert asyncio.run(scenario()) == (None, True, "sk-test-123456", None)
    assert memory.items == {}

    memory.set_password("StoryClip Desktop", API_KEY_ACCOUNT, "kept")
    assert asyncio.run(api_key_entry(backend=memory).load_text()) == "kept"

    none = api_key_entry(backend=fail.Keyring())
    assert asyncio.run(none.save_text("sk-test-123456")) is False
    assert none.status.reason == "no_keyring"
    assert asyncio.run(none.load_text()) is None
