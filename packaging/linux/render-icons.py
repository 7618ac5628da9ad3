"""Render the app's SVG icon into the hicolor PNG sizes (and a Windows .ico).

    .venv/bin/python packaging/linux/render-icons.py [--out DIR]

Writes ``hicolor/<N>x<N>/apps/storyclip-desktop.png`` for every size in
:data:`SIZES` plus ``hicolor/scalable/apps/storyclip-desktop.svg`` under
``storyclip_desktop/resources/linux/icons`` (the committed copies, shipped in the
package), and ``storyclip-desktop.ico`` for the Windows build. Qt's own SVG
renderer draws them, so the PNGs look like the icon the running app shows.
tests/packaging/test_linux_files.py renders them again and compares.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "storyclip_desktop" / "resources" / "icons" / "app.svg"
DEFAULT_OUT = REPO / "storyclip_desktop" / "resources" / "linux" / "icons"
NAME = "storyclip-desktop"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def render_all(out: Path) -> list[Path]:
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SOURCE}")
    written = []
    for size in SIZES:
        path = out / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(path), "PNG"):
            raise SystemExit(f"cannot write {path}")
        written.append(path)
    scalable = out / "hicolor" / "scalable" / "apps" / f"{NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    written.append(scalable)
    return written


def write_ico(path: Path) -> bool:
    """A multi-size .ico, if Qt's ICO plugin is there (it writes the first image's size
    only, so the largest is used: Windows scales it down well)."""
    renderer = QSvgRenderer(str(SOURCE))
    path.parent.mkdir(parents=True, exist_ok=True)
    return render(renderer, max(ICO_SIZES)).save(str(path), "ICO")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--ico", type=Path, default=REPO / "packaging" / "pyinstaller" / f"{NAME}.ico"
    )
    parser.add_argument("--no-ico", action="store_true")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for path in render_all(args.out):
        print(path)
    if not args.no_ico and write_ico(args.ico):
        print(args.ico)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
