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


async def test_reschedule_polls_a_new_feed_at_once(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """A feed added while running gets its job and is polled now, not after its interval."""
    first, added = (feed(feed_server.serve(f"{n}.xml", rss([item(f"Talks {n}")])))
                    for n in range(2))
    schedule = FeedSchedule(poller, [first])
    schedule.start()
    try:
        await wait_for(lambda: len(feed_server.hits_of("feeds/0.xml")) == 1)
        schedule.reschedule([first, added])
        assert sorted(schedule.job_ids()) == sorted([str(first.url), str(added.url)])
        await wait_for(lambda: len(feed_server.hits_of("feeds/1.xml")) == 1)
    finally:
        await schedule.stop()
    assert await store.count_articles() == 2


async def test_reschedule_drops_the_job_of_a_removed_feed(
    poller: Poller, feed_server: FeedServer
) -> None:
    """A feed no longer listed stops being polled: its job is gone, the others stay."""
    kept, removed = (feed(feed_server.serve(f"{n}.xml", rss([item(f"Talks {n}")])))
                     for n in range(2))
    schedule = FeedSchedule(poller, [kept, removed])
    schedule.start()
    try:
        await wait_for(lambda: len(feed_server.hits) == 2)
        schedule.reschedule([kept])
        assert schedule.job_ids() == [str(kept.url)]
    finally:
        await schedule.stop()


async def test_reschedule_leaves_an_unchanged_feed_alone(
    poller: Poller, feed_server: FeedServer
) -> None:
    """A feed listed again unchanged keeps its job: it is not polled again before its time."""
    same, added = (feed(feed_server.serve(f"{n}.xml", rss([item(f"Talks {n}")])))
                   for n in range(2))
    schedule = FeedSchedule(poller, [same])
    schedule.start()
    try:
        await wait_for(lambda: len(feed_server.hits_of("feeds/0.xml")) == 1)
        schedule.reschedule([same, added])
        await wait_for(lambda: len(feed_server.hits_of("feeds/1.xml")) == 1)
    finally:
        await schedule.stop()  # lets any poll the reschedule started finish first
    assert len(feed_server.hits_of("feeds/0.xml")) == 1


async def test_reschedule_polls_a_changed_feed_again_now(
    poller: Poller, feed_server: FeedServer
) -> None:
    """A feed whose settings changed (here its name) is rescheduled, first poll now."""
    before = feed(feed_server.serve("0.xml", rss([item("Talks 0")])))
    schedule = FeedSchedule(poller, [before])
    schedule.start()
    try:
        await wait_for(lambda: len(feed_server.hits_of("feeds/0.xml")) == 1)
        schedule.reschedule([before.model_copy(update={"name": "Renamed"})])
        await wait_for(lambda: len(feed_server.hits_of("feeds/0.xml")) == 2)
        assert schedule.job_ids() == [str(before.url)]
    finally:
        await schedule.stop()


async def test_reschedule_before_start_sets_what_start_schedules(
    poller: Poller, feed_server: FeedServer
) -> None:
    """Before start (the app applying chat-added feeds at boot) only the list is replaced."""
    dropped, chosen = (feed(feed_server.serve(f"{n}.xml", rss([item(f"Talks {n}")])))
                       for n in range(2))
    schedule = FeedSchedule(poller, [dropped])
    schedule.reschedule([chosen])
    assert schedule.job_ids() == []
    schedule.start()
    try:
        assert schedule.job_ids() == [str(chosen.url)]
        await wait_for(lambda: len(feed_server.hits_of("feeds/1.xml")) == 1)
    finally:
        await schedule.stop()
    assert feed_server.hits_of("feeds/0.xml") == []
