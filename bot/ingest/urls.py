"""Canonical article URLs and the stable article ids derived from them."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track the reader, not identify the page.
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "ocid",
    "cmpid", "smid", "smtyp", "_ga", "_gl", "xtor", "guccounter",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "ns_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
ID_LENGTH = 20


def canonical_url(url: str) -> str:
    """The URL with host lowercased, default port, fragment and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING_PARAMS and not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(sorted(query)), ""))


def article_id(*, url: str | None, guid: str | None, fallback: str = "") -> str:
    """A stable id: hash of the canonical URL, else of the GUID, else of `fallback` text."""
    if url:
        key = "url:" + canonical_url(url)
    elif guid:
        key = "guid:" + guid.strip()
    else:
        key = "text:" + fallback
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_LENGTH]
