"""The timeline picture: a PNG of a topic's events over time."""

from __future__ import annotations

from datetime import date, timedelta

from bot.track.chart import date_range, timeline_png
from bot.track.cluster import cluster
from tests.tracking_factories import report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_chart_is_a_png() -> None:
    """A few events render to PNG bytes."""
    events = cluster([report("talks_held", "Israel"), report("no_breakthrough", "Hamas")])
    assert timeline_png(events, "Talks").startswith(PNG_SIGNATURE)


def test_no_events_still_render_a_picture() -> None:
    """A topic with nothing yet gets a picture saying so, not an error."""
    assert timeline_png([], "Talks").startswith(PNG_SIGNATURE)


def test_events_of_one_day_span_a_week_around_that_day() -> None:
    """Events of a single day are shown on about a week's axis, not years around them."""
    day = date(2024, 5, 9)
    first, last = date_range(cluster([report("talks_held", "Israel", day=day)]))
    assert first == day - timedelta(days=4) and last == day + timedelta(days=4)


def test_events_months_apart_are_all_shown_with_a_small_margin() -> None:
    """The axis covers the first to the last event, plus a twentieth on each side (86 days
    apart: 4 days)."""
    events = cluster([report("talks_held", "Israel", day=date(2024, 2, 13)),
                      report("talks_held", "Israel", day=date(2024, 5, 9))])
    first, last = date_range(events)
    assert first == date(2024, 2, 9)
    assert last == date(2024, 5, 13)
