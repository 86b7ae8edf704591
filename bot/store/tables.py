"""The store's schema (SQLAlchemy Core) and the versioned migrations that create it.

The schema is defined once, here, as `Table` objects on `metadata`; the migrations create
those tables step by step. The database records the last applied step in `schema_version`.

Adding tables or columns is one function appended to `MIGRATIONS`:

    def _v2_tracking(conn: Connection) -> None:
        for table in (developments, events):
            table.create(conn)

    MIGRATIONS = (..., Migration(2, "developments, events, alert outbox", _v2_tracking))

A migration runs inside the transaction that bumps the version (DDL is transactional on both
SQLite and PostgreSQL), so a failed step leaves the database at the previous version. Never
edit a migration that has shipped: append a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Connection


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only takes UTC-aware ones")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: a single row
    Column("version", Integer, nullable=False),
    Column("applied_at", UtcDateTime(), nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("name", String(300)),
    Column("etag", String(1024)),
    Column("last_modified", String(200)),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("last_polled_at", UtcDateTime()),
    Column("last_ok_at", UtcDateTime()),
    Column("next_poll_at", UtcDateTime()),
    Column("entries_seen", Integer, nullable=False, default=0),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("url", String(2048)),
    Column("title", Text, nullable=False),
    Column("published", UtcDateTime(), nullable=False),
    Column("source", String(300), nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    # sha256 of the normalised body: a reprint under another URL is the same article.
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("guid", String(2048)),
    # The GUID made globally unique (scoped by feed URL unless it is a URL/URN itself).
    Column("guid_key", String(4200), unique=True),
    Column("feed_url", String(2048)),
    Column("fetched", UtcDateTime(), nullable=False),
    # Matched one of its topics, so the extractor should read it ...
    Column("needs_extraction", Boolean, nullable=False, default=False),
    # ... and has, at this time (NULL: still waiting).
    Column("extracted_at", UtcDateTime()),
    # Arrived with what a feed already held when first polled (beyond its `backfill`), or is a
    # seed: it sets the topic state but is not news to alert on.
    Column("silent", Boolean, nullable=False, default=False),
    Index("ix_articles_queue", "needs_extraction", "extracted_at"),
    Index("ix_articles_published", "published"),
)

article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"),
           primary_key=True),
    Column("topic", String(100), primary_key=True),
    Index("ix_article_topics_topic", "topic"),
)


# Tracking (issue 4): developments -> events -> alerts outbox -> deliveries per channel.

developments = Table(
    "developments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"),
           nullable=False),
    Column("topic", String(100), nullable=False),
    Column("type", String(40), nullable=False),
    Column("actors", JSON, nullable=False),
    Column("venue", String(200)),
    Column("terms", JSON, nullable=False),
    Column("when", Date),
    Column("evidence", Text, nullable=False, default=""),
    Column("confidence", Float, nullable=False),
    Column("background", Boolean, nullable=False, default=False),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="SET NULL")),
    Index("ix_developments_article", "article_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(100), nullable=False),
    Column("type", String(40), nullable=False),
    Column("actors", JSON, nullable=False),
    Column("venue", String(200)),
    Column("terms", JSON, nullable=False),
    Column("when", Date, nullable=False),
    Column("first_reported", UtcDateTime(), nullable=False),
    Column("confidence", Float, nullable=False),
    Index("ix_events_topic_when", "topic", "when"),
)

event_sources = Table(
    "event_sources",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    # The article's content hash: a reprint under another URL is the same source.
    Column("source_key", String(64), primary_key=True),
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"),
           nullable=False),
    Column("url", String(2048), nullable=False, default=""),
    Column("outlet", String(300), nullable=False),
    Column("reported", UtcDateTime(), nullable=False),
    Column("evidence", Text, nullable=False, default=""),
)

topic_states = Table(
    "topic_states",
    metadata,
    Column("topic", String(100), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("since", Date),
    # The one "now tracking" summary of the topic has been written to the outbox.
    Column("announced_at", UtcDateTime()),
    Column("muted_until", UtcDateTime()),
    Column("muted_by", String(200)),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("topic", String(100)),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="SET NULL")),
    Column("parent_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE")),
    Column("event_type", String(40)),
    Column("confidence", Float, nullable=False, default=1.0),
    Column("level", String(10), nullable=False),
    Column("score", Float, nullable=False, default=0.0),
    Column("title", Text, nullable=False),
    Column("lines", JSON, nullable=False),
    Column("created", UtcDateTime(), nullable=False),
    # One alert per event, however many outlets report it.
    Index("ux_alerts_one_per_event", "event_id", unique=True,
          sqlite_where=Column("kind") == "event", postgresql_where=Column("kind") == "event"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("channel", String(120), primary_key=True),
    Column("rule", Text, nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("digest", Boolean, nullable=False, default=False),
    Column("ping", String(200)),
    # pending -> sending -> delivered; or skipped (muted), failed (permanent error).
    Column("state", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text),
    Column("message_ref", String(200)),
    Column("delivered_at", UtcDateTime()),
    Index("ix_deliveries_queue", "state", "next_attempt_at"),
)

feed_health = Table(
    "feed_health",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("healthy", Boolean, nullable=False),
    Column("detail", Text),
    Column("changed_at", UtcDateTime(), nullable=False),
)

chat_feeds = Table(
    "chat_feeds",
    metadata,
    # Feeds admins added (`feeds add`) or removed (`feeds remove`) from chat, over the YAML.
    Column("url", String(2048), primary_key=True),
    Column("topics", JSON, nullable=False),
    Column("removed", Boolean, nullable=False, default=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)


@dataclass(frozen=True)
class Migration:
    """One step of the schema: `apply` creates or alters tables on an open transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1_ingest(conn: Connection) -> None:
    for table in (feeds, articles, article_topics):
        table.create(conn)


def _v2_tracking(conn: Connection) -> None:
    for table in (events, developments, event_sources, topic_states, alerts, deliveries,
                  feed_health, chat_feeds):
        table.create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "feeds, articles, article topics", _v1_ingest),
    Migration(2, "developments, events, alert outbox, deliveries, topic and feed state",
              _v2_tracking),
)

LATEST_VERSION = MIGRATIONS[-1].version
