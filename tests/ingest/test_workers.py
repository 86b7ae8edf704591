"""Parsing in worker processes: same articles as in-process, errors and dead workers reported."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from functools import partial

import pytest

from bot.errors import ParseError
from bot.ingest.parser import parse_feed
from bot.ingest.topics import TopicMatcher
from bot.ingest.workers import ParsePool
from bot.settings import TopicSettings
from tests.servers.feed_server import HTML_PAGE, item, rss

FETCHED = datetime(2024, 8, 9, 12, 0, tzinfo=UTC)
MATCHER = TopicMatcher({"talks": TopicSettings(name="Gaza talks", keywords=("ceasefire",),
                                               venues=("Cairo",))})
FEED = rss([item("Ceasefire talks resume in Cairo", description="<p>Envoys <b>met</b>.</p>"),
            item("Local team wins the cup", description="A great match.")])


def _die(texts: Sequence[str]) -> tuple[str, ...]:
    os._exit(1)


def _interrupted(texts: Sequence[str]) -> tuple[str, ...]:
    os.kill(os.getpid(), signal.SIGINT)
    return ()


@pytest.fixture
async def pool() -> AsyncIterator[ParsePool]:
    workers = ParsePool(processes=1)
    try:
        yield workers
    finally:
        await workers.close()


async def test_a_worker_gives_the_articles_and_topics_of_an_in_process_parse(
    pool: ParsePool,
) -> None:
    """What crosses the process boundary equals what parse_feed returns in-process."""
    options = {"url": "https://e.com/rss", "fetched_at": FETCHED,
               "topics_of": partial(MATCHER.topics_in, among=("talks",))}
    parsed = await pool.parse(FEED, **options)  # type: ignore[arg-type]
    assert parsed == parse_feed(FEED, **options)  # type: ignore[arg-type]
    assert [a.topics for a in parsed.articles] == [("talks",), ()]


async def test_an_unusable_document_raises_parse_error_from_the_worker(pool: ParsePool) -> None:
    """ParseError raised in the worker reaches the caller as ParseError, with its reason."""
    with pytest.raises(ParseError, match="HTML page"):
        await pool.parse(HTML_PAGE, url="https://e.com/rss", fetched_at=FETCHED,
                         content_type="text/html")


async def test_a_dead_worker_fails_its_parse_and_the_next_parse_works(pool: ParsePool) -> None:
    """A worker that exits mid-parse is a ParseError; new workers take the next document."""
    with pytest.raises(ParseError, match="stopped unexpectedly"):
        await pool.parse(FEED, url="https://e.com/rss", fetched_at=FETCHED, topics_of=_die)
    parsed = await pool.parse(FEED, url="https://e.com/rss", fetched_at=FETCHED)
    assert len(parsed.articles) == 2


async def test_workers_ignore_ctrl_c(pool: ParsePool) -> None:
    """Ctrl-C reaches the worker too; it parses on and the bot decides when to stop."""
    parsed = await pool.parse(FEED, url="https://e.com/rss", fetched_at=FETCHED,
                              topics_of=_interrupted)
    assert len(parsed.articles) == 2


async def test_started_workers_are_up_before_the_first_parse(pool: ParsePool) -> None:
    """`start()` returns once the workers run, and closing twice is harmless."""
    await pool.start()
    assert len((await pool.parse(FEED, url="https://e.com/rss", fetched_at=FETCHED)).articles) == 2
    await pool.close()
    await pool.close()


async def test_zero_processes_parses_in_threads() -> None:
    """`ParsePool(processes=0)` needs no worker and nothing to close."""
    parsed = await ParsePool(processes=0).parse(FEED, url="https://e.com/rss", fetched_at=FETCHED)
    assert parsed == parse_feed(FEED, url="https://e.com/rss", fetched_at=FETCHED)
