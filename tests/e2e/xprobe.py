"""Small X requests xdotool does not make, over ctypes and libX11 (any python3).

wait-selection: wait until an X selection has an owner (e.g. the system tray's
_NET_SYSTEM_TRAY_S0). Qt decides "a system tray exists" by asking the X server who
owns _NET_SYSTEM_TRAY_S<screen>; session.sh waits for exactly that after starting
the tray host, instead of sleeping.

windows: the viewable windows of one process (by _NET_WM_PID) or one WM_CLASS, as JSON: id, name,
absolute geometry, _NET_WM_WINDOW_TYPE (NORMAL, DIALOG, POPUP_MENU, TOOLTIP …) and
whether the window is embedded in another client's window (a tray icon inside the
tray host). The e2e tests tell the app's main window, dialog, balloon, menu and tray
icon apart with it, from outside the app. xprop/xwininfo (x11-utils) could say the
same, but that would be one more Debian package for the session.

root-color: paint the root window (the desktop behind every window) one colour, so
screenshots show the app on a calm background instead of Xvfb's black.

close-window: ask a window to close the way a window manager does when the user
clicks its close button: a WM_PROTOCOLS client message carrying WM_DELETE_WINDOW
(`xdotool windowclose` destroys the window instead, and the e2e session has no
window manager to ask).

Usage (uses $DISPLAY):
  python xprobe.py wait-selection NAME [TIMEOUT_SECONDS]
      exit 0 when owned, 1 on timeout
  python xprobe.py windows PID|WM_CLASS
  python xprobe.py root-color RRGGBB
  python xprobe.py close-window WINDOW_ID
      exit 0 when sent, 1 when the window does not take WM_DELETE_WINDOW
Exit 2 when the display cannot be opened or on bad usage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

_ULONG_P = ctypes.POINTER(ctypes.c_ulong)
_UCHAR_P = ctypes.POINTER(ctypes.c_ubyte)
_CLIENT_MESSAGE = 33  # X.h ClientMessage
_IS_VIEWABLE = 2  # X.h IsViewable: mapped, and every ancestor mapped
_ANY_PROPERTY_TYPE = 0


class DisplayError(RuntimeError):
    """$DISPLAY cannot be opened."""


class _WindowAttributes(ctypes.Structure):
    """XWindowAttributes (Xlib.h)."""

    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class _ClientMessage(ctypes.Structure):
    """XClientMessageEvent, padded to the size of the XEvent union (24 longs)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
        ("pad", ctypes.c_long * 24),
    ]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def _ignore_error(_display: Any, _event: Any) -> int:
    # A window can vanish between listing and reading it (BadWindow): skip it, the
    # default handler would exit the process.
    return 0


_ignore_x_errors = _ERROR_HANDLER(_ignore_error)


@cache
def _libx11() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    vp, ul = ctypes.c_void_p, ctypes.c_ulong
    lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    lib.XOpenDisplay.restype = vp
    lib.XCloseDisplay.argtypes = [vp]
    lib.XInternAtom.argtypes = [vp, ctypes.c_char_p, ctypes.c_int]
    lib.XInternAtom.restype = ul
    lib.XGetAtomName.argtypes = [vp, ul]
    lib.XGetAtomName.restype = ctypes.c_void_p
    lib.XGetSelectionOwner.argtypes = [vp, ul]
    lib.XGetSelectionOwner.restype = ul
    lib.XDefaultRootWindow.argtypes = [vp]
    lib.XDefaultRootWindow.restype = ul
    lib.XQueryTree.argtypes = [
        vp, ul, _ULONG_P, _ULONG_P, ctypes.POINTER(_ULONG_P), ctypes.POINTER(ctypes.c_uint)
    ]  # fmt: skip
    lib.XGetWindowAttributes.argtypes = [vp, ul, ctypes.POINTER(_WindowAttributes)]
    lib.XTranslateCoordinates.argtypes = [
        vp, ul, ul, ctypes.c_int, ctypes.c_int,
        ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int), _ULONG_P,
    ]  # fmt: skip
    lib.XGetWindowProperty.argtypes = [
        vp, ul, ul, ctypes.c_long, ctypes.c_long, ctypes.c_int, ul,
        _ULONG_P, ctypes.POINTER(ctypes.c_int), _ULONG_P, _ULONG_P, ctypes.POINTER(_UCHAR_P),
    ]  # fmt: skip
    lib.XGetWMProtocols.argtypes = [vp, ul, ctypes.POINTER(_ULONG_P), ctypes.POINTER(ctypes.c_int)]
    lib.XSendEvent.argtypes = [vp, ul, ctypes.c_int, ctypes.c_long, vp]
    lib.XFree.argtypes = [vp]
    lib.XSync.argtypes = [vp, ctypes.c_int]
    lib.XSetErrorHandler.argtypes = [_ERROR_HANDLER]
    lib.XSetErrorHandler.restype = vp
    lib.XSetWindowBackground.argtypes = [vp, ul, ul]
    lib.XClearWindow.argtypes = [vp, ul]
    return lib


