"""Where the servers are: command line, then environment, then saved settings.

Also the rest of what the settings dialog edits (:class:`AppSettings`, read from
and written to ``QSettings`` through the small :class:`SettingsStore` protocol,
so this module needs no Qt), the platform's log and data folders (platformdirs),
and the XDG autostart entry behind "start at login".

No secret is ever read from or written to the settings file: the StoryClip API
key comes from the command line, the environment or the keyring. Plain
``http://`` is accepted only for loopback servers unless the user insists.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

# The servers are the core's (it builds its clients from them); the settings dialog and
# the tests find them here too, beside the settings they are saved with.
from storyclip_desktop.core.servers import (
    ENV_ANON_KEY,
    ENV_API_KEY,
    ENV_API_URL,
    ENV_SUPABASE_URL,
    ConfigError,
    ServerConfig,
    check_key,
    check_url,
    resolve_servers,
)

if TYPE_CHECKING:
    from platformdirs.api import PlatformDirsABC

__all__ = [
    "AUTOSTART_SUPPORTED",
    "DEFAULT_WEB_APP_URL",
    "ENV_ANON_KEY",
    "ENV_API_KEY",
    "ENV_API_URL",
    "ENV_SUPABASE_URL",
    "LANGUAGES",
    "NOTIFICATION_KINDS",
    "NOTIFY_LEVELS",
    "AppSettings",
    "ConfigError",
    "ServerConfig",
    "SettingsStore",
    "autostart_enabled",
    "autostart_entry",
    "autostart_path",
    "check_key",
    "check_url",
    "data_dir",
    "launch_command",
    "load_settings",
    "log_dir",
    "resolve_servers",
    "save_settings",
    "set_autostart",
]

# ---------------------------------------------------------------- saved settings

#: Notifications the user can switch off, by the notifier's ``kind``.
NOTIFICATION_KINDS = ("active", "completed", "failed", "cancelled", "unreachable")
#: The StoryClip web app users know ("open in the web app"; wire contract).
DEFAULT_WEB_APP_URL = "https://stories.creatorsflow.app"
#: "Notify me about": everything (the default) / finished and failed / failures only,
#: as the kinds each lets through (before the per-kind choices above).
NOTIFY_LEVELS: dict[str, frozenset[str]] = {
    "everything": frozenset(NOTIFICATION_KINDS),
    "finished": frozenset({"completed", "failed", "cancelled", "unreachable"}),
    "failures": frozenset({"failed", "unreachable"}),
}
#: ``""`` follows the system's language.
LANGUAGES = ("", "es", "en")

_KEYS = {
    "api_url": "servers/apiUrl",
    "supabase_url": "servers/supabaseUrl",
    "anon_key": "servers/anonKey",
    "language": "ui/language",
    "start_at_login": "startup/atLogin",
    "start_minimized": "startup/minimized",
    "web_app_url": "servers/webAppUrl",
}
_NOTIFY_KEY = "notifications/"
_NOTIFY_LEVEL_KEY = "notifications/about"
#: Keys a secret could have been saved under by an older or hand-edited file.
_FORBIDDEN_KEYS = ("servers/apiKey", "api_key", "apiKey")


class SettingsStore(Protocol):
    """What is needed of ``QSettings`` (a dict-backed store in tests)."""

    def value(self, key: str, default: Any = None, /) -> Any: ...

    def setValue(self, key: str, value: Any, /) -> None: ...

    def remove(self, key: str, /) -> None: ...


def _as_bool(value: object, default: bool) -> bool:
    """QSettings' INI format gives back ``"true"``/``"false"`` strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
    if isinstance(value, int):
        return value != 0
    return default


