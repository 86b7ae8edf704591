"""The store, on SQLite always and on PostgreSQL when PARLEY_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.errors import StorageError
from bot.models import Article
from bot.store import FeedState, NewArticle, SqlStore
from bot.store.sql import mark_extracted, select_awaiting_extraction
from bot.store.tables import LATEST_VERSION, articles

T0 = datetime(2024, 2, 13, 10, 0, tzinfo=UTC)


def article(n: int, **changes: object) -> Article:
    base = Article(
        id=f"id{n}", url=f"https://news.example.com/{n}", title=f"Title {n}",
        published=T0 + timedelta(hours=n), source="Example", summary=f"Summary {n}",
        content_hash=f"hash{n}", topics=("talks",), guid=f"https://news.example.com/{n}",
        fetched=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_open_migrates_an_empty_database_to_the_latest_version(store: SqlStore) -> None:
    """A new database is created at the latest schema version."""
    assert await store.schema_version() == LATEST_VERSION


async def test_reopening_a_migrated_database_keeps_its_data(storage_url: str) -> None:
    """Opening again applies nothing and loses nothing."""
    first = await SqlStore.open(storage_url)
    await first.add_articles([NewArticle(article(1))])
    await first.close()
    second = await SqlStore.open(storage_url)
    try:
        assert await second.schema_version() == LATEST_VERSION
        assert [a.id for a in await second.articles()] == ["id1"]
    finally:
        await second.close()


async def test_two_stores_opening_at_once_migrate_once(storage_url: str) -> None:
    """Concurrent starts on one empty database both succeed at the latest version."""
    stores = await asyncio.gather(SqlStore.open(storage_url), SqlStore.open(storage_url))
    try:
        assert [await s.schema_version() for s in stores] == [LATEST_VERSION] * 2
    finally:
        for s in stores:
            await s.close()


async def test_an_article_round_trips_with_utc_datetimes(store: SqlStore) -> None:
    """What is stored comes back equal, datetimes timezone-aware UTC."""
    original = article(1, text="Full text")
    assert await store.add_articles([NewArticle(original, feed_url="https://f")]) == [original]
    (loaded,) = await store.articles()
    assert loaded == original
    assert loaded.published.tzinfo is not None and loaded.published.utcoffset() == timedelta(0)


async def test_the_same_id_is_stored_once(store: SqlStore) -> None:
    """Adding an article again (re-poll, second feed) stores nothing."""
    await store.add_articles([NewArticle(article(1))])
    assert await store.add_articles([NewArticle(article(1, title="Changed"))]) == []
    assert await store.count_articles() == 1


async def test_a_reprint_with_the_same_content_hash_is_stored_once(store: SqlStore) -> None:
    """Another URL with the same normalised text is the same article."""
    await store.add_articles([NewArticle(article(1))])
    reprint = article(2, content_hash="hash1")
    assert await store.add_articles([NewArticle(reprint)]) == []
    assert await store.count_articles() == 1


async def test_the_same_global_guid_under_another_url_is_stored_once(store: SqlStore) -> None:
    """A GUID that is a URL identifies the article whatever its link says."""
    await store.add_articles([NewArticle(article(1, guid="tag:example.com,2024:1"))])
    moved = article(2, guid="tag:example.com,2024:1")
    assert await store.add_articles([NewArticle(moved)]) == []


async def test_bare_guids_of_different_feeds_do_not_collide(store: SqlStore) -> None:
    """GUID "1" of one feed and GUID "1" of another are different articles."""
    await store.add_articles([NewArticle(article(1, guid="1"), feed_url="https://a/feed")])
    added = await store.add_articles([NewArticle(article(2, guid="1"), feed_url="https://b/feed")])
    assert [a.id for a in added] == ["id2"]


async def test_a_batch_with_a_duplicate_inside_stores_it_once(store: SqlStore) -> None:
    """Two entries of one batch with the same content are one article."""
    added = await store.add_articles([NewArticle(article(1)),
                                      NewArticle(article(2, content_hash="hash1"))])
    assert [a.id for a in added] == ["id1"]


async def test_a_batch_clashing_on_a_guid_stores_and_returns_only_the_first(
    store: SqlStore,
) -> None:
    """Two entries of one batch sharing a global GUID: one row, and the result names it."""
    added = await store.add_articles([NewArticle(article(1, guid="urn:story:1")),
                                      NewArticle(article(2, guid="urn:story:1")),
                                      NewArticle(article(3))])
    assert [a.id for a in added] == ["id1", "id3"]
    assert [a.id for a in await store.articles()] == ["id3", "id1"]
    assert [a.id for a in await store.articles(topic="talks")] == ["id3", "id1"]


async def test_concurrent_writers_never_double_insert(storage_url: str) -> None:
    """Two stores adding the same 50 articles at once store each one once."""
    batch = [NewArticle(article(n)) for n in range(50)]
    stores = [await SqlStore.open(storage_url), await SqlStore.open(storage_url)]
    try:
        results = await asyncio.gather(*(s.add_articles(batch) for s in stores))
        assert sum(len(r) for r in results) == 50
        assert await stores[0].count_articles() == 50
    finally:
        for s in stores:
            await s.close()


async def test_articles_list_newest_first_and_filters_by_topic(store: SqlStore) -> None:
    """The listing is newest first, limited, and can keep one topic."""
    await store.add_articles([
        NewArticle(article(1)), NewArticle(article(2, topics=())),
        NewArticle(article(3, topics=("nuclear", "talks"))),
    ])
    assert [a.id for a in await store.articles(limit=2)] == ["id3", "id2"]
    assert [a.id for a in await store.articles(topic="talks")] == ["id3", "id1"]
    assert [a.id for a in await store.articles(topic="nuclear")] == ["id3"]


async def test_only_articles_with_topics_await_extraction(store: SqlStore) -> None:
    """Matched articles are queued, oldest first; unmatched ones are stored but not queued."""
    await store.add_articles([NewArticle(article(2)), NewArticle(article(1)),
                              NewArticle(article(3, topics=()))])
    assert [a.id for a in await store.articles_awaiting_extraction()] == ["id1", "id2"]


async def test_marking_extracted_in_a_write_transaction_dequeues(store: SqlStore) -> None:
    """`mark_extracted` inside `store.write` takes articles off the queue atomically."""
    await store.add_articles([NewArticle(article(1)), NewArticle(article(2))])

    def take_one(conn):  # type: ignore[no-untyped-def]
        (first,) = select_awaiting_extraction(conn, 1)
        mark_extracted(conn, [first.id], T0)
        return first.id

    assert await store.write(take_one) == "id1"
    assert [a.id for a in await store.articles_awaiting_extraction()] == ["id2"]


async def test_a_failing_write_transaction_leaves_nothing(store: SqlStore) -> None:
    """An error inside `store.write` rolls back everything it did."""

    def mark_then_fail(conn):  # type: ignore[no-untyped-def]
        mark_extracted(conn, ["id1"], T0)
        raise RuntimeError("extractor crashed")

    await store.add_articles([NewArticle(article(1))])
    with pytest.raises(RuntimeError):
        await store.write(mark_then_fail)
    assert [a.id for a in await store.articles_awaiting_extraction()] == ["id1"]


async def test_silent_articles_are_recorded(store: SqlStore) -> None:
    """The `silent` flag of a feed's backlog is kept for the alerting side."""
    await store.add_articles([NewArticle(article(1), silent=True), NewArticle(article(2))])
    rows = await store.read(
        lambda conn: dict(conn.execute(select(articles.c.id, articles.c.silent)).all()))
    assert rows == {"id1": True, "id2": False}


