"""Geometry of the report's two charts, computed here so the template only draws SVG shapes.

Coordinates are in SVG user units; the charts scale to the page through their viewBox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from interviewer.feedback.schema import CriterionResult, HistoryPoint

WIDTH = 420
# The progress chart shows the most recent sessions; older ones would crowd the axis.
MAX_SESSIONS = 12
# At most this many date labels fit under the progress chart's axis.
MAX_DATE_LABELS = 6
SCALE_MAX = 5


@dataclass(frozen=True)
class Bar:
    label: str
    score: float
    level: int
    y: float
    width: float


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class CriteriaChart:
    width: int
    height: int
    left: float
    right: float
    row: float
    bar: float
    ticks: list[Tick]
    bars: list[Bar]


def criteria_chart(criteria: list[CriterionResult]) -> CriteriaChart:
    """One horizontal bar per criterion on a 0-5 axis, its name and weight above it."""
    return score_chart([(f"{c.name} · {c.weight:.0%}", c.score) for c in criteria])


def score_chart(rows: list[tuple[str, float]]) -> CriteriaChart:
    """One horizontal bar per labelled score (1-5) on a 0-5 axis, its label above it."""
    left, right, row, bar, top, axis = 4.0, WIDTH - 38.0, 46.0, 16.0, 8.0, 22.0
    span = right - left
    bars = [
        Bar(
            label=label,
            score=score,
            level=max(1, min(5, round(score))),
            y=top + i * row + 18,
            width=max(2.0, span * score / SCALE_MAX),
        )
        for i, (label, score) in enumerate(rows)
    ]
    height = int(top + len(rows) * row + axis)
    ticks = [Tick(position=left + span * v / SCALE_MAX, label=str(v)) for v in range(SCALE_MAX + 1)]
    return CriteriaChart(width=WIDTH, height=height, left=left, right=right, row=row, bar=bar, ticks=ticks, bars=bars)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: float
    # Empty when the date is left out to keep the axis readable.
    label: str
    current: bool


@dataclass(frozen=True)
class ProgressChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    gridlines: list[Tick]
    thresholds: list[Tick]
    points: list[Point]
    shown: int
    total: int

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def progress_chart(history: list[HistoryPoint], band_bounds: list[float]) -> ProgressChart:
    """Overall score (1-5) of each session of the round, oldest left; band bounds as dashed lines."""
    # An unfinished round's score covers a few questions: it is no point on a trend.
    scored = [h for h in history if h.score is not None and h.complete]
    shown = scored[-MAX_SESSIONS:]
    left, right, top, bottom, height = 30.0, WIDTH - 26.0, 20.0, 160.0, 192

    def y_of(score: float) -> float:
        return bottom - (score - 1) / (SCALE_MAX - 1) * (bottom - top)

    step = (right - left) / max(1, len(shown) - 1)
    every = math.ceil(len(shown) / MAX_DATE_LABELS)
    points = [
        Point(
            # A single session sits in the middle rather than on the axis.
            x=left + step * i if len(shown) > 1 else (left + right) / 2,
            y=y_of(h.score),  # type: ignore[arg-type]
            score=h.score,  # type: ignore[arg-type]
            label="this one" if h.current else f"{h.created_at:%d %b}" if (len(shown) - 1 - i) % every == 0 else "",
            current=h.current,
        )
        for i, h in enumerate(shown)
    ]
    return ProgressChart(
        width=WIDTH,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        gridlines=[Tick(position=y_of(v), label=str(v)) for v in range(1, SCALE_MAX + 1)],
        thresholds=[Tick(position=y_of(b), label=f"{b:g}") for b in band_bounds if 1 < b < SCALE_MAX],
        points=points,
        shown=len(shown),
        total=len(scored),
    )
