"""How much an event moves its topic: decides what breaks through quiet hours and digests.

score = type weight x novelty + status change bonus + corroboration bonus, clipped to 0..1.
- Type weight (bot/developments.py): decisive outcomes (a deal, a collapse, a rejection) weigh
  most.
- Novelty: each earlier event of the same type (and venue) within `NOVELTY_WINDOW` halves the
  weight, so the fifth report of a delegation in Cairo scores low. The first deal scores full;
  a later deal is news again only after the window.
- A change of the topic's status adds `STATUS_CHANGE_BONUS`.
- Each distinct outlet beyond the first adds `CORROBORATION_BONUS`, up to `MAX_CORROBORATION`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.developments import TYPE_BY_NAME
from bot.models import Event, SignificanceLevel

NOVELTY_WINDOW = timedelta(days=14)
NOVELTY_DECAY = 0.5
STATUS_CHANGE_BONUS = 0.3
CORROBORATION_BONUS = 0.05
MAX_CORROBORATION = 0.15
HIGH = 0.7
NORMAL = 0.35


def repeats(event: Event, earlier: Sequence[Event]) -> int:
    """Other events of the same type and venue within the novelty window."""
    return sum(
        1 for e in earlier
        if e.type == event.type
        and (e.venue == event.venue or not e.venue or not event.venue)
        and abs(e.when - event.when) <= NOVELTY_WINDOW
    )


def score(event: Event, earlier: Sequence[Event], status_changed: bool) -> float:
    """The event's significance, 0..1 (see the module docstring)."""
    weight = TYPE_BY_NAME[event.type].weight * NOVELTY_DECAY ** repeats(event, earlier)
    corroboration = min(MAX_CORROBORATION, CORROBORATION_BONUS * (len(event.outlets) - 1))
    bonus = STATUS_CHANGE_BONUS if status_changed else 0.0
    return round(min(1.0, weight + bonus + corroboration), 3)


def level(value: float) -> SignificanceLevel:
    """low / normal / high buckets of a score."""
    if value >= HIGH:
        return "high"
    if value >= NORMAL:
        return "normal"
    return "low"
