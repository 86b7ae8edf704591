"""One feed, one cycle, against the local feed server and a real store on each backend."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.ingest.fetcher import Fetcher, open_session
from bot.ingest.poller import Poller, backoff_delay
from bot.ingest.topics import TopicMatcher
from bot.ingest.workers import ParsePool
from bot.models import Article
from bot.settings import FeedSettings, IngestSettings, TopicSettings
from bot.store import SqlStore
from bot.store.tables import articles
from tests.servers.feed_server import HTML_PAGE, FeedServer, item, rss

TOPICS = {"talks": TopicSettings(name="Gaza talks", keywords=("ceasefire", "hostages"),
                                 parties={"Hamas": ()}, venues=("Cairo",))}
LIMITS = IngestSettings(timeout=2)
MATCHING = item("Ceasefire talks resume in Cairo", description="Mediators met Hamas envoys.")
UNRELATED = item("Local team wins the cup", description="A great match.")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 2, 13, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def poller(store: SqlStore, clock: Clock) -> AsyncIterator[Poller]:
    async with open_session(LIMITS) as session:
        yield Poller(store, Fetcher(session, LIMITS), TopicMatcher(TOPICS), clock=clock,
                     max_backoff=3600)


def feed(url: str, **changes: object) -> FeedSettings:
    return FeedSettings.model_validate({"url": url, "topics": ["talks"], "name": "Example",
                                        **changes})


async def test_a_first_poll_stores_every_entry_and_queues_the_matching_ones(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """Matched articles await extraction; unmatched ones are stored but not queued."""
    result = await poller.poll(feed(feed_server.serve("a.xml", rss([MATCHING, UNRELATED]))))
    assert (result.outcome, result.entries, result.new_articles, result.queued) == (
        "new", 2, 2, 1)
    assert [a.title for a in await store.articles_awaiting_extraction()] == [
        "Ceasefire talks resume in Cairo"]
    assert await store.count_articles() == 2


async def test_a_second_poll_sends_the_etag_and_a_304_parses_nothing(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """The stored ETag comes back; the 304 stores nothing and keeps the feed healthy."""
    settings = feed(feed_server.serve("a.xml", rss([MATCHING])))
    await poller.poll(settings)
    result = await poller.poll(settings)
    assert result.outcome == "not_modified" and result.new_articles == 0
    assert feed_server.hits[-1].status == 304
    state = await store.feed_state(str(settings.url))
    assert state is not None and state.failures == 0 and state.etag


async def test_re_polling_a_server_without_validators_stores_nothing_twice(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """Without 304 support the same entries are recognised and skipped."""
    feed_server.conditional = False
    settings = feed(feed_server.serve("a.xml", rss([MATCHING, UNRELATED])))
    await poller.poll(settings)
    result = await poller.poll(settings)
    assert (result.outcome, result.new_articles) == ("unchanged", 0)
    assert await store.count_articles() == 2


async def test_the_same_story_in_two_feeds_with_tracking_parameters_is_stored_once(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """A second feed linking the same URL plus utm_* parameters adds nothing."""
    link = "https://news.example.com/ceasefire"
    first = feed(feed_server.serve("a.xml", rss([item("Ceasefire", link=link)])))
    second = feed(feed_server.serve("b.xml", rss([
        item("Ceasefire (wire copy)", link=f"{link}?utm_source=rss&utm_medium=feed#top")])))
    assert (await poller.poll(first)).new_articles == 1
    assert (await poller.poll(second)).new_articles == 0
    assert await store.count_articles() == 1


async def test_a_failing_feed_backs_off_exponentially_and_recovers(
    poller: Poller, store: SqlStore, feed_server: FeedServer, clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Failures count up, the next poll moves out, one warning each; success resets."""
    settings = feed(feed_server.url("feeds/later.xml"), interval=60)
    with caplog.at_level(logging.WARNING, logger="bot.ingest.poller"):
        assert (await poller.poll(settings)).outcome == "failed"
        clock.now += timedelta(seconds=61)
        await poller.poll(settings)
    state = await store.feed_state(str(settings.url))
    assert state is not None
    assert (state.failures, state.last_error) == (2, "HTTP 404 Not Found")
    assert state.next_poll_at == clock.now + timedelta(seconds=120)
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 2

    feed_server.serve("later.xml", rss([MATCHING]))
    assert (await poller.poll(settings)).outcome == "backing_off"
    clock.now += timedelta(seconds=121)
    assert (await poller.poll(settings)).outcome == "new"
    healed = await store.feed_state(str(settings.url))
    assert healed is not None and (healed.failures, healed.last_error) == (0, None)


