"""Figures of the history: clips published and failed per day or week, and the
success rate, as numbers and as a small bar chart painted with QPainter.

QtCharts is not in PySide6-Essentials; adding PySide6-Addons for one chart would
add tens of MiB to the frozen app, so the chart is painted here (about a hundred
lines). The sums are pure functions, tested without a screen.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from PySide6.QtCore import QDate, QLocale, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from storyclip_desktop.core.model import Batch

from .style import tone

__all__ = ["FiguresChart", "Per", "Period", "figures", "period_of", "totals"]

Per = Literal["day", "week"]

# The chart shows at most this many periods (the most recent).
MAX_BARS = 42


@dataclass(frozen=True, slots=True)
class Period:
    """One day (or the week starting on that Monday), in local time."""

    start: date
    published: int = 0
    failed: int = 0
    batches: int = 0

    @property
    def success_rate(self) -> float | None:
        """Published out of the clips that reached an end; None when none did."""
        done = self.published + self.failed
        return None if done == 0 else self.published / done


def _ended(batch: Batch) -> datetime | None:
    return batch.completed_at or batch.created_at


def period_of(moment: datetime, per: Per) -> date:
    """The local day, or the Monday of the local week, a moment falls in."""
    day = moment.astimezone().date()
    return day - timedelta(days=day.weekday()) if per == "week" else day


def figures(batches: Iterable[Batch], per: Per, *, fill: bool = True) -> list[Period]:
    """Sums per period, oldest first; with ``fill`` the periods without any batch in
    between are there too (a chart's gaps must show)."""
    sums: dict[date, list[int]] = {}
    for batch in batches:
        ended = _ended(batch)
        if ended is None:
            continue
        row = sums.setdefault(period_of(ended, per), [0, 0, 0])
        row[0] += batch.published
        row[1] += batch.failed
        row[2] += 1
    if not sums:
        return []
    starts = sorted(sums)
    if fill:
        step = timedelta(days=7 if per == "week" else 1)
        starts, day = [], min(sums)
        while day <= max(sums):
            starts.append(day)
            day += step
    return [Period(d, *sums.get(d, (0, 0, 0))) for d in starts]


def totals(periods: Sequence[Period]) -> Period:
    """Everything in ``periods`` as one (its ``start``: the first period's)."""
    if not periods:
        return Period(date.today())
    return Period(
        periods[0].start,
        sum(p.published for p in periods),
        sum(p.failed for p in periods),
        sum(p.batches for p in periods),
    )


class FiguresChart(QWidget):
    """Stacked bars (published, failed) per period, with the success rate as a line.

    Signals:
        none (it only paints what :meth:`set_periods` gave it).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyChart")
        self._periods: list[Period] = []
        self._per: Per = "day"
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("Clips published and failed per period"))

    @property
    def periods(self) -> list[Period]:
        return list(self._periods)

    def set_periods(self, periods: Sequence[Period], per: Per) -> None:
        self._periods = list(periods)[-MAX_BARS:]
        self._per = per
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        fm = self.fontMetrics()
        area = QRectF(self.rect()).adjusted(
            fm.horizontalAdvance("0000") + 6, 6, -34, -fm.height() - 8
        )
        if not self._periods or area.width() < 20 or area.height() < 20:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No figures yet"))
            return
        top = max(1, max(p.published + p.failed for p in self._periods))
        grid = QColor(text)
        grid.setAlpha(50)
        painter.setPen(QPen(grid, 1))
        for fraction in (0.0, 0.5, 1.0):
            y = area.bottom() - fraction * area.height()
            painter.drawLine(int(area.left()), int(y), int(area.right()), int(y))
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - fm.height() / 2, area.left() - 4, fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                str(round(top * fraction)),
            )
            painter.setPen(QPen(grid, 1))
        green, red, blue = tone("green", palette), tone("red", palette), tone("blue", palette)
        slot = area.width() / len(self._periods)
        bar = max(2.0, slot * 0.7)
        rates: list[tuple[float, float]] = []
        label_every = max(
            1,
            int(len(self._periods) / max(1, area.width() / (fm.horizontalAdvance("00/00") + 8)))
            + 1,
        )
        for n, period in enumerate(self._periods):
            x = area.left() + n * slot + (slot - bar) / 2
            ok_h = area.height() * period.published / top
            bad_h = area.height() * period.failed / top
            painter.fillRect(QRectF(x, area.bottom() - ok_h, bar, ok_h), green)
            painter.fillRect(QRectF(x, area.bottom() - ok_h - bad_h, bar, bad_h), red)
            if period.success_rate is not None:
                rates.append((x + bar / 2, area.bottom() - area.height() * period.success_rate))
            if n % label_every == 0:
                painter.setPen(text)
                painter.drawText(
                    QRectF(x - slot, area.bottom() + 3, bar + 2 * slot, fm.height()),
                    int(Qt.AlignmentFlag.AlignHCenter),
                    QLocale().toString(
                        QDate(period.start.year, period.start.month, period.start.day), "d MMM"
                    ),
                )
        # The success rate, 0–100 % on the right-hand scale.
        painter.setPen(QPen(blue, 2))
        for (x1, y1), (x2, y2) in itertools.pairwise(rates):
            painter.drawLine(int(x1), int(y1), int(x2), int(y2))
        for x, y in rates:
            painter.drawEllipse(QRectF(x - 2.5, y - 2.5, 5, 5))
        painter.setPen(blue)
        for fraction in (0.0, 1.0):
            y = area.bottom() - fraction * area.height()
            painter.drawText(
                QRectF(area.right() + 4, y - fm.height() / 2, 30, fm.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                f"{round(100 * fraction)}%",
            )
