"""Status colours that stay readable on light and dark themes.

Text colours come in a light-theme and a dark-theme tone, picked from the
widget's palette at paint time; chips use one mid tone with white text, which
reads on any background.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette

if TYPE_CHECKING:
    # Not imported at run time: the first window's labels use these tones, the
    # core's model is not needed until batches are shown (start-up time). The
    # tables below are keyed by the statuses' names.
    from storyclip_desktop.core.model import BatchStatus, ClipStatus

__all__ = ["PARTIAL_COLOR", "chip_color", "clip_tone", "is_dark", "tone"]

# name: (on a light window, on a dark window)
_TONES: dict[str, tuple[str, str]] = {
    "blue": ("#1f67c4", "#74b0ff"),
    "green": ("#1f7d44", "#5fd08a"),
    "red": ("#c0392b", "#ff8080"),
    "amber": ("#b36b00", "#f2bd42"),
    "violet": ("#6546c2", "#b9a4ff"),
    "teal": ("#0d7573", "#56d6d3"),
    "grey": ("#5f656e", "#a7adb6"),
}

_CHIPS: dict[str, str] = {
    "PROCESSING": "#2f7de1",
    "COMPLETED": "#2e9d52",
    "FAILED": "#d64545",
    "PAUSED": "#6b7280",
    "CANCELLED": "#6b7280",
    "UNKNOWN": "#6b7280",
}

#: A completed batch with failed clips: its progress bar (the chip stays green).
PARTIAL_COLOR = "#d98c1f"

_CLIP_TONES: dict[str, str] = {
    "PENDING": "grey",
    "UPLOADING": "blue",
    "WAITING_CONFIRMATION": "amber",
    "SCHEDULING": "violet",
    "SCHEDULED": "teal",
    "PUBLISHED": "green",
    "FAILED": "red",
    "UNKNOWN": "grey",
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone(name: str, palette: QPalette) -> QColor:
    light, dark = _TONES.get(name, _TONES["grey"])
    return QColor(dark if is_dark(palette) else light)


def clip_tone(status: ClipStatus, palette: QPalette) -> QColor:
    return tone(_CLIP_TONES.get(status.name, "grey"), palette)


def chip_color(status: BatchStatus) -> QColor:
    return QColor(_CHIPS.get(status.name, "#6b7280"))
