"""Starting and stopping the Discord adapter against the fake Discord."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.discord.adapter import start_discord
from bot.errors import ConfigError
from bot.settings import DiscordSettings
from tests.discord.conftest import TOPICS, RecordingCommands, StartAdapter, discord_settings
from tests.servers.discord_api import APPLICATION_ID, TOKEN, FakeDiscord


async def test_the_gateway_is_identified_with_the_token_and_no_privileged_intents(
    fake_discord: FakeDiscord, start_adapter: StartAdapter
) -> None:
    """IDENTIFY carries the configured token and only the guilds intent."""
    await start_adapter(RecordingCommands())
    assert fake_discord.identify is not None
    assert fake_discord.identify["token"] == TOKEN
    assert fake_discord.identify["intents"] == 1  # GUILDS only


async def test_without_guilds_commands_are_synced_globally(
    fake_discord: FakeDiscord, start_adapter: StartAdapter
) -> None:
    """With no guilds in the YAML, the commands are registered globally."""
    await start_adapter(RecordingCommands(), guilds=())
    assert fake_discord.requests_to("PUT", rf"^/applications/{APPLICATION_ID}/commands$")
    assert {c["name"] for c in fake_discord.commands[None]} == {
        "status", "timeline", "topics", "parley"
    }


async def test_a_rejected_token_is_a_config_error_that_does_not_show_it(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    """A 401 on login raises ConfigError naming discord.token, never the token itself."""
    caplog.set_level(logging.DEBUG)
    wrong = "not-the-right-token"
    with pytest.raises(ConfigError, match="discord.token") as raised:
        await start_discord(discord_settings(fake_discord, token=wrong), RecordingCommands(),
                            TOPICS)
    assert wrong not in str(raised.value)
    assert wrong not in caplog.text


async def test_a_missing_token_is_a_config_error(fake_discord: FakeDiscord) -> None:
    """Without a token (its variable unset) the adapter refuses to start."""
    settings = DiscordSettings(api_base_url=fake_discord.api_base_url)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="discord.token"):
        await start_discord(settings, RecordingCommands(), TOPICS)


async def test_the_token_never_reaches_the_logs(
    fake_discord: FakeDiscord, start_adapter: StartAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    """Even at DEBUG, starting and answering a command logs no token."""
    caplog.set_level(logging.DEBUG)
    await start_adapter(RecordingCommands())
    await fake_discord.final_message(await fake_discord.send_command("topics"))
    assert caplog.records
    assert TOKEN not in caplog.text


async def test_close_disconnects_the_gateway(
    fake_discord: FakeDiscord, start_adapter: StartAdapter
) -> None:
    """close() ends the gateway task and closes the client."""
    adapter = await start_adapter(RecordingCommands())
    await adapter.close()
    await adapter.wait_closed()
    assert adapter.client.is_closed()


async def test_a_dropped_gateway_is_resumed_and_commands_still_work(
    fake_discord: FakeDiscord, start_adapter: StartAdapter
) -> None:
    """After the gateway closes with 4000, the client RESUMEs its session and keeps answering."""
    commands = RecordingCommands()
    await start_adapter(commands)
    await fake_discord.disconnect(4000)
    await asyncio.wait_for(fake_discord.ready.wait(), 10)
    assert fake_discord.resumes[0]["session_id"] == "fake-session"
    await fake_discord.final_message(await fake_discord.send_command("topics"))
    assert [r.text for r in commands.requests] == ["topics"]
