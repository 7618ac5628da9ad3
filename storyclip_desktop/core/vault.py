"""The session in the OS keyring, and what happens when there is none.

Only what restoring a session needs is stored (the refresh token, the user's id
and e-mail, the auth server it belongs to), as one small JSON text under one
keyring entry: Windows' Credential Manager refuses blobs above 2,560 bytes and
keyring stores the text there as UTF-16, so the serialized form is checked
against that limit in UTF-16 (a 1,280-character budget).

Keyring calls can block (D-Bus round trips, an unlock prompt), so each one runs
in a worker thread, one at a time and in call order: a ``save`` followed by a
``clear`` must never land the other way round. When there is no keyring, it is
locked or it fails, the session lives in memory only, :attr:`Vault.status` says
why in a sentence the app can show, and nothing is written anywhere else:
backends that would store the token in a plain file (``keyrings.alt``) or drop
it silently (the null backend) count as "no keyring".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from .log import get_logger, log_event
from .reasons import VaultReason

__all__ = [
    "MAX_SECRET_BYTES",
    "StoredSession",
    "Vault",
    "VaultReason",
    "VaultStatus",
]

_log = get_logger("vault")

#: Windows Credential Manager's CRED_MAX_CREDENTIAL_BLOB_SIZE, in bytes of UTF-16.
MAX_SECRET_BYTES = 2560

_MESSAGES: dict[VaultReason, str] = {
    "no_keyring": ("No system keyring was found; you will need to sign in again next time."),
    "locked": ("The system keyring is locked; you will need to sign in again next time."),
    "error": ("The system keyring could not be used; you will need to sign in again next time."),
}

_T = TypeVar("_T")


@dataclass(frozen=True)
class StoredSession:
    """What a restart needs to get a session back (no access token: it is refreshed).

    ``auth_url`` ties the token to the server that issued it, so a session of the
    demo backend is never sent to the real one (or the other way round).
    """

    refresh_token: str = field(repr=False)
    user_id: str
    email: str | None = None
    auth_url: str | None = None

    def to_text(self) -> str:
        """The keyring text, short keys to leave room under the Windows limit."""
        data: dict[str, object] = {"v": 1, "rt": self.refresh_token, "uid": self.user_id}
        if self.email is not None:
            data["em"] = self.email
        if self.auth_url is not None:
            data["au"] = self.auth_url
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_text(cls, text: str) -> StoredSession | None:
        """Read what :meth:`to_text` wrote; anything else is ``None``, never an error."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("v") != 1:
            return None
        rt, uid = data.get("rt"), data.get("uid")
        em, au = data.get("em"), data.get("au")
        if not (isinstance(rt, str) and rt and isinstance(uid, str) and uid):
            return None
        return cls(
            refresh_token=rt,
            user_id=uid,
            email=em if isinstance(em, str) else None,
            auth_url=au if isinstance(au, str) else None,
        )


def secret_size(text: str) -> int:
    """Bytes the text takes in Windows' credential blob (UTF-16, as keyring writes it)."""
    return len(text.encode("utf-16-le"))


def fit_for_keyring(stored: StoredSession) -> str | None:
    """The keyring text, dropping the optional e-mail (a refresh returns it again)
    when the whole does not fit the Windows limit; ``None`` when nothing fits."""
    for candidate in (
        stored,
        StoredSession(stored.refresh_token, stored.user_id, None, stored.auth_url),
    ):
        text = candidate.to_text()
        if secret_size(text) <= MAX_SECRET_BYTES:
            return text
    return None


@dataclass(frozen=True)
class VaultStatus:
    """Whether the session survives a restart; when not, why (``reason``, stable for
    translation) and an English sentence the app can show as it is (``message``)."""

    persistent: bool
    message: str | None = None
    reason: VaultReason | None = None


_OK = VaultStatus(persistent=True)


class _Refused(keyring.errors.NoKeyringError):
    """The backend exists but would lose the token or write it to disk in clear."""


def _classify(exc: BaseException) -> VaultReason:
    if isinstance(exc, keyring.errors.NoKeyringError):
        return "no_keyring"
    if isinstance(exc, keyring.errors.KeyringLocked | keyring.errors.InitError):
        # InitError is what the Secret Service backend raises when the unlock
        # prompt is dismissed or cannot be shown: the keyring exists, closed.
        return "locked"
    return "error"


def _check_backend(backend: keyring.backend.KeyringBackend) -> None:
    if isinstance(backend, fail.Keyring):
        raise _Refused("no keyring backend is available")
    if isinstance(backend, null.Keyring):
        raise _Refused("the null keyring stores nothing")
    if isinstance(backend, chainer.ChainerBackend):
        # A chain writes to the first member that accepts: a locked Secret Service
        # followed by a plaintext file backend would land the token on disk.
        members = list(backend.backends)
        if not members:
            raise _Refused("the chained keyring has no backend")
        for member in members:
            _check_backend(member)
    module = type(backend).__module__
    if module.startswith("keyrings.alt"):
        raise _Refused(f"refusing file-based keyring {type(backend).__name__}")


