"""`parley replay`: what the rules would have fired over the stored corpus, sending nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.alerts.replay import replay, stored_reports
from bot.store import SqlStore
from bot.store.tables import deliveries
from tests.tracking_factories import article, development, record, settings

NOW = datetime(2024, 5, 10, tzinfo=UTC)


async def _corpus(store: SqlStore) -> None:
    conf = settings()
    await record(store, article("a1", day=date(2024, 2, 13)),
                 [development("no_breakthrough", venue="Cairo")], conf, NOW, silent=True)
    await record(store, article("a2", day=date(2024, 5, 9)),
                 [development("proposal_rejected", "Israel"),
                  development("talks_held", venue="Cairo")], conf, NOW, silent=True)
    await record(store, article("b2", day=date(2024, 5, 9), outlet="Outlet B"),
                 [development("proposal_rejected", "Israel")], conf, NOW, silent=True)


async def test_replay_lists_alerts_since_the_date_under_the_given_rules(store: SqlStore) -> None:
    """From May on: the rejection (talks_held filtered by default), then B's update."""
    await _corpus(store)
    reports = await store.read(stored_reports)
    fired = replay(reports, settings(), datetime(2024, 5, 1, tzinfo=UTC))
    assert [(f.alert.kind, f.alert.event_type) for f in fired] == [
        ("event", "proposal_rejected"), ("update", "proposal_rejected")]


async def test_replay_with_other_rules_shows_what_they_would_change(store: SqlStore) -> None:
    """A rule asking for talks_held only lists that."""
    await _corpus(store)
    reports = await store.read(stored_reports)
    rules = [{"channel": "console", "topics": ["talks"], "types": ["talks_held"]}]
    fired = replay(reports, settings(rules=rules), datetime(2024, 1, 1, tzinfo=UTC))
    assert [f.alert.event_type for f in fired] == ["talks_held"]


async def test_replay_sends_and_writes_nothing(store: SqlStore) -> None:
    """No delivery is written by a replay."""
    await _corpus(store)
    replay(await store.read(stored_reports), settings(), datetime(2024, 1, 1, tzinfo=UTC))
    rows = await store.read(lambda conn: conn.execute(deliveries.select()).all())
    assert rows == []
