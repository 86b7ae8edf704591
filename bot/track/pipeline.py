"""Articles awaiting extraction -> developments -> events and alerts, off the event loop.

`Tracking.drain()` takes the queued articles in batches, runs the extractor on each in a
worker thread (spaCy is CPU-bound: chat commands keep being answered meanwhile), and records
each article's developments with everything they cause in one transaction. When a topic's
queue is empty it gets its one "now tracking" summary. `run()` drains whenever woken (new
articles) and at a slow poll, until cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.models import Article, Development
from bot.settings import Settings, TopicSettings
from bot.store import SqlStore
from bot.track.store import announce_topics, record_extraction

log = logging.getLogger(__name__)

BATCH = 20
Extract = Callable[[Article, TopicSettings], list[Development]]
Clock = Callable[[], datetime]


class Tracking:
    """Owns extraction of the queue; one per bot."""

    def __init__(self, store: SqlStore, settings: Callable[[], Settings], extract: Extract,
                 clock: Clock, alerts_written: Callable[[], None] = lambda: None,
                 poll_seconds: float = 60.0) -> None:
        self._store = store
        self._settings = settings
        self._extract = extract
        self._clock = clock
        self._alerts_written = alerts_written
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._failed: set[str] = set()

    async def articles_added(self, articles: Sequence[Article]) -> None:
        """A poller listener: new articles are queued, drain soon."""
        if any(a.topics for a in articles):
            self._wake.set()

    def _extract_all(self, article: Article, settings: Settings) -> dict[str, list[Development]]:
        return {topic: self._extract(article, settings.topics[topic])
                for topic in article.topics if topic in settings.topics}

    async def drain(self) -> int:
        """Extract and record everything queued; returns how many articles were recorded."""
        done = 0
        while True:
            queued = await self._store.articles_awaiting_extraction(BATCH + len(self._failed))
            batch = [a for a in queued if a.id not in self._failed][:BATCH]
            if not batch:
                break
            for article in batch:
                settings = self._settings()
                try:
                    found = await asyncio.to_thread(self._extract_all, article, settings)
                except Exception:
                    # Left queued: retried at the next start rather than lost or looping.
                    log.exception("extraction of article %s failed", article.id)
                    self._failed.add(article.id)
                    continue
                await self._record(article, found, settings)
                done += 1
        settings = self._settings()
        announced = await self._store.write(
            lambda conn: announce_topics(conn, settings, self._clock()))
        if announced:
            self._alerts_written()
        return done

    async def _record(self, article: Article, found: dict[str, list[Development]],
                      settings: Settings) -> None:
        now = self._clock()
        result = await self._store.write(
            lambda conn: record_extraction(conn, article, found, settings, now))
        if result.alert_ids:
            self._alerts_written()

    async def run(self) -> None:
        """Drain now, then whenever woken or every `poll_seconds`; until cancelled."""
        while True:
            self._wake.clear()
            try:
                count = await self.drain()
                if count:
                    log.info("tracking: recorded %d article(s)", count)
            except Exception:
                log.exception("tracking: drain failed; retrying later")
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            except TimeoutError:
                pass
