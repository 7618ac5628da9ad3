"""Where the servers are: command line, then environment, then saved settings.

The core builds its clients from a :class:`ServerConfig`; the session resolves it
(:func:`resolve_servers`) from what the app hands it. No secret ever comes from the
saved settings: the StoryClip API key comes from the command line, the environment
or the keyring. Plain ``http://`` is accepted only for loopback servers unless the
user insists.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "ENV_ANON_KEY",
    "ENV_API_KEY",
    "ENV_API_URL",
    "ENV_SUPABASE_URL",
    "ConfigError",
    "ServerConfig",
    "check_key",
    "check_url",
    "resolve_servers",
]

ENV_API_URL = "STORYCLIP_API_URL"
ENV_SUPABASE_URL = "STORYCLIP_SUPABASE_URL"
ENV_ANON_KEY = "STORYCLIP_SUPABASE_ANON_KEY"
ENV_API_KEY = "STORYCLIP_API_KEY"


class ConfigError(ValueError):
    """A setting that cannot work; ``setting`` names it, the message says why (English),
    ``reason`` is a stable code the settings dialog translates (``not_url``,
    ``has_extras``, ``insecure``, ``empty``, ``bad_chars``, ``too_long``)."""

    def __init__(self, setting: str, message: str, reason: str = "") -> None:
        self.setting = setting
        self.reason = reason
        super().__init__(f"{setting}: {message}")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    api_url: str
    supabase_url: str
    anon_key: str
    api_key: str | None

    @property
    def auth_url(self) -> str:
        return self.supabase_url.rstrip("/") + "/auth/v1"

    @property
    def complete(self) -> bool:
        return bool(self.api_url and self.supabase_url and self.anon_key and self.api_key)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(setting: str, url: str, *, allow_insecure: bool = False) -> str:
    """Validate a server URL as typed; returns it without a trailing slash."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(setting, "expected an address like https://server.example", "not_url")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            setting, "the address must not contain a query, a fragment or a login", "has_extras"
        )
    if parts.scheme == "http" and not (allow_insecure or _is_loopback(parts.hostname)):
        raise ConfigError(
            setting, "plain http:// is refused for a remote server; use https://", "insecure"
        )
    return text.rstrip("/")


def resolve_servers(
    *,
    cli: Mapping[str, str | None],
    env: Mapping[str, str] | None = None,
    saved: Mapping[str, str] | None = None,
    allow_insecure: bool = False,
    stored_api_key: str | None = None,
) -> ServerConfig:
    """Merge the three sources (command line wins) and validate the URLs.

    The API key never comes from ``saved``: after the command line and the
    environment, only from ``stored_api_key`` (what the keyring holds).
    """
    environ = os.environ if env is None else env
    stored = saved or {}

    def pick(key: str, env_name: str) -> str:
        return (cli.get(key) or environ.get(env_name) or stored.get(key) or "").strip()

    api_url = pick("api_url", ENV_API_URL)
    supabase_url = pick("supabase_url", ENV_SUPABASE_URL)
    anon_key = pick("anon_key", ENV_ANON_KEY)
    api_key = (
        cli.get("api_key") or environ.get(ENV_API_KEY) or stored_api_key or ""
    ).strip() or None
    if api_url:
        api_url = check_url("api_url", api_url, allow_insecure=allow_insecure)
    if supabase_url:
        supabase_url = check_url("supabase_url", supabase_url, allow_insecure=allow_insecure)
    return ServerConfig(api_url, supabase_url, anon_key, api_key)


def check_key(setting: str, key: str) -> str:
    """An anon key or API key as typed: one token of printable ASCII, no spaces."""
    text = key.strip()
    if not text:
        raise ConfigError(setting, "is empty", "empty")
    if not text.isascii() or not text.isprintable() or any(c.isspace() for c in text):
        raise ConfigError(setting, "must be one word of printable ASCII characters", "bad_chars")
    if len(text) > 4096:
        raise ConfigError(setting, "is too long", "too_long")
    return text