@contextmanager
def _display() -> Iterator[tuple[ctypes.CDLL, int]]:
    x11 = _libx11()
    display = x11.XOpenDisplay(None)
    if not display:
        raise DisplayError("cannot open $DISPLAY")
    try:
        yield x11, display
    finally:
        x11.XCloseDisplay(display)


# ------------------------------------------------------------------ wait-selection


def wait_selection(name: str, timeout: float) -> int:
    try:
        with _display() as (x11, display):
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
                time.sleep(0.02)  # poll, because core X sends no event on a new owner
    except DisplayError as exc:
        print(f"xprobe: {exc}", file=sys.stderr)
        return 2


# ------------------------------------------------------------------ windows


def _property(x11: ctypes.CDLL, display: int, window: int, name: bytes) -> tuple[int, list[int]]:
    """(format, items) of a window property; format 0 when it is not set."""
    atom = x11.XInternAtom(display, name, 0)
    actual_type, actual_format = ctypes.c_ulong(), ctypes.c_int()
    count, after, data = ctypes.c_ulong(), ctypes.c_ulong(), _UCHAR_P()
    status = x11.XGetWindowProperty(
        display, window, atom, 0, 1024, 0, _ANY_PROPERTY_TYPE,
        ctypes.byref(actual_type), ctypes.byref(actual_format), ctypes.byref(count),
        ctypes.byref(after), ctypes.byref(data),
    )  # fmt: skip
    if status != 0 or not data:
        return 0, []
    try:
        fmt, n = actual_format.value, count.value
        if fmt == 8:
            items = list(ctypes.string_at(data, n))
        elif fmt in (16, 32):
            # Xlib hands 32-bit items back as C longs, 16-bit ones as shorts.
            ctype = ctypes.c_ulong if fmt == 32 else ctypes.c_ushort
            items = list(ctypes.cast(data, ctypes.POINTER(ctype))[:n])
        else:
            items = []
        return fmt, items
    finally:
        x11.XFree(data)


def _text(x11: ctypes.CDLL, display: int, window: int) -> str:
    for name in (b"_NET_WM_NAME", b"WM_NAME"):
        fmt, items = _property(x11, display, window, name)
        if fmt == 8:
            return bytes(items).decode("utf-8", "replace")
    return ""


def _atom_name(x11: ctypes.CDLL, display: int, atom: int) -> str:
    pointer = x11.XGetAtomName(display, atom)
    if not pointer:
        return ""
    try:
        return ctypes.string_at(pointer).decode("ascii", "replace")
    finally:
        x11.XFree(pointer)


def _children(x11: ctypes.CDLL, display: int, window: int) -> tuple[int, list[int]]:
    """(parent, children in stacking order, bottom first)."""
    root, parent = ctypes.c_ulong(), ctypes.c_ulong()
    children, count = _ULONG_P(), ctypes.c_uint()
    if not x11.XQueryTree(
        display, window, ctypes.byref(root), ctypes.byref(parent),
        ctypes.byref(children), ctypes.byref(count),
    ):  # fmt: skip
        return 0, []
    try:
        return parent.value, [children[i] for i in range(count.value)]
    finally:
        if children:
            x11.XFree(children)


def _wm_class(x11: ctypes.CDLL, display: int, window: int) -> list[str]:
    fmt, items = _property(x11, display, window, b"WM_CLASS")
    if fmt != 8:
        return []
    return [part.decode("utf-8", "replace") for part in bytes(items).split(b"\0") if part]


