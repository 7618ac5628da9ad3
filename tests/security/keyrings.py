"""Keyring backends for the app-process tests, picked with ``PYTHON_KEYRING_BACKEND``.

The app process imports them by name (``tests.security.keyrings.RaisingKeyring``);
the repository is its working directory, so ``tests`` is importable there.

* :class:`FileKeyring`: a test stand-in for the Secret Service, a JSON file at
  ``$STORYCLIP_TEST_KEYRING`` the test can read (what was stored, when it was
  removed). Not a plaintext backend the app would ever accept in real life: the
  vault refuses ``keyrings.alt``, which is what a user could install.
* :class:`RaisingKeyring`: every call raises ``KeyringError`` (a broken D-Bus service).
* :class:`LockedKeyring`: every call raises ``KeyringLocked`` (a dismissed unlock prompt).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked, PasswordDeleteError

ENV_FILE = "STORYCLIP_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    priority = 1

    @staticmethod
    def path() -> Path:
        return Path(os.environ[ENV_FILE])

    def _items(self) -> dict[str, str]:
        try:
            data = json.loads(self.path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def _write(self, items: dict[str, str]) -> None:
        tmp = self.path().with_suffix(".tmp")
        tmp.write_text(json.dumps(items), encoding="utf-8")
        tmp.replace(self.path())

    def get_password(self, service: str, username: str) -> str | None:
        return self._items().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._items()
        items[f"{service}/{username}"] = password
        self._write(items)

    def delete_password(self, service: str, username: str) -> None:
        items = self._items()
        if items.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not stored")
        self._write(items)


class RaisingKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("org.freedesktop.DBus.Error.ServiceUnknown")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("org.freedesktop.DBus.Error.ServiceUnknown")


class LockedKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("the collection is locked")
