"""`parley replay`: the alerts the rules would have fired over the stored corpus, sending nothing.

The stored developments are replayed article by article (by publication time) through the same
clustering, status and significance code the live bot uses, in memory. Articles before `since`
only build the state; from `since` on, every alert the rules pass is listed with its channel,
due time and rule, so admins can tune rules (a config other than the running one included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import count

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.alerts.compose import article_alerts, update_alert
from bot.alerts.rules import DeliveryPlan, plan_deliveries
from bot.models import Alert, Development, Event, EventSource
from bot.settings import Settings
from bot.store.tables import articles, developments
from bot.track.cluster import Report
from bot.track.status import derive_status
from bot.track.tracker import apply_report, replace_event


@dataclass(frozen=True)
class StoredReport:
    """One stored development with the article that reported it."""

    report: Report
    article_id: str
    published: datetime


@dataclass(frozen=True)
class WouldFire:
    """An alert the rules would have sent, and where."""

    at: datetime
    alert: Alert
    plans: tuple[DeliveryPlan, ...]


def stored_reports(conn: Connection) -> list[StoredReport]:
    """Every non-background development with its article, oldest article first."""
    query = (
        select(developments, articles.c.published, articles.c.source, articles.c.url,
               articles.c.content_hash)
        .join(articles, articles.c.id == developments.c.article_id)
        .where(developments.c.background.is_(False))
        .order_by(articles.c.published, articles.c.id, developments.c.id)
    )
    out = []
    for row in conn.execute(query):
        dev = Development(
            type=row.type, actors=tuple(row.actors), venue=row.venue, terms=dict(row.terms),
            when=row.when, evidence=row.evidence, confidence=row.confidence,
            source=row.article_id,
        )
        source = EventSource(article_id=row.article_id, url=row.url or "", outlet=row.source,
                             reported=row.published, evidence=row.evidence,
                             key=row.content_hash or row.article_id)
        out.append(StoredReport(Report(row.topic, dev, source), row.article_id, row.published))
    return out


def replay(reports: Sequence[StoredReport], settings: Settings, since: datetime
           ) -> list[WouldFire]:
    """What the rules in `settings` would have fired from `since` on."""
    events: dict[str, list[Event]] = defaultdict(list)
    alerted: dict[int, int] = {}  # event id -> the number of its alert, for updates
    event_ids = count(1)
    fired: list[WouldFire] = []
    by_article: dict[tuple[str, str], list[StoredReport]] = defaultdict(list)
    for item in reports:
        by_article[(item.article_id, item.report.topic)].append(item)
    for (_, topic), items in by_article.items():
        topic_events = events[topic]
        before, _ = derive_status(topic_events)
        outcomes = []
        for item in items:
            outcome = apply_report(topic_events, item.report)
            # Stand-in ids, so updates can find the alert of their event.
            event_id = outcome.previous.id if outcome.previous else next(event_ids)
            outcome = replace(outcome, event=replace(outcome.event, id=event_id))
            replace_event(topic_events, outcome)
            outcomes.append(outcome)
        published = items[0].published
        if published < since:
            continue
        name = settings.topics[topic].name if topic in settings.topics else topic
        new = article_alerts(outcomes, before, name, published)
        for outcome in outcomes:
            if outcome.new_source and outcome.event.id in alerted:
                new.append(update_alert(outcome, alerted[outcome.event.id or 0], published))
        for alert in new:
            plans = plan_deliveries(alert, settings.alerts.rules, published, {})
            if alert.kind == "event" and alert.event_id is not None:
                alerted[alert.event_id] = len(fired) + 1
            if plans:
                fired.append(WouldFire(published, alert, tuple(plans)))
    return fired
