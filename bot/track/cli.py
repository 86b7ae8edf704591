"""`parley status`, `parley timeline`, `parley replay`: the tracker from the command line.

`status` and `timeline` first bring the store up to date with the seed corpus (idempotent; the
extractor runs only when articles are waiting), then answer exactly as the chat command does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from adapters.console.render import render
from bot.alerts.replay import replay, stored_reports
from bot.cli import EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, add_config_option, load_config
from bot.commands.handler import Commands, LiveConfig
from bot.extract import Extractor
from bot.ingest.seeds import ingest_seeds
from bot.ingest.topics import TopicMatcher
from bot.ports import CommandRequest
from bot.settings import LoadedConfig, load_settings
from bot.store import SqlStore
from bot.track.chart import timeline_png
from bot.track.describe import format_day
from bot.track.pipeline import Tracking
from bot.track.queries import timeline


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`parley status`, `parley timeline`, `parley replay`."""
    status = subparsers.add_parser("status", help="a topic's status, positions and events")
    status.add_argument("topic", nargs="?", help="topic id (default: the only one)")
    add_config_option(status)
    status.set_defaults(handler=_status)

    line = subparsers.add_parser("timeline", help="a topic's latest events (optionally a PNG)")
    line.add_argument("topic", nargs="?", help="topic id (default: the only one)")
    line.add_argument("n", nargs="?", type=int, default=10, help="how many events (default 10)")
    line.add_argument("--png", metavar="FILE", type=Path, help="also draw them into FILE")
    add_config_option(line)
    line.set_defaults(handler=_timeline)

    again = subparsers.add_parser(
        "replay", help="which alerts the rules would have fired; sends nothing",
        description="Replay the stored developments through the alert rules of --config and "
                    "print the alerts that would have fired since DATE, without sending any.")
    again.add_argument("--since", required=True, type=date.fromisoformat, metavar="DATE",
                       help="YYYY-MM-DD: list alerts from this day on")
    add_config_option(again)
    again.set_defaults(handler=_replay)


async def _up_to_date(loaded: LoadedConfig) -> SqlStore:
    """The store, with the seeds ingested and every waiting article extracted."""
    settings = loaded.settings
    store = await SqlStore.open(settings.storage.url)
    try:
        await ingest_seeds(store, settings.seeds.path, TopicMatcher(settings.topics))
        if await store.articles_awaiting_extraction(1):
            extractor = await asyncio.to_thread(Extractor, settings.extractor)
            await Tracking(store, lambda: settings, extractor.extract,
                           lambda: datetime.now(UTC)).drain()
    except BaseException:
        await store.close()
        raise
    return store


async def _ask(loaded: LoadedConfig, text: str) -> tuple[int, str]:
    store = await _up_to_date(loaded)
    try:
        commands = Commands(store, LiveConfig(loaded), lambda: datetime.now(UTC))
        reply = await commands.handle(CommandRequest(text=text, platform="console",
                                                     user_id="cli", is_admin=True))
    finally:
        await store.close()
    return (EXIT_CONFIG if reply.kind == "error" else EXIT_OK), render(reply)


def _status(args: argparse.Namespace) -> int:
    code, text = asyncio.run(_ask(load_config(args), f"status {args.topic or ''}"))
    print(text, file=sys.stdout if code == EXIT_OK else sys.stderr)
    return code


async def _draw(loaded: LoadedConfig, topic: str | None, n: int, png: Path) -> None:
    settings = loaded.settings
    topic = topic or next(iter(settings.topics))
    store = await SqlStore.open(settings.storage.url)
    try:
        events = await timeline(store, topic, n)
    finally:
        await store.close()
    name = settings.topics[topic].name
    data = await asyncio.to_thread(timeline_png, events, name)
    await asyncio.to_thread(png.write_bytes, data)


def _timeline(args: argparse.Namespace) -> int:
    loaded = load_config(args)
    code, text = asyncio.run(_ask(loaded, f"timeline {args.topic or ''} {max(1, args.n)}"))
    print(text, file=sys.stdout if code == EXIT_OK else sys.stderr)
    if code == EXIT_OK and args.png is not None:
        try:
            asyncio.run(_draw(loaded, args.topic, max(1, args.n), args.png))
        except OSError as exc:
            print(f"error: cannot write {args.png}: {exc}", file=sys.stderr)
            return EXIT_FAILURE
        print(f"chart written to {args.png}")
    return code


async def _replay_lines(loaded: LoadedConfig, since: date) -> list[str]:
    store = await SqlStore.open(loaded.settings.storage.url)
    try:
        reports = await store.read(stored_reports)
    finally:
        await store.close()
    start = datetime.combine(since, datetime.min.time(), tzinfo=UTC)
    lines = []
    for fired in replay(reports, loaded.settings, start):
        for plan in fired.plans:
            when = "skipped" if plan.skipped else (
                f"digest {plan.due:%Y-%m-%d %H:%M}" if plan.digest else "instant")
            lines.append(f"{format_day(fired.at.date())} [{fired.alert.level}] "
                         f"{plan.channel} ({when}): {fired.alert.title}  <- {plan.rule}")
    return lines


def _replay(args: argparse.Namespace) -> int:
    loaded = load_settings(args.config)
    lines = asyncio.run(_replay_lines(loaded, args.since))
    for line in lines:
        print(line)
    print(f"{len(lines)} alert(s) would have been sent since {args.since}; nothing was sent.")
    return EXIT_OK
