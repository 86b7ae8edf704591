"""The composition root follows the live config: chat-added feeds get polled, `reload` re-topics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import build_app
from bot.ports import CommandRequest
from bot.settings import load_settings
from tests.servers.feed_server import FeedServer, item, rss

pytestmark = pytest.mark.model  # build_app loads the spaCy pipeline

ADMIN = {"platform": "console", "user_id": "admin", "is_admin": True}


def write_config(path: Path, storage: str, keywords: list[str],
                 feeds: list[dict[str, Any]] | None = None) -> Path:
    path.write_text(yaml.safe_dump({
        "storage": {"url": storage},
        "topics": {"talks": {"name": "Gaza talks", "keywords": keywords}},
        "feeds": feeds or [],
    }), encoding="utf-8")
    return path


async def wait_for(condition: Callable[[], bool]) -> None:
    """Wait up to 5 s for a condition on the feed server's record of requests."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the server's hit list has no event to await
            await asyncio.sleep(0.02)


async def test_a_feed_added_from_chat_is_polled_by_the_running_schedule(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`feeds add <url> <topic>` by an admin: the running scheduler polls the feed at once."""
    url = feed_server.serve("added.xml", rss([item("Ceasefire talks resume in Cairo")]))
    config = write_config(tmp_path / "parley.yaml", f"sqlite:///{tmp_path / 'p.db'}",
                          ["ceasefire"])
    loaded = load_settings(config, {})
    async with build_app(loaded.settings, loaded) as app:
        app.feeds.start()
        assert app.feeds.job_ids() == []
        reply = await app.commands.handle(CommandRequest(f"feeds add {url} talks", **ADMIN))
        assert reply.kind == "answer", reply
        assert app.feeds.job_ids() == [url]
        await wait_for(lambda: len(feed_server.hits_of("feeds/added.xml")) == 1)
        await app.feeds.stop()  # the poll under way finishes
        assert (await app.store.feed_states())[url].last_ok_at is not None
        [stored] = await app.store.articles(topic="talks")
        assert stored.title == "Ceasefire talks resume in Cairo"


async def test_after_reload_new_articles_are_matched_with_the_new_topic_keywords(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A keyword added to the YAML and `reload`ed tags the next poll's articles."""
    first = item("Armistice envoys meet in Geneva", published="Sun, 12 May 2024 10:00:00 GMT")
    second = item("Armistice signed in Geneva", published="Mon, 13 May 2024 10:00:00 GMT")
    url = feed_server.serve("news.xml", rss([first]))
    storage = f"sqlite:///{tmp_path / 'p.db'}"
    feeds = [{"url": url, "topics": ["talks"]}]
    config = write_config(tmp_path / "parley.yaml", storage, ["ceasefire"], feeds)
    loaded = load_settings(config, {})
    async with build_app(loaded.settings, loaded) as app:
        await app.poller.poll(loaded.settings.feeds[0])
        write_config(config, storage, ["ceasefire", "armistice"], feeds)
        reply = await app.commands.handle(CommandRequest("reload", **ADMIN))
        assert reply.title.startswith("Config reloaded"), reply
        feed_server.serve("news.xml", rss([second, first]))
        await app.poller.poll(app.config.settings.feeds[0])
        assert [a.title for a in await app.store.articles(topic="talks")] == [
            "Armistice signed in Geneva"]
        assert await app.store.count_articles() == 2
