"""The settings and About dialogs in the real desktop session (Xvfb, the xcb
platform, gnome-keyring): pictures for people to look at (tests/artifacts/screenshots)
and for the AppStream metadata, and the API key saved by the dialog found in the
Secret Service with secret-tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from tests.backend import REPO, Backend
from tests.e2e.desktop import (
    current_session,
    desktop_required,
    keyring_get,
    not_in_session_reason,
)

OUT = REPO / "tests" / "artifacts" / "screenshots"


@pytest.mark.desktop
def test_dialogs_on_x_and_the_api_key_in_the_secret_service(backend: Backend) -> None:
    if current_session() is None:
        reason = not_in_session_reason("none")
        if desktop_required():
            pytest.fail(f"STORYCLIP_REQUIRE_DESKTOP=1 and {reason}", pytrace=False)
        pytest.skip(reason)
    subprocess.run(["secret-tool", "clear", "service", "StoryClip Desktop",
                    "username", "api-key"], check=False, timeout=30)  # fmt: skip
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    env.pop("PYTHON_KEYRING_BACKEND", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.packaging.shoot_dialogs", str(OUT), backend.url,
             backend.anon_key, backend.api_key],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=150, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        stored = keyring_get("StoryClip Desktop", "api-key")
    finally:
        subprocess.run(["secret-tool", "clear", "service", "StoryClip Desktop",
                        "username", "api-key"], check=False, timeout=30)  # fmt: skip
    assert stored == backend.api_key  # the dialog's Save put it in gnome-keyring
    assert result["problems_en"] == []
    assert result["result_en"].splitlines() == [
        "✓ Sign-in service (Supabase): reachable, anon key accepted.",
        "✓ StoryClip API: reachable, API key accepted.",
    ]
    assert result["result_es"].startswith("✓ Servicio de inicio de sesión (Supabase)")
    for name in result["files"]:
        image = QImage(str(OUT / name))
        assert image.width() > 300, name
        assert image.height() > 200, name
    settings_ini = (OUT / "settings-en.ini").read_text(encoding="utf-8")
    assert backend.api_key not in settings_ini
