"""Feed health: reported to the admin channel once when bad, once when recovered."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.alerts.health import check_feed_health, is_bad
from bot.alerts.outbox import Outbox
from bot.settings import Settings
from bot.store import FeedState, SqlStore
from tests.tracking_factories import Clock, RecordingSink, settings

NOW = datetime(2024, 5, 9, 12, tzinfo=UTC)
URL = "https://feeds.example/world.xml"


def conf() -> Settings:
    """One feed; the admin channel on Slack."""
    return settings(feeds=({"url": URL, "topics": ["talks"], "name": "World"},),
                    admin_channel="slack:CADMIN", rules=[])


def test_blocked_feeds_are_bad_at_once_others_after_three_failures() -> None:
    """403/429 at the first failure; a timeout only on the third in a row."""
    assert is_bad(FeedState(URL, failures=1, last_error="HTTP 403 Forbidden"))
    assert not is_bad(FeedState(URL, failures=2, last_error="timed out"))
    assert is_bad(FeedState(URL, failures=3, last_error="timed out"))
    assert not is_bad(FeedState(URL, failures=0))


async def test_a_failing_feed_is_reported_once_then_once_when_it_recovers(
    store: SqlStore,
) -> None:
    """Bad: one admin alert however many checks; recovered: one more."""
    settings_ = conf()
    await store.save_feed_state(FeedState(URL, failures=3, last_error="timed out"))
    first = await check_feed_health(store, settings_, NOW)
    again = await check_feed_health(store, settings_, NOW)
    await store.save_feed_state(FeedState(URL, failures=0))
    recovered = await check_feed_health(store, settings_, NOW)
    assert (len(first), again, len(recovered)) == (1, [], 1)
    sink = RecordingSink("slack")
    await Outbox(store, {"slack": sink}, Clock(NOW)).send_due()
    assert [(a.channel, a.reply.title) for a in sink.posted] == [
        ("CADMIN", f"Feed failing: World ({URL})"),
        ("CADMIN", f"Feed recovered: World ({URL})"),
    ]
