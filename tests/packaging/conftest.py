"""Builds shared by the packaging tests: the frozen app and the wheel, once per run.

The frozen build (packaging/pyinstaller/build.sh, about 30 s) is cached under
``build/test-frozen/<digest>``, where the digest covers the spec, build.sh and every
file of the package: the desktop-session pass (another pytest process) reuses the
build of the first pass, and an unchanged tree is never built twice.
``STORYCLIP_FROZEN_APP=/path/to/storyclip-desktop`` (the folder) uses a given build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.app_process import AppProcess
from tests.backend import REPO

BUILD_ROOT = REPO / "build" / "test-frozen"
APP_NAME = "storyclip-desktop"


def _digest() -> str:
    h = hashlib.sha256(sys.version.encode())
    paths = [
        REPO / "packaging" / "pyinstaller" / "storyclip-desktop.spec",
        REPO / "packaging" / "pyinstaller" / "build.sh",
        REPO / "packaging" / "pyinstaller" / "entry.py",
        *sorted(p for p in (REPO / "storyclip_desktop").rglob("*") if p.is_file()
                and "__pycache__" not in p.parts),
    ]  # fmt: skip
    for path in paths:
        h.update(str(path.relative_to(REPO)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def frozen_app() -> Path:
    """The frozen app's folder (built, or taken from the cache or STORYCLIP_FROZEN_APP)."""
    given = os.environ.get("STORYCLIP_FROZEN_APP")
    if given:
        return Path(given)
    digest = _digest()
    target = BUILD_ROOT / digest
    folder = target / "dist" / APP_NAME
    if (target / "ok").exists():
        return folder
    if BUILD_ROOT.exists():  # older builds of other trees
        for old in BUILD_ROOT.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    proc = subprocess.run(
        ["bash", str(REPO / "packaging" / "pyinstaller" / "build.sh"),
         "--dist", str(target / "dist"), "--work", str(target / "work")],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        pytest.fail(f"build.sh exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr[-4000:]}")
    (target / "build.log").write_text(proc.stderr, encoding="utf-8")
    shutil.rmtree(target / "work", ignore_errors=True)
    (target / "ok").write_text(digest, encoding="utf-8")
    return folder


class FrozenAppProcess(AppProcess):
    """AppProcess, running the frozen binary instead of ``python -m storyclip_desktop``."""

    def __init__(self, binary: Path, home: Path, **kwargs: object) -> None:
        super().__init__(home, command=[str(binary)], cwd=home, **kwargs)  # type: ignore[arg-type]


def assert_shipped_backend_has_no_admin(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> None:
    """Run ``command serve`` (a shipped local backend) on a free port: its API answers,
    and none of the tests' switches (/__admin) exist in it."""
    proc = subprocess.Popen(
        [*command, "serve", "--port", "0", "--db", str(cwd / "b.db"), "--api-key", "k"],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        with httpx.Client(base_url=url, timeout=10) as http:
            batch = http.get("/api/metricool/batch/batch_1_x", headers={"X-Api-Key": "k"})
            assert batch.json()["code"] == "BATCH_NOT_FOUND"
            for path in ("/__admin/info", "/__admin/faults", "/__admin/bench"):
                assert http.get(path).status_code == 404, path
    finally:
        proc.terminate()
        code = proc.wait(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0
