"""Parley's slash commands on a discord.py `CommandTree`, mapped onto the core command layer.

`register_commands(tree, deps)` adds `/status`, `/timeline`, `/topics` and the `/parley` group
(help, sources, why, and the admin commands feeds add|remove|list, mute, reload). Each command
becomes the text the core parses ("status talks") in a `CommandRequest`; the core decides what
an admin may do, this module only tells it whether the user is one.

Discord invalidates an interaction not answered within 3 seconds, so a command whose answer is
not ready after `defer_after` seconds is deferred ("Parley is thinking…") and completed by
editing that response when the answer arrives.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import discord
from discord import app_commands

from adapters.discord.embeds import render_embed, render_file
from bot.models import Reply
from bot.ports import CommandHandler, CommandRequest
from bot.settings import DiscordAdmins

log = logging.getLogger(__name__)

AUTOCOMPLETE_CHOICES = 25  # Discord's maximum
DEFAULT_DEFER_AFTER = 2.0  # seconds; leaves a second of Discord's 3 for the network
FAILURE = Reply(
    title="Sorry, that command failed",
    footer="The error was logged for the Parley admins.",
    kind="error",
    ephemeral=True,
)
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True)
class CommandDeps:
    """What the slash commands need: the core, the topic names, and who is an admin."""

    handler: CommandHandler
    topics: Callable[[], Sequence[str]]
    admins: DiscordAdmins
    defer_after: float = DEFAULT_DEFER_AFTER


def is_admin(user: discord.User | discord.Member, admins: DiscordAdmins) -> bool:
    """Whether the YAML lists the user's id, or one of their roles in this guild."""
    if user.id in admins.users:
        return True
    roles = user.roles if isinstance(user, discord.Member) else []
    return any(role.id in admins.roles for role in roles)


def topic_choices(topics: Sequence[str], typed: str) -> list[app_commands.Choice[str]]:
    """Configured topics containing what the user typed so far, prefix matches first."""
    needle = typed.strip().lower()
    matches = [t for t in topics if needle in t.lower()]
    matches.sort(key=lambda t: (not t.lower().startswith(needle), t.lower()))
    return [app_commands.Choice(name=t, value=t) for t in matches[:AUTOCOMPLETE_CHOICES]]


