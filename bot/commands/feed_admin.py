"""Feeds admins add or remove from chat, layered over the YAML's feeds and kept in the store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bot.settings import FeedSettings, Settings
from bot.store.tables import chat_feeds


def effective_feeds(conn: Connection, settings: Settings) -> tuple[FeedSettings, ...]:
    """The YAML's feeds minus those removed from chat, plus those added from chat."""
    changes = {row.url: row for row in conn.execute(select(chat_feeds))}
    out = [f for f in settings.feeds
           if str(f.url) not in changes or not changes[str(f.url)].removed]
    yaml_urls = {str(f.url) for f in settings.feeds}
    for url, row in changes.items():
        topics = tuple(t for t in row.topics if t in settings.topics)
        if not row.removed and url not in yaml_urls and topics:
            out.append(FeedSettings(url=url, topics=topics))
    return tuple(out)


def _upsert(conn: Connection, url: str, topics: list[str], removed: bool, by: str,
            now: datetime) -> None:
    values = {"topics": topics, "removed": removed, "changed_by": by, "changed_at": now}
    if conn.execute(select(chat_feeds.c.url).where(chat_feeds.c.url == url)).first():
        conn.execute(update(chat_feeds).where(chat_feeds.c.url == url).values(**values))
    else:
        conn.execute(insert(chat_feeds).values(url=url, **values))


def add_feed(conn: Connection, feed: FeedSettings, by: str, now: datetime) -> None:
    """Follow a feed from now on (its existing entries will set state silently)."""
    _upsert(conn, str(feed.url), list(feed.topics), False, by, now)


def remove_feed(conn: Connection, url: str, settings: Settings, by: str, now: datetime) -> bool:
    """Stop polling a feed; False when no such feed is followed."""
    if url not in {str(f.url) for f in effective_feeds(conn, settings)}:
        return False
    _upsert(conn, url, [], True, by, now)
    return True
