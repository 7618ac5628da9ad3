"""The session vault: what is stored, that keyring calls never block the loop, and
what happens with no keyring, a locked one or a failing one.

The failure paths use keyring's own failing backend (``keyring.backends.fail``)
where it exists and small ``KeyringBackend`` subclasses for "locked" and "raises
on every call". The real Secret Service is exercised twice: in a private D-Bus
session this test starts itself (gnome-keyring-daemon, unlocked, then locked;
needs only the two programs), and in the ambient desktop session CI provides
(``@pytest.mark.desktop``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from storyclip_desktop.core.vault import (
    MAX_SECRET_BYTES,
    StoredSession,
    Vault,
    VaultStatus,
    fit_for_keyring,
    secret_size,
)

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in a dict that records which thread called it and can be slowed."""

    priority = -10  # never a candidate for keyring's own backend choice

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.threads: set[int] = set()
        self.delay = delay
        self.calls: list[str] = []

    def _enter(self, op: str) -> None:
        self.threads.add(threading.get_ident())
        self.calls.append(op)
        if self.delay:
            time.sleep(self.delay)  # a slow D-Bus round trip, in the worker thread

    def get_password(self, service: str, username: str) -> str | None:
        self._enter("get")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._enter("set")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._enter("delete")
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class LockedKeyring(keyring.backend.KeyringBackend):
    """What the Secret Service backend raises when the unlock prompt is dismissed."""

    priority = -10  # never a candidate for keyring's own backend choice

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class BrokenKeyring(keyring.backend.KeyringBackend):
    """Raises on every call, as a D-Bus daemon that died mid-session does."""

    priority = -10  # never a candidate for keyring's own backend choice

    def get_password(self, service: str, username: str) -> str | None:
        raise OSError("connection reset by peer")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("could not store")

    def delete_password(self, service: str, username: str) -> None:
        raise OSError("connection reset by peer")


class BlockingKeyring(keyring.backend.KeyringBackend):
    """Waits for an event, as an unlock prompt nobody answers."""

    priority = -10  # never a candidate for keyring's own backend choice

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None

    set_password = delete_password = get_password


SAMPLE = StoredSession(
    refresh_token="r" * 43,
    user_id="0b3c5f9e-1d2a-4c8b-9f00-123456789abc",
    email="ana@example.com",
    auth_url="http://127.0.0.1:1234/auth/v1",
)


# ---------------------------------------------------------------- what is stored


def test_stored_session_round_trips_and_hides_the_token_from_repr() -> None:
    text = SAMPLE.to_text()
    assert StoredSession.from_text(text) == SAMPLE
    assert "r" * 43 not in repr(SAMPLE)
    assert StoredSession.from_text(StoredSession("t", "u").to_text()) == StoredSession("t", "u")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        "{}",
        '{"v": 2, "rt": "x", "uid": "u"}',
        '{"v": 1, "rt": "", "uid": "u"}',
        '{"v": 1, "rt": "x", "uid": 5}',
        "[" * 100_000,
    ],
)
def test_unreadable_stored_text_is_none_never_an_error(text: str) -> None:
    assert StoredSession.from_text(text) is None


def test_largest_realistic_session_fits_the_windows_credential_limit() -> None:
    """Supabase refresh tokens are short, but a 254-character e-mail (RFC 5321's
    limit), a long self-hosted auth URL and a generous 200-character token must
    still fit 2,560 bytes of UTF-16 (keyring's Windows backend writes UTF-16)."""
    big = StoredSession(
        refresh_token="x" * 200,
        user_id="0b3c5f9e-1d2a-4c8b-9f00-123456789abc",
        email=("ñ" * 64) + "@" + ("d" * 189),
        auth_url="https://" + "p" * 200 + ".supabase.co/auth/v1",
    )
    text = fit_for_keyring(big)
    assert text == big.to_text()
    assert secret_size(text) <= MAX_SECRET_BYTES
    assert secret_size(text) == 2 * len(text)  # UTF-16 of BMP text, as Windows stores it


def test_oversized_session_drops_the_email_then_refuses() -> None:
    no_room_for_email = StoredSession("x" * 1000, "u", email="e" * 300)
    text = fit_for_keyring(no_room_for_email)
    assert text is not None
    assert StoredSession.from_text(text) == StoredSession("x" * 1000, "u", email=None)
    assert fit_for_keyring(StoredSession("x" * 1300, "u")) is None


