"""Feed bytes -> articles: feedparser on the bytes (never a URL), HTML reduced to text.

CPU-bound: callers run `parse_feed` in a thread, with the topic matching (`topics_of`), so a
feed costs one worker call. A "bozo" (malformed) feed whose entries are usable is returned
with a warning; one with no usable entries raises ParseError.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.errors import ParseError
from bot.ingest.text import content_hash, html_to_text
from bot.ingest.urls import absolute_url, article_id
from bot.models import Article

_TITLE_FROM_SUMMARY = 120

# An entry's (title, summary, text) -> the topics it is about.
TopicsOf = Callable[[Sequence[str]], tuple[str, ...]]


@dataclass(frozen=True)
class ParsedFeed:
    """The articles of one feed document (no topics yet), and any warning about it."""

    title: str
    articles: tuple[Article, ...]
    warning: str | None = None


def parse_feed(
    body: bytes,
    *,
    url: str,
    fetched_at: datetime,
    content_type: str | None = None,
    source: str | None = None,
    topics_of: TopicsOf | None = None,
) -> ParsedFeed:
    """Parse a feed document. Raises ParseError when it holds no usable feed.

    Articles get the topics `topics_of` names for them; none without it.
    """
    headers = {"content-type": content_type} if content_type else {}
    # Every field is reduced to plain text (html_to_text), so feedparser's HTML sanitiser and
    # its rebasing of links inside markup would be work thrown away: most of its parse time.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    usable = [e for e in parsed.entries
              if dict.get(e, "title") or dict.get(e, "summary") or dict.get(e, "link")]
    if not usable and (parsed.bozo or not parsed.version):
        raise ParseError(_unusable_reason(body, parsed))
    feed_title = html_to_text(parsed.feed.get("title", "")) or (urlsplit(url).hostname or url)
    # Relative entry links resolve against the site (the feed's alternate link), then the feed.
    base = absolute_url(url, parsed.feed.get("link", "") or url)
    articles = tuple(
        _article(entry, base=base, source=source or feed_title, fetched_at=fetched_at,
                 topics_of=topics_of)
        for entry in usable
    )
    warning = None
    if parsed.bozo:
        warning = f"malformed feed, {len(articles)} entries still usable: " \
                  f"{_describe(parsed.get('bozo_exception'))}"
    return ParsedFeed(title=feed_title, articles=articles, warning=warning)


def _article(
    entry: Any, *, base: str, source: str, fetched_at: datetime, topics_of: TopicsOf | None
) -> Article:
    # FeedBurner wraps links in a redirect; the publisher's own URL is `origLink`.
    # dict.get, not FeedParserDict.get: the latter's key aliasing costs more than the parse.
    get = dict.get
    link = (get(entry, "feedburner_origlink") or get(entry, "link") or "").strip()
    url = absolute_url(base, link) if link else ""
    guid = (get(entry, "id") or "").strip() or None
    summary = html_to_text(get(entry, "summary") or "")
    contents = [html_to_text(dict.get(c, "value") or "") for c in get(entry, "content") or ()]
    text = max(contents, key=len, default="")
    if text == summary:
        text = ""
    title = html_to_text(get(entry, "title") or "") or _first_words(summary or text)
    published = _when(entry) or fetched_at
    return Article(
        id=article_id(url=url, guid=guid, fallback=f"{source}\n{title}\n{published.isoformat()}"),
        url=url, title=title, published=published, source=source, summary=summary,
        text=text, topics=topics_of((title, summary, text)) if topics_of else (), guid=guid,
        fetched=fetched_at, content_hash=content_hash(title, text or summary),
    )


def with_content_hash(article: Article) -> Article:
    """The article with `content_hash` computed from its title and best body."""
    return replace(article, content_hash=content_hash(article.title, article.body))


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get maps updated->published with a DeprecationWarning.
        parsed: time.struct_time | None = dict.get(entry, key)
        if parsed:
            try:
                return datetime(*parsed[:6], tzinfo=UTC)
            except ValueError:
                continue
    return None


def _first_words(text: str) -> str:
    line = text.split("\n", 1)[0]
    if len(line) <= _TITLE_FROM_SUMMARY:
        return line
    return line[:_TITLE_FROM_SUMMARY].rsplit(" ", 1)[0] + "…"


def _unusable_reason(body: bytes, parsed: Any) -> str:
    head = body[:2048].lstrip().lower()
    if not head:
        return "empty response"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "not a feed: the server sent an HTML page"
    if parsed.bozo:
        return f"malformed feed with no usable entries: {_describe(parsed.get('bozo_exception'))}"
    return "not an RSS or Atom feed"


def _describe(exc: object) -> str:
    if exc is None:
        return "unknown problem"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