async def test_feed_state_is_upserted(store: SqlStore) -> None:
    """Saving a feed's state twice keeps the latest."""
    state = FeedState(url="https://f/rss", name="F", etag='"1"', last_polled_at=T0)
    await store.save_feed_state(state)
    await store.save_feed_state(replace(state, etag='"2"', failures=3, last_error="HTTP 500"))
    assert await store.feed_state("https://f/rss") == replace(
        state, etag='"2"', failures=3, last_error="HTTP 500")
    assert list(await store.feed_states()) == ["https://f/rss"]


async def test_an_unreachable_database_is_a_storage_error() -> None:
    """A database that cannot be opened raises StorageError, not a driver exception."""
    with pytest.raises(StorageError, match="database error"):
        await SqlStore.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


async def test_a_malformed_storage_url_is_a_storage_error() -> None:
    """A URL SQLAlchemy cannot parse raises StorageError naming the problem."""
    with pytest.raises(StorageError, match="invalid storage URL"):
        await SqlStore.open("not a url")


async def test_sqlite_uses_wal(store: SqlStore) -> None:
    """SQLite databases run in WAL mode so readers never block the writer."""
    if store.dialect != "sqlite":
        pytest.skip("SQLite only")
    mode = await store.read(lambda conn: conn.exec_driver_sql("PRAGMA journal_mode").scalar())
    assert mode == "wal"
