"""The layering rules of the design, checked on the source: a broken arrow is a bug."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "storyclip_desktop"


def _imports(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = "." * node.level + (node.module or "")
                names.add(base)
        found[str(path.relative_to(PACKAGE))] = names
    return found


def _offenders(folder: str, banned: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path}: {name}"
        for path, names in _imports(folder).items()
        for name in names
        if name.startswith(banned)
    )


def test_core_never_imports_qt() -> None:
    assert _offenders("core", ("PySide6", "qasync", "storyclip_desktop.ui", "..ui")) == []


def test_ui_never_imports_httpx() -> None:
    assert _offenders("ui", ("httpx", "httpx_sse")) == []


def test_demo_shares_no_code_with_the_client() -> None:
    banned = ("storyclip_desktop.core", "storyclip_desktop.ui", "..core", "..ui", "..app")
    assert _offenders("demo", banned) == []
