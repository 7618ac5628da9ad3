"""The core keeps httpx from loading its command-line client (core/__init__.py)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_httpx_loads_without_its_command_line_client() -> None:
    code = (
        "import json, sys\n"
        "import storyclip_desktop.core.api\n"
        "import httpx\n"
        "client = httpx.Client()\n"
        "client.close()\n"
        "print(json.dumps({m: m in sys.modules for m in ('click', 'pygments', 'httpx._main')}"
        " | {'stub': httpx.main.__module__ == 'httpx'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(out.stdout) == {
        "click": False,
        "pygments": False,
        "httpx._main": True,  # the None entry that blocks it
        "stub": True,
    }
