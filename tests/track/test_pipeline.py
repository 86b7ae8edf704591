"""Extraction runs off the event loop: commands are answered while a batch extracts."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from bot.commands.handler import Commands, LiveConfig
from bot.models import Article, Development
from bot.ports import CommandRequest
from bot.settings import LoadedConfig, TopicSettings
from bot.store import NewArticle, SqlStore
from bot.track.pipeline import Tracking
from tests.tracking_factories import Clock, article, settings

NOW = datetime(2024, 5, 10, tzinfo=UTC)


def slow_extract(item: Article, topic: TopicSettings) -> list[Development]:
    """A CPU-bound extractor stand-in: blocks its thread like spaCy does."""
    time.sleep(0.3)
    return [Development("talks_held", venue="Cairo", confidence=0.9)]


async def test_a_command_is_answered_while_a_batch_extracts(store: SqlStore) -> None:
    """Ten slow extractions (3 s) do not hold up `status` beyond a fraction of that."""
    conf = settings()
    await store.add_articles([NewArticle(article(f"a{i}")) for i in range(10)])
    tracking = Tracking(store, lambda: conf, slow_extract, Clock(NOW))
    commands = Commands(store, LiveConfig(LoadedConfig(path="x.yaml", settings=conf)),  # type: ignore[arg-type]
                        Clock(NOW))
    drain = asyncio.create_task(tracking.drain())
    await asyncio.sleep(0.1)
    started = time.monotonic()
    reply = await commands.handle(CommandRequest("status talks", "console", "U1"))
    answered_in = time.monotonic() - started
    assert not drain.done()
    assert await drain == 10
    assert reply.title.startswith("Gaza talks")
    assert answered_in < 1.0


async def test_a_failing_extraction_leaves_the_article_queued(store: SqlStore) -> None:
    """An extractor crash loses nothing: the article waits for the next start."""
    def broken(item: Article, topic: TopicSettings) -> list[Development]:
        raise RuntimeError("model crashed")

    conf = settings()
    await store.add_articles([NewArticle(article("a1"))])
    assert await Tracking(store, lambda: conf, broken, Clock(NOW)).drain() == 0
    assert [a.id for a in await store.articles_awaiting_extraction()] == ["a1"]
