"""Canonical article URLs and the stable article ids derived from them.

Links come from feeds, so they may be malformed ("http://[::1", "host:99999"): such a link is
kept as written rather than failing the feed it came in.
"""

from __future__ import annotations

import hashlib
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that track the reader, not identify the page.
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "ocid",
    "cmpid", "smid", "smtyp", "_ga", "_gl", "xtor", "guccounter",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "ns_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
ID_LENGTH = 20


def absolute_url(base: str, link: str) -> str:
    """`link` resolved against `base`; a link too malformed to resolve is kept as written."""
    try:
        return urljoin(base, link)
    except ValueError:
        return link


def canonical_url(url: str) -> str:
    """The URL with host lowercased, default port, fragment and tracking parameters dropped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    query = parts.query
    if query:
        query = urlencode(sorted(
            (key, value)
            for key, value in parse_qsl(query, keep_blank_values=True)
            if key.lower() not in _TRACKING_PARAMS
            and not key.lower().startswith(_TRACKING_PREFIXES)
        ))
    return urlunsplit((scheme, _host(parts, scheme), parts.path or "/", query, ""))


def _host(parts: SplitResult, scheme: str) -> str:
    netloc = parts.netloc
    if "@" not in netloc and ":" not in netloc and "[" not in netloc:
        return netloc.lower()  # the common case, without parsing the netloc twice
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number in range: keep it as written
        return netloc.rpartition("@")[2].lower()
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return host


def article_id(*, url: str | None, guid: str | None, fallback: str = "") -> str:
    """A stable id: hash of the canonical URL, else of the GUID, else of `fallback` text."""
    if url:
        key = "url:" + canonical_url(url)
    elif guid:
        key = "guid:" + guid.strip()
    else:
        key = "text:" + fallback
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_LENGTH]
