"""APScheduler wiring only: one interval job per feed calling `Poller.poll(feed)`.

Each job runs at the feed's interval with jitter, one run at a time per feed, missed runs
coalesced into one. `stop()` lets in-flight polls finish for a grace period, then abandons
them (their store transactions complete or roll back whole in the store's thread).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import ParleyError
from bot.ingest.poller import Poller
from bot.settings import FeedSettings

log = logging.getLogger(__name__)

MAX_JITTER_SECONDS = 30.0


def jitter_for(interval: float) -> float:
    """Spread polls: up to 10% of the interval, at most 30 s."""
    return min(interval * 0.1, MAX_JITTER_SECONDS)


class FeedSchedule:
    """Owns the scheduler and the poll tasks it starts."""

    def __init__(self, poller: Poller, feeds: Sequence[FeedSettings]) -> None:
        self._poller = poller
        self._feeds = tuple(feeds)
        self._scheduler: AsyncIOScheduler | None = None
        self._in_flight: set[asyncio.Task[object]] = set()

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def job_ids(self) -> list[str]:
        """The scheduled jobs (one per feed URL)."""
        return [job.id for job in self._scheduler.get_jobs()] if self._scheduler else []

    def start(self) -> None:
        """Schedule every feed, first polls now. Call from the running event loop."""
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        self._scheduler = scheduler
        for feed in self._feeds:
            self._add_job(feed)
        scheduler.start()

    def reschedule(self, feeds: Sequence[FeedSettings]) -> None:
        """Follow `feeds` from now on: new or changed feeds are (re)scheduled, first poll now;
        feeds no longer listed stop being polled (a poll under way finishes)."""
        old = {str(f.url): f for f in self._feeds}
        self._feeds = tuple(feeds)
        if self._scheduler is None:
            return
        new = {str(f.url): f for f in self._feeds}
        for url in old.keys() - new.keys():
            self._scheduler.remove_job(url)
        for url, feed in new.items():
            if old.get(url) != feed:
                self._add_job(feed)

    def _add_job(self, feed: FeedSettings) -> None:
        assert self._scheduler is not None
        self._scheduler.add_job(
            self._poll,
            IntervalTrigger(seconds=feed.interval, jitter=jitter_for(feed.interval)),
            args=(feed,),
            id=str(feed.url),
            name=feed.name or str(feed.url),
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(feed.interval),
            replace_existing=True,
        )

    async def stop(self, grace: float = 10.0) -> None:
        """Start no new polls; give running ones `grace` seconds, then cancel them."""
        if self._scheduler is None:
            return
        self._scheduler.pause()
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=grace)
        self._scheduler.shutdown(wait=False)  # cancels what is still running
        self._scheduler = None
        if self._in_flight:
            await asyncio.wait(set(self._in_flight))

    async def _poll(self, feed: FeedSettings) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)
        try:
            await self._poller.poll(feed)
        except ParleyError as exc:
            log.error("polling %s failed: %s", feed.name or feed.url, exc)
        finally:
            self._in_flight.discard(task)
