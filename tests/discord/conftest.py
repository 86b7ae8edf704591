"""Fixtures: a local fake Discord, and Parley's Discord adapter connected to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from adapters.discord.adapter import DiscordAdapter, start_discord
from adapters.discord.endpoints import current_endpoints, use_endpoints
from bot.models import Field, Link, Reply
from bot.ports import CommandRequest
from bot.settings import DiscordAdmins, DiscordSettings
from tests.servers.discord_api import TOKEN, FakeDiscord, FakeGuild

GUILD = FakeGuild(id=900_000_000_000_000_001, channel_id=900_000_000_000_000_101,
                  roles=(900_000_000_000_000_201, 900_000_000_000_000_202))
ADMIN_USER = 700_000_000_000_000_001
ADMIN_ROLE = GUILD.roles[0]
TOPICS = ["talks", "iran-nuclear", "ukraine"]


@dataclass
class RecordingCommands:
    """A stand-in for the core command layer: records requests, answers like the core."""

    requests: list[CommandRequest] = field(default_factory=list)
    delay: float = 0.0
    answer: Callable[[CommandRequest], Reply] | None = None

    async def handle(self, request: CommandRequest) -> Reply:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer is not None:
            return self.answer(request)
        verb, *args = request.text.split()
        if verb == "status" and args and args[0] not in TOPICS:
            return Reply(title=f"Unknown topic {args[0]!r}",
                         lines=tuple(Link(t) for t in TOPICS), kind="error", ephemeral=True)
        if verb == "status":
            return Reply(
                title=f"{args[0]}: stalled",
                fields=(Field("Status", "stalled since 2024-05-08"), Field("Venue", "Cairo")),
                lines=(Link("Hamas accepted the ceasefire proposal",
                            "https://example.org/a?x=(1)"),),
                footer="2 sources",
            )
        return Reply(title=f"ran {request.text}")


def discord_settings(fake: FakeDiscord, *, guilds: tuple[int, ...] = (GUILD.id,),
                     token: str = TOKEN) -> DiscordSettings:
    return DiscordSettings.model_validate({
        "token": token, "api_base_url": fake.api_base_url, "gateway_url": fake.gateway_url,
        "guilds": guilds, "admins": DiscordAdmins(users=(ADMIN_USER,), roles=(ADMIN_ROLE,)),
    })


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    previous = current_endpoints()
    fake = FakeDiscord(guilds=(GUILD,))
    await fake.start()
    yield fake
    await fake.close()
    use_endpoints(previous)


@pytest.fixture
def commands() -> RecordingCommands:
    return RecordingCommands()


StartAdapter = Callable[..., Awaitable[DiscordAdapter]]


@pytest.fixture
async def start_adapter(fake_discord: FakeDiscord) -> AsyncIterator[StartAdapter]:
    """Start Parley's Discord adapter against the fake; wait for its gateway session."""
    started: list[DiscordAdapter] = []

    async def start(handler: object, **settings: object) -> DiscordAdapter:
        adapter = await start_discord(
            discord_settings(fake_discord, **settings),  # type: ignore[arg-type]
            handler,  # type: ignore[arg-type]
            TOPICS,
            defer_after=0.5,
        )
        started.append(adapter)
        await asyncio.wait_for(fake_discord.ready.wait(), 5)
        return adapter

    yield start
    for adapter in started:
        await adapter.close()


@pytest.fixture
async def adapter(start_adapter: StartAdapter, commands: RecordingCommands) -> DiscordAdapter:
    return await start_adapter(commands)
