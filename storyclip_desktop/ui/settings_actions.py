"""The settings dialog's real backend, without Qt widgets: the settings in
``QSettings`` (never a secret), the API key in the keyring
(:mod:`storyclip_desktop.core.secrets`), the XDG autostart entry, and the connection
check of :mod:`storyclip_desktop.core.checks` (the HTTP lives there, not here).

It satisfies :class:`~storyclip_desktop.ui.settings_dialog.SettingsBackend`, the
protocol the dialog talks to; the app builds it once the first window is shown
(it pulls in the keyring and httpx).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from storyclip_desktop.config import (
    AUTOSTART_SUPPORTED,
    AppSettings,
    SettingsStore,
    autostart_enabled,
    load_settings,
    save_settings,
    set_autostart,
)
from storyclip_desktop.core.checks import ConnectionReport, check_connection
from storyclip_desktop.core.log import get_logger, log_event
from storyclip_desktop.core.secrets import SecretEntry

__all__ = ["SettingsActions"]

_log = get_logger("ui.settings")


class SettingsActions:
    """The real backend: QSettings, the keyring entry, the autostart file, the check."""

    def __init__(
        self,
        store: SettingsStore,
        secret: SecretEntry,
        *,
        env: Mapping[str, str] | None = None,
        check_deadline: float = 10.0,
    ) -> None:
        self.store = store
        self.secret = secret
        self.env = env
        self.check_deadline = check_deadline

    def current(self) -> AppSettings:
        settings = load_settings(self.store)
        if AUTOSTART_SUPPORTED:
            # The file is the truth: the desktop's own "startup apps" tool may remove it.
            return replace(settings, start_at_login=autostart_enabled(self.env))
        return settings

    async def load_api_key(self) -> str | None:
        return await self.secret.load_text()

    def keyring_problem(self) -> str | None:
        status = self.secret.status
        return None if status.persistent else (status.reason or "error")

    async def check(
        self, api_url: str, supabase_url: str, anon_key: str, api_key: str
    ) -> ConnectionReport:
        return await check_connection(
            api_url, supabase_url, anon_key, api_key, deadline=self.check_deadline
        )

    async def save(self, settings: AppSettings, api_key: str | None) -> list[str]:
        problems: list[str] = []
        save_settings(self.store, settings)
        sync = getattr(self.store, "sync", None)
        if callable(sync):
            sync()
        if api_key is not None:
            if api_key:
                kept = await self.secret.save_text(api_key)
            else:
                await self.secret.clear()
                kept = self.secret.status.persistent
            if not kept:
                problems.append("keyring")
        if AUTOSTART_SUPPORTED and settings.start_at_login != autostart_enabled(self.env):
            try:
                set_autostart(settings.start_at_login, env=self.env)
            except OSError as exc:
                log_event(_log, "error", where="autostart", message=type(exc).__name__)
                problems.append("autostart")
        log_event(
            _log,
            "settings_saved",
            api_key_changed=api_key is not None,
            start_at_login=settings.start_at_login,
            problems=problems,
        )
        return problems


if TYPE_CHECKING:
    from .settings_dialog import SettingsBackend

    def _actions_are_a_backend(actions: SettingsActions) -> SettingsBackend:
        return actions  # mypy checks the duck typing against the protocol
