"""The one command layer every adapter maps its commands onto: parse -> handler -> Reply.

`Commands.handle` implements `bot.ports.CommandHandler`. It never raises for what a user
types: unknown commands, unknown topics (answered with the known ones and the closest match),
bad arguments and refused admin commands are Replies too; a failing store is an apology.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import shlex
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from bot.alerts.health import is_bad
from bot.commands.feed_admin import add_feed, effective_feeds, remove_feed
from bot.commands.replies import error_reply, status_reply, timeline_reply, why_reply
from bot.errors import ConfigError, ParleyError
from bot.models import Field, Link, Reply
from bot.ports import CommandRequest
from bot.settings import FeedSettings, LoadedConfig, Settings, load_settings
from bot.store import SqlStore
from bot.track.chart import timeline_png
from bot.track.describe import format_day
from bot.track.queries import alert_record, feed_states, state_of, timeline
from bot.track.store import set_mute

log = logging.getLogger(__name__)

MAX_COMMAND_LENGTH = 1000
DEFAULT_TIMELINE = 10
MAX_TIMELINE = 100
MAX_MUTE = timedelta(days=90)
DURATION = re.compile(r"^(\d{1,4})\s*(m|min|h|d|w)$")
UNIT = {"m": timedelta(minutes=1), "min": timedelta(minutes=1), "h": timedelta(hours=1),
        "d": timedelta(days=1), "w": timedelta(weeks=1)}

Clock = Callable[[], datetime]
Hook = Callable[[], Awaitable[object]]


class LiveConfig:
    """The current config; `reload` swaps it only when the file on disk validates."""

    def __init__(self, loaded: LoadedConfig,
                 load: Callable[[str], LoadedConfig] = load_settings) -> None:
        self._loaded = loaded
        self._load = load

    @property
    def settings(self) -> Settings:
        return self._loaded.settings

    def reload(self) -> LoadedConfig:
        """Re-read the same file. Raises ConfigError and keeps the old config."""
        self._loaded = self._load(str(self._loaded.path))
        return self._loaded


@dataclass
class Hooks:
    """What the app does after admin changes (reschedule feeds, retry failed deliveries)."""

    after_reload: Sequence[Hook] = ()
    after_feeds_changed: Sequence[Hook] = ()


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    admin: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("status", "status <topic>", "the topic's status, positions and latest events"),
    Command("timeline", "timeline <topic> [n] [--chart]", "the last n events (default 10)"),
    Command("topics", "topics", "the topics followed, with their status"),
    Command("sources", "sources <topic>", "the topic's feeds and their health"),
    Command("why", "why <alert-id>", "the evidence, rule and sources behind an alert"),
    Command("help", "help", "this list"),
    Command("feeds", "feeds add <url> <topic> | feeds remove <url> | feeds list",
            "follow or drop a feed", admin=True),
    Command("mute", "mute <topic> <duration|off>", "no alerts for a topic for a while "
            "(e.g. 2h, 1d)", admin=True),
    Command("reload", "reload", "re-read the YAML config without restarting", admin=True),
)
BY_NAME = {c.name: c for c in COMMANDS}


def tokenize(text: str) -> list[str]:
    """Words of a command, quotes respected; unbalanced quotes fall back to plain splitting."""
    try:
        return shlex.split(text)
    except ValueError:
        return [word.strip("\"'") for word in text.split()]


def parse_duration(text: str) -> timedelta | None:
    """'30m', '2h', '1d', '1w' -> timedelta; None when not understood."""
    match = DURATION.match(text.strip().lower())
    return int(match.group(1)) * UNIT[match.group(2)] if match else None


class Commands:
    """The command layer: one instance per bot, shared by every adapter."""

    def __init__(self, store: SqlStore, config: LiveConfig, clock: Clock,
                 hooks: Hooks | None = None) -> None:
        self._store = store
        self._config = config
        self._clock = clock
        self._hooks = hooks or Hooks()

    @property
    def settings(self) -> Settings:
        return self._config.settings

    async def handle(self, request: CommandRequest) -> Reply:
        """Answer one command (see bot.ports.CommandHandler)."""
        text = request.text.strip()
        if len(text) > MAX_COMMAND_LENGTH:
            return error_reply("That command is too long.", "Try `help`.")
        words = tokenize(text)
        if not words:
            return self._help(request)
        name, args = words[0].lstrip("/").lower(), words[1:]
        command = BY_NAME.get(name)
        if command is None:
            close = difflib.get_close_matches(name, BY_NAME, n=1)
            hint = f"Did you mean `{close[0]}`? " if close else ""
            return error_reply(f"Unknown command `{name[:40]}`.", f"{hint}Try `help`.")
        if command.admin and not request.is_admin:
            return Reply(
                title=f"Sorry, `{name}` is for Parley's admins.",
                lines=(Link("Ask an admin of this workspace if it needs changing."),),
                ephemeral=True, kind="refusal",
            )
        try:
            return await getattr(self, f"_{name}")(request, args)
        except ParleyError as exc:
            log.error("command %r failed: %s", name, exc)
            return error_reply("Sorry, Parley cannot answer that right now.", str(exc))
        except Exception:
            log.exception("command %r crashed", name)
            return error_reply("Sorry, something went wrong answering that.")

    # Topic argument

    def _topic(self, args: Sequence[str]) -> tuple[str | None, Reply | None]:
        topics = list(self.settings.topics)
        if not args:
            if len(topics) == 1:
                return topics[0], None
            return None, error_reply("Which topic?", f"Known topics: {', '.join(topics)}")
        wanted = args[0].lower()
        if wanted in self.settings.topics:
            return wanted, None
        close = difflib.get_close_matches(wanted, topics, n=1, cutoff=0.5)
        hint = [f"Did you mean `{close[0]}`?"] if close else []
        return None, error_reply(f"Unknown topic `{args[0][:40]}`.", *hint,
                                 f"Known topics: {', '.join(topics)}")

    # Everyone

    async def _help(self, request: CommandRequest, args: Sequence[str] = ()) -> Reply:
        lines = [Link(f"{c.usage} — {c.help}{' (admins)' if c.admin else ''}")
                 for c in COMMANDS if request.is_admin or not c.admin]
        return Reply(title="Parley commands", lines=tuple(lines),
                     footer=f"Topics: {', '.join(self.settings.topics)}", ephemeral=True)

    async def _status(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        topic, problem = self._topic(args)
        if topic is None:
            return problem  # type: ignore[return-value]
        state = await state_of(self._store, self.settings, topic)
        return status_reply(state, self.settings.topics[topic].name)

    async def _timeline(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        chart = "--chart" in args
        rest = [a for a in args if a != "--chart"]
        count = DEFAULT_TIMELINE
        if rest and rest[-1].isdigit():
            count = max(1, min(MAX_TIMELINE, int(rest.pop())))
        topic, problem = self._topic(rest)
        if topic is None:
            return problem  # type: ignore[return-value]
        events = await timeline(self._store, topic, count)
        name = self.settings.topics[topic].name
        png = await asyncio.to_thread(timeline_png, events, name) if chart else None
        return timeline_reply(events, name, topic, png)

    async def _topics(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        fields = []
        for topic, conf in self.settings.topics.items():
            state = await state_of(self._store, self.settings, topic, recent=0)
            since = f" since {format_day(state.since)}" if state.since else ""
            fields.append(Field(f"{topic} — {conf.name}", f"{state.status}{since}", inline=False))
        return Reply(title="Topics", fields=tuple(fields), footer="/status <topic> for details")

    async def _sources(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        topic, problem = self._topic(args)
        if topic is None:
            return problem  # type: ignore[return-value]
        watched = await self._store.read(lambda conn: effective_feeds(conn, self.settings))
        states = await feed_states(self._store)
        lines = []
        for feed in (f for f in watched if topic in f.topics):
            url = str(feed.url)
            state = states.get(url)
            label = feed.name or url
            if state is None or state.last_polled_at is None:
                lines.append(Link(f"… {label}: not polled yet", url))
            elif is_bad(state):
                lines.append(Link(f"✗ {label}: failing ({state.failures} in a row): "
                                  f"{state.last_error}", url))
            else:
                ok = f"last ok {state.last_ok_at:%Y-%m-%d %H:%M} UTC" if state.last_ok_at else (
                    "retrying")
                lines.append(Link(f"✓ {label}: {ok}", url))
        footer = "" if lines else "No feeds for this topic: seeds only."
        return Reply(title=f"Sources of {topic}", lines=tuple(lines), footer=footer)

    async def _why(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        if not args or not args[0].lstrip("#").isdigit():
            return error_reply("Which alert?", "Usage: why <alert-id> (the number in its footer)")
        record = await alert_record(self._store, int(args[0].lstrip("#")))
        if record is None:
            return error_reply(f"No alert {args[0][:20]}.")
        return why_reply(record)

    # Admins

    async def _feeds(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        action = args[0].lower() if args else "list"
        now, by = self._clock(), f"{request.platform}:{request.user_id}"
        if action == "list":
            watched = await self._store.read(lambda conn: effective_feeds(conn, self.settings))
            return Reply(title=f"{len(watched)} feed(s)", lines=tuple(
                Link(f"{f.name or f.url} → {', '.join(f.topics)}", str(f.url)) for f in watched))
        if action == "add" and len(args) == 3:
            topic, problem = self._topic(args[2:])
            if topic is None:
                return problem  # type: ignore[return-value]
            try:
                feed = FeedSettings(url=args[1], topics=(topic,))  # type: ignore[arg-type]
            except ValidationError:
                return error_reply(f"`{args[1][:200]}` is not an http(s) URL.")
            await self._store.write(lambda conn: add_feed(conn, feed, by, now))
            await self._run(self._hooks.after_feeds_changed)
            return Reply(title=f"Following {feed.url} for {topic}.", lines=(Link(
                "What it already holds sets the state silently; new entries alert."),))
        if action == "remove" and len(args) == 2:
            url = _normalised_url(args[1])
            removed = await self._store.write(
                lambda conn: remove_feed(conn, url, self.settings, by, now))
            if not removed:
                return error_reply(f"Not following `{args[1][:200]}`.", "See `feeds list`.")
            await self._run(self._hooks.after_feeds_changed)
            return Reply(title=f"No longer following {url}.")
        return error_reply("Usage: " + BY_NAME["feeds"].usage)

    async def _mute(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        if len(args) != 2:
            return error_reply("Usage: " + BY_NAME["mute"].usage)
        topic, problem = self._topic(args[:1])
        if topic is None:
            return problem  # type: ignore[return-value]
        by = f"{request.platform}:{request.user_id}"
        if args[1].lower() in ("off", "0"):
            await self._store.write(lambda conn: set_mute(conn, topic, None, by))
            return Reply(title=f"Alerts for {topic} are back on.")
        duration = parse_duration(args[1])
        if duration is None or duration > MAX_MUTE:
            return error_reply(f"`{args[1][:20]}` is not a duration I understand.",
                               "Use minutes, hours, days or weeks: 30m, 2h, 1d, 1w (at most 90d).")
        until = self._clock() + duration
        await self._store.write(lambda conn: set_mute(conn, topic, until, by))
        return Reply(title=f"Alerts for {topic} muted until {until:%Y-%m-%d %H:%M} UTC.",
                     footer=f"`mute {topic} off` to undo")

    async def _reload(self, request: CommandRequest, args: Sequence[str]) -> Reply:
        try:
            loaded = await asyncio.to_thread(self._config.reload)
        except ConfigError as exc:
            return error_reply("The config file has errors; keeping the current config.",
                               *str(exc).splitlines())
        await self._run(self._hooks.after_reload)
        lines = [Link(f"warning: {w}") for w in loaded.warnings]
        return Reply(title=f"Config reloaded from {loaded.path}.", lines=tuple(lines), footer=(
            f"{len(loaded.settings.topics)} topic(s), {len(loaded.settings.feeds)} feed(s), "
            f"{len(loaded.settings.alerts.rules)} alert rule(s)"))

    async def _run(self, hooks: Sequence[Hook]) -> None:
        for hook in hooks:
            await hook()


def _normalised_url(text: str) -> str:
    try:
        return str(FeedSettings(url=text, topics=("x",)).url)  # type: ignore[arg-type]
    except ValidationError:
        return text
