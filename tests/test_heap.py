"""glibc's allocator setting: large buffers go back to the system once freed.

Run in a fresh Python each time (the setting is per process and cannot be
undone): a large answer is read, freed, then a smaller large one; what stays
resident after both are freed is what the app would carry for the rest of the day.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.backend import REPO

SCRIPT = """
import sys
from storyclip_desktop.heap import keep_large_buffers_returnable

def rss_kib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))

fixed = keep_large_buffers_returnable() if sys.argv[1] == "fixed" else None
base = rss_kib()
block = bytearray(6 << 20)  # a 6 MiB answer, written to (resident), then freed
del block
block = bytearray(4 << 20)  # the next, smaller one
del block
print(fixed, rss_kib() - base)
"""


def _kept_kib(mode: str) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's setting (Linux)")
def test_large_buffers_are_returned_once_freed() -> None:
    fixed, kept = _kept_kib("fixed")
    assert fixed == "True"
    assert kept < 1024, f"{kept} KiB stayed resident"
    # The default this replaces keeps the second buffer resident (the reason for it).
    _, kept_by_default = _kept_kib("default")
    assert kept_by_default > 3 * 1024, f"glibc's default kept only {kept_by_default} KiB"
