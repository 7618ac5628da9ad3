"""Small secrets other than the session in the OS keyring: the StoryClip API key.

The same rules as the session (:mod:`.vault`): calls run in a worker thread one at
a time, a keyring that is missing, locked or failing leaves :attr:`status` saying
why, and nothing is ever written anywhere else (the settings file never holds a
secret). Each secret is its own keyring entry of the app's service.
"""

from __future__ import annotations

import keyring.backend

from .log import get_logger, log_event
from .vault import MAX_SECRET_BYTES, Vault, VaultStatus, secret_size

__all__ = ["API_KEY_ACCOUNT", "SecretEntry", "api_key_entry"]

_log = get_logger("secrets")

#: The keyring account (user name) of the StoryClip API key.
API_KEY_ACCOUNT = "api-key"


class SecretEntry(Vault):
    """One text secret under (service, account); :meth:`clear` comes from the vault."""

    async def load_text(self) -> str | None:
        """The stored text, or ``None`` (nothing stored, or no usable keyring)."""
        try:
            text = await self._call("load", lambda b: b.get_password(self.service, self.account))
        except Exception as exc:
            self._failed("load", exc)
            return None
        self.status = VaultStatus(persistent=True)
        return text or None

    async def save_text(self, text: str) -> bool:
        """Store ``text``; False (and :attr:`status` says why) when it could not be kept."""
        if secret_size(text) > MAX_SECRET_BYTES:
            self._failed("save", ValueError("the secret is too large for the keyring"))
            return False
        try:
            await self._call("save", lambda b: b.set_password(self.service, self.account, text))
        except Exception as exc:
            self._failed("save", exc)
            return False
        self.status = VaultStatus(persistent=True)
        log_event(_log, "secret_saved", account=self.account)
        return True


def api_key_entry(
    service: str = "StoryClip Desktop",
    *,
    backend: keyring.backend.KeyringBackend | None = None,
    timeout: float = 60.0,
) -> SecretEntry:
    """The keyring entry of the StoryClip API key."""
    return SecretEntry(service, API_KEY_ACCOUNT, backend=backend, timeout=timeout)