def _as_text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Everything the settings dialog edits, except the API key (keyring only)."""

    api_url: str = ""
    supabase_url: str = ""
    anon_key: str = ""
    language: str = ""
    start_at_login: bool = False
    start_minimized: bool = False
    notifications: frozenset[str] = frozenset(NOTIFICATION_KINDS)
    #: "Notify me about" (a key of :data:`NOTIFY_LEVELS`).
    notify_about: str = "everything"
    #: Where "Open in StoryClip" goes.
    web_app_url: str = DEFAULT_WEB_APP_URL

    def saved_servers(self) -> dict[str, str]:
        """The ``saved`` mapping :func:`resolve_servers` takes."""
        return {
            "api_url": self.api_url,
            "supabase_url": self.supabase_url,
            "anon_key": self.anon_key,
        }

    def wants(self, kind: str) -> bool:
        """Whether the user wants this kind of notification (unknown kinds: yes)."""
        if kind not in NOTIFICATION_KINDS:
            return True
        allowed = NOTIFY_LEVELS.get(self.notify_about, NOTIFY_LEVELS["everything"])
        return kind in allowed and kind in self.notifications

    def redacted(self, api_key_stored: bool | None = None) -> dict[str, object]:
        """For diagnostics: the anon key shortened to its length, the API key to a yes/no."""
        out: dict[str, object] = {
            "api_url": self.api_url,
            "supabase_url": self.supabase_url,
            "anon_key": f"[redacted, {len(self.anon_key)} chars]" if self.anon_key else "",
            "language": self.language or "system",
            "start_at_login": self.start_at_login,
            "start_minimized": self.start_minimized,
            "notifications": sorted(self.notifications),
            "notify_about": self.notify_about,
            "web_app_url": self.web_app_url,
        }
        if api_key_stored is not None:
            out["api_key"] = "[in the keyring]" if api_key_stored else "[not set]"
        return out


def load_settings(store: SettingsStore) -> AppSettings:
    """Read the saved settings; anything missing or unreadable takes its default."""
    language = _as_text(store.value(_KEYS["language"]))
    about = _as_text(store.value(_NOTIFY_LEVEL_KEY))
    notifications = frozenset(
        kind
        for kind in NOTIFICATION_KINDS
        if _as_bool(store.value(_NOTIFY_KEY + kind), default=True)
    )
    return AppSettings(
        api_url=_as_text(store.value(_KEYS["api_url"])),
        supabase_url=_as_text(store.value(_KEYS["supabase_url"])),
        anon_key=_as_text(store.value(_KEYS["anon_key"])),
        language=language if language in LANGUAGES else "",
        start_at_login=_as_bool(store.value(_KEYS["start_at_login"]), default=False),
        start_minimized=_as_bool(store.value(_KEYS["start_minimized"]), default=False),
        notifications=notifications,
        notify_about=about if about in NOTIFY_LEVELS else "everything",
        web_app_url=_as_text(store.value(_KEYS["web_app_url"])) or DEFAULT_WEB_APP_URL,
    )


def save_settings(store: SettingsStore, settings: AppSettings) -> None:
    """Write the settings; any key that could hold a secret is removed, not kept."""
    store.setValue(_KEYS["api_url"], settings.api_url)
    store.setValue(_KEYS["supabase_url"], settings.supabase_url)
    store.setValue(_KEYS["anon_key"], settings.anon_key)
    store.setValue(_KEYS["language"], settings.language)
    store.setValue(_KEYS["start_at_login"], settings.start_at_login)
    store.setValue(_KEYS["start_minimized"], settings.start_minimized)
    store.setValue(_KEYS["web_app_url"], settings.web_app_url)
    for kind in NOTIFICATION_KINDS:
        store.setValue(_NOTIFY_KEY + kind, kind in settings.notifications)
    store.setValue(_NOTIFY_LEVEL_KEY, settings.notify_about)
    for key in _FORBIDDEN_KEYS:
        store.remove(key)


# ---------------------------------------------------------------- platform places

APP_ID = "storyclip-desktop"
#: Hidden first argument: run the local backend's command line instead of the app.
#: In a frozen app ``sys.executable`` is this app's binary, not Python, so the app
#: starts itself with this to get the backend (storyclip_desktop.demo_process).
RUN_DEMO_BACKEND = "--run-demo-backend"
#: The names Windows and macOS folders carry (``%LOCALAPPDATA%\\<author>\\<name>``).
APP_NAME = "StoryClip Desktop"
APP_AUTHOR = "StoryClip"
LOG_FILE = "storyclip-desktop.log"


def _folders(platform: str | None) -> PlatformDirsABC:
    """The platform's folders for this app, from platformdirs (the one place that
    knows them); ``platform`` is a ``sys.platform`` value, the running one by default.

    platformdirs reads the environment (``HOME``, ``XDG_*``, and on Windows the
    known folders) when a folder is asked for, not when this is built. Each
    platform's module is imported here, when first needed.
    """
    system = sys.platform if platform is None else platform
    if system == "win32":
        from platformdirs.windows import Windows

        return Windows(appname=APP_NAME, appauthor=APP_AUTHOR)
    if system == "darwin":
        from platformdirs.macos import MacOS

        return MacOS(appname=APP_NAME)
    from platformdirs.unix import Unix

    return Unix(appname=APP_ID)


def log_dir(platform: str | None = None) -> Path:
    """Where the rotating log lives: the platform's place for an app's logs.

    Linux and other XDG systems: ``$XDG_STATE_HOME/storyclip-desktop/log``
    (``~/.local/state/...``); Windows: ``%LOCALAPPDATA%\\StoryClip\\StoryClip
    Desktop\\Logs``; macOS: ``~/Library/Logs/StoryClip Desktop``.
    """
    return Path(_folders(platform).user_log_dir)


def data_dir(platform: str | None = None) -> Path:
    """Where the app keeps what it must remember (which batches were announced).

    Linux and other XDG systems: ``$XDG_DATA_HOME/storyclip-desktop``
    (``~/.local/share/...``); Windows: ``%LOCALAPPDATA%\\StoryClip\\StoryClip
    Desktop``; macOS: ``~/Library/Application Support/StoryClip Desktop``.
    """
    return Path(_folders(platform).user_data_dir)


# ---------------------------------------------------------------- start at login

#: Platforms where :func:`set_autostart` writes an XDG autostart entry. Elsewhere the
#: platform's own way applies (packaging/README.md): a shortcut in the Startup folder
#: or the ``HKCU\...\Run`` key on Windows, a login item on macOS.
AUTOSTART_SUPPORTED = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def autostart_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/autostart/storyclip-desktop.desktop`` (``~/.config`` by default)."""
    environ = os.environ if env is None else env
    home = Path(environ.get("HOME") or Path.home())
    base = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(base) / "autostart" / f"{APP_ID}.desktop"


