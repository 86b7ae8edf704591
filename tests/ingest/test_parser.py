"""Feed bytes to articles, on our own documents and the real publishers' feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ParseError
from bot.ingest.parser import ParsedFeed, parse_feed
from bot.ingest.urls import canonical_url
from tests.conftest import SHARED_FEEDS
from tests.servers.feed_server import HTML_PAGE, item, rss

FETCHED = datetime(2024, 8, 9, 12, 0, tzinfo=UTC)
REAL_FEEDS = sorted(SHARED_FEEDS.glob("*.xml")) if SHARED_FEEDS.is_dir() else []


def parse(
    body: bytes, content_type: str | None = None, url: str = "https://e.com/rss"
) -> ParsedFeed:
    return parse_feed(body, url=url, fetched_at=FETCHED, content_type=content_type)


@pytest.mark.skipif(not REAL_FEEDS, reason=f"real feed fixtures not found at {SHARED_FEEDS}")
@pytest.mark.parametrize("path", REAL_FEEDS, ids=lambda p: p.name)
def test_every_real_feed_yields_articles_with_absolute_links_and_utc_dates(path: Path) -> None:
    """Each publisher's feed gives titled articles, absolute URLs, UTC dates, one id per URL."""
    parsed = parse(path.read_bytes())
    assert parsed.articles
    for article in parsed.articles:
        assert article.title.strip() == article.title and article.title
        assert article.url.startswith(("http://", "https://"))
        assert article.published.tzinfo == UTC
        assert len(article.content_hash) == 64
    # BBC and JPost list some stories twice (in two sections): same URL, same id.
    urls = {canonical_url(a.url) for a in parsed.articles}
    assert len({a.id for a in parsed.articles}) == len(urls)


def test_relative_links_resolve_against_the_site(shared_feeds: Path) -> None:
    """TPM's relative entry links become absolute on the site's host."""
    parsed = parse((shared_feeds / "talkingpointsmemo-2017-atom.xml").read_bytes(),
                   url="http://127.0.0.1:9/feeds/tpm")
    assert parsed.articles[0].url.startswith("http://talkingpointsmemo.com/livewire/")


def test_feedburner_links_are_replaced_by_the_publishers_url(shared_feeds: Path) -> None:
    """The article URL is feedburner:origLink, not the redirect."""
    parsed = parse((shared_feeds / "reuters-world-feedburner-2018-rss.xml").read_bytes())
    assert all(a.url.startswith("http://www.reuters.com/article/") for a in parsed.articles)


def test_a_declared_windows_1251_feed_decodes_cyrillic(shared_feeds: Path) -> None:
    """Non-UTF-8 encodings declared in the prolog are decoded."""
    parsed = parse((shared_feeds / "oren-ru-windows-1251-rss.xml").read_bytes())
    assert parsed.warning is None
    assert "Бузулуке" in parsed.articles[0].title


def test_undeclared_latin1_decodes_with_the_http_charset(shared_feeds: Path) -> None:
    """The Content-Type charset from HTTP decodes a feed that declares none."""
    body = (shared_feeds / "uol-noticias-latin1-undeclared-rss.xml").read_bytes()
    parsed = parse(body, content_type="application/rss+xml; charset=iso-8859-1")
    assert parsed.warning is None
    assert any("ã" in a.title or "ç" in a.title for a in parsed.articles)


def test_entries_without_a_usable_date_get_the_fetch_time(shared_feeds: Path) -> None:
    """Localised dates feedparser cannot read fall back to when the feed was fetched."""
    body = (shared_feeds / "uol-noticias-latin1-undeclared-rss.xml").read_bytes()
    parsed = parse(body, content_type="application/rss+xml; charset=iso-8859-1")
    assert {a.published for a in parsed.articles} == {FETCHED}


def test_a_malformed_feed_with_usable_entries_is_kept_with_a_warning(shared_feeds: Path) -> None:
    """El País's stray control characters make a bozo feed whose 81 entries still count."""
    parsed = parse((shared_feeds / "elpais-mrss-content-encoded-rss.xml").read_bytes())
    assert len(parsed.articles) == 81
    assert parsed.warning and "malformed feed" in parsed.warning


def test_content_encoded_becomes_the_article_text(shared_feeds: Path) -> None:
    """Full content (content:encoded) is reduced to text, apart from the summary."""
    parsed = parse((shared_feeds / "elpais-mrss-content-encoded-rss.xml").read_bytes())
    first = parsed.articles[0]
    assert len(first.text) > len(first.summary) > 0
    assert "<p>" not in first.text


def test_an_html_page_is_not_a_feed() -> None:
    """A web page instead of a feed raises ParseError saying so."""
    with pytest.raises(ParseError, match="HTML page"):
        parse(HTML_PAGE, "text/html")


def test_broken_xml_without_entries_is_a_parse_error() -> None:
    """Truncated garbage raises ParseError, not an empty success."""
    with pytest.raises(ParseError, match="malformed feed"):
        parse(b'<?xml version="1.0"?><rss><channel><title>x</ti')


def test_an_empty_but_valid_feed_has_no_articles() -> None:
    """A well-formed feed with no items is fine and empty."""
    assert parse(rss([])).articles == ()


def test_html_in_descriptions_is_reduced_to_text() -> None:
    """Escaped HTML in <description> arrives as plain text."""
    body = rss([item("Truce talks", description="<p>Envoys <b>met</b> in Cairo.</p>")])
    (article,) = parse(body).articles
    assert article.summary == "Envoys met in Cairo."
    assert article.published == datetime(2024, 2, 13, 10, 0, tzinfo=UTC)


def test_an_entry_with_a_malformed_link_does_not_fail_the_feed() -> None:
    """A broken link is kept as written and the other entries are parsed as usual."""
    body = rss([item("Truce talks", link="http://[::1/truce"),
                item("Ceasefire", link="https://e.com/ceasefire")])
    assert [a.url for a in parse(body).articles] == [
        "http://[::1/truce", "https://e.com/ceasefire"]
