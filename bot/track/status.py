"""A topic's status and summary, derived from its events per ONTOLOGY.md.

Status is a state machine over the days events happened, oldest first. Each day's events give
that day's outcome, the most decisive one winning: a deal, then a collapse, then a stall
(no breakthrough or a rejection), then activity (talks held or continuing, delegations moving,
proposals made or accepted); bot/developments.py gives each type's outcome. So "ended without a
breakthrough; talks will continue" on one day is `stalled`, while talks resuming on a later day
make the topic `active` again. Releases and pressure carry no outcome: a topic with only those
stays `unknown`. `since` is the day the status last changed. A deal and "no deal reached" the
same day contradict each other; see `day_outcome`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from bot.developments import OUTCOME_PRECEDENCE, TYPE_BY_NAME
from bot.models import Event, Position, TopicState, TopicStatus
from bot.settings import TopicSettings

DEAL_DENIED_BY = ("no_breakthrough", "talks_suspended")
RECENT_EVENTS = 5


def chronological(events: Sequence[Event]) -> list[Event]:
    """Oldest first: by the day it happened, then by when it was first reported."""
    return sorted(events, key=lambda e: (e.when, e.first_reported))


def _articles(event: Event) -> set[str]:
    return {source.article_id for source in event.sources}


def day_outcome(events: Sequence[Event]) -> TopicStatus | None:
    """The most decisive outcome among one day's events, if any carries one.

    A deal and "no deal reached" the same day: when one article reports both, the deal is a
    partial one and the main deal was not reached, so the deal does not decide the day. When
    different articles disagree, the deal stands only when more outlets report it than the
    failure (or the suspension).
    """
    outcomes = {outcome for e in events if (outcome := TYPE_BY_NAME[e.type].outcome)}
    if "deal_reached" in outcomes:
        deals = [e for e in events if e.type == "deal_reached"]
        denials = [e for e in events if e.type in DEAL_DENIED_BY]
        partial = any(_articles(d) & _articles(n) for d in deals for n in denials)
        most_outlets = max(len(e.outlets) for e in deals)
        if partial or max((len(e.outlets) for e in denials), default=0) >= most_outlets:
            outcomes.discard("deal_reached")
    return next((s for s in OUTCOME_PRECEDENCE if s in outcomes), None)


def decided_on(event: Event) -> date:
    """The day an event tells on the status: the day it happened, or for something scheduled
    ("the next round is on Monday"), the day it was first reported. So "gaps remain; talks
    resume next week" is a stalled round, not talks next week outranking the stall."""
    return min(event.when, event.first_reported.date())


def derive_status(events: Sequence[Event]) -> tuple[TopicStatus, date | None]:
    """The topic's status and the day it took it."""
    if not events:
        return "unknown", None
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        by_day[decided_on(event)].append(event)
    status: TopicStatus = "unknown"
    since: date | None = None
    for day in sorted(by_day):
        outcome = day_outcome(by_day[day])
        if outcome is not None and outcome != status:
            status, since = outcome, day
    return status, since


def terms_on_table(events: Sequence[Event]) -> tuple[dict[str, int], date | None]:
    """The terms of the latest proposal (or deal) that has any, and its day."""
    for event in reversed(chronological(events)):
        if TYPE_BY_NAME[event.type].carries_terms and event.terms:
            return dict(event.terms), event.when
    return {}, None


def positions(events: Sequence[Event], since: date | None) -> tuple[Position, ...]:
    """Each actor's latest stance on the proposals since `since` (all if None), oldest first."""
    latest: dict[str, Position] = {}
    for event in chronological(events):
        stance = TYPE_BY_NAME[event.type].stance
        if stance is None or (since is not None and event.when < since):
            continue
        for actor in event.actors:
            latest.pop(actor, None)
            latest[actor] = Position(actor, stance, event.when, event.id,  # type: ignore[arg-type]
                                     dict(event.terms))
    return tuple(latest.values())


def _seen(events: Sequence[Event], names: Sequence[str]) -> tuple[str, ...]:
    actors = {a for e in events for a in e.actors}
    return tuple(n for n in names if n in actors)


def latest_venue(events: Sequence[Event]) -> str | None:
    """Where the latest round took place: the venue of the latest event naming one."""
    return next((e.venue for e in reversed(chronological(events)) if e.venue), None)


def topic_state(
    topic: str, settings: TopicSettings | None, events: Sequence[Event],
    recent: int = RECENT_EVENTS,
) -> TopicState:
    """The status and summary of one topic from all its (non-background) events."""
    status, since = derive_status(events)
    terms, terms_day = terms_on_table(events)
    if settings is not None and (settings.parties or settings.mediators):
        parties = _seen(events, tuple(settings.parties))
        mediators = _seen(events, tuple(settings.mediators))
    else:
        parties = tuple(dict.fromkeys(a for e in chronological(events) for a in e.actors))
        mediators = ()
    newest = list(reversed(chronological(events)))
    return TopicState(
        topic=topic,
        status=status,
        since=since,
        parties=parties,
        mediators=mediators,
        venue=latest_venue(events),
        terms=terms,
        positions=positions(events, terms_day),
        recent=tuple(newest[:recent]),
        outlets=tuple(dict.fromkeys(o for e in newest for o in e.outlets)),
    )