def register_commands(tree: app_commands.CommandTree[discord.Client], deps: CommandDeps) -> None:
    """Add every Parley slash command to `tree`."""

    async def complete_topic(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(deps.topics(), current)

    async def run(interaction: discord.Interaction, *words: object, private: bool = False) -> None:
        # Each option is one word of the core's grammar, even if the user typed spaces in it.
        text = " ".join(shlex.quote(str(w).strip()) for w in words if w not in (None, ""))
        await answer(interaction, text, deps, private=private)

    @app_commands.command(name="status", description="Where the talks on a topic stand")
    @app_commands.describe(topic="A tracked topic")
    @app_commands.autocomplete(topic=complete_topic)
    async def status(interaction: discord.Interaction, topic: str) -> None:
        await run(interaction, "status", topic)

    @app_commands.command(name="timeline", description="The latest events of a topic")
    @app_commands.describe(
        topic="A tracked topic", n="How many events (default 10)", chart="Attach a chart"
    )
    @app_commands.autocomplete(topic=complete_topic)
    async def timeline(
        interaction: discord.Interaction,
        topic: str,
        n: app_commands.Range[int, 1, 100] | None = None,
        chart: bool = False,
    ) -> None:
        await run(interaction, "timeline", topic, n, "--chart" if chart else None)

    @app_commands.command(name="topics", description="The tracked topics and their status")
    async def topics(interaction: discord.Interaction) -> None:
        await run(interaction, "topics")

    parley = app_commands.Group(name="parley", description="Parley help and administration")
    feeds = app_commands.Group(name="feeds", description="Manage news feeds", parent=parley)

    @parley.command(name="help", description="What Parley can do")
    async def help_(interaction: discord.Interaction) -> None:
        await run(interaction, "help", private=True)

    @parley.command(name="sources", description="The feeds of a topic and their health")
    @app_commands.describe(topic="A tracked topic")
    @app_commands.autocomplete(topic=complete_topic)
    async def sources(interaction: discord.Interaction, topic: str) -> None:
        await run(interaction, "sources", topic)

    @parley.command(name="why", description="The evidence and rule behind an alert")
    @app_commands.describe(alert_id="The alert number shown in its footer")
    async def why(interaction: discord.Interaction, alert_id: app_commands.Range[int, 1]) -> None:
        await run(interaction, "why", alert_id)

    @parley.command(name="mute", description="Admin: pause alerts for a topic")
    @app_commands.describe(topic="A tracked topic", duration="For how long, e.g. 2h or 1d")
    @app_commands.autocomplete(topic=complete_topic)
    async def mute(interaction: discord.Interaction, topic: str, duration: str) -> None:
        await run(interaction, "mute", topic, duration, private=True)

    @parley.command(name="reload", description="Admin: re-read the configuration")
    async def reload(interaction: discord.Interaction) -> None:
        await run(interaction, "reload", private=True)

    @feeds.command(name="add", description="Admin: follow a new feed for a topic")
    @app_commands.describe(url="The RSS or Atom feed URL", topic="A tracked topic")
    @app_commands.autocomplete(topic=complete_topic)
    async def feeds_add(interaction: discord.Interaction, url: str, topic: str) -> None:
        await run(interaction, "feeds", "add", url, topic, private=True)

    @feeds.command(name="remove", description="Admin: stop following a feed")
    @app_commands.describe(url="The feed URL")
    async def feeds_remove(interaction: discord.Interaction, url: str) -> None:
        await run(interaction, "feeds", "remove", url, private=True)

    @feeds.command(name="list", description="The feeds Parley follows")
    async def feeds_list(interaction: discord.Interaction) -> None:
        await run(interaction, "feeds", "list", private=True)

    for command in (status, timeline, topics, parley):
        tree.add_command(command)
    tree.error(_on_tree_error)


async def answer(
    interaction: discord.Interaction, text: str, deps: CommandDeps, *, private: bool = False
) -> None:
    """Ask the core, deferring if it is slow, and render its reply in the interaction."""
    request = CommandRequest(
        text=text,
        platform="discord",
        user_id=str(interaction.user.id),
        is_admin=is_admin(interaction.user, deps.admins),
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
    )
    handling = asyncio.create_task(deps.handler.handle(request))
    done, _ = await asyncio.wait({handling}, timeout=deps.defer_after)
    if not done:
        # Once deferred, the answer replaces the "thinking" message and keeps its visibility.
        await interaction.response.defer(ephemeral=private, thinking=True)
    try:
        reply = await handling
    except Exception:
        log.exception("command %r failed", text)
        reply = FAILURE
    await _send(interaction, reply)


async def _send(interaction: discord.Interaction, reply: Reply) -> None:
    embed = render_embed(reply)
    file = render_file(reply)
    if file is not None and reply.image_png and len(reply.image_png) > interaction.filesize_limit:
        log.warning("chart of %d bytes exceeds this channel's upload limit; sent without it",
                    len(reply.image_png))
        embed.set_image(url=None)
        file = None
    try:
        if interaction.response.is_done():
            await interaction.edit_original_response(
                embed=embed, attachments=[file] if file else [], allowed_mentions=NO_MENTIONS
            )
        elif file is not None:
            await interaction.response.send_message(
                embed=embed, file=file, ephemeral=reply.ephemeral, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.response.send_message(
                embed=embed, ephemeral=reply.ephemeral, allowed_mentions=NO_MENTIONS
            )
    except discord.NotFound:
        log.warning("interaction %s expired before Parley could answer it", interaction.id)


async def _on_tree_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    log.error("slash command failed: %s", error, exc_info=error)
    try:
        await _send(interaction, FAILURE)
    except discord.HTTPException:
        log.warning("could not tell the user about the failed command")
