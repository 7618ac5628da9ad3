"""The C allocator's settings for a process that runs all day (Linux, glibc).

Large answers (the active list of 100 batches is megabytes) are read, decoded
and parsed into blocks far above glibc's mmap threshold. glibc serves such a
block from mmap, and returns it to the system when freed, but it then raises
its threshold to that block's size (up to 32 MiB), so the next large answer is
carved from the heap instead, which goes back to the system only from its top:
measured here, the app kept about 5 MiB more after each discovery that read
20,000 clips. A fixed threshold keeps large buffers in mmap, freed for real.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MMAP_THRESHOLD", "keep_large_buffers_returnable"]

#: glibc's default threshold; fixing it turns its dynamic adjustment off.
MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3  # from malloc.h


def keep_large_buffers_returnable() -> bool:
    """Fix glibc's mmap threshold; False where there is no glibc (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
