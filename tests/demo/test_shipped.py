"""The backend as it ships (``python -m storyclip_desktop.demo``, what ``--demo`` runs)
has none of the tests' switches: no ``/__admin`` route, no ``--faults`` option, no
bench batches. The tests' launcher (tests/demo_ext) adds them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.backend import REPO


def test_the_shipped_backend_has_no_admin_route_and_no_fault_option(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyclip_desktop.demo", "serve", "--port", "0",
         "--db", str(tmp_path / "b.db"), "--seed-demo", "--api-key", "k"],
        cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, timeout=10) as http:
            for path in ("/__admin/info", "/__admin/faults", "/__admin/bench"):
                assert http.get(path).status_code == 404, path
            assert (
                http.post("/__admin/users", json={"email": "a@b.c", "password": "x"}).status_code
                == 404
            )
            # The API itself is there.
            health = http.get("/auth/v1/health", headers={"apikey": "demo-anon-key"})
            assert health.status_code == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0
        if proc.stdout is not None:
            proc.stdout.close()

    refused = subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "serve", "--db", str(tmp_path / "c.db"),
         "--faults", '{"fail_next": 1}'],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "unrecognized arguments: --faults" in refused.stderr


def test_default_database_is_in_the_platforms_state_folder(tmp_path: Path) -> None:
    """Without --db the backend's file goes to the state folder (XDG on Linux)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(tmp_path / "home"), XDG_STATE_HOME=str(tmp_path / "state"))
    subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "add-user", "a@example.com", "pw-1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert (tmp_path / "state" / "storyclip-desktop" / "demo-backend.sqlite3").is_file()
    del env["XDG_STATE_HOME"]
    subprocess.run(
        [sys.executable, "-m", "storyclip_desktop.demo", "add-user", "a@example.com", "pw-1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    db = tmp_path / "home" / ".local" / "state" / "storyclip-desktop" / "demo-backend.sqlite3"
    assert db.is_file()
