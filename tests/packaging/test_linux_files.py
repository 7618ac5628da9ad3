"""Linux desktop integration: the menu entry and AppStream metadata pass their
validators, the hicolor PNGs are what the SVG renders to, and install-user.sh /
uninstall-user.sh put the app in (and take it out of) a user's menu.

The validators are Debian's `desktop-file-utils` and `appstream`; without them
those tests skip with the package's name (CI installs them: packaging/README.md).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.backend import REPO
from tests.e2e.desktop import desktop_required

LINUX = REPO / "storyclip_desktop" / "resources" / "linux"
DESKTOP = LINUX / "storyclip-desktop.desktop"
METAINFO = LINUX / "app.storyclip.desktop.metainfo.xml"
SCRIPTS = REPO / "packaging" / "linux"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
_HICOLOR_INDEX = (
    "[Icon Theme]\nName=Hicolor\nDirectories="
    + ",".join(f"{n}x{n}/apps" for n in SIZES)
    + "\n"
    + "".join(f"[{n}x{n}/apps]\nSize={n}\nType=Fixed\n" for n in SIZES)
)


def _tool(name: str, package: str) -> str:
    """The validator, or a skip naming its Debian package (a failure in CI, where
    STORYCLIP_REQUIRE_DESKTOP=1 says the machine was set up for every test)."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is missing (Debian package: {package})"
        if desktop_required():
            pytest.fail(f"STORYCLIP_REQUIRE_DESKTOP=1 and {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def _entry(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def test_desktop_entry_is_valid() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    proc = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in proc.stdout + proc.stderr
    entry = _entry(DESKTOP)["Desktop Entry"]
    assert entry["Exec"] == "storyclip-desktop"
    assert entry["Icon"] == "storyclip-desktop"  # the hicolor name, not a path
    assert entry["Comment[es]"].startswith("Sigue tus lotes")
    assert _entry(DESKTOP)["Desktop Action demo"]["Exec"] == "storyclip-desktop --demo"


def test_metainfo_is_valid_and_matches_the_desktop_entry() -> None:
    tool = _tool("appstreamcli", "appstream")
    proc = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("icon") == "storyclip-desktop"
    from storyclip_desktop import __version__

    releases = root.findall("releases/release")
    assert releases[0].get("version") == __version__
    shots = root.findall("screenshots/screenshot")
    assert len(shots) >= 2
    assert shots[0].get("type") == "default"


def test_metainfo_screenshots_are_the_committed_pictures() -> None:
    """The images the metainfo points at are published from packaging/linux/screenshots;
    the sizes it declares are theirs."""
    root = ET.parse(METAINFO).getroot()
    for image in root.findall("screenshots/screenshot/image"):
        name = (image.text or "").rsplit("/", 1)[-1]
        picture = QImage(str(SCRIPTS / "screenshots" / name))
        assert not picture.isNull(), name
        assert (picture.width(), picture.height()) == (
            int(image.get("width") or 0),
            int(image.get("height") or 0),
        ), name


def test_hicolor_icons_are_the_svg_rendered(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPTS / "render-icons.py"), "--out", str(tmp_path), "--no-ico"],
        check=True, capture_output=True, timeout=120,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )  # fmt: skip
    for size in SIZES:
        rel = Path("hicolor") / f"{size}x{size}" / "apps" / "storyclip-desktop.png"
        committed = QImage(str(LINUX / "icons" / rel))
        fresh = QImage(str(tmp_path / rel))
        assert (committed.width(), committed.height()) == (size, size), rel
        assert committed.hasAlphaChannel()
        # The same picture, whatever zlib made of it (a stale PNG would differ a lot).
        diff = max(
            abs(committed.pixelColor(x, y).alpha() - fresh.pixelColor(x, y).alpha())
            for x in range(0, size, max(1, size // 32))
            for y in range(0, size, max(1, size // 32))
        )
        assert diff <= 8, f"{rel}: run packaging/linux/render-icons.py"
    svg = LINUX / "icons" / "hicolor" / "scalable" / "apps" / "storyclip-desktop.svg"
    app_svg = REPO / "storyclip_desktop" / "resources" / "icons" / "app.svg"
    assert svg.read_bytes() == app_svg.read_bytes()


def _run(script: str, data: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_DATA_HOME=str(data), XDG_CONFIG_HOME=str(config), HOME=str(data))
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *args], env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def _ours(data: Path) -> list[Path]:
    """Files under data that are this app's (caches the desktop tools rebuild are not)."""
    return sorted(
        p for p in data.rglob("*")
        if p.is_file() and p.name not in ("mimeinfo.cache", "icon-theme.cache")
    )  # fmt: skip


def test_install_for_the_user_and_undo(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "config"
    binary = tmp_path / "My Apps" / "storyclip-desktop"
    binary.parent.mkdir()
    binary.write_text("#!/bin/sh\n", encoding="utf-8")
    binary.chmod(0o755)
    proc = _run("install-user.sh", data, config, "--exec", str(binary))
    assert proc.returncode == 0, proc.stderr
    desktop = data / "applications" / "storyclip-desktop.desktop"
    entry = _entry(desktop)
    assert entry["Desktop Entry"]["Exec"] == f'"{binary}"'
    assert entry["Desktop Entry"]["TryExec"] == str(binary)
    assert entry["Desktop Action demo"]["Exec"] == f'"{binary}" --demo'
    for size in SIZES:
        assert (data / f"icons/hicolor/{size}x{size}/apps/storyclip-desktop.png").is_file()
    assert (data / "icons/hicolor/scalable/apps/storyclip-desktop.svg").is_file()
    assert (data / "metainfo" / METAINFO.name).is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True,
                               text=True, timeout=60)  # fmt: skip
        assert check.returncode == 0, check.stdout

    # The icon is found by its name where the XDG icon theme spec says a desktop looks
    # ($XDG_DATA_HOME/icons, then $XDG_DATA_DIRS), as a menu would find it. The hicolor
    # theme itself (its index.theme) is the system's (Debian: hicolor-icon-theme); a
    # copy of it stands for the system folder, so nothing else installed there counts.
    system = tmp_path / "system"
    index = system / "icons" / "hicolor" / "index.theme"
    index.parent.mkdir(parents=True)
    found = Path("/usr/share/icons/hicolor/index.theme")
    if found.exists():
        shutil.copyfile(found, index)
    else:
        index.write_text(_HICOLOR_INDEX, encoding="utf-8")
    probe = subprocess.run(
        [sys.executable, "-c",
         "from PySide6.QtCore import QStandardPaths as S\n"
         "from PySide6.QtGui import QGuiApplication, QIcon\n"
         "app = QGuiApplication([])\n"
         "loc = S.standardLocations(S.StandardLocation.GenericDataLocation)\n"
         "QIcon.setThemeSearchPaths([p + '/icons' for p in loc])\n"
         "QIcon.setThemeName('hicolor')\n"
         "icon = QIcon.fromTheme('storyclip-desktop')\n"
         "print(icon.isNull(), sorted(s.width() for s in icon.availableSizes()))"],
        env=dict(os.environ, XDG_DATA_HOME=str(data), XDG_DATA_DIRS=str(system),
                 QT_QPA_PLATFORM="offscreen"),
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert probe.stdout.split()[0] == "False", probe.stdout + probe.stderr
    assert "256" in probe.stdout

    # Installing again replaces, never duplicates; the autostart entry goes with the undo.
    assert _run("install-user.sh", data, config, "--exec", str(binary)).returncode == 0
    installed = _ours(data)
    assert len(installed) == len(SIZES) + 4  # + svg, .desktop, metainfo, the record
    autostart = config / "autostart" / "storyclip-desktop.desktop"
    autostart.parent.mkdir(parents=True)
    autostart.write_text("[Desktop Entry]\n", encoding="utf-8")
    proc = _run("uninstall-user.sh", data, config)
    assert proc.returncode == 0, proc.stderr
    assert _ours(data) == []
    assert not autostart.exists()
    assert not (data / "icons").exists()


def test_install_refuses_without_a_command(tmp_path: Path) -> None:
    env_path = "/usr/bin:/bin"  # no storyclip-desktop on it
    proc = subprocess.run(
        ["bash", str(SCRIPTS / "install-user.sh")],
        env={"PATH": env_path, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d")},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "--exec" in proc.stderr
    assert not (tmp_path / "d" / "applications").exists()