def windows(pid: int | None = None, wm_class: str | None = None) -> list[dict[str, Any]]:
    """Viewable windows whose _NET_WM_PID is ``pid`` or whose WM_CLASS (instance or
    class) is ``wm_class`` (some clients, dunst among them, set no pid), bottom of the
    stack first."""
    with _display() as (x11, display):
        x11.XSetErrorHandler(_ignore_x_errors)
        root = x11.XDefaultRootWindow(display)
        prefix = "_NET_WM_WINDOW_TYPE_"
        found: list[dict[str, Any]] = []

        def visit(window: int, parent: int) -> None:
            _fmt, pids = _property(x11, display, window, b"_NET_WM_PID")
            if (pid is not None and pids and pids[0] == pid) or (
                wm_class is not None and wm_class in _wm_class(x11, display, window)
            ):
                attrs = _WindowAttributes()
                if x11.XGetWindowAttributes(display, window, ctypes.byref(attrs)) and (
                    attrs.map_state == _IS_VIEWABLE
                ):
                    x, y, child = ctypes.c_int(), ctypes.c_int(), ctypes.c_ulong()
                    x11.XTranslateCoordinates(
                        display, window, root, 0, 0,
                        ctypes.byref(x), ctypes.byref(y), ctypes.byref(child),
                    )  # fmt: skip
                    _fmt, atoms = _property(x11, display, window, b"_NET_WM_WINDOW_TYPE")
                    types = [_atom_name(x11, display, a) for a in atoms]
                    found.append(
                        {
                            "id": window,
                            "name": _text(x11, display, window),
                            "x": x.value,
                            "y": y.value,
                            "width": attrs.width,
                            "height": attrs.height,
                            "types": [t.removeprefix(prefix) for t in types if t],
                            "embedded": parent != root,
                        }
                    )
            _parent, kids = _children(x11, display, window)
            for kid in kids:
                visit(kid, window)

        visit(root, 0)
        return found


# ------------------------------------------------------------------ root-color


def root_color(rgb: int) -> None:
    """Set the root window's background to 0xRRGGBB (a 24-bit TrueColor screen)."""
    with _display() as (x11, display):
        root = x11.XDefaultRootWindow(display)
        x11.XSetWindowBackground(display, root, rgb)
        x11.XClearWindow(display, root)
        x11.XSync(display, 0)


# ------------------------------------------------------------------ close-window


def close_window(window: int) -> int:
    try:
        with _display() as (x11, display):
            protocols_atom = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
            delete_atom = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
            protocols, count = _ULONG_P(), ctypes.c_int(0)
            supported = False
            if x11.XGetWMProtocols(display, window, ctypes.byref(protocols), ctypes.byref(count)):
                supported = delete_atom in [protocols[i] for i in range(count.value)]
                x11.XFree(protocols)
            if not supported:
                print(
                    f"xprobe: window 0x{window:x} does not take WM_DELETE_WINDOW", file=sys.stderr
                )
                return 1
            event = _ClientMessage()
            event.type = _CLIENT_MESSAGE
            event.window = window
            event.message_type = protocols_atom
            event.format = 32
            event.data[0] = delete_atom
            event.data[1] = 0  # CurrentTime
            x11.XSendEvent(display, window, 0, 0, ctypes.byref(event))
            x11.XSync(display, 0)
            return 0
    except DisplayError as exc:
        print(f"xprobe: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str]) -> int:
    if len(argv) in (2, 3) and argv[0] == "wait-selection":
        return wait_selection(argv[1], float(argv[2]) if len(argv) == 3 else 10.0)
    if len(argv) == 2 and argv[0] == "windows":
        try:
            found = windows(int(argv[1])) if argv[1].isdigit() else windows(wm_class=argv[1])
            print(json.dumps(found, indent=1))
        except DisplayError as exc:
            print(f"xprobe: {exc}", file=sys.stderr)
            return 2
        return 0
    if len(argv) == 2 and argv[0] == "root-color":
        try:
            root_color(int(argv[1].removeprefix("#"), 16))
        except DisplayError as exc:
            print(f"xprobe: {exc}", file=sys.stderr)
            return 2
        return 0
    if len(argv) == 2 and argv[0] == "close-window":
        return close_window(int(argv[1], 0))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
