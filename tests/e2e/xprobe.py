"""Wait until an X selection has an owner (e.g. the system tray's _NET_SYSTEM_TRAY_S0).

Qt decides "a system tray exists" by asking the X server who owns
_NET_SYSTEM_TRAY_S<screen>; session.sh waits for exactly that after starting the
tray host, instead of sleeping. Standard library only (ctypes over libX11), so it
runs with any python3.

Usage: python xprobe.py wait-selection NAME [TIMEOUT_SECONDS]   (uses $DISPLAY)
Exit 0 when owned, 1 on timeout, 2 when the display cannot be opened.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import time


def _libx11() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    lib.XOpenDisplay.restype = ctypes.c_void_p
    lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.XInternAtom.restype = ctypes.c_ulong
    lib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    lib.XGetSelectionOwner.restype = ctypes.c_ulong
    lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    return lib


def wait_selection(name: str, timeout: float) -> int:
    x11 = _libx11()
    display = x11.XOpenDisplay(None)
    if not display:
        print("xprobe: cannot open $DISPLAY", file=sys.stderr)
        return 2
    try:
        atom = x11.XInternAtom(display, name.encode(), 0)
        deadline = time.monotonic() + timeout
        while True:
            owner = x11.XGetSelectionOwner(display, atom)
            if owner:
                print(f"xprobe: {name} owned by window 0x{owner:x}", file=sys.stderr)
                return 0
            if time.monotonic() > deadline:
                print(f"xprobe: nobody owns {name} after {timeout:g} s", file=sys.stderr)
                return 1
            time.sleep(0.02)  # a poll interval, because core X sends no event on a new owner
    finally:
        x11.XCloseDisplay(display)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[0] != "wait-selection":
        print(__doc__, file=sys.stderr)
        return 2
    return wait_selection(argv[1], float(argv[2]) if len(argv) == 3 else 10.0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
