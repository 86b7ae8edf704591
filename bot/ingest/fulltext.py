"""The full text of a linked article page (for feeds with `full_text: true`), via trafilatura.

Best effort: a page that cannot be fetched or yields no text leaves the article with its
feed summary, and the reason is logged at debug level, so one bad page never fails a feed.
"""

from __future__ import annotations

import asyncio
import logging

import trafilatura

from bot.errors import FetchError
from bot.ingest.fetcher import Fetcher

log = logging.getLogger(__name__)

_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


class FullTextFetcher:
    """Fetches article pages (a few at a time) and extracts their main text."""

    def __init__(self, fetcher: Fetcher, concurrency: int = 4) -> None:
        self._fetcher = fetcher
        self._slots = asyncio.Semaphore(concurrency)

    async def text_of(self, url: str) -> str | None:
        """The page's main text, or None when it cannot be had."""
        if not url:
            return None
        async with self._slots:
            try:
                page = await self._fetcher.fetch(url, accept=_HTML)
            except FetchError as exc:
                log.debug("full text of %s not fetched: %s", url, exc)
                return None
        text = await asyncio.to_thread(extract_text, page.body, url)
        if not text:
            log.debug("full text of %s: no main text found", url)
        return text


def extract_text(page: bytes, url: str | None = None) -> str | None:
    """The main text of an HTML page (trafilatura), without comments."""
    text = trafilatura.extract(page, url=url, include_comments=False, include_tables=False)
    return text.strip() if text else None