# ---------------------------------------------------------------- a working keyring


async def test_round_trip_runs_every_call_in_a_worker_thread() -> None:
    backend = MemoryKeyring()
    vault = Vault("StoryClip Test", "session", backend=backend)
    assert await vault.load() is None
    await vault.save(SAMPLE)
    assert await vault.load() == SAMPLE
    await vault.clear()
    assert await vault.load() is None
    await vault.clear()  # clearing nothing is fine
    assert vault.status == VaultStatus(persistent=True, message=None, reason=None)
    assert backend.threads
    assert threading.get_ident() not in backend.threads
    assert set(vault.latency) == {"load", "save", "clear"}


async def test_a_slow_keyring_does_not_block_the_event_loop() -> None:
    backend = MemoryKeyring(delay=0.3)
    vault = Vault(backend=backend)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        await vault.save(SAMPLE)
    finally:
        task.cancel()
    # 0.3 s of keyring time: a blocked loop would have ticked zero times.
    assert ticks >= 10


async def test_calls_land_in_the_order_they_were_made() -> None:
    """A save immediately followed by a clear (sign-out during a refresh) must end
    cleared, however the worker threads are scheduled."""
    backend = MemoryKeyring(delay=0.05)
    vault = Vault(backend=backend)
    save = asyncio.create_task(vault.save(SAMPLE))
    await asyncio.sleep(0)
    clear = asyncio.create_task(vault.clear())
    await asyncio.gather(save, clear)
    assert backend.calls == ["set", "delete"]
    assert backend.items == {}


async def test_unreadable_entry_loads_as_nothing() -> None:
    backend = MemoryKeyring()
    backend.items[("StoryClip Desktop", "session")] = "hunter2"
    vault = Vault(backend=backend)
    assert await vault.load() is None
    assert vault.status.persistent


# ---------------------------------------------------------------- no keyring / locked / error


@pytest.mark.parametrize(
    ("backend", "reason", "sentence"),
    [
        (fail.Keyring(), "no_keyring", "No system keyring was found"),
        (null.Keyring(), "no_keyring", "No system keyring was found"),
        (LockedKeyring(), "locked", "The system keyring is locked"),
        (BrokenKeyring(), "error", "The system keyring could not be used"),
    ],
    ids=["fail-backend", "null-backend", "locked", "raises-on-every-call"],
)
async def test_unusable_keyring_is_reported_and_never_raises(
    backend: keyring.backend.KeyringBackend, reason: str, sentence: str
) -> None:
    vault = Vault(backend=backend)
    assert await vault.load() is None
    assert not vault.status.persistent
    assert vault.status.reason == reason
    assert vault.status.message is not None
    assert vault.status.message.startswith(sentence)
    assert vault.status.message.endswith("you will need to sign in again next time.")
    await vault.save(SAMPLE)
    await vault.clear()
    assert vault.status.reason == reason
    assert "r" * 43 not in (vault.status.message or "")


async def test_file_based_keyrings_are_refused() -> None:
    """keyrings.alt would make a plaintext file the default backend: the token must
    never land on disk in clear, so such a backend counts as no keyring."""

    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    backend = PlaintextKeyring()
    vault = Vault(backend=backend)
    await vault.save(SAMPLE)
    assert backend.items == {}
    assert vault.status.reason == "no_keyring"


async def test_a_keyring_that_recovers_is_used_again() -> None:
    backend = MemoryKeyring()
    vault = Vault(backend=LockedKeyring())
    await vault.save(SAMPLE)
    assert vault.status.reason == "locked"
    vault._backend = backend  # the user unlocked it (same object in real life)
    await vault.save(SAMPLE)
    assert vault.status == VaultStatus(persistent=True)
    assert await vault.load() == SAMPLE


async def test_an_unanswered_unlock_prompt_times_out_as_locked() -> None:
    backend = BlockingKeyring()
    vault = Vault(backend=backend, timeout=0.2)
    started = time.monotonic()
    try:
        assert await vault.load() is None
    finally:
        backend.release.set()
    assert time.monotonic() - started < 5
    assert vault.status.reason == "locked"


