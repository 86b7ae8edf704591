"""The scheduler wiring: a job per feed that calls the poller, and a clean stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from bot.ingest.fetcher import Fetcher, open_session
from bot.ingest.poller import Poller
from bot.ingest.schedule import FeedSchedule, jitter_for
from bot.ingest.topics import TopicMatcher
from bot.settings import FeedSettings, IngestSettings, TopicSettings
from bot.store import SqlStore
from tests.servers.feed_server import FeedServer, item, rss

LIMITS = IngestSettings(timeout=10)


@pytest.fixture
async def poller(store: SqlStore) -> AsyncIterator[Poller]:
    async with open_session(LIMITS) as session:
        yield Poller(store, Fetcher(session, LIMITS),
                     TopicMatcher({"talks": TopicSettings(name="t", keywords=("talks",))}))


def feed(url: str) -> FeedSettings:
    return FeedSettings.model_validate({"url": url, "topics": ["talks"], "interval": 30})


async def wait_for(condition: Callable[[], bool]) -> None:
    """Wait up to 5 s for a condition on the feed server's record of requests."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the server's hit list has no event to await
            await asyncio.sleep(0.02)


async def test_every_feed_gets_one_job_that_polls_at_once(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """Starting schedules one job per feed; each is polled at once; stop lets polls finish."""
    feeds = [feed(feed_server.serve(f"{n}.xml", rss([item(f"Talks {n}")]))) for n in range(3)]
    schedule = FeedSchedule(poller, feeds)
    schedule.start()
    try:
        assert sorted(schedule.job_ids()) == sorted(str(f.url) for f in feeds)
        await wait_for(lambda: len(feed_server.hits) == 3)
    finally:
        await schedule.stop()
    assert await store.count_articles() == 3
    assert not schedule.running


async def test_stop_abandons_a_poll_that_outlasts_the_grace_period(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """A slow in-flight poll is cancelled after the grace period and writes nothing."""
    schedule = FeedSchedule(poller, [feed(feed_server.url("fault/slow?seconds=5"))])
    schedule.start()
    await wait_for(lambda: len(feed_server.hits) == 1)
    started = time.monotonic()
    await schedule.stop(grace=0.2)
    assert time.monotonic() - started < 2
    assert await store.count_articles() == 0
    assert await store.feed_states() == {}


def test_jitter_is_a_tenth_of_the_interval_up_to_30_seconds() -> None:
    """Polls spread out without drifting far from their interval."""
    assert (jitter_for(60), jitter_for(3600)) == (6.0, 30.0)
