"""Reading what the tracker stored, for commands and the CLI: states, timelines, alerts, feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.models import Alert, Event, TopicState
from bot.settings import Settings
from bot.store import SqlStore
from bot.store.sql import FeedState
from bot.store.tables import alerts, deliveries, feed_health, topic_states
from bot.track.status import chronological, topic_state
from bot.track.store import alert_lines, load_events

STATUS_EVENTS = 8


@dataclass(frozen=True)
class DeliveryRecord:
    """Where an alert went, under which rule, and how that went."""

    channel: str
    rule: str
    state: str
    delivered_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class AlertRecord:
    """An alert with its deliveries and the event behind it: what `why` explains."""

    alert: Alert
    deliveries: tuple[DeliveryRecord, ...]
    event: Event | None


@dataclass(frozen=True)
class FeedHealth:
    """One feed as `sources` shows it."""

    url: str
    name: str | None
    healthy: bool
    state: FeedState | None
    from_chat: bool = False


async def state_of(store: SqlStore, settings: Settings, topic: str,
                   recent: int = STATUS_EVENTS) -> TopicState:
    """The topic's status and summary, from its stored events."""
    events = await store.read(lambda conn: load_events(conn, topic))
    return topic_state(topic, settings.topics.get(topic), events, recent=recent)


async def timeline(store: SqlStore, topic: str, limit: int | None = None) -> list[Event]:
    """The topic's events, oldest first; only the last `limit` when given."""
    events = chronological(await store.read(lambda conn: load_events(conn, topic)))
    return events[-limit:] if limit else events


async def mutes(store: SqlStore) -> dict[str, datetime]:
    """Topics muted, until when."""
    query = select(topic_states.c.topic, topic_states.c.muted_until).where(
        topic_states.c.muted_until.is_not(None))
    rows = await store.read(lambda conn: conn.execute(query).all())
    return {topic: until for topic, until in rows}


def _alert_record(conn: Connection, alert_id: int) -> AlertRecord | None:
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
    if row is None:
        return None
    alert = Alert(
        kind=row.kind, topic=row.topic, title=row.title, lines=alert_lines(row.lines),
        level=row.level, score=row.score, created=row.created, event_id=row.event_id,
        event_type=row.event_type, confidence=row.confidence, parent_id=row.parent_id,
        id=row.id,
    )
    records = tuple(
        DeliveryRecord(d.channel, d.rule, d.state, d.delivered_at, d.last_error)
        for d in conn.execute(select(deliveries).where(deliveries.c.alert_id == alert_id)
                              .order_by(deliveries.c.channel))
    )
    event = None
    if row.event_id is not None and row.topic is not None:
        event = next((e for e in load_events(conn, row.topic) if e.id == row.event_id), None)
    return AlertRecord(alert, records, event)


async def alert_record(store: SqlStore, alert_id: int) -> AlertRecord | None:
    """An alert with its deliveries and event, or None."""
    return await store.read(lambda conn: _alert_record(conn, alert_id))


async def reported_health(store: SqlStore) -> dict[str, bool]:
    """The health last reported per feed URL (absent: never reported bad)."""
    rows = await store.read(lambda conn: conn.execute(
        select(feed_health.c.url, feed_health.c.healthy)).all())
    return {url: healthy for url, healthy in rows}


async def feed_states(store: SqlStore) -> dict[str, FeedState]:
    """What the poller remembers of each feed."""
    return await store.feed_states()

