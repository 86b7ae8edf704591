"""Ingestion benchmark: one full poll cycle against bare feedparser, measured in one run.

Serves N feeds x M entries from a local feed server (in its own process, so serving costs
are not ours), then times, in this process:
  1. bare `feedparser.parse` of the same bytes, one feed after another, with its defaults
     (the target's yardstick) and with the options Parley uses (no HTML sanitising or link
     rebasing inside markup, which Parley reduces to text itself);
  2. a full poll cycle into a fresh SQLite store (fetch, parse, HTML to text, topic matching,
     dedupe, store, feed state), parsing in worker processes as `parley run` does, which are
     started beforehand (a running bot's are);
  3. a second cycle, where every feed answers 304;
  4. for comparison, a first cycle into another fresh store parsing in threads instead.
Targets: cycle <= 1.5x bare feedparser; second cycle < 10% of the first.

    python benchmarks/ingest.py [--feeds 200] [--entries 50]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from bot.ingest.fetcher import Fetcher, open_session  # noqa: E402
from bot.ingest.poller import Poller  # noqa: E402
from bot.ingest.topics import TopicMatcher  # noqa: E402
from bot.ingest.workers import ParsePool  # noqa: E402
from bot.settings import FeedSettings, IngestSettings, TopicSettings  # noqa: E402
from bot.store import SqlStore  # noqa: E402
from tests.servers.feed_server import FeedServer, item, rss  # noqa: E402

TOPICS = {"talks": TopicSettings(
    name="Gaza ceasefire and hostage talks",
    keywords=("ceasefire", "truce", "hostage", "hostages", "negotiations", "talks", "deal"),
    parties={"Israel": ("Israeli delegation", "Netanyahu"), "Hamas": ("Hamas officials",)},
    mediators={"Egypt": ("Egyptian officials",), "Qatar": ("Qatari",), "United States": ("US",)},
    venues=("Cairo", "Doha", "Paris"),
)}
WORDS = ("officials said on Tuesday that the <b>negotiations</b> over a ceasefire would resume "
         "in Cairo, while markets, weather and sport filled the rest of the <a href='#'>day</a>")


def make_feeds(feeds: int, entries: int) -> list[bytes]:
    documents = []
    for f in range(feeds):
        items = [
            item(f"Story {f}-{e}: {'Ceasefire talks' if e % 3 == 0 else 'Local news'}",
                 link=f"https://news{f % 20}.example.com/{f}/{e}?utm_source=rss",
                 guid=f"https://news{f % 20}.example.com/{f}/{e}",
                 description=f"<p>{WORDS} ({f}-{e}).</p><p>{WORDS}.</p>",
                 published=f"Tue, 13 Feb 2024 {e % 24:02d}:{f % 60:02d}:00 GMT")
            for e in range(entries)
        ]
        documents.append(rss(items, title=f"Feed {f}"))
    return documents


def serve(documents: list[bytes], port: Any, stop: Any) -> None:
    """The feed server's process: serve until `stop` is set."""
    async def main() -> None:
        async with FeedServer() as server:
            for n, body in enumerate(documents):
                server.serve(f"{n}.xml", body)
            port.put(server.port)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


async def poll_cycle(
    store: SqlStore, feeds: list[FeedSettings], pool: ParsePool
) -> tuple[float, int]:
    settings = IngestSettings()
    async with open_session(settings) as session:
        poller = Poller(store, Fetcher(session, settings), TopicMatcher(TOPICS),
                        concurrency=settings.concurrency, parse_pool=pool)
        started = time.perf_counter()
        results = await asyncio.gather(*(poller.poll(feed, force=True) for feed in feeds))
        elapsed = time.perf_counter() - started
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"{len(failed)} feeds failed, e.g. {failed[0].error}")
    return elapsed, sum(r.new_articles for r in results)


@dataclass(frozen=True)
class Cycles:
    first: float
    new_first: int
    second: float
    new_second: int
    first_in_threads: float


async def cycles(port: int, count: int, folder: Path) -> Cycles:
    feeds = [FeedSettings.model_validate({"url": f"http://127.0.0.1:{port}/feeds/{n}.xml",
                                          "topics": ["talks"], "name": f"Feed {n}"})
             for n in range(count)]
    store = await SqlStore.open(f"sqlite:///{folder / 'bench.db'}")
    # As in `parley run`, where the workers are up long before a cycle: not part of it.
    pool = ParsePool()
    await pool.start()
    try:
        first, new_first = await poll_cycle(store, feeds, pool)
        second, new_second = await poll_cycle(store, feeds, pool)
    finally:
        await pool.close()
        await store.close()
    # For comparison: parsing in threads, under the GIL of the event loop and the store.
    store = await SqlStore.open(f"sqlite:///{folder / 'threads.db'}")
    try:
        in_threads, _ = await poll_cycle(store, feeds, ParsePool(processes=0))
    finally:
        await store.close()
    return Cycles(first, new_first, second, new_second, in_threads)


def time_feedparser(documents: list[bytes], **options: bool) -> float:
    started = time.perf_counter()
    for body in documents:
        feedparser.parse(io.BytesIO(body), **options)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    args = parser.parse_args()

    documents = make_feeds(args.feeds, args.entries)
    total_entries = args.feeds * args.entries
    context = multiprocessing.get_context("spawn")
    port_queue, stop = context.SimpleQueue(), context.Event()
    server = context.Process(target=serve, args=(documents, port_queue, stop), daemon=True)
    server.start()
    try:
        port = port_queue.get()
        bare = time_feedparser(documents)
        bare_same_options = time_feedparser(documents, sanitize_html=False,
                                            resolve_relative_uris=False)
        with tempfile.TemporaryDirectory() as folder:
            measured = asyncio.run(cycles(port, args.feeds, Path(folder)))
    finally:
        stop.set()
        server.join(timeout=5)

    first = measured.first
    size = sum(len(d) for d in documents) / 1024 / 1024
    print(f"{args.feeds} feeds x {args.entries} entries ({size:.1f} MiB), "
          f"parsing in {ParsePool().processes} worker process(es)")
    print(f"bare feedparser.parse:  {bare:6.2f} s  {total_entries / bare:8.0f} entries/s")
    print(f"  with Parley's options: {bare_same_options:5.2f} s  "
          f"{total_entries / bare_same_options:8.0f} entries/s")
    print(f"first poll cycle:       {first:6.2f} s  {total_entries / first:8.0f} entries/s "
          f"({measured.new_first} new articles)")
    print(f"second cycle (all 304): {measured.second:6.2f} s  "
          f"({measured.new_second} new articles)")
    print(f"first cycle parsing in threads instead: {measured.first_in_threads:.2f} s")
    print(f"ratio cycle / feedparser: {first / bare:.2f}x (target <= 1.5x)")
    print(f"ratio cycle / feedparser with Parley's options: {first / bare_same_options:.2f}x "
          f"(in threads: {measured.first_in_threads / bare_same_options:.2f}x)")
    print(f"ratio 304 cycle / first:  {measured.second / first:.1%} (target < 10%)")


if __name__ == "__main__":
    main()
