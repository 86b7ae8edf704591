"""Folding one report into a topic's events: the step both the live bot and replays take.

`apply_report` is pure: given the topic's events so far and a new report, it says which event the
report created or joined, how the topic's status moved and how significant that is. The store
(bot/track/store.py) persists the result in one transaction; replays keep it in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.models import Event, SignificanceLevel, TopicStatus
from bot.track.cluster import Report, find_event, has_source, merge, new_event
from bot.track.significance import level, score
from bot.track.status import derive_status


@dataclass(frozen=True)
class Outcome:
    """What one report changed."""

    event: Event
    created: bool
    new_source: bool
    status_before: TopicStatus
    status_after: TopicStatus
    since: date | None
    score: float
    level: SignificanceLevel
    previous: Event | None = None

    @property
    def status_changed(self) -> bool:
        return self.status_before != self.status_after


def apply_report(events: Sequence[Event], report: Report) -> Outcome:
    """Cluster `report` into `events` (background reports are the caller's to skip)."""
    found = find_event(events, report)
    if found is None:
        event, others = new_event(report), list(events)
    else:
        event, others = merge(found, report), [e for e in events if e is not found]
    before, _ = derive_status(events)
    after, since = derive_status([*others, event])
    value = score(event, others, before != after)
    return Outcome(
        event=event,
        created=found is None,
        new_source=found is not None and not has_source(found, report.source),
        status_before=before,
        status_after=after,
        since=since,
        score=value,
        level=level(value),
        previous=found,
    )


def replace_event(events: list[Event], outcome: Outcome) -> None:
    """Put the outcome's event in the list, in place of the one it grew from."""
    if outcome.previous is not None:
        events[events.index(outcome.previous)] = outcome.event
    else:
        events.append(outcome.event)
