"""The frozen one-folder app (PyInstaller): it starts, runs its own demo backend as a
child of itself, and keeps the session in the Secret Service keyring.

Marked ``slow``: the first test of a run builds the app (about 30 s, cached in
build/test-frozen for the other tests and the desktop pass; see conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.backend import Backend
from tests.e2e.desktop import (
    current_session,
    desktop_required,
    keyring_get,
    not_in_session_reason,
)
from tests.packaging.conftest import assert_shipped_backend_has_no_admin

from .conftest import APP_NAME, FrozenAppProcess

pytestmark = pytest.mark.slow

BAD_WORDS = ("Traceback", "Task was destroyed", "Event loop is closed", "was never awaited")


def _binary(folder: Path) -> Path:
    return folder / APP_NAME


def _clean_exit(app: FrozenAppProcess, code: int) -> None:
    assert code == 0, app.tail()
    stderr = "\n".join(app.stderr_lines)
    for word in BAD_WORDS:
        assert word not in stderr, app.tail()
    assert app.events("stopped"), app.tail()


def test_version_and_help(frozen_app: Path) -> None:
    out = subprocess.run(
        [str(_binary(frozen_app)), "--version"], capture_output=True, text=True, timeout=60,
        check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "StoryClip Desktop 0.1.0"
    helptext = subprocess.run(
        [str(_binary(frozen_app)), "--help"], capture_output=True, text=True, timeout=60,
        check=True,
    ).stdout  # fmt: skip
    assert "--demo" in helptext
    assert "--run-demo-backend" not in helptext  # hidden: for the app itself


def test_folder_has_what_keyring_needs_and_no_unused_qt(frozen_app: Path) -> None:
    internal = frozen_app / "_internal"
    assert list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    entry_points = next(internal.glob("keyring-*.dist-info/entry_points.txt")).read_text()
    assert "SecretService = keyring.backends.SecretService" in entry_points
    # SecretService needs secretstorage, which needs cryptography's cffi backend: a
    # missing one makes keyring fall back to "no keyring" without a word.
    assert (internal / "cryptography").is_dir()
    assert list(internal.glob("_cffi_backend*.so"))
    qt = internal / "PySide6" / "Qt"
    assert (qt / "plugins" / "iconengines" / "libqsvgicon.so").exists()
    assert (qt / "plugins" / "platforms" / "libqxcb.so").exists()
    for unused in ("libQt6Qml.so.6", "libQt6Quick.so.6", "libQt6Pdf.so.6"):
        assert not (qt / "lib" / unused).exists(), unused
    assert not (qt / "plugins" / "platformthemes" / "libqgtk3.so").exists()
    assert not list(internal.glob("libgtk-3*"))
    resources = internal / "storyclip_desktop" / "resources"
    assert (resources / "icons" / "app.svg").exists()
    assert (resources / "translations" / "storyclip_es.qm").exists()
    assert (resources / "linux" / "storyclip-desktop.desktop").exists()
    files = [p for p in frozen_app.rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    print(f"\nfrozen app folder: {size / 2**20:.0f} MiB")
    assert size < 220 * 2**20


def test_frozen_demo_backend_has_no_admin_route(frozen_app: Path, tmp_path: Path) -> None:
    """The backend inside the frozen app (what --demo starts) carries none of the
    tests' switches: the API answers, /__admin does not exist."""
    assert_shipped_backend_has_no_admin([str(_binary(frozen_app)), "--run-demo-backend"], tmp_path)


def test_demo_minimized_reaches_batch_finished(frozen_app: Path, tmp_path: Path) -> None:
    """The frozen binary starts the local backend as `storyclip-desktop
    --run-demo-backend serve ...` (sys.executable is the app, not Python), signs in
    to it and follows its demo batches to the end, offscreen with no keyring."""
    app = FrozenAppProcess(_binary(frozen_app), tmp_path / "home", args=["--demo", "--minimized"])
    app.start()
    try:
        demo = app.wait_event("demo_backend", timeout=60)[0]
        assert demo["url"].startswith("http://127.0.0.1:")
        app.wait_event("signed_in", timeout=60)
        finished = app.wait_event("batch_finished", timeout=90)[0]
        assert finished["status"] in ("completed", "failed")
    finally:
        code = app.stop()
    _clean_exit(app, code)
    state = tmp_path / "home" / ".local" / "state" / "storyclip-desktop" / "log"
    rotating = (state / "storyclip-desktop.log").read_text(encoding="utf-8")
    assert '"event": "batch_finished"' in rotating  # the platform log folder has it too


@pytest.mark.desktop
def test_session_stored_and_found_in_the_secret_service(
    frozen_app: Path, tmp_path: Path, backend_factory: Callable[..., Backend]
) -> None:
    """The frozen app keeps keyring's backend entry points: in the real desktop
    session it stores the session in gnome-keyring (seen with secret-tool) and a
    second start signs in from it, with no password given."""
    session = current_session()
    if session is None:
        reason = not_in_session_reason("none")
        if desktop_required():
            pytest.fail(f"STORYCLIP_REQUIRE_DESKTOP=1 and {reason}", pytrace=False)
        pytest.skip(reason)
    backend = backend_factory()
    home = tmp_path / "home"
    real_keyring = {
        "PYTHON_KEYRING_BACKEND": None,
        "DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"],
    }
    subprocess.run(["secret-tool", "clear", "service", "StoryClip Desktop",
                    "username", "session"], check=False, timeout=30)  # fmt: skip
    first = FrozenAppProcess(_binary(frozen_app), home, backend=backend, env=real_keyring)
    first.start()
    try:
        first.wait_event("signed_in", timeout=60)
        stored_text = keyring_get("StoryClip Desktop", "session")
        assert stored_text is not None, first.tail()
        stored = json.loads(stored_text)
        assert stored["uid"] == backend.user_id
        assert stored["au"] == backend.url + "/auth/v1"
    finally:
        _clean_exit(first, first.stop())
    assert first.events("vault.unavailable") == [], first.tail()

    second = FrozenAppProcess(
        _binary(frozen_app), home, backend=backend, env=real_keyring, sign_in=False,
        log_name="second.log",
    )  # fmt: skip
    second.start()
    try:
        signed_in = second.wait_event("signed_in", timeout=60)[0]
        assert signed_in["user_id"] == backend.user_id
    finally:
        _clean_exit(second, second.stop())
        subprocess.run(["secret-tool", "clear", "service", "StoryClip Desktop",
                        "username", "session"], check=False, timeout=30)  # fmt: skip
    assert second.events("vault.unavailable") == [], second.tail()
