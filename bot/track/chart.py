"""A timeline picture: a topic's events over time, one row per development type (PNG bytes).

Uses matplotlib's object API on an Agg canvas (no pyplot, no global figure state), so it is
safe to call from a worker thread, which callers do: rendering is CPU work.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from bot.developments import TYPE_BY_NAME, TYPES
from bot.models import Event

MIN_SPAN_DAYS = 7


def date_range(events: Sequence[Event]) -> tuple[date, date]:
    """The days the chart spans: the events with a margin, at least a week (matplotlib alone
    spans years around events of a single day)."""
    first, last = min(e.when for e in events), max(e.when for e in events)
    span = (last - first).days
    margin = timedelta(days=max(1, span // 20, -(-(MIN_SPAN_DAYS - span) // 2)))
    return first - margin, last + margin


def timeline_png(events: Sequence[Event], title: str) -> bytes:
    """Render the events as a dot chart (x: day, y: type, size: number of outlets)."""
    types = [t.name for t in TYPES if any(e.type == t.name for e in events)] or ["(none)"]
    figure = Figure(figsize=(10, 1.2 + 0.45 * len(types)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for event in events:
        axes.scatter(event.when, types.index(event.type), s=40 + 30 * len(event.outlets),
                     color=TYPE_BY_NAME[event.type].colour, alpha=0.8, zorder=3)
    axes.set_yticks(range(len(types)), [t.replace("_", " ") for t in types])
    axes.set_ylim(-0.7, len(types) - 0.3)
    if events:
        axes.set_xlim(*date_range(events))
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.grid(axis="x", alpha=0.3)
    axes.set_title(title if events else f"{title}: no events yet")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
