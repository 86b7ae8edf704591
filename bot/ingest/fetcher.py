"""HTTP for feeds and linked articles (aiohttp), and nothing else.

Conditional GET (If-None-Match / If-Modified-Since; a 304 has no body to parse), a timeout,
a cap on the body (checked on Content-Length and again while reading, so a lying or gzip-bombed
response is refused too), a cap on redirects, gzip, and a descriptive User-Agent.
Every failure is a FetchError with a one-line reason; request headers (which may carry
tokens) never appear in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp

from bot.errors import FetchError
from bot.settings import IngestSettings

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchResult:
    """A response: 200 with its body, or 304 (`not_modified`) with none."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def open_session(settings: IngestSettings) -> aiohttp.ClientSession:
    """The one HTTP session of the process; the composition root closes it."""
    return aiohttp.ClientSession(
        headers={"User-Agent": settings.user_agent},
        timeout=aiohttp.ClientTimeout(total=settings.timeout),
        auto_decompress=True,
    )


class Fetcher:
    """Fetches URLs over a shared session within the configured limits."""

    def __init__(self, session: aiohttp.ClientSession, settings: IngestSettings) -> None:
        self._session = session
        self._settings = settings

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str = "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
        "text/xml;q=0.9, */*;q=0.5",
    ) -> FetchResult:
        """GET `url`; raises FetchError for network errors, HTTP >= 400, size or redirects."""
        request_headers = {"Accept": accept, **(headers or {})}
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        limit = self._settings.max_bytes
        try:
            async with self._session.get(
                url, headers=request_headers, max_redirects=self._settings.max_redirects,
            ) as response:
                if response.status == 304:
                    return FetchResult(
                        url=str(response.url), status=304,
                        etag=response.headers.get("ETag", etag),
                        last_modified=response.headers.get("Last-Modified", last_modified),
                    )
                if response.status >= 400:
                    raise FetchError(f"HTTP {response.status} {response.reason or ''}".strip())
                if response.content_length is not None and response.content_length > limit:
                    raise FetchError(f"response of {response.content_length} bytes refused: "
                                     f"larger than the {_size(limit)} limit")
                body = await _read_capped(response, limit)
                return FetchResult(
                    url=str(response.url), status=response.status, body=body,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    content_type=response.headers.get("Content-Type"),
                )
        except aiohttp.TooManyRedirects as exc:
            raise FetchError(
                f"too many redirects (more than {self._settings.max_redirects})") from exc
        except TimeoutError as exc:
            raise FetchError(f"timed out after {self._settings.timeout:g} s") from exc
        except aiohttp.InvalidURL as exc:
            raise FetchError(f"invalid URL {exc}") from exc
        except aiohttp.ClientConnectorError as exc:
            raise FetchError(f"cannot connect to {exc.host}:{exc.port}: "
                             f"{exc.os_error.strerror or exc.os_error}") from exc
        except aiohttp.ClientError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"response refused: larger than the {_size(limit)} limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB" if n >= 1024 * 1024 else f"{n} bytes"

