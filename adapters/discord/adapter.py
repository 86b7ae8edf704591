"""Parley's Discord bot: one discord.py client, its slash commands and its alert sink.

`start_discord(settings, commands, topics)` logs in (checking the token), syncs the slash
commands to the configured guilds (instantly visible) or globally, connects the gateway in a
background task it owns, and returns the running `DiscordAdapter`; `close()` stops it. It runs
in the caller's event loop, next to Slack and the scheduler.

Intents: only `guilds` (not privileged). Interactions need no intent; the guild cache lets the
admin check see a member's roles.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

import aiohttp
import discord
from discord import app_commands

from adapters.discord.commands import DEFAULT_DEFER_AFTER, CommandDeps, register_commands
from adapters.discord.endpoints import endpoints_from, use_endpoints
from adapters.discord.sink import DiscordAlertSink
from bot.errors import ConfigError, ParleyError
from bot.ports import CommandHandler
from bot.settings import DiscordSettings

log = logging.getLogger(__name__)

# A rate limit longer than this fails the send (the outbox retries later) instead of
# holding the alert loop; 30 s is discord.py's minimum.
MAX_RATELIMIT_WAIT = 60.0
Topics = Sequence[str] | Callable[[], Sequence[str]]


class DiscordUnavailableError(ParleyError):
    """Discord (or the configured API base) could not be reached at start."""


def minimal_intents() -> discord.Intents:
    """No privileged intents: interactions arrive without any; `guilds` gives roles."""
    return discord.Intents(guilds=True)


class DiscordAdapter:
    """The running Discord side of Parley. `sink` posts alerts; `close()` disconnects."""

    def __init__(
        self,
        settings: DiscordSettings,
        commands: CommandHandler,
        topics: Topics,
        *,
        defer_after: float = DEFAULT_DEFER_AFTER,
    ) -> None:
        self.settings = settings
        self.client = discord.Client(
            intents=minimal_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
        )
        self.tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
            self.client
        )
        topic_source = topics if callable(topics) else _fixed(tuple(topics))
        register_commands(
            self.tree,
            CommandDeps(commands, topic_source, settings.admins, defer_after=defer_after),
        )
        self.sink = DiscordAlertSink(self.client)
        self._gateway: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in, sync the slash commands and connect the gateway in the background.

        Raises ConfigError (no or rejected token) or DiscordUnavailableError.
        """
        if self.settings.token is None:
            raise ConfigError("discord.token: not set (set the environment variable it names)")
        use_endpoints(endpoints_from(self.settings))
        try:
            await self.client.login(self.settings.token.get_secret_value())
        except discord.LoginFailure:
            await self.client.close()
            raise ConfigError(
                "discord.token: Discord rejected the bot token (401); copy it again from the "
                "Developer Portal, Bot page"
            ) from None
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            await self.client.close()
            raise DiscordUnavailableError(
                f"cannot log in to Discord at {self.settings.api_base_url}: {exc}"
            ) from exc
        await self._sync_commands()
        self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")
        self._gateway.add_done_callback(_report_gateway_end)
        log.info("Discord: logged in as %s", self.client.user)

    async def wait_until_ready(self) -> None:
        """Return once the gateway session is ready (guilds received)."""
        await self.client.wait_until_ready()

    async def wait_closed(self) -> None:
        """Wait for the gateway to stop; raises what stopped it (e.g. a revoked token)."""
        if self._gateway is not None:
            await self._gateway

    async def close(self) -> None:
        """Disconnect and release the HTTP session. Safe to call twice."""
        await self.client.close()
        if self._gateway is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._gateway

    async def _sync_commands(self) -> None:
        if not self.settings.guilds:
            await self._sync(None)
            return
        for guild_id in self.settings.guilds:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            await self._sync(guild)

    async def _sync(self, guild: discord.Object | None) -> None:
        where = f"guild {guild.id}" if guild else "all servers (global; may take up to an hour)"
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.Forbidden as exc:
            log.error(
                "Discord: cannot register slash commands in %s (%s); invite the bot with the "
                "applications.commands scope to that server", where, exc.text or exc.status
            )
        except discord.HTTPException as exc:
            log.error("Discord: registering slash commands in %s failed: %s", where, exc)
        else:
            log.info("Discord: %d slash commands registered in %s", len(synced), where)


async def start_discord(
    settings: DiscordSettings,
    commands: CommandHandler,
    topics: Topics,
    *,
    defer_after: float = DEFAULT_DEFER_AFTER,
) -> DiscordAdapter:
    """Build and start the Discord adapter in the running event loop."""
    adapter = DiscordAdapter(settings, commands, topics, defer_after=defer_after)
    await adapter.start()
    return adapter


def _fixed(topics: tuple[str, ...]) -> Callable[[], Sequence[str]]:
    return lambda: topics


def _report_gateway_end(task: asyncio.Task[None]) -> None:
    if task.cancelled():
        return
    if (error := task.exception()) is not None:
        log.error("Discord gateway stopped: %s", error, exc_info=error)
