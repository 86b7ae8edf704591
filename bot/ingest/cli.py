"""`parley ingest --once`, `parley feeds` and `parley corpus list`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from bot.app import build_app
from bot.cli import EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, add_config_option, load_config
from bot.ingest.poller import PollResult
from bot.ingest.seeds import ingest_seeds
from bot.settings import FeedSettings, Settings
from bot.store import FeedState

_BAR_WIDTH = 30


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`ingest`, `feeds` and `corpus`."""
    ingest = subparsers.add_parser(
        "ingest", help="poll every feed once and ingest the seeds, then exit",
        description="Ingest the seed corpus and poll every configured feed once (ignoring "
                    "backoff), with progress on stderr and a summary line on stdout. "
                    "Exit code 1 if a feed failed.",
    )
    ingest.add_argument("--once", action="store_true", required=True,
                        help="one cycle, then exit (use `parley run` to keep polling)")
    add_config_option(ingest)
    ingest.set_defaults(handler=_ingest_command)

    feeds = subparsers.add_parser(
        "feeds", help="list the configured feeds and their health",
        description="Each configured feed: state, failures, last poll, next poll, last error.",
    )
    add_config_option(feeds)
    feeds.set_defaults(handler=_feeds_command)

    corpus = subparsers.add_parser("corpus", help="look at the stored articles")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    listing = corpus_sub.add_parser(
        "list", help="list the newest articles",
        description="The newest stored articles, newest first: date, id, topics, source, title.",
    )
    listing.add_argument("--topic", metavar="T", help="only articles matched to topic T")
    listing.add_argument("--limit", metavar="N", type=_positive_int, default=20,
                         help="at most N articles (default 20)")
    add_config_option(listing)
    listing.set_defaults(handler=_corpus_list_command)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


# ingest --once


def _ingest_command(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    results = asyncio.run(ingest_once(settings, progress=Progress(sys.stderr)))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILURE


async def ingest_once(settings: Settings, progress: Progress) -> list[PollResult]:
    """Ingest the seeds and poll every feed once; print the summary line on stdout."""
    async with build_app(settings) as app:
        seeds = await ingest_seeds(app.store, settings.seeds.path, app.poller.matcher)
        progress.start(len(settings.feeds))

        async def poll(feed: FeedSettings) -> PollResult:
            result = await app.poller.poll(feed, force=True)
            progress.advance(feed.name or str(feed.url), result)
            return result

        results = list(await asyncio.gather(*(poll(feed) for feed in settings.feeds)))
        progress.finish()
        total = await app.store.count_articles()
    print(summary_line(results, len(seeds), total), flush=True)
    return results


def summary_line(results: Sequence[PollResult], new_seeds: int, total: int) -> str:
    """One line: feeds ok/failed, new articles (queued), seeds, corpus size."""
    failed = sum(1 for r in results if not r.ok)
    new = sum(r.new_articles for r in results)
    queued = sum(r.queued for r in results)
    return (f"feeds: {len(results) - failed} ok, {failed} failed; new articles: {new} "
            f"({queued} queued for extraction); seeds: {new_seeds} new; corpus: {total}")


class Progress:
    """A plain progress bar on a terminal; one line per feed when output is not a terminal."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._tty = out.isatty()
        self._total = 0
        self._done = 0

    def start(self, total: int) -> None:
        self._total = total
        self._done = 0
        if self._tty and total:
            self._draw("")

    def advance(self, label: str, result: PollResult) -> None:
        self._done += 1
        status = f"failed: {result.error}" if result.error else result.outcome.replace("_", " ")
        if self._tty:
            self._draw(f"{label}: {status}")
        else:
            print(f"[{self._done}/{self._total}] {label}: {status}", file=self._out, flush=True)

    def finish(self) -> None:
        if self._tty and self._total:
            print(file=self._out, flush=True)

    def _draw(self, note: str) -> None:
        filled = _BAR_WIDTH * self._done // max(self._total, 1)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        line = f"\r[{bar}] {self._done}/{self._total} {note}"[:160]
        print(f"{line}\x1b[K", end="", file=self._out, flush=True)


# feeds


def _feeds_command(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    states = asyncio.run(_feed_states(settings))
    print(feeds_table(settings.feeds, states, datetime.now(UTC)))
    return EXIT_OK


async def _feed_states(settings: Settings) -> dict[str, FeedState]:
    async with build_app(settings) as app:
        return await app.store.feed_states()


def feed_health(state: FeedState | None, now: datetime) -> str:
    """ok, failing (backing off), or never polled."""
    if state is None or state.last_polled_at is None:
        return "never polled"
    if state.failures:
        backing_off = state.next_poll_at is not None and state.next_poll_at > now
        return f"failing x{state.failures}" + (", backing off" if backing_off else "")
    return "ok"


def feeds_table(
    feeds: Sequence[FeedSettings], states: dict[str, FeedState], now: datetime
) -> str:
    """One block per configured feed."""
    if not feeds:
        return "no feeds configured"
    blocks = []
    for feed in feeds:
        state = states.get(str(feed.url))
        lines = [f"{feed.name or feed.url}", f"  url:        {feed.url}",
                 f"  state:      {feed_health(state, now)}",
                 f"  every:      {feed.interval:g} s; topics: {', '.join(feed.topics)}"]
        if state is not None:
            lines += [f"  last poll:  {_when(state.last_polled_at)}",
                      f"  last ok:    {_when(state.last_ok_at)}",
                      f"  next poll:  {_when(state.next_poll_at)}",
                      f"  articles:   {state.entries_seen}"]
            if state.last_error:
                lines.append(f"  last error: {state.last_error}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


# corpus list


def _corpus_list_command(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    if args.topic is not None and args.topic not in settings.topics:
        print(f"error: unknown topic {args.topic!r}; expected one of {sorted(settings.topics)}",
              file=sys.stderr)
        return EXIT_CONFIG
    print(asyncio.run(_corpus_listing(settings, args.topic, args.limit)))
    return EXIT_OK


async def _corpus_listing(settings: Settings, topic: str | None, limit: int) -> str:
    async with build_app(settings) as app:
        articles = await app.store.articles(topic=topic, limit=limit)
    if not articles:
        return "no articles" + (f" for topic {topic}" if topic else "")
    return "\n".join(
        f"{a.published:%Y-%m-%d}  {a.id}  [{','.join(a.topics) or '-'}]  {a.source}: {a.title}"
        for a in articles
    )
