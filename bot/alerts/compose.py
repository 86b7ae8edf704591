"""The alerts a tracking outcome causes, and the message each one shows (pure).

One alert per event, whatever the number of sources: a new event is an `event` alert; a later
source for it is an `update` (posted as a thread reply of the original, never a new alert); a
change of the topic's status is a `status` alert of its own. Silent outcomes (seeds, what a new
feed already held) alert nothing: the topic gets one `tracking` summary instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.models import (
    Alert,
    AlertKind,
    Event,
    Link,
    Reply,
    SignificanceLevel,
    TopicState,
    TopicStatus,
)
from bot.track.describe import (
    describe_event,
    describe_position,
    describe_terms,
    format_day,
    join_names,
)
from bot.track.tracker import Outcome

MAX_EVIDENCE = 3
LEVEL_RANK = {"low": 0, "normal": 1, "high": 2}


def source_lines(event: Event) -> tuple[Link, ...]:
    """One line per source: outlet, day, linked to the article when it has an address."""
    return tuple(
        Link(f"{s.outlet} ({format_day(s.reported.date())})", s.url or None)
        for s in event.sources
    )


def evidence_lines(event: Event) -> tuple[Link, ...]:
    """The sentences behind the event, quoted, the first few only."""
    quotes = dict.fromkeys(s.evidence.strip() for s in event.sources if s.evidence.strip())
    return tuple(Link(f"“{q}”") for q in list(quotes)[:MAX_EVIDENCE])


def _alert_about(outcome: Outcome, kind: AlertKind, title: str, lines: tuple[Link, ...],
                 now: datetime, level: SignificanceLevel | None = None,
                 parent_id: int | None = None) -> Alert:
    event = outcome.event
    return Alert(
        kind=kind,
        topic=event.topic,
        title=title,
        lines=lines,
        level=level or outcome.level,
        score=outcome.score,
        created=now,
        event_id=event.id,
        event_type=event.type,
        confidence=event.confidence,
        parent_id=parent_id,
    )


def event_alert(outcome: Outcome, topic_name: str, now: datetime) -> Alert:
    """The one alert of a new event."""
    event = outcome.event
    return _alert_about(
        outcome, "event", f"{topic_name}: {describe_event(event)} ({format_day(event.when)})",
        evidence_lines(event) + source_lines(event), now)


def update_alert(outcome: Outcome, parent_id: int, now: datetime) -> Alert:
    """A later source for an event already alerted: a reply to its alert."""
    event = outcome.event
    return _alert_about(
        outcome, "update",
        f"Also reported by {event.sources[-1].outlet}: {describe_event(event)}",
        evidence_lines(event)[-1:] + source_lines(event), now, level="low", parent_id=parent_id)


def status_alert(outcome: Outcome, topic_name: str, now: datetime) -> Alert:
    """The topic's status changed."""
    event = outcome.event
    return _alert_about(
        outcome, "status",
        f"{topic_name}: now {outcome.status_after} (was {outcome.status_before})",
        (Link(f"After: {describe_event(event)} ({format_day(event.when)})"),
         *source_lines(event)), now)


def tracking_alert(state: TopicState, topic_name: str, now: datetime) -> Alert:
    """The one 'now tracking' summary a topic gets instead of an alert per known development."""
    lines = [Link(f"Status: {state.status}"
                  + (f" since {format_day(state.since)}" if state.since else ""))]
    if state.parties or state.mediators:
        lines.append(Link(f"Parties: {join_names(state.parties) or '-'}; "
                          f"mediators: {join_names(state.mediators) or '-'}"))
    if state.terms:
        lines.append(Link(f"On the table: {describe_terms(state.terms)}"))
    lines.extend(Link(describe_position(p)) for p in state.positions)
    lines.extend(Link(f"{format_day(e.when)}: {describe_event(e)}") for e in state.recent[:3])
    return Alert(
        kind="tracking",
        topic=state.topic,
        title=f"Now tracking {topic_name}",
        lines=tuple(lines),
        level="normal",
        score=0.0,
        created=now,
    )


def feed_health_alert(feed: str, healthy: bool, detail: str, now: datetime) -> Alert:
    """A feed turned bad, or recovered: for the admin channel."""
    title = f"Feed recovered: {feed}" if healthy else f"Feed failing: {feed}"
    return Alert(
        kind="feed_health",
        topic=None,
        title=title,
        lines=(Link(detail),) if detail else (),
        level="normal",
        score=0.0,
        created=now,
    )


def article_alerts(
    outcomes: Sequence[Outcome], status_before: TopicStatus, topic_name: str, now: datetime
) -> list[Alert]:
    """The new alerts of one article's outcomes on a topic (updates need the parent's id).

    One alert per new event. When the article moved the topic's status, the most significant
    of its event alerts says so (one message, not two); with no new event, the status change is
    an alert of its own.
    """
    alerts = [event_alert(o, topic_name, now) for o in outcomes if o.created]
    if not outcomes or outcomes[-1].status_after == status_before:
        return alerts
    strongest = max(outcomes, key=lambda o: (LEVEL_RANK[o.level], o.score))
    change = replace(strongest, status_before=status_before,
                     status_after=outcomes[-1].status_after)
    if not alerts:
        return [status_alert(change, topic_name, now)]
    top = max(range(len(alerts)), key=lambda i: (LEVEL_RANK[alerts[i].level], alerts[i].score))
    line = Link(f"Status: now {change.status_after} (was {change.status_before})")
    alerts[top] = replace(alerts[top], lines=(line, *alerts[top].lines),
                          level=max(alerts[top].level, change.level, key=LEVEL_RANK.__getitem__),
                          score=max(alerts[top].score, change.score))
    return alerts


def reply_for(alert: Alert, alert_id: int) -> Reply:
    """The platform-neutral message of an alert; its footer names it for `why`."""
    footer = f"alert {alert_id} · significance {alert.level} · /why {alert_id} for the evidence"
    if alert.kind in ("tracking", "feed_health"):
        footer = f"alert {alert_id}"
    return Reply(title=alert.title, lines=alert.lines, footer=footer)


def digest_reply(alerts: list[tuple[int, Alert]]) -> Reply:
    """Several due alerts of one channel as one digest message."""
    return Reply(
        title=f"Digest: {len(alerts)} development{'s' if len(alerts) != 1 else ''}",
        lines=tuple(Link(f"{a.title} [alert {i}]") for i, a in alerts),
        footer="/why <alert id> for the evidence",
    )

