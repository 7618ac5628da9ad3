"""Status colours that stay readable on light and dark themes.

Text colours come in a light-theme and a dark-theme tone, picked from the
widget's palette at paint time; chips use one mid tone with white text, which
reads on any background.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

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

_CHIPS: dict[BatchStatus, str] = {
    BatchStatus.PROCESSING: "#2f7de1",
    BatchStatus.COMPLETED: "#2e9d52",
    BatchStatus.FAILED: "#d64545",
    BatchStatus.PAUSED: "#6b7280",
    BatchStatus.CANCELLED: "#6b7280",
    BatchStatus.UNKNOWN: "#6b7280",
}

#: A completed batch with failed clips: its progress bar (the chip stays green).
PARTIAL_COLOR = "#d98c1f"

_CLIP_TONES: dict[ClipStatus, str] = {
    ClipStatus.PENDING: "grey",
    ClipStatus.UPLOADING: "blue",
    ClipStatus.WAITING_CONFIRMATION: "amber",
    ClipStatus.SCHEDULING: "violet",
    ClipStatus.SCHEDULED: "teal",
    ClipStatus.PUBLISHED: "green",
    ClipStatus.FAILED: "red",
    ClipStatus.UNKNOWN: "grey",
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone(name: str, palette: QPalette) -> QColor:
    light, dark = _TONES.get(name, _TONES["grey"])
    return QColor(dark if is_dark(palette) else light)


def clip_tone(status: ClipStatus, palette: QPalette) -> QColor:
    return tone(_CLIP_TONES.get(status, "grey"), palette)


def chip_color(status: BatchStatus) -> QColor:
    return QColor(_CHIPS.get(status, "#6b7280"))
