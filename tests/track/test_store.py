"""Tracking in the store: developments, events and alerts written with the extracted mark."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.store import SqlStore
from bot.store.tables import alerts, deliveries, developments, event_sources
from bot.track.store import announce_topics, load_events
from tests.tracking_factories import article, development, record, settings

NOW = datetime(2024, 5, 9, 12, tzinfo=UTC)


async def count(store: SqlStore, table, *where) -> int:  # noqa: ANN001, ANN002
    query = select(func.count()).select_from(table).where(*where)
    return int(await store.read(lambda conn: conn.execute(query).scalar_one()))


async def test_developments_become_events_and_the_article_leaves_the_queue(
    store: SqlStore,
) -> None:
    """Recording stores developments and events and marks the article extracted."""
    result = await record(store, article("a1"), [
        development("delegation_departed", "Israel", venue="Cairo"),
        development("no_breakthrough", "Israel", venue="Cairo"),
    ], settings(), NOW)
    assert (result.developments, result.new_events) == (2, 2)
    assert await store.articles_awaiting_extraction() == []
    events = await store.read(lambda conn: load_events(conn, "talks"))
    assert [e.type for e in events] == ["delegation_departed", "no_breakthrough"]


async def test_a_second_outlet_adds_a_source_and_an_update_not_a_second_alert(
    store: SqlStore,
) -> None:
    """One event alert whatever the number of sources; the second source is an update."""
    conf = settings()
    await record(store, article("a1"), [development("proposal_rejected", "Israel")], conf, NOW)
    await record(store, article("b1", outlet="Outlet B"),
                 [development("proposal_rejected", "Israel")], conf, NOW)
    assert await count(store, alerts, alerts.c.kind == "event") == 1
    assert await count(store, alerts, alerts.c.kind == "update") == 1
    assert await count(store, event_sources) == 2


async def test_a_status_change_rides_on_the_alert_of_the_event_causing_it(
    store: SqlStore,
) -> None:
    """A proposal then a rejection: each event alert says how the status moved."""
    conf = settings()
    await record(store, article("a1", day=date(2024, 5, 6)),
                 [development("proposal_presented", "Egypt")], conf, NOW)
    await record(store, article("a2"), [development("proposal_rejected", "Israel")], conf, NOW)
    rows = await store.read(lambda conn: conn.execute(
        select(alerts.c.kind, alerts.c.lines).order_by(alerts.c.id)).all())
    assert [(kind, lines[0]["text"]) for kind, lines in rows] == [
        ("event", "Status: now active (was unknown)"),
        ("event", "Status: now stalled (was active)")]


async def test_silent_articles_set_the_state_without_alerts(store: SqlStore) -> None:
    """Seeds and a new feed's backlog alert nothing."""
    await record(store, article("seed"), [development("proposal_rejected", "Israel")], settings(),
                 NOW, silent=True)
    assert await count(store, alerts) == 0
    assert len(await store.read(lambda conn: load_events(conn, "talks"))) == 1


async def test_each_topic_is_announced_once_when_its_queue_has_drained(store: SqlStore) -> None:
    """One 'now tracking' summary per topic, never two."""
    conf = settings()
    await record(store, article("seed"), [development("proposal_rejected", "Israel")], conf, NOW,
                 silent=True)
    first = await store.write(lambda conn: announce_topics(conn, conf, NOW))
    second = await store.write(lambda conn: announce_topics(conn, conf, NOW))
    assert (len(first), second) == (1, [])
    assert await count(store, deliveries) == 1


async def test_background_developments_are_stored_but_make_no_event(store: SqlStore) -> None:
    """A recap is kept as a development and updates nothing."""
    await record(store, article("a1"), [development("release", "Hamas", background=True)],
                 settings(), NOW)
    assert await count(store, developments) == 1
    assert await store.read(lambda conn: load_events(conn, "talks")) == []


async def test_an_article_already_recorded_is_left_alone(store: SqlStore) -> None:
    """Recording twice (two workers, or a retry) doubles nothing."""
    item = article("a1")
    conf = settings()
    await record(store, item, [development("proposal_rejected", "Israel")], conf, NOW)
    again = await record(store, item, [development("proposal_rejected", "Israel")], conf, NOW)
    assert again.developments == 0
    assert await count(store, developments) == 1
