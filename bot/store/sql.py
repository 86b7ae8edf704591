"""The store: one SQLAlchemy Core implementation for SQLite (WAL) and PostgreSQL.

Async facade over sync Core. The bot is async end to end, but SQLAlchemy's async engine needs
an async driver per backend and aiosqlite is not a dependency; psycopg 3 and sqlite3 are. So
every store call runs a plain sync function on a connection inside a transaction, in the
store's own thread pool (`run_in_executor`), and awaits it. Consequences worth knowing:
- a transaction runs to its end in its thread even if the awaiting task is cancelled, so a
  stop (Ctrl-C, SIGTERM) never leaves half-written rows; `close()` waits for it;
- SQLite gets one worker thread (SQLite has one writer anyway); PostgreSQL gets a few.

Two processes on one database stay correct: articles are inserted with
`INSERT .. ON CONFLICT DO NOTHING` against three unique keys (id, content hash, GUID key);
SQLite write transactions start with `BEGIN IMMEDIATE` (take the write lock up front, wait up
to `busy_timeout`) and migrations run under that lock, or under a PostgreSQL advisory lock.

Other areas run their own Core statements in one transaction with `await store.write(fn)`
where `fn(conn)` is sync, e.g. take articles awaiting extraction, store their developments and
`mark_extracted(conn, ids, now)` atomically. Raises StorageError for database failures.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Engine,
    Row,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.errors import StorageError
from bot.models import Article
from bot.store.tables import (
    LATEST_VERSION,
    MIGRATIONS,
    article_topics,
    articles,
    feeds,
    schema_version,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant: the key of the PostgreSQL advisory lock that serialises migrations.
MIGRATION_LOCK_KEY = 0x5041524C4559
_WRITE = "parley_write"


@dataclass(frozen=True)
class FeedState:
    """What the store remembers about one feed between polls."""

    url: str
    name: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: str | None = None
    last_polled_at: datetime | None = None
    last_ok_at: datetime | None = None
    next_poll_at: datetime | None = None
    entries_seen: int = 0


@dataclass(frozen=True)
class NewArticle:
    """An article to store, with how it arrived.

    It is queued for extraction when `article.topics` is not empty. `silent` marks what a
    feed already held when first polled (and seeds): state, not news to alert on.
    """

    article: Article
    feed_url: str | None = None
    silent: bool = False


class SqlStore:
    """Feeds and articles in SQLite or PostgreSQL. Open with `await SqlStore.open(url)`."""

    def __init__(self, engine: Engine, executor: ThreadPoolExecutor) -> None:
        self._engine = engine
        self._executor = executor

    @classmethod
    async def open(cls, url: str) -> SqlStore:
        """Connect and migrate to the latest schema. Raises StorageError."""
        engine = _create_engine(url)
        workers = 1 if engine.dialect.name == "sqlite" else 4
        store = cls(engine, ThreadPoolExecutor(workers, thread_name_prefix="parley-store"))
        try:
            await store._call(migrate, engine)
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        """Wait for running transactions, then release connections."""
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown, True)
        self._engine.dispose()

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._engine.dialect.name

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn(conn)` in one read transaction in the store's thread."""
        return await self._call(self._transaction, fn, False)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn(conn)` in one write transaction in the store's thread; all or nothing."""
        return await self._call(self._transaction, fn, True)

    async def schema_version(self) -> int:
        """The schema version the database is at."""
        return await self.read(current_version)

    # Feeds

    async def feed_states(self) -> dict[str, FeedState]:
        """Every feed the store has seen, by URL."""
        rows = await self.read(lambda conn: conn.execute(select(feeds)).all())
        return {row.url: _feed_state(row) for row in rows}

    async def feed_state(self, url: str) -> FeedState | None:
        """One feed's state, or None before its first poll."""
        row = await self.read(lambda conn: conn.execute(_FEED_BY_URL, {"url": url}).first())
        return _feed_state(row) if row else None

    async def save_feed_state(self, state: FeedState) -> None:
        """Insert or replace a feed's state."""
        await self.write(lambda conn: save_feed_state(conn, state))

    # Articles

    async def add_articles(self, items: Sequence[NewArticle]) -> list[Article]:
        """Store articles not seen before (by id, GUID or content); return the new ones."""
        if not items:
            return []
        return await self.write(lambda conn: add_articles(conn, items))

    async def record_poll(self, items: Sequence[NewArticle], state: FeedState) -> list[Article]:
        """Store a poll's articles and the feed's new state in one transaction.

        `entries_seen` grows by the number of articles actually new. Returns those.
        """

        def record(conn: Connection) -> list[Article]:
            inserted = add_articles(conn, items)
            save_feed_state(conn, replace(state, entries_seen=state.entries_seen + len(inserted)))
            return inserted

        return await self.write(record)

    async def known_article_ids(self, ids: Iterable[str]) -> set[str]:
        """The ids among `ids` already stored."""
        wanted = list(ids)
        return await self.read(lambda conn: known_article_ids(conn, wanted))

    async def articles(self, topic: str | None = None, limit: int = 20) -> list[Article]:
        """The newest articles (by published time), optionally of one topic."""
        return await self.read(lambda conn: list_articles(conn, topic, limit))

    async def article(self, article_id: str) -> Article | None:
        """One article by id."""
        found = await self.read(lambda conn: load_articles(conn, [article_id]))
        return found[0] if found else None

    async def articles_awaiting_extraction(self, limit: int = 100) -> list[Article]:
        """Queued articles not extracted yet, oldest published first."""
        return await self.read(lambda conn: select_awaiting_extraction(conn, limit))

    async def count_articles(self) -> int:
        """How many articles the corpus holds."""
        query = select(func.count()).select_from(articles)
        return int(await self.read(lambda conn: conn.execute(query).scalar_one()))

    # Plumbing

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn, *args)
        except SQLAlchemyError as exc:
            raise StorageError(f"database error: {_short(exc)}") from exc

    def _transaction(self, fn: Callable[[Connection], T], write: bool) -> T:
        with self._engine.connect() as conn:
            conn.execution_options(**{_WRITE: write})
            with conn.begin():
                return fn(conn)


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"invalid storage URL: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, pool_size=4)
    if parsed.database and parsed.database != ":memory:":
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the folder of {parsed.database}: {exc}") from exc
    engine = create_engine(parsed, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are ours (see _on_begin), not the sqlite3 module's implicit ones.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock at BEGIN, where busy_timeout applies; a deferred
        # transaction upgrading to write later fails at once when another process writes.
        write = conn.get_execution_options().get(_WRITE, True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL (a persistent setting of the file). SQLite refuses the switch at
    once, without waiting for busy_timeout, while another process holds a lock on a new
    database, so a process starting beside another one retries for a while."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _short(exc: SQLAlchemyError) -> str:
    # The first line of the driver's message; never the statement's parameters.
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__


# Migrations


def current_version(conn: Connection) -> int:
    """The applied schema version; 0 for an empty database."""
    if not inspect(conn).has_table(schema_version.name):
        return 0
    return int(conn.execute(select(schema_version.c.version)).scalar_one_or_none() or 0)


def migrate(engine: Engine) -> int:
    """Apply pending migrations, each in its own locked transaction. Returns the version."""
    while True:
        with engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": MIGRATION_LOCK_KEY})
                version = current_version(conn)
                if version > LATEST_VERSION:
                    raise StorageError(
                        f"the database is at schema version {version}, newer than this "
                        f"Parley ({LATEST_VERSION}); upgrade Parley"
                    )
                pending = [m for m in MIGRATIONS if m.version > version]
                if not pending:
                    return version
                step = pending[0]
                if version == 0:
                    schema_version.create(conn)
                step.apply(conn)
                now = datetime.now(UTC)
                if version == 0:
                    conn.execute(schema_version.insert().values(
                        id=1, version=step.version, applied_at=now))
                else:
                    conn.execute(update(schema_version).values(
                        version=step.version, applied_at=now))
                log.info("store migrated to schema version %d: %s", step.version,
                         step.description)


# Sync operations on an open transaction, usable inside `store.write(fn)`.


def insert_ignoring_conflicts(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """INSERT .. ON CONFLICT DO NOTHING on any unique key; True when the row was inserted."""
    statement = _dialect_insert(conn)(table).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports -1 for a skipped INSERT .. ON CONFLICT.
    key = list(table.primary_key.columns)[0]
    return conn.execute(statement.returning(key)).first() is not None


def save_feed_state(conn: Connection, state: FeedState) -> None:
    """Upsert one feed's state."""
    values = {
        "url": state.url, "name": state.name, "etag": state.etag,
        "last_modified": state.last_modified, "failures": state.failures,
        "last_error": state.last_error, "last_polled_at": state.last_polled_at,
        "last_ok_at": state.last_ok_at, "next_poll_at": state.next_poll_at,
        "entries_seen": state.entries_seen,
    }
    conn.execute(_FEED_UPSERTS[conn.dialect.name], values)


def known_article_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    """The ids among `ids` already stored."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(conn.execute(select(articles.c.id).where(articles.c.id.in_(chunk))).scalars())
    return found


def add_articles(conn: Connection, items: Sequence[NewArticle]) -> list[Article]:
    """Insert the articles not stored yet; link topics; return the inserted ones.

    Known ids are skipped first, and duplicates within the batch. The rest go to one
    `INSERT .. ON CONFLICT DO NOTHING` against the three unique keys (id, content hash, GUID
    key), which must tell exactly which rows it inserted, even when another process races us:
    - PostgreSQL: `RETURNING id`, batched by SQLAlchemy's insertmanyvalues;
    - SQLite: a plain executemany, several times cheaper. Its write transaction holds the
      database's write lock from the id check to the commit, so no other process inserts
      meanwhile: when the row count falls short (a clash on content hash or GUID key), the
      candidates' ids found afterwards are exactly the rows this transaction inserted.
    """
    known = known_article_ids(conn, [item.article.id for item in items])
    candidates: dict[str, tuple[NewArticle, dict[str, Any]]] = {}
    hashes: set[str] = set()
    now = datetime.now(UTC)
    for item in items:
        article = item.article
        if article.id in known or article.id in candidates or article.content_hash in hashes:
            continue
        hashes.add(article.content_hash)
        candidates[article.id] = (item, _article_row(item, now))
    if not candidates:
        return []
    new_ids = _insert_articles(conn, [row for _, row in candidates.values()])
    inserted = [
        item.article if item.article.fetched else replace(item.article, fetched=row["fetched"])
        for article_id, (item, row) in candidates.items() if article_id in new_ids
    ]
    topic_rows = [{"article_id": a.id, "topic": t} for a in inserted for t in a.topics]
    if topic_rows:
        conn.execute(_dialect_insert(conn)(article_topics).on_conflict_do_nothing(), topic_rows)
    return inserted


def _insert_articles(conn: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert rows of new ids, skipping conflicts; the ids inserted (see `add_articles`)."""
    statement = _dialect_insert(conn)(articles).on_conflict_do_nothing()
    if conn.dialect.name == "postgresql":
        # RETURNING, not rowcount: psycopg reports -1 for a skipped INSERT .. ON CONFLICT.
        return set(conn.execute(statement.returning(articles.c.id), rows).scalars())
    ids = [row["id"] for row in rows]
    if conn.execute(statement, rows).rowcount == len(rows):
        return set(ids)
    return known_article_ids(conn, ids)


def _article_row(item: NewArticle, now: datetime) -> dict[str, Any]:
    article = item.article
    return {
        "id": article.id, "url": article.url or None, "title": article.title,
        "published": article.published, "source": article.source,
        "summary": article.summary, "text": article.text,
        "content_hash": article.content_hash, "guid": article.guid,
        "guid_key": _guid_key(article.guid, item.feed_url), "feed_url": item.feed_url,
        "fetched": article.fetched or now, "needs_extraction": bool(article.topics),
        "extracted_at": None, "silent": item.silent,
    }


def _feed_upsert(dialect_insert: Callable[[Table], Any]) -> Any:
    statement = dialect_insert(feeds)
    return statement.on_conflict_do_update(
        index_elements=[feeds.c.url],
        set_={c.name: statement.excluded[c.name] for c in feeds.c if c.name != "url"},
    )


# Built once: building the statement per call cost more than running it (a 304 poll's write).
_FEED_UPSERTS = {"sqlite": _feed_upsert(sqlite_insert), "postgresql": _feed_upsert(pg_insert)}
_FEED_BY_URL = select(feeds).where(feeds.c.url == bindparam("url"))


def _dialect_insert(conn: Connection) -> Callable[[Table], Any]:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def _guid_key(guid: str | None, feed_url: str | None) -> str | None:
    """A GUID that is a URL or URN is global; a bare one ("12345") only within its feed."""
    if not guid:
        return None
    if ":" in guid or not feed_url:
        return guid
    return f"{feed_url}#{guid}"


def load_articles(conn: Connection, ids: Sequence[str]) -> list[Article]:
    """Articles by id, in the order given (missing ids skipped)."""
    if not ids:
        return []
    rows = conn.execute(select(articles).where(articles.c.id.in_(ids))).all()
    topics = _topics_of(conn, ids)
    by_id = {row.id: _article(row, topics.get(row.id, ())) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def list_articles(conn: Connection, topic: str | None, limit: int) -> list[Article]:
    """The newest articles, optionally of one topic."""
    query = select(articles.c.id).order_by(articles.c.published.desc(), articles.c.id)
    if topic is not None:
        query = query.join(article_topics, article_topics.c.article_id == articles.c.id).where(
            article_topics.c.topic == topic)
    ids = list(conn.execute(query.limit(limit)).scalars())
    return load_articles(conn, ids)


def select_awaiting_extraction(conn: Connection, limit: int) -> list[Article]:
    """Queued articles not yet extracted, oldest published first."""
    query = (
        select(articles.c.id)
        .where(articles.c.needs_extraction.is_(True), articles.c.extracted_at.is_(None))
        .order_by(articles.c.published, articles.c.id)
        .limit(limit)
    )
    return load_articles(conn, list(conn.execute(query).scalars()))


def mark_extracted(conn: Connection, ids: Sequence[str], at: datetime) -> None:
    """Take articles off the extraction queue (call in the transaction storing the result)."""
    if ids:
        conn.execute(update(articles).where(articles.c.id.in_(ids)).values(extracted_at=at))


def _topics_of(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    query = (
        select(article_topics.c.article_id, article_topics.c.topic)
        .where(article_topics.c.article_id.in_(ids))
        .order_by(article_topics.c.topic)
    )
    out: dict[str, list[str]] = {}
    for article_id, topic in conn.execute(query):
        out.setdefault(article_id, []).append(topic)
    return {k: tuple(v) for k, v in out.items()}


def _article(row: Row[Any], topics: tuple[str, ...]) -> Article:
    return Article(
        id=row.id, url=row.url or "", title=row.title, published=row.published,
        source=row.source, summary=row.summary, text=row.text, topics=topics,
        guid=row.guid, fetched=row.fetched, content_hash=row.content_hash,
    )


def _feed_state(row: Row[Any]) -> FeedState:
    return FeedState(
        url=row.url, name=row.name, etag=row.etag, last_modified=row.last_modified,
        failures=row.failures, last_error=row.last_error, last_polled_at=row.last_polled_at,
        last_ok_at=row.last_ok_at, next_poll_at=row.next_poll_at,
        entries_seen=row.entries_seen,
    )
