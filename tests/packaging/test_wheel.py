"""The wheel and sdist (`python -m build`), and the wheel installed the way a user
would (pipx, else a fresh venv): the `storyclip-desktop` command works, and the
installed app finds its icons, translations and demo backend through
importlib.resources, not through the source tree; and the test scaffolding of the
local backend (faults, bench streams, /__admin) stays out of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_process import AppProcess
from tests.backend import REPO
from tests.packaging.conftest import assert_shipped_backend_has_no_admin

pytestmark = pytest.mark.slow

LINUX_FILES = (
    "storyclip_desktop/resources/linux/storyclip-desktop.desktop",
    "storyclip_desktop/resources/linux/app.storyclip.desktop.metainfo.xml",
    "storyclip_desktop/resources/linux/icons/hicolor/256x256/apps/storyclip-desktop.png",
    "storyclip_desktop/resources/linux/icons/hicolor/scalable/apps/storyclip-desktop.svg",
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    if subprocess.run([sys.executable, "-c", "import build"], check=False).returncode != 0:
        # Like build.sh does for PyInstaller: the packaging tool is installed on demand
        # (into this venv) until the project's test extra lists it.
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "build>=1.2"],
                       check=True, timeout=300)  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("storyclip_desktop-*-py3-none-any.whl")
    return wheel


def test_wheel_has_the_gui_script_icons_and_translations(dist: Path) -> None:
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        text = wheel.read(entry_points).decode()
    assert "[gui_scripts]\nstoryclip-desktop = storyclip_desktop.app:main" in text
    for name in (
        "storyclip_desktop/resources/icons/app.svg",
        "storyclip_desktop/resources/translations/storyclip_es.qm",
        "storyclip_desktop/resources/translations/storyclip_en.qm",
        "storyclip_desktop/demo/__main__.py",
    ):
        assert name in names
    assert not [n for n in names if n.startswith("tests/") or n.endswith(".ts")]


def test_wheel_carries_no_test_scaffolding(dist: Path) -> None:
    """Fault injection, bench streams and the /__admin routes live in tests/demo_ext:
    no module of theirs, and no source file naming them, is in the wheel."""
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
        sources = {n: wheel.read(n).decode() for n in names if n.endswith(".py")}
    assert "storyclip_desktop/demo/extensions.py" in names  # the hooks, all no-ops
    for scaffolding in ("faults", "bench", "admin", "switches", "demo_ext"):
        assert not [n for n in names if scaffolding in n], scaffolding
    for name, text in sources.items():
        for marker in ("__admin", "FaultMiddleware", "drop_stream_after", "BENCH_SPEED"):
            assert marker not in text, f"{marker} in {name}"


def test_wheel_has_the_desktop_entry_metainfo_and_hicolor_icons(dist: Path) -> None:
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
    assert set(LINUX_FILES) <= names


def test_sdist_builds_the_same_package(dist: Path) -> None:
    (sdist,) = dist.glob("storyclip_desktop-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    assert any(n.endswith("/storyclip_desktop/app.py") for n in names)
    assert any(n.endswith("/pyproject.toml") for n in names)


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `storyclip-desktop` command of a fresh environment (pipx when available)."""
    root = tmp_path_factory.mktemp("install")
    base_python = getattr(sys, "_base_executable", sys.executable)
    pipx = shutil.which("pipx")
    env = dict(os.environ, PIPX_HOME=str(root / "pipx"), PIPX_BIN_DIR=str(root / "bin"))
    if pipx:
        cmd = [pipx, "install", "--python", base_python, str(_wheel(dist))]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600,
                              check=False)  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        yield root / "bin" / "storyclip-desktop"
        return
    venv = root / "venv"
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=120)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(_wheel(dist))],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    yield venv / "bin" / "storyclip-desktop"


def _python_of(command: Path) -> Path:
    """The Python of the environment an installed script runs in (its shebang)."""
    first = command.resolve().read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#!"), first
    return Path(first[2:].strip())


def test_installed_demo_backend_has_no_admin_route(installed: Path, tmp_path: Path) -> None:
    """The backend --demo runs, served from the installed package (not the source
    tree): the API answers, /__admin does not exist, --faults is not an option."""
    python = _python_of(installed)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [str(python), "-m", "storyclip_desktop.demo"]
    assert_shipped_backend_has_no_admin(command, tmp_path, env)
    where = subprocess.run(
        [str(python), "-c", "import storyclip_desktop; print(storyclip_desktop.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert not where.startswith(str(REPO)), where  # the installed copy, not this tree
    refused = subprocess.run(
        [*command, "serve", "--db", str(tmp_path / "c.db"), "--faults", "{}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "--faults" in refused.stderr


def test_installed_command_answers_version(installed: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [str(installed), "--version"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "StoryClip Desktop 0.1.0"


class InstalledAppProcess(AppProcess):
    """AppProcess running an installed command, from a folder with no source tree."""

    def __init__(self, command: Path, home: Path, **kwargs: object) -> None:
        super().__init__(home, command=[str(command)], cwd=home, **kwargs)  # type: ignore[arg-type]


def test_installed_app_runs_the_demo_to_a_finished_batch(installed: Path, tmp_path: Path) -> None:
    app = InstalledAppProcess(installed, tmp_path / "home", args=["--demo", "--minimized"])
    app.env.pop("PYTHONPATH", None)
    app.start()
    try:
        app.wait_event("signed_in", timeout=60)
        app.wait_event("batch_finished", timeout=90)
    finally:
        code = app.stop()
    assert code == 0, app.tail()
    assert "Traceback" not in "\n".join(app.stderr_lines)
