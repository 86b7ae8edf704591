"""The composition root: builds every component from Settings and owns their lifetimes.

`build_app(settings)` opens, in order, the store, the HTTP session and the components built
on them, registering each one's teardown on one AsyncExitStack, so leaving the `async with`
closes them in reverse order: the scheduler stops (in-flight polls finish or are abandoned),
then the HTTP session closes, then the store waits for running transactions and closes.
A new component is built in `build_app`, next to its dependencies, with its teardown pushed
on the same stack, and gets a field on `App`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.alerts.outbox import Outbox
from bot.commands.feed_admin import effective_feeds
from bot.commands.handler import Commands, Hooks, LiveConfig
from bot.extract import Extractor
from bot.ingest.fetcher import Fetcher, open_session
from bot.ingest.poller import Poller, utc_now
from bot.ingest.schedule import FeedSchedule
from bot.ingest.topics import TopicMatcher
from bot.ingest.workers import ParsePool
from bot.settings import LoadedConfig, Settings, config_path
from bot.store import SqlStore
from bot.track.pipeline import Tracking


@dataclass(frozen=True)
class App:
    """Every long-lived component of a Parley process."""

    settings: Settings
    store: SqlStore
    fetcher: Fetcher
    poller: Poller
    feeds: FeedSchedule
    config: LiveConfig
    tracking: Tracking
    outbox: Outbox
    commands: Commands


@asynccontextmanager
async def build_app(settings: Settings, loaded: LoadedConfig | None = None,
                    clock: Callable[[], datetime] = utc_now) -> AsyncIterator[App]:
    """Build the app; nothing runs in the background until `app.feeds.start()` and the
    owner runs `app.tracking.run()` and `app.outbox.run()`. `loaded` is what `reload` re-reads.
    """
    async with AsyncExitStack() as stack:
        store = await SqlStore.open(settings.storage.url)
        stack.push_async_callback(store.close)

        session = await stack.enter_async_context(open_session(settings.ingest))
        fetcher = Fetcher(session, settings.ingest)

        matcher = TopicMatcher(settings.topics)
        # Worker processes start on the first parse: commands that poll nothing start none.
        parse_pool = ParsePool()
        stack.push_async_callback(parse_pool.close)
        poller = Poller(
            store, fetcher, matcher,
            concurrency=settings.ingest.concurrency, max_backoff=settings.ingest.max_backoff,
            parse_pool=parse_pool,
        )
        feeds = FeedSchedule(poller, settings.feeds)
        stack.push_async_callback(feeds.stop)

        config = LiveConfig(loaded or LoadedConfig(path=config_path(), settings=settings))
        follow = partial(follow_config, config, store, poller, feeds)
        extractor = await asyncio.to_thread(Extractor, settings.extractor)
        outbox = Outbox(store, {}, clock)
        tracking = Tracking(store, lambda: config.settings, extractor.extract, clock,
                            alerts_written=outbox.wake)
        poller.add_listener(tracking.articles_added)
        commands = Commands(store, config, clock, Hooks(
            after_reload=[follow, outbox.retry_failed], after_feeds_changed=[follow]))

        await follow()
        yield App(
            settings=settings, store=store, fetcher=fetcher, poller=poller,
            feeds=feeds, config=config, tracking=tracking, outbox=outbox, commands=commands,
        )


async def follow_config(config: LiveConfig, store: SqlStore, poller: Poller,
                        feeds: FeedSchedule) -> None:
    """Apply the live config to ingestion: topic matching, and the feeds to poll (the YAML's
    plus those admins added from chat, minus those they removed)."""
    settings = config.settings
    poller.matcher = TopicMatcher(settings.topics)
    feeds.reschedule(await store.read(lambda conn: effective_feeds(conn, settings)))
