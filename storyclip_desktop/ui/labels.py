"""Label helpers for the first window (sign-in form, banner, status line).

They live apart from ``batch_card`` (which uses them too) so the first window
does not load the cards, the clip table and the core's model before it is shown
(start-up time, issue 7).
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from . import style

__all__ = ["breakable", "color_label", "plain_label"]

_LONG_RUN = re.compile(r"\S{25,}")


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never interprets its text as HTML (for untrusted text)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def breakable(text: str) -> str:
    """``text`` with a zero-width space every 24 characters of a long unbroken run:
    QLabel wraps only at break points, and one long URL would set its minimum width."""
    return _LONG_RUN.sub(lambda m: "\u200b".join(_chunks(m.group(0), 24)), text)


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def color_label(label: QLabel, tone: str, palette: QPalette) -> None:
    """Colour a label's text. Both roles: on a Base-coloured card a label draws
    with Text, elsewhere with WindowText."""
    color = style.tone(tone, palette)
    own = label.palette()
    own.setColor(QPalette.ColorRole.WindowText, color)
    own.setColor(QPalette.ColorRole.Text, color)
    label.setPalette(own)
