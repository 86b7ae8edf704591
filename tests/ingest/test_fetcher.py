"""HTTP fetching against the local feed server: conditional GET, limits, faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.errors import FetchError
from bot.ingest.fetcher import Fetcher, open_session
from bot.settings import IngestSettings
from tests.servers.feed_server import FeedServer, item, rss

LIMITS = IngestSettings(timeout=1, max_bytes=5 * 1024 * 1024, max_redirects=3)


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with open_session(LIMITS) as session:
        yield Fetcher(session, LIMITS)


async def test_a_feed_comes_with_its_validators(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """A 200 carries the body, ETag, Last-Modified and Content-Type."""
    body = rss([item("One")])
    result = await fetcher.fetch(feed_server.serve("a.xml", body))
    assert (result.status, result.body) == (200, body)
    assert result.etag and result.last_modified
    assert result.content_type == "application/rss+xml; charset=utf-8"


async def test_the_etag_round_trips_into_a_304(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """Sending back the ETag gets a 304 with no body, and the validators are kept."""
    url = feed_server.serve("a.xml", rss([item("One")]))
    first = await fetcher.fetch(url)
    second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    assert second.etag == first.etag
    assert feed_server.hits_of("feeds/a.xml")[1].headers["If-None-Match"] == first.etag


async def test_last_modified_alone_gets_a_304(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """A server without ETag matching still answers If-Modified-Since."""
    url = feed_server.serve("a.xml", rss([item("One")]))
    first = await fetcher.fetch(url)
    assert (await fetcher.fetch(url, last_modified=first.last_modified)).not_modified


async def test_the_user_agent_is_descriptive(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """Requests name Parley in their User-Agent."""
    await fetcher.fetch(feed_server.serve("a.xml", rss([])))
    assert feed_server.hits[0].headers["User-Agent"].startswith("Parley/")


async def test_gzip_is_accepted_and_decoded(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """A gzip-encoded response arrives decoded."""
    body = rss([item(f"Story {n}") for n in range(50)])
    result = await fetcher.fetch(feed_server.serve("gz.xml", body, gzip=True))
    assert result.body == body
    assert "gzip" in feed_server.hits[0].headers["Accept-Encoding"]


async def test_an_http_error_is_a_fetch_error(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """A 500 raises FetchError naming the status."""
    with pytest.raises(FetchError, match="HTTP 500"):
        await fetcher.fetch(feed_server.url("fault/500"))


async def test_a_slow_server_times_out(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """A response slower than the timeout raises FetchError."""
    with pytest.raises(FetchError, match="timed out after 1 s"):
        await fetcher.fetch(feed_server.url("fault/slow?seconds=3"))


async def test_a_body_over_the_cap_is_refused_while_streaming(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    """A 6 MiB body without Content-Length is cut off at 5 MiB and refused."""
    with pytest.raises(FetchError, match="larger than the 5 MiB limit"):
        await fetcher.fetch(feed_server.url("fault/huge?mib=6"))


async def test_a_declared_oversize_body_is_refused_before_reading(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    """A Content-Length over the cap is refused up front."""
    with pytest.raises(FetchError, match="larger than the 5 MiB limit"):
        await fetcher.fetch(feed_server.url("fault/huge-declared?mib=5.5"))


async def test_a_redirect_loop_is_cut_short(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """Redirects beyond the cap raise FetchError."""
    with pytest.raises(FetchError, match="too many redirects"):
        await fetcher.fetch(feed_server.url("fault/loop"))
    assert len(feed_server.hits_of("fault/loop")) <= LIMITS.max_redirects + 1


async def test_a_single_redirect_is_followed(fetcher: Fetcher, feed_server: FeedServer) -> None:
    """A moved feed is fetched from its new place, reported as the final URL."""
    url = feed_server.serve("new.xml", rss([item("One")]))
    result = await fetcher.fetch(feed_server.url("redirect/new.xml"))
    assert result.url == url and result.status == 200


async def test_a_refused_connection_is_a_fetch_error(fetcher: Fetcher) -> None:
    """Nobody listening raises FetchError naming host and port."""
    with pytest.raises(FetchError, match="cannot connect to 127.0.0.1:1"):
        await fetcher.fetch("http://127.0.0.1:1/feed")


async def test_feed_headers_never_appear_in_errors(
    fetcher: Fetcher, feed_server: FeedServer
) -> None:
    """A token sent as a feed header is not part of the error message."""
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(feed_server.url("fault/500"), headers={"Authorization": "Bearer s3"})
    assert "s3" not in str(caught.value)
    assert feed_server.hits[0].headers["Authorization"] == "Bearer s3"
