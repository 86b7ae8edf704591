"""Cross-source clustering: the same development reported by several outlets is one event.

The matching rule, applied to a new report against the topic's existing events:

1. same development type;
2. `when` within `WHEN_WINDOW` days of the event's (outlets date the same meeting a day apart);
3. actors compatible: they overlap, or one side names none;
4. venue compatible: the same, or one side names none;
5. terms compatible: no term (e.g. `hostages`) with two different numbers;
6. and something concrete in common: a shared actor, the same venue or the same terms, or
   failing those, similar evidence wording (word-set overlap of at least `EVIDENCE_SIMILARITY`).

The first event that matches wins; otherwise the report starts a new event. A reprint of an
article under another URL carries the same source key (the article's content hash), so it adds
no second source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.models import Development, Event, EventSource

WHEN_WINDOW = timedelta(days=2)
EVIDENCE_SIMILARITY = 0.3
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it of on or that the their to was were "
    "will with said says after before its this".split()
)


@dataclass(frozen=True)
class Report:
    """A development of a topic as one article reported it."""

    topic: str
    development: Development
    source: EventSource

    @property
    def when(self) -> date:
        """When it happened: the development's date, else the day the article reported it."""
        return self.development.when or self.source.reported.date()


def evidence_words(text: str) -> frozenset[str]:
    """The content words of an evidence sentence, for comparing wordings."""
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)


def evidence_similarity(a: str, b: str) -> float:
    """Jaccard overlap of the content words of two sentences (0..1)."""
    words_a, words_b = evidence_words(a), evidence_words(b)
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / len(words_a | words_b)


def matches(event: Event, report: Report) -> bool:
    """Whether `report` is another report of `event` (the rule in this module's docstring)."""
    dev = report.development
    if dev.type != event.type or report.topic != event.topic:
        return False
    if abs(report.when - event.when) > WHEN_WINDOW:
        return False
    shared_actors = set(dev.actors) & set(event.actors)
    if dev.actors and event.actors and not shared_actors:
        return False
    if dev.venue and event.venue and dev.venue != event.venue:
        return False
    common_terms = dev.terms.keys() & event.terms.keys()
    if any(dev.terms[k] != event.terms[k] for k in common_terms):
        return False
    same_venue = bool(dev.venue) and dev.venue == event.venue
    if shared_actors or same_venue or common_terms:
        return True
    return any(
        evidence_similarity(dev.evidence, s.evidence) >= EVIDENCE_SIMILARITY
        for s in event.sources
    )


def find_event(events: Iterable[Event], report: Report) -> Event | None:
    """The existing event `report` belongs to, if any."""
    return next((e for e in events if matches(e, report)), None)


def new_event(report: Report) -> Event:
    """An event started by its first report."""
    dev = report.development
    return Event(
        topic=report.topic,
        type=dev.type,
        actors=dev.actors,
        venue=dev.venue,
        terms=dict(dev.terms),
        when=report.when,
        first_reported=report.source.reported,
        confidence=dev.confidence,
        sources=(report.source,),
    )


def has_source(event: Event, source: EventSource) -> bool:
    """Whether the same text (a reprint, or another sentence of it) already backs the event."""
    key = source.key or source.article_id
    return any((s.key or s.article_id) == key for s in event.sources)


def merge(event: Event, report: Report) -> Event:
    """The event with one more report folded in: actors, terms and sources accumulate."""
    dev = report.development
    sources = event.sources if has_source(event, report.source) else (
        *event.sources, report.source)
    return replace(
        event,
        actors=tuple(dict.fromkeys((*event.actors, *dev.actors))),
        venue=event.venue or dev.venue,
        terms={**dev.terms, **event.terms},
        when=min(event.when, report.when),
        first_reported=min(event.first_reported, report.source.reported),
        confidence=max(event.confidence, dev.confidence),
        sources=sources,
    )


def cluster(reports: Sequence[Report]) -> list[Event]:
    """Events of a sequence of reports, in the order they first appeared (for replays)."""
    events: list[Event] = []
    for report in reports:
        if report.development.background:
            continue
        found = find_event(events, report)
        if found is None:
            events.append(new_event(report))
        else:
            events[events.index(found)] = merge(found, report)
    return events
