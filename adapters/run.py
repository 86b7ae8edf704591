"""`parley run`: ingest the seeds, poll the feeds on schedule and report, until stopped.

The console adapter always runs (alerts for `console` rules on stdout, commands on stdin);
Slack and Discord run too when their sections and secrets are set. Ctrl-C or SIGTERM
stops cleanly: no new polls start, in-flight ones finish or are abandoned whole.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TextIO

from adapters.chat import configured_adapters, supervise
from adapters.console.repl import read_commands
from adapters.console.sink import ConsoleSink
from bot.alerts.health import watch_feed_health
from bot.app import App, build_app
from bot.cli import EXIT_OK, add_config_option, load_config
from bot.ingest.poller import utc_now
from bot.ingest.seeds import ingest_seeds
from bot.models import Article
from bot.settings import LoadedConfig, Settings

log = logging.getLogger("parley")


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`parley run`."""
    parser = subparsers.add_parser(
        "run", help="run the bot: ingest seeds, poll feeds on schedule, serve chat",
        description="Run Parley until Ctrl-C or SIGTERM: ingest the seed corpus, poll every "
                    "feed on its schedule and report new articles on the console.",
    )
    add_config_option(parser)
    parser.set_defaults(handler=_run_command)


def _run_command(args: argparse.Namespace) -> int:
    loaded = load_config(args, serving=True)
    asyncio.run(run(loaded.settings, loaded=loaded))
    return EXIT_OK


async def run(settings: Settings, stop: asyncio.Event | None = None,
              out: TextIO = sys.stdout, loaded: LoadedConfig | None = None) -> None:
    """Run until `stop` is set, or until SIGINT/SIGTERM when no event is given."""
    stop = stop or _stop_on_signals()
    async with build_app(settings, loaded) as app:
        console = ConsoleReport(out)
        app.poller.add_listener(console.new_articles)
        app.outbox.add_sink(ConsoleSink(out))
        console.started(app)
        seeds = await ingest_seeds(app.store, settings.seeds.path, app.poller.matcher)
        console.seeds(seeds, await app.store.count_articles())
        app.feeds.start()
        async with _background(app, out):
            await stop.wait()
        log.info("stopping: letting in-flight polls finish")
    log.info("stopped")


@asynccontextmanager
async def _background(app: App, out: TextIO) -> AsyncIterator[None]:
    """Tracking, the outbox, feed health, the console's commands and the configured chat
    adapters, cancelled on exit."""
    tasks = [
        asyncio.create_task(app.tracking.run(), name="tracking"),
        asyncio.create_task(app.outbox.run(), name="outbox"),
        asyncio.create_task(watch_feed_health(
            app.store, lambda: app.config.settings, utc_now, app.outbox.wake), name="health"),
        asyncio.create_task(read_commands(app.commands, out=out), name="console commands"),
    ]

    def topics() -> list[str]:
        return list(app.config.settings.topics)  # read at each use: follows `reload`

    tasks += [
        asyncio.create_task(supervise(starter, app.outbox), name=f"{starter.name} adapter")
        for starter in configured_adapters(app.settings, app.commands, topics)
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


class ConsoleReport:
    """The console adapter's output for now: what Parley does, on stdout, one line each."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def started(self, app: App) -> None:
        self._print(f"parley: console adapter: {len(app.settings.topics)} topic(s), "
                    f"{len(app.settings.feeds)} feed(s); store {app.store.dialect}; "
                    "Ctrl-C to stop")

    def seeds(self, new: Sequence[Article], total: int) -> None:
        self._print(f"parley: seeds: {len(new)} new; corpus holds {total} article(s)")

    async def new_articles(self, articles: Sequence[Article]) -> None:
        for article in articles:
            if article.topics:
                self._print(f"[{', '.join(article.topics)}] {article.source}: {article.title}"
                            f"{' <' + article.url + '>' if article.url else ''}")

    def _print(self, line: str) -> None:
        print(line, file=self._out, flush=True)
