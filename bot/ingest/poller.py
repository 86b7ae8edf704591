"""One feed, one cycle: fetch (conditionally), parse, match topics, store, remember state.

`Poller.poll(feed)` is the plain coroutine the scheduler calls and tests call directly. A
feed that fails (network, HTTP, size, unusable document) is retried with exponential backoff
per feed, up to `max_backoff`; each failure is one warning line. Time comes from `clock`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Literal

from bot.errors import FetchError, ParseError
from bot.ingest.fetcher import Fetcher
from bot.ingest.fulltext import FullTextFetcher
from bot.ingest.parser import ParsedFeed, with_content_hash
from bot.ingest.topics import TopicMatcher
from bot.ingest.workers import ParsePool
from bot.models import Article
from bot.settings import FeedSettings
from bot.store import FeedState, NewArticle, SqlStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Called with the articles a poll stored for the first time, after they are committed.
ArticleListener = Callable[[Sequence[Article]], Awaitable[None]]
Outcome = Literal["new", "unchanged", "not_modified", "failed", "backing_off"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PollResult:
    """What one poll of one feed did."""

    feed_url: str
    outcome: Outcome
    entries: int = 0
    new_articles: int = 0
    queued: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome not in ("failed", "backing_off")


def backoff_delay(interval: float, failures: int, cap: float) -> timedelta:
    """Wait after `failures` failures in a row: interval, 2x, 4x, ... up to the cap."""
    seconds = interval * 2 ** max(0, failures - 1)
    return timedelta(seconds=min(seconds, max(cap, interval)))


class Poller:
    """Polls feeds into the store. Shared by the scheduler and `parley ingest --once`."""

    def __init__(
        self,
        store: SqlStore,
        fetcher: Fetcher,
        matcher: TopicMatcher,
        *,
        concurrency: int = 8,
        max_backoff: float = 3600,
        clock: Clock = utc_now,
        parse_pool: ParsePool | None = None,
    ) -> None:
        self._store = store
        self._fetcher = fetcher
        # Public: a config reload swaps it for the next polls.
        self.matcher = matcher
        self._full_text = FullTextFetcher(fetcher)
        self._slots = asyncio.Semaphore(concurrency)
        self._max_backoff = max_backoff
        self._clock = clock
        # The owner of a process pool closes it; the default parses in threads.
        self._parse_pool = parse_pool or ParsePool(processes=0)
        self._listeners: list[ArticleListener] = []

    def add_listener(self, listener: ArticleListener) -> None:
        """Be told of newly stored articles (e.g. to extract them or print them)."""
        self._listeners.append(listener)

    async def poll(self, feed: FeedSettings, *, force: bool = False) -> PollResult:
        """Poll one feed once. Skips a feed still backing off unless `force`.

        Raises StorageError only: feed problems are recorded on the feed, not raised.
        """
        url = str(feed.url)
        state = await self._store.feed_state(url) or FeedState(url=url)
        now = self._clock()
        if not force and state.failures and state.next_poll_at and now < state.next_poll_at:
            return PollResult(url, "backing_off", error=state.last_error)
        async with self._slots:
            try:
                result, stored = await self._fetch_and_store(feed, state)
            except (FetchError, ParseError) as exc:
                return await self._record_failure(feed, state, str(exc))
        if stored:
            await self._notify(stored)
        return result

    async def _fetch_and_store(
        self, feed: FeedSettings, state: FeedState
    ) -> tuple[PollResult, list[Article]]:
        url = str(feed.url)
        fetched = await self._fetcher.fetch(
            url, etag=state.etag, last_modified=state.last_modified, headers=feed.headers)
        now = self._clock()
        ok_state = replace(
            state, name=feed.name, etag=fetched.etag, last_modified=fetched.last_modified,
            failures=0, last_error=None, last_polled_at=now, last_ok_at=now,
            next_poll_at=now + timedelta(seconds=feed.interval),
        )
        if fetched.not_modified:
            await self._store.save_feed_state(ok_state)
            return PollResult(url, "not_modified"), []
        # One worker call per feed: parsing, HTML to text and topic matching together. One
        # matcher for the whole poll, even if a config reload swaps `self.matcher` meanwhile.
        matcher = self.matcher
        parsed = await self._parse_pool.parse(
            fetched.body, url=fetched.url, fetched_at=now, content_type=fetched.content_type,
            source=feed.name, topics_of=partial(matcher.topics_in, among=feed.topics))
        if parsed.warning:
            log.warning("feed %s: %s", _label(feed), parsed.warning)
        items = await self._prepare(feed, parsed, matcher, first_poll=state.last_ok_at is None)
        stored = await self._store.record_poll(items, ok_state)
        outcome: Outcome = "new" if stored else "unchanged"
        queued = sum(1 for a in stored if a.topics)
        return PollResult(url, outcome, len(parsed.articles), len(stored), queued), stored

    async def _prepare(
        self, feed: FeedSettings, parsed: ParsedFeed, matcher: TopicMatcher, *, first_poll: bool
    ) -> list[NewArticle]:
        fresh = list(parsed.articles)
        if feed.full_text and fresh:
            # Only pages not fetched before: the store would skip known articles anyway.
            known = await self._store.known_article_ids(a.id for a in fresh)
            fresh = [a for a in fresh if a.id not in known]
            fresh = list(await asyncio.gather(
                *(self._with_full_text(a, feed, matcher) for a in fresh)))
        # A new feed's backlog sets the state silently, but for its newest `backfill` entries.
        newest = sorted(fresh, key=lambda a: a.published, reverse=True)[: feed.backfill]
        loud = {a.id for a in newest}
        return [
            NewArticle(a, feed_url=str(feed.url), silent=first_poll and a.id not in loud)
            for a in fresh
        ]

    async def _with_full_text(
        self, article: Article, feed: FeedSettings, matcher: TopicMatcher
    ) -> Article:
        text = await self._full_text.text_of(article.url)
        if not text or len(text) <= len(article.text):
            return article
        with_text = with_content_hash(replace(article, text=text))
        return replace(with_text, topics=matcher.topics_of(with_text, feed.topics))

    async def _record_failure(
        self, feed: FeedSettings, state: FeedState, error: str
    ) -> PollResult:
        now = self._clock()
        failures = state.failures + 1
        delay = backoff_delay(feed.interval, failures, self._max_backoff)
        await self._store.save_feed_state(replace(
            state, name=feed.name, failures=failures, last_error=error, last_polled_at=now,
            next_poll_at=now + delay,
        ))
        log.warning("feed %s failed (%s): %s; next try in %s", _label(feed),
                    _ordinal_in_a_row(failures), error, _duration(delay))
        return PollResult(str(feed.url), "failed", error=error)

    async def _notify(self, articles: Sequence[Article]) -> None:
        for listener in self._listeners:
            try:
                await listener(articles)
            except Exception:
                log.exception("a listener of new articles failed")


def _label(feed: FeedSettings) -> str:
    return f"{feed.name} ({feed.url})" if feed.name else str(feed.url)


def _ordinal_in_a_row(n: int) -> str:
    return "once" if n == 1 else f"{n} times in a row"


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"