def launch_command() -> list[str]:
    """How this very installation is started again: the frozen binary, the
    ``storyclip-desktop`` script beside this Python, or ``python -m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).with_name(APP_ID)
    if script.exists():
        return [str(script)]
    import shutil  # here: the first window does not need it (start-up time)

    found = shutil.which(APP_ID)
    if found:
        return [found]
    return [sys.executable, "-m", "storyclip_desktop"]


_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _exec_arg(arg: str) -> str:
    """One argument of a desktop entry's ``Exec`` key (Desktop Entry spec, "The
    Exec key"): quoted when it holds a reserved character, ``%`` doubled, and the
    whole value escaped once more as a desktop-entry string."""
    text = arg.replace("%", "%%")
    if any(c in _EXEC_RESERVED for c in text):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in text)
        text = f'"{inner}"'
    return text.replace("\\", "\\\\")


def autostart_entry(command: list[str]) -> str:
    """The autostart ``.desktop`` text that runs ``command`` at login."""
    exec_line = " ".join(_exec_arg(a) for a in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=StoryClip Desktop\n"
        "Comment=Follow your StoryClip publish batches from the system tray\n"
        f"Exec={exec_line}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
        "X-KDE-autostart-after=panel\n"
    )


def autostart_enabled(env: Mapping[str, str] | None = None) -> bool:
    return autostart_path(env).is_file()


def set_autostart(
    enabled: bool,
    *,
    command: list[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Create or remove the XDG autostart entry; returns its path.

    Raises ``OSError`` when the file cannot be written (the dialog says so).
    """
    path = autostart_path(env)
    if not enabled:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    text = autostart_entry(command or launch_command())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
