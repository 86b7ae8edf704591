"""Tracking in the store: developments -> events -> alerts, one transaction per article.

`record_extraction(conn, ...)` runs inside `SqlStore.write`: it stores an article's developments,
folds them into the topic's events, writes the alerts they cause with their planned deliveries,
updates the topic's status and marks the article extracted, all or nothing. A crash before the
commit leaves the article queued: it is re-extracted, never lost nor doubled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from bot.alerts.compose import article_alerts, tracking_alert, update_alert
from bot.alerts.rules import DeliveryPlan, plan_deliveries
from bot.models import Alert, Article, Development, Event, EventSource, Link, TopicStatus
from bot.settings import Settings
from bot.store.sql import insert_ignoring_conflicts, mark_extracted
from bot.store.tables import (
    alerts,
    article_topics,
    articles,
    deliveries,
    developments,
    event_sources,
    events,
    topic_states,
)
from bot.track.cluster import Report
from bot.track.status import topic_state
from bot.track.tracker import Outcome, apply_report, replace_event


@dataclass(frozen=True)
class ExtractionResult:
    """What recording one article did: how many events it created and alerts it wrote."""

    article_id: str
    developments: int
    new_events: int
    alert_ids: tuple[int, ...]


# Reading


def load_events(conn: Connection, topic: str) -> list[Event]:
    """Every event of a topic with its sources, oldest first."""
    rows = conn.execute(
        select(events).where(events.c.topic == topic).order_by(events.c.when, events.c.id)
    ).all()
    sources: dict[int, list[EventSource]] = {}
    source_rows = conn.execute(
        select(event_sources)
        .join(events, events.c.id == event_sources.c.event_id)
        .where(events.c.topic == topic)
        .order_by(event_sources.c.reported, event_sources.c.article_id)
    )
    for s in source_rows:
        sources.setdefault(s.event_id, []).append(EventSource(
            article_id=s.article_id, url=s.url, outlet=s.outlet, reported=s.reported,
            evidence=s.evidence, key=s.source_key,
        ))
    return [
        Event(
            id=row.id, topic=row.topic, type=row.type, actors=tuple(row.actors), venue=row.venue,
            terms=dict(row.terms), when=row.when, first_reported=row.first_reported,
            confidence=row.confidence, sources=tuple(sources.get(row.id, ())),
        )
        for row in rows
    ]


def muted_topics(conn: Connection) -> dict[str, datetime]:
    """Topics with a mute set, and until when."""
    rows = conn.execute(select(topic_states.c.topic, topic_states.c.muted_until).where(
        topic_states.c.muted_until.is_not(None)))
    return {topic: until for topic, until in rows}


def alert_of_event(conn: Connection, event_id: int) -> int | None:
    """The id of the one alert an event got, if it got one."""
    return conn.execute(select(alerts.c.id).where(
        alerts.c.event_id == event_id, alerts.c.kind == "event")).scalar_one_or_none()


# Writing


def _save_event(conn: Connection, event: Event) -> Event:
    values = {
        "topic": event.topic, "type": event.type, "actors": list(event.actors),
        "venue": event.venue, "terms": dict(event.terms), "when": event.when,
        "first_reported": event.first_reported, "confidence": event.confidence,
    }
    if event.id is None:
        event_id = conn.execute(insert(events).values(**values)).inserted_primary_key[0]
        event = replace(event, id=int(event_id))
    else:
        conn.execute(update(events).where(events.c.id == event.id).values(**values))
    for source in event.sources:
        insert_ignoring_conflicts(conn, event_sources, {
            "event_id": event.id, "source_key": source.key or source.article_id,
            "article_id": source.article_id, "url": source.url, "outlet": source.outlet,
            "reported": source.reported, "evidence": source.evidence,
        })
    return event


def write_alert(conn: Connection, alert: Alert, plans: Sequence[DeliveryPlan]) -> int:
    """Insert an alert and its planned deliveries (the outbox); returns the alert id."""
    alert_id = int(conn.execute(insert(alerts).values(
        kind=alert.kind, topic=alert.topic, event_id=alert.event_id, parent_id=alert.parent_id,
        event_type=alert.event_type, confidence=alert.confidence, level=alert.level,
        score=alert.score, title=alert.title,
        lines=[{"text": line.text, "url": line.url} for line in alert.lines],
        created=alert.created,
    )).inserted_primary_key[0])
    for plan in plans:
        conn.execute(insert(deliveries).values(
            alert_id=alert_id, channel=plan.channel, rule=plan.rule, due_at=plan.due,
            digest=plan.digest, ping=plan.ping,
            state="skipped" if plan.skipped else "pending", attempts=0,
            next_attempt_at=plan.due, last_error=plan.skipped,
        ))
    return alert_id


def _write_update(conn: Connection, alert: Alert) -> int | None:
    """An update goes where its parent went, as a reply; nowhere if the parent went nowhere."""
    parent_channels = conn.execute(select(deliveries.c.channel, deliveries.c.rule).where(
        deliveries.c.alert_id == alert.parent_id,
        deliveries.c.state.in_(("pending", "sending", "delivered")),
    )).all()
    if not parent_channels:
        return None
    plans = [DeliveryPlan(channel, rule, alert.created) for channel, rule in parent_channels]
    return write_alert(conn, alert, plans)


def _set_topic_status(conn: Connection, topic: str, status: TopicStatus, since: date | None
                      ) -> None:
    exists = conn.execute(select(topic_states.c.topic).where(topic_states.c.topic == topic)
                          ).first()
    if exists:
        conn.execute(update(topic_states).where(topic_states.c.topic == topic).values(
            status=status, since=since))
    else:
        conn.execute(insert(topic_states).values(topic=topic, status=status, since=since))


def _is_pending(conn: Connection, article_id: str) -> tuple[bool, bool]:
    row = conn.execute(select(articles.c.extracted_at, articles.c.silent).where(
        articles.c.id == article_id)).first()
    return (row is not None and row.extracted_at is None), bool(row and row.silent)


def record_extraction(
    conn: Connection,
    article: Article,
    found: Mapping[str, Sequence[Development]],
    settings: Settings,
    now: datetime,
) -> ExtractionResult:
    """Store one article's developments per topic and everything they cause (one transaction).

    Silent articles (seeds, what a new feed already held) update events and status but write no
    alerts. An article another worker already recorded is left alone.
    """
    pending, silent = _is_pending(conn, article.id)
    if not pending:
        return ExtractionResult(article.id, 0, 0, ())
    mutes = muted_topics(conn)
    stored = new_events = 0
    alert_ids: list[int] = []
    source = EventSource(
        article_id=article.id, url=article.url, outlet=article.source,
        reported=article.published, key=article.content_hash or article.id,
    )
    for topic, devs in found.items():
        topic_events = load_events(conn, topic)
        status_before = topic_state(topic, None, topic_events).status
        outcomes: list[Outcome] = []
        for dev in devs:
            dev_id = conn.execute(insert(developments).values(
                article_id=article.id, topic=topic, type=dev.type, actors=list(dev.actors),
                venue=dev.venue, terms=dict(dev.terms), when=dev.when, evidence=dev.evidence,
                confidence=dev.confidence, background=dev.background,
            )).inserted_primary_key[0]
            stored += 1
            if dev.background:
                continue
            report = Report(topic, dev, replace(source, evidence=dev.evidence))
            outcome = apply_report(topic_events, report)
            event = _save_event(conn, outcome.event)
            outcome = replace(outcome, event=event)
            replace_event(topic_events, replace(outcome, event=event))
            conn.execute(update(developments).where(developments.c.id == dev_id).values(
                event_id=event.id))
            new_events += outcome.created
            outcomes.append(outcome)
        state = topic_state(topic, settings.topics.get(topic), topic_events)
        _set_topic_status(conn, topic, state.status, state.since)
        if silent or not outcomes:
            continue
        alert_ids.extend(_write_outcome_alerts(conn, topic, outcomes, status_before, settings,
                                               mutes, now))
    mark_extracted(conn, [article.id], now)
    return ExtractionResult(article.id, stored, new_events, tuple(alert_ids))


def _write_outcome_alerts(
    conn: Connection, topic: str, outcomes: Sequence[Outcome], status_before: TopicStatus,
    settings: Settings, mutes: Mapping[str, datetime], now: datetime,
) -> list[int]:
    topic_name = settings.topics[topic].name if topic in settings.topics else topic
    rules = settings.alerts.rules
    ids = [
        write_alert(conn, alert, plan_deliveries(alert, rules, now, mutes))
        for alert in article_alerts(outcomes, status_before, topic_name, now)
    ]
    for outcome in outcomes:
        parent = alert_of_event(conn, outcome.event.id or 0) if outcome.new_source else None
        if parent is not None:
            update_id = _write_update(conn, update_alert(outcome, parent, now))
            if update_id is not None:
                ids.append(update_id)
    return ids


def announce_topics(conn: Connection, settings: Settings, now: datetime) -> list[int]:
    """Write the one "now tracking" summary of each topic whose queue has drained.

    A topic is announced once, after the articles it had when first seen (seeds, a new feed's
    entries) are extracted, instead of one alert per development they hold.
    """
    ids = []
    for topic, conf in settings.topics.items():
        row = conn.execute(select(topic_states).where(topic_states.c.topic == topic)).first()
        if row is not None and row.announced_at is not None:
            continue
        waiting = conn.execute(
            select(func.count()).select_from(articles)
            .join(article_topics, article_topics.c.article_id == articles.c.id)
            .where(article_topics.c.topic == topic, articles.c.needs_extraction.is_(True),
                   articles.c.extracted_at.is_(None))
        ).scalar_one()
        if waiting:
            continue
        state = topic_state(topic, conf, load_events(conn, topic))
        alert = tracking_alert(state, conf.name, now)
        ids.append(write_alert(conn, alert, plan_deliveries(alert, settings.alerts.rules, now,
                                                            {})))
        if row is None:
            conn.execute(insert(topic_states).values(topic=topic, status=state.status,
                                                     since=state.since, announced_at=now))
        else:
            conn.execute(update(topic_states).where(topic_states.c.topic == topic).values(
                announced_at=now))
    return ids


def set_mute(conn: Connection, topic: str, until: datetime | None, by: str) -> None:
    """Mute a topic's alerts until a time (None: unmute)."""
    exists = conn.execute(select(topic_states.c.topic).where(topic_states.c.topic == topic)
                          ).first()
    values: dict[str, Any] = {"muted_until": until, "muted_by": by if until else None}
    if exists:
        conn.execute(update(topic_states).where(topic_states.c.topic == topic).values(**values))
    else:
        conn.execute(insert(topic_states).values(topic=topic, status="unknown", **values))


def alert_lines(raw: Sequence[Mapping[str, Any]]) -> tuple[Link, ...]:
    """Alert lines as stored (JSON) back to Links."""
    return tuple(Link(str(item["text"]), item.get("url")) for item in raw)
