"""Canonical URLs and stable article ids."""

from bot.ingest.urls import absolute_url, article_id, canonical_url


def test_tracking_parameters_and_fragment_are_dropped() -> None:
    """utm_* and friends, and the #fragment, do not make another URL."""
    assert canonical_url(
        "https://News.Example.com/a/b?utm_source=rss&id=7&fbclid=x&utm_medium=feed#comments"
    ) == "https://news.example.com/a/b?id=7"


def test_host_case_and_default_port_are_normalised() -> None:
    """HTTPS://EXAMPLE.com:443/x is https://example.com/x."""
    assert canonical_url("HTTPS://EXAMPLE.com:443/x") == "https://example.com/x"


def test_a_meaningful_query_and_path_case_are_kept() -> None:
    """Query parameters that name the page, and the path's case, stay."""
    assert canonical_url("https://e.com/Story?b=2&a=1") == "https://e.com/Story?a=1&b=2"


def test_the_id_is_the_same_for_tracked_and_clean_urls() -> None:
    """The id of a URL with tracking parameters is the id of the clean URL."""
    assert article_id(url="https://e.com/s?utm_campaign=x", guid="g1") == article_id(
        url="https://e.com/s", guid="g2")


def test_the_guid_makes_the_id_when_there_is_no_link() -> None:
    """Entries without a link are identified by their GUID."""
    assert article_id(url=None, guid="urn:1") == article_id(url="", guid="urn:1")
    assert article_id(url=None, guid="urn:1") != article_id(url=None, guid="urn:2")


def test_a_malformed_url_is_kept_as_written() -> None:
    """A bad IPv6 host or port is no crash: the URL (trimmed) is its own canonical form."""
    assert canonical_url(" http://[::1/story ") == "http://[::1/story"
    assert canonical_url("http://Example.com:99999/x?utm_source=a") == "http://example.com:99999/x"


def test_a_link_too_malformed_to_resolve_stays_as_written() -> None:
    """Resolving a broken link against the feed gives the link back, not an exception."""
    assert absolute_url("https://e.com/rss", "http://[::1/story") == "http://[::1/story"
    assert absolute_url("https://e.com/rss", "/story") == "https://e.com/story"