async def test_a_server_error_is_recorded_on_the_feed(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """A 500 is a failure whose error names the status."""
    result = await poller.poll(feed(feed_server.url("fault/500")))
    assert (result.outcome, result.error) == ("failed", "HTTP 500 Internal Server Error")


def test_backoff_is_capped() -> None:
    """The wait doubles per failure but never exceeds the cap."""
    assert [backoff_delay(300, n, 3600).total_seconds() for n in (1, 2, 3, 4, 5)] == [
        300, 600, 1200, 2400, 3600]


async def test_an_html_page_counts_as_a_failure(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """A web page where the feed should be is a failure with a clear error."""
    settings = feed(feed_server.serve("page", HTML_PAGE, "text/html"))
    result = await poller.poll(settings)
    assert result.outcome == "failed"
    assert result.error == "not a feed: the server sent an HTML page"


async def test_a_timeout_counts_as_a_failure(poller: Poller, feed_server: FeedServer) -> None:
    """A feed slower than the timeout fails without hanging the cycle."""
    result = await poller.poll(feed(feed_server.url("fault/slow?seconds=4")))
    assert (result.outcome, result.error) == ("failed", "timed out after 2 s")


async def test_a_malformed_feed_with_entries_is_ingested_with_a_warning(
    poller: Poller, store: SqlStore, feed_server: FeedServer, shared_feeds: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """El País's bozo feed is stored whole, and the problem is logged."""
    body = (shared_feeds / "elpais-mrss-content-encoded-rss.xml").read_bytes()
    with caplog.at_level(logging.WARNING, logger="bot.ingest.poller"):
        result = await poller.poll(feed(feed_server.serve("elpais.xml", body)))
    assert result.outcome == "new" and result.new_articles == 81
    assert any("malformed feed" in r.getMessage() for r in caplog.records)


async def test_a_real_feed_about_the_war_queues_the_relevant_stories(
    poller: Poller, store: SqlStore, feed_server: FeedServer, shared_feeds: Path
) -> None:
    """NYT World (Aug 2024) served locally: Gaza stories are queued, others only stored."""
    body = (shared_feeds / "nyt-world-2024-rss.xml").read_bytes()
    result = await poller.poll(feed(feed_server.serve("nyt.xml", body)))
    assert result.new_articles == 60
    assert 0 < result.queued < 60
    queued = await store.articles_awaiting_extraction(limit=100)
    assert all(a.topics == ("talks",) for a in queued)


async def test_an_undeclared_latin1_feed_decodes_with_the_http_charset(
    poller: Poller, store: SqlStore, feed_server: FeedServer, shared_feeds: Path
) -> None:
    """The server's charset header decodes UOL's undeclared Latin-1 bytes."""
    body = (shared_feeds / "uol-noticias-latin1-undeclared-rss.xml").read_bytes()
    url = feed_server.serve("uol.xml", body, "application/rss+xml; charset=iso-8859-1")
    await poller.poll(feed(url))
    titles = [a.title for a in await store.articles(limit=50)]
    assert any("ã" in t or "ç" in t for t in titles)
    assert not any("Ã" in t for t in titles)


async def test_a_new_feeds_backlog_is_silent_except_its_backfill(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """On a first poll only the newest `backfill` entries are news; later entries all are."""
    days = [f"Tue, {d:02d} Feb 2024 10:00:00 GMT" for d in (11, 12, 13)]
    entries = [item(f"Ceasefire day {n}", published=day) for n, day in enumerate(days)]
    url = feed_server.serve("a.xml", rss(entries))
    await poller.poll(feed(url, backfill=1))
    feed_server.serve("a.xml", rss([*entries, item("Ceasefire day 3")]))
    await poller.poll(feed(url, backfill=1))
    silent = await store.read(lambda conn: dict(conn.execute(
        select(articles.c.title, articles.c.silent)).all()))
    assert silent == {"Ceasefire day 0": True, "Ceasefire day 1": True,
                      "Ceasefire day 2": False, "Ceasefire day 3": False}


async def test_listeners_hear_of_new_articles_only(
    poller: Poller, feed_server: FeedServer
) -> None:
    """A listener is called once per poll with what was newly stored."""
    heard: list[list[str]] = []

    async def listen(new: Sequence[Article]) -> None:
        heard.append([a.title for a in new])

    poller.add_listener(listen)
    settings = feed(feed_server.serve("a.xml", rss([MATCHING])))
    await poller.poll(settings)
    await poller.poll(settings)
    assert heard == [["Ceasefire talks resume in Cairo"]]


def serve_story_page(feed_server: FeedServer) -> str:
    """A feed whose one entry is a bare teaser linking a page about the talks."""
    paragraph = ("Negotiators from Egypt and Qatar met the Hamas delegation in Cairo on "
                 "Tuesday to discuss a ceasefire and the release of hostages. ")
    page = (f"<html><head><title>Talks</title></head><body><nav>Home | World</nav><article>"
            f"<h1>Talks resume</h1><p>{paragraph * 3}</p><p>{paragraph * 2}</p></article>"
            f"<footer>Copyright</footer></body></html>").encode()
    page_url = feed_server.serve("story.html", page, "text/html; charset=utf-8")
    return feed_server.serve("a.xml", rss([item("Talks resume", link=page_url,
                                                 description="Short teaser.")]))


async def test_full_text_feeds_store_the_linked_pages_text(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """With full_text, the article's page is fetched and its main text kept."""
    await poller.poll(feed(serve_story_page(feed_server), full_text=True))
    (stored,) = await store.articles()
    assert "Negotiators from Egypt and Qatar" in stored.text
    assert "Copyright" not in stored.text and stored.summary == "Short teaser."


async def test_topics_are_matched_on_the_full_text_not_only_the_teaser(
    poller: Poller, store: SqlStore, feed_server: FeedServer
) -> None:
    """A teaser naming no topic is queued when its page's text names one."""
    result = await poller.poll(feed(serve_story_page(feed_server), full_text=True))
    assert (result.new_articles, result.queued) == (1, 1)
    assert [a.topics for a in await store.articles_awaiting_extraction()] == [("talks",)]


async def test_a_poller_parsing_in_a_worker_process_stores_and_queues_the_same(
    store: SqlStore, feed_server: FeedServer, clock: Clock
) -> None:
    """With a process pool, a poll stores every entry and queues the matching one."""
    pool = ParsePool(processes=1)
    async with open_session(LIMITS) as session:
        poller = Poller(store, Fetcher(session, LIMITS), TopicMatcher(TOPICS), clock=clock,
                        parse_pool=pool)
        try:
            result = await poller.poll(feed(feed_server.serve("a.xml",
                                                              rss([MATCHING, UNRELATED]))))
        finally:
            await pool.close()
    assert (result.outcome, result.entries, result.new_articles, result.queued) == (
        "new", 2, 2, 1)
    assert [a.title for a in await store.articles_awaiting_extraction()] == [
        "Ceasefire talks resume in Cairo"]
