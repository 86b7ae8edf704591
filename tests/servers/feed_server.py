"""A local feed server for tests and benchmarks: real HTTP, real conditional GET, real faults.

Documents registered with `serve(path, body)` are served under `/feeds/<path>` with an ETag and
Last-Modified, answering 304 to a matching If-None-Match / If-Modified-Since. Fault routes:
`/fault/500`, `/fault/slow` (`?seconds=`), `/fault/huge` (streamed, no Content-Length,
`?mib=`), `/fault/huge-declared` (honest Content-Length), `/fault/html` (a web page), `/fault/loop`
(redirects to itself) and `/redirect/<path>` (one hop to `/feeds/<path>`). Every request is
recorded in `hits` (path, request headers, status).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from types import TracebackType
from xml.sax.saxutils import escape

from aiohttp import web
from multidict import CIMultiDictProxy

HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Site</title></head>"
             b"<body><h1>Welcome</h1><p>This is a web page, not a feed.</p></body></html>")


@dataclass
class Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime
    gzip: bool = False


@dataclass(frozen=True)
class Hit:
    path: str
    headers: CIMultiDictProxy[str]
    status: int


@dataclass
class FeedServer:
    """Start with `async with FeedServer() as server:`; `server.url("feeds/x")`."""

    host: str = "127.0.0.1"
    port: int = 0
    documents: dict[str, Document] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    conditional: bool = True

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None

    def serve(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/rss+xml; charset=utf-8",
        *,
        gzip: bool = False,
        last_modified: datetime | None = None,
    ) -> str:
        """Serve (or replace) a document under /feeds/<path>; returns its URL."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        when = (last_modified or datetime.now(UTC)).replace(microsecond=0)
        self.documents[path] = Document(body, content_type, etag, when, gzip)
        return self.url(f"feeds/{path}")

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}/{path}"

    def hits_of(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == f"/{path}"]

    async def __aenter__(self) -> FeedServer:
        app = web.Application()
        app.router.add_get("/feeds/{path:.+}", self._feed)
        app.router.add_get("/redirect/{path:.+}", self._redirect)
        app.router.add_get("/fault/500", self._error)
        app.router.add_get("/fault/slow", self._slow)
        app.router.add_get("/fault/huge", self._huge)
        app.router.add_get("/fault/huge-declared", self._huge_declared)
        app.router.add_get("/fault/html", self._html)
        app.router.add_get("/fault/loop", self._loop)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _record(self, request: web.Request, status: int) -> None:
        self.hits.append(Hit(request.path, request.headers, status))

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        document = self.documents.get(request.match_info["path"])
        if document is None:
            self._record(request, 404)
            raise web.HTTPNotFound()
        headers = {"ETag": document.etag,
                   "Last-Modified": format_datetime(document.last_modified, usegmt=True)}
        if self.conditional and _not_modified(request, document):
            self._record(request, 304)
            return web.Response(status=304, headers=headers)
        self._record(request, 200)
        response = web.Response(body=document.body, headers=headers)
        response.headers["Content-Type"] = document.content_type
        if document.gzip:
            response.enable_compression(web.ContentCoding.gzip)
        return response

    async def _redirect(self, request: web.Request) -> web.Response:
        self._record(request, 302)
        raise web.HTTPFound(f"/feeds/{request.match_info['path']}")

    async def _error(self, request: web.Request) -> web.Response:
        self._record(request, 500)
        return web.Response(status=500, text="Internal Server Error")

    async def _slow(self, request: web.Request) -> web.Response:
        self._record(request, 200)
        await asyncio.sleep(float(request.query.get("seconds", "5")))
        return web.Response(body=rss([item("late")]), content_type="application/rss+xml")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        self._record(request, 200)
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        chunk = b"<!-- " + b"x" * (1024 * 1024 - 9) + b" -->"
        try:
            for _ in range(int(request.query.get("mib", "6"))):
                await response.write(chunk)
        except ConnectionError:
            pass  # the client gave up on the body, as it should
        return response

    async def _huge_declared(self, request: web.Request) -> web.Response:
        self._record(request, 200)
        size = int(float(request.query.get("mib", "6")) * 1024 * 1024)
        return web.Response(body=b" " * size, content_type="application/rss+xml")

    async def _html(self, request: web.Request) -> web.Response:
        self._record(request, 200)
        return web.Response(body=HTML_PAGE, content_type="text/html")

    async def _loop(self, request: web.Request) -> web.Response:
        self._record(request, 302)
        raise web.HTTPFound("/fault/loop")


def _not_modified(request: web.Request, document: Document) -> bool:
    if "If-None-Match" in request.headers:
        return request.headers["If-None-Match"] == document.etag
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(since) >= document.last_modified
        except (TypeError, ValueError):
            return False
    return False


def item(
    title: str,
    *,
    link: str | None = None,
    guid: str | None = None,
    description: str = "",
    published: str | None = "Tue, 13 Feb 2024 10:00:00 GMT",
) -> str:
    """One RSS <item>; link defaults to a URL made from the title."""
    slug = "-".join(title.lower().split())
    parts = [f"<title>{escape(title)}</title>",
             f"<link>{escape(link or f'https://news.example.com/{slug}')}</link>"]
    if guid:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    if description:
        parts.append(f"<description>{escape(description)}</description>")
    if published:
        parts.append(f"<pubDate>{published}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


def rss(items: list[str], title: str = "Example News", encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document of the given items, encoded as declared."""
    document = (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
                f"<title>{escape(title)}</title><link>https://news.example.com/</link>"
                f"<description>Test feed</description>{''.join(items)}</channel></rss>")
    return document.encode(encoding)
