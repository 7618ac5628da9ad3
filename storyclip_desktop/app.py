"""Composition root: command line, QApplication and qasync loop, services, UI."""

from __future__ import annotations

import argparse
import sys

from storyclip_desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storyclip-desktop",
        description="Follow your StoryClip publish batches from the system tray.",
    )
    parser.add_argument("--version", action="version", version=f"StoryClip Desktop {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return 0
