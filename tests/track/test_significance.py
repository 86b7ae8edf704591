"""Significance: decisive, novel, corroborated events score high; repeats score low."""

from __future__ import annotations

from datetime import date, timedelta

from bot.track.cluster import cluster
from bot.track.significance import level, score
from bot.track.tracker import apply_report, replace_event
from tests.tracking_factories import report

DAY = date(2024, 5, 9)


def test_the_first_deal_scores_high() -> None:
    """A first deal is the biggest news there is."""
    (deal,) = cluster([report("deal_reached", "Israel", "Hamas")])
    assert level(score(deal, [], status_changed=True)) == "high"


def test_the_fifth_report_of_a_delegation_in_cairo_scores_low() -> None:
    """Repeats within two weeks halve the weight each time."""
    arrivals = cluster([
        report("delegation_arrived", "Israel", venue="Cairo", day=DAY + timedelta(days=3 * i))
        for i in range(5)
    ])
    assert level(score(arrivals[-1], arrivals[:-1], status_changed=False)) == "low"


def test_a_rejection_scores_high() -> None:
    """A rejection moves the state: high."""
    (rejection,) = cluster([report("proposal_rejected", "Israel")])
    assert level(score(rejection, [], status_changed=False)) == "high"


def test_corroboration_raises_the_score() -> None:
    """More distinct outlets, more significance."""
    one = cluster([report("talks_held", venue="Cairo")])[0]
    three = cluster([report("talks_held", venue="Cairo", outlet=o) for o in "ABC"])[0]
    assert score(three, [], False) > score(one, [], False)


def test_apply_report_says_created_then_new_source_and_status_change() -> None:
    """The tracker step reports what changed: a new event, then a second source for it."""
    events: list = []
    first = apply_report(events, report("no_breakthrough", "Israel", venue="Cairo"))
    replace_event(events, first)
    second = apply_report(events, report("no_breakthrough", "Israel", venue="Cairo", outlet="B"))
    assert (first.created, first.status_before, first.status_after) == (True, "unknown", "stalled")
    assert (second.created, second.new_source, second.status_changed) == (False, True, False)