def _in_daemon_thread(work: Callable[[], _T]) -> asyncio.Future[_T]:
    """``work()`` in a daemon thread, its outcome as a future of the running loop.

    Not ``asyncio.to_thread``: the default executor's threads are joined when the
    loop closes (and at interpreter exit), so a keyring call stuck on an unlock
    prompt, or on a Secret Service that never answers, held quitting up for as
    long as it hung (a minute, measured on a desktop with a locked keyring).
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()

    def deliver(result: _T | None, error: BaseException | None) -> None:
        if future.done():  # a timed-out call's future is already cancelled
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            result, error = work(), None
        except BaseException as exc:  # handed to the awaiting task, as to_thread does
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(deliver, result, error)

    threading.Thread(target=run, name="storyclip-keyring", daemon=True).start()
    return future


class Vault:
    """One keyring entry holding the stored session; errors become :attr:`status`.

    ``backend`` picks a keyring backend (tests); by default keyring's own choice
    is resolved on first use, in a worker thread because probing D-Bus can block.
    ``timeout`` bounds how long a call is awaited (an unlock prompt nobody answers);
    the thread itself cannot be stopped and finishes in the background, as a
    daemon thread: quitting never waits for a keyring that hangs.
    """

    def __init__(
        self,
        service: str = "StoryClip Desktop",
        account: str = "session",
        *,
        backend: keyring.backend.KeyringBackend | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.service = service
        self.account = account
        self.status: VaultStatus = _OK
        #: Seconds the last keyring call of each kind took ("load", "save", "clear").
        self.latency: dict[str, float] = {}
        self._backend = backend
        self._timeout = timeout
        self._lock = asyncio.Lock()

    def _resolve(self) -> keyring.backend.KeyringBackend:
        backend = self._backend
        if backend is None:
            backend = keyring.get_keyring()
            self._backend = backend
        _check_backend(backend)
        return backend

    async def _call(
        self,
        op: str,
        fn: Callable[[keyring.backend.KeyringBackend], _T],
        at_most: float | None = None,
    ) -> _T:
        """Run one keyring call off the event loop; raise the keyring's error.
        ``at_most``: seconds to wait for it (default: the vault's timeout)."""

        def work() -> _T:
            return fn(self._resolve())

        async with self._lock:
            started = time.perf_counter()
            try:
                wait = self._timeout if at_most is None else min(at_most, self._timeout)
                return await asyncio.wait_for(_in_daemon_thread(work), wait)
            finally:
                elapsed = time.perf_counter() - started
                self.latency[op] = elapsed
                log_event(_log, "vault.call", logging.DEBUG, op=op, ms=round(elapsed * 1000, 1))

    def _failed(self, op: str, exc: BaseException) -> None:
        reason: VaultReason = "locked" if isinstance(exc, TimeoutError) else _classify(exc)
        self.status = VaultStatus(persistent=False, message=_MESSAGES[reason], reason=reason)
        # The exception text of a keyring backend never holds the secret, but keep
        # to its type: D-Bus errors can be long and are of no use to the user.
        log_event(
            _log,
            "vault.unavailable",
            logging.WARNING,
            op=op,
            reason=reason,
            error=type(exc).__name__,
        )

    async def load(self) -> StoredSession | None:
        """The stored session, or ``None`` (nothing stored, unreadable, or no keyring)."""
        try:
            text = await self._call("load", lambda b: b.get_password(self.service, self.account))
        except Exception as exc:
            self._failed("load", exc)
            return None
        self.status = _OK
        if text is None:
            return None
        stored = StoredSession.from_text(text)
        if stored is None:
            log_event(_log, "vault.unreadable", logging.WARNING, chars=len(text))
        return stored

    async def save(self, stored: StoredSession) -> None:
        """Store the session; on failure keep going in memory (see :attr:`status`).

        A failed save also tries to remove what was stored before: after a token
        rotation the old refresh token is spent, and presenting it on the next
        start would look like token reuse to the server.
        """
        text = fit_for_keyring(stored)
        if text is None:
            self._failed("save", ValueError("the session is too large for the keyring"))
            await self._clear_quietly()
            return
        try:
            await self._call("save", lambda b: b.set_password(self.service, self.account, text))
        except Exception as exc:
            self._failed("save", exc)
            await self._clear_quietly()
            return
        self.status = _OK

    async def _clear_quietly(self) -> None:
        try:
            await self._delete()
        except Exception as exc:
            log_event(_log, "vault.clear_failed", logging.DEBUG, error=type(exc).__name__)

    async def _delete(self, at_most: float | None = None) -> None:
        def delete(backend: keyring.backend.KeyringBackend) -> None:
            # Nothing stored is what we want; a backend that cannot delete at
            # all raises something else (NoKeyringError is a RuntimeError).
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                backend.delete_password(self.service, self.account)

        await self._call("clear", delete, at_most)

    async def clear(self, at_most: float | None = None) -> None:
        """Forget the stored session (sign-out, revoked token). Never raises.
        ``at_most``: seconds to wait for the keyring (default: the vault's timeout)."""
        try:
            await self._delete(at_most)
        except Exception as exc:
            self._failed("clear", exc)