def test_quitting_does_not_wait_for_a_keyring_that_hangs() -> None:
    """A process whose keyring call hangs (an unlock prompt nobody answers, a
    Secret Service that never replies) still exits when its loop is done: the
    call times out as locked and its thread does not hold up the exit. With
    ``asyncio.to_thread`` the loop's close joined that thread: the app took as
    long to quit as the keyring hung (a minute on a desktop with a locked one)."""
    script = textwrap.dedent(
        """
        import asyncio, threading, time
        import keyring.backend
        from storyclip_desktop.core.vault import Vault

        class Hangs(keyring.backend.KeyringBackend):
            priority = -10
            def get_password(self, service, username):
                threading.Event().wait()  # forever
            set_password = delete_password = get_password

        async def main():
            vault = Vault(backend=Hangs(), timeout=0.3)
            await vault.load()
            print(vault.status.reason, flush=True)

        asyncio.run(main())
        """
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert time.monotonic() - started < 20
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "locked"


async def test_failed_save_removes_the_now_spent_token() -> None:
    """After a rotation the old refresh token is spent; if the new one cannot be
    stored, leaving the old one would make the next start look like token reuse."""

    class SetFails(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError("disk full")

    backend = SetFails()
    backend.items[("StoryClip Desktop", "session")] = SAMPLE.to_text()
    vault = Vault(backend=backend)
    await vault.save(StoredSession("new-token", SAMPLE.user_id))
    assert vault.status.reason == "error"
    assert backend.items == {}


# ---------------------------------------------------------------- real keyrings


def _fresh_env(tmp_path: Path, *, bus: bool) -> dict[str, str]:
    home = tmp_path / "home"
    run = tmp_path / "run"
    home.mkdir()
    run.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(run),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PYTHONPATH": str(REPO),
        "LANG": "C.UTF-8",
    }
    if not bus:
        env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + str(run / "no-bus-here")
    return env


_VAULT_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from storyclip_desktop.core.vault import StoredSession, Vault

    async def main():
        out = {}
        vault = Vault("StoryClip Test", "session")
        stored = StoredSession("refresh-" + "x" * 40, "user-1", "ana@example.com")
        out["load_empty"] = await vault.load() is None
        out["resolve_ms"] = round(vault.latency["load"] * 1000, 1)
        times = {"save": [], "load": [], "clear": []}
        for _ in range(int(sys.argv[1])):
            await vault.save(stored)
            times["save"].append(vault.latency["save"])
            out["round_trip"] = (await vault.load()) == stored
            times["load"].append(vault.latency["load"])
            await vault.clear()
            times["clear"].append(vault.latency["clear"])
        out["cleared"] = await vault.load() is None
        out["status"] = [vault.status.persistent, vault.status.reason]
        out["ms"] = {k: sorted(round(x * 1000, 1) for x in v) for k, v in times.items()}
        if sys.argv[2] == "lock":
            import secretstorage
            await vault.save(stored)
            bus = secretstorage.dbus_init()
            secretstorage.get_default_collection(bus).lock()
            out["locked_load"] = await vault.load() is None
            out["locked_status"] = [vault.status.persistent, vault.status.reason,
                                    vault.status.message]
        print("RESULT " + json.dumps(out))

    asyncio.run(main())
    """
)


def _needs(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian: dbus-daemon, gnome-keyring)")


def _run_in_private_session(
    tmp_path: Path, keyring_cmd: str, rounds: int = 5, mode: str = "plain"
) -> dict[str, Any]:
    env = _fresh_env(tmp_path, bus=True)
    script = tmp_path / "vault_probe.py"
    script.write_text(_VAULT_SCRIPT)
    # No DISPLAY: with one, gnome-keyring waits on an unlock prompt forever.
    inner = f"{keyring_cmd} >/dev/null; exec {sys.executable} {script} {rounds} {mode}"
    proc = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", inner],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, f"probe failed (rc={proc.returncode}): {proc.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result


def test_real_secret_service_round_trip_and_lock_in_a_private_session(tmp_path: Path) -> None:
    """A real gnome-keyring in a D-Bus session of our own: store, read, delete,
    then lock the collection and see the vault report it (no prompt can show)."""
    _needs("dbus-run-session", "gnome-keyring-daemon")
    result = _run_in_private_session(
        tmp_path,
        "echo -n test-pass | gnome-keyring-daemon --unlock --components=secrets",
        rounds=5,
        mode="lock",
    )
    assert (result["load_empty"], result["round_trip"], result["cleared"]) == (True, True, True)
    assert result["status"] == [True, None]
    assert result["locked_load"]
    persistent, reason, message = result["locked_status"]
    assert (persistent, reason) == (False, "locked")
    assert message.startswith("The system keyring is locked")
    print(f"\nsecret service latency (ms): resolve {result['resolve_ms']} {result['ms']}")


def test_real_secret_service_never_unlocked_counts_as_locked(tmp_path: Path) -> None:
    """A keyring daemon running but never unlocked, and no display for the prompt:
    keyring raises InitError ("Prompt dismissed"); the user is told it is locked."""
    _needs("dbus-run-session", "gnome-keyring-daemon")
    env = _fresh_env(tmp_path, bus=True)
    code = (
        "import asyncio\n"
        "from storyclip_desktop.core.vault import StoredSession, Vault\n"
        "async def main():\n"
        "    v = Vault('StoryClip Test')\n"
        "    await v.save(StoredSession('t', 'u'))\n"
        "    print('RESULT', v.status.persistent, v.status.reason)\n"
        "asyncio.run(main())\n"
    )
    inner = (
        "gnome-keyring-daemon --start --components=secrets >/dev/null; "
        f'exec {sys.executable} -c "$PROBE"'
    )
    proc = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", inner],
        env={**env, "PROBE": code},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "RESULT False locked" in proc.stdout, proc.stderr[-2000:]


def test_no_session_bus_means_no_keyring_and_nothing_on_disk(tmp_path: Path) -> None:
    """keyring's own choice with no D-Bus session: its failing backend. The vault
    says so, and neither keyring nor the vault writes anything under HOME."""
    env = _fresh_env(tmp_path, bus=False)
    code = (
        "import asyncio\n"
        "from storyclip_desktop.core.vault import StoredSession, Vault\n"
        "async def main():\n"
        "    v = Vault('StoryClip Test')\n"
        "    await v.save(StoredSession('secret-refresh-token', 'u'))\n"
        "    loaded = await v.load()\n"
        "    await v.clear()\n"
        "    print('RESULT', loaded, v.status.persistent, v.status.reason)\n"
        "    print('MESSAGE', v.status.message)\n"
        "asyncio.run(main())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "RESULT None False no_keyring" in proc.stdout, proc.stderr[-2000:]
    assert (
        "MESSAGE No system keyring was found; you will need to sign in again next time."
        in proc.stdout
    )
    written = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
    assert written == []
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "vault_probe.py":
            assert b"secret-refresh-token" not in path.read_bytes()


def _ambient_secret_service() -> str | None:
    """Why the ambient-session test cannot run here, or None when it can."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)"
    try:
        from keyring.backends import SecretService
    except ImportError:  # pragma: no cover - SecretStorage is a keyring dependency
        return "keyring's SecretService backend cannot be imported"
    backend = keyring.get_keyring()
    members = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    if not any(isinstance(m, SecretService.Keyring) for m in members):
        return f"the default keyring is {type(backend).__name__}, not the Secret Service"
    return None


@pytest.mark.desktop
async def test_real_keyring_round_trip_in_the_desktop_session() -> None:
    """The keyring the app will really use in CI's desktop session (helper-5's
    launcher): round trip, and the latency that decided to keep calls off the loop."""
    why = await asyncio.to_thread(_ambient_secret_service)
    if why is not None:
        pytest.skip(why)
    vault = Vault("StoryClip Desktop Test", f"session-{os.getpid()}")
    try:
        await vault.save(SAMPLE)
        assert vault.status.persistent, vault.status
        assert await vault.load() == SAMPLE
        timings = {k: round(v * 1000, 1) for k, v in vault.latency.items()}
    finally:
        await vault.clear()
    assert await vault.load() is None
    assert vault.status.persistent
    print(f"\nsecret service latency (ms): {timings}")
