"""Slash commands answered by the real core command layer, through discord.py and the fake."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.commands.handler import Commands, LiveConfig
from bot.settings import LoadedConfig
from bot.store import SqlStore
from tests.discord.conftest import ADMIN_USER, StartAdapter
from tests.servers.discord_api import FakeDiscord
from tests.tracking_factories import Clock, article, development, record, settings
from tests.tracking_factories import store as store  # noqa: F401 - a fixture

NOON = datetime(2024, 5, 9, 12, tzinfo=UTC)


@pytest.fixture
async def core(store: SqlStore) -> Commands:
    """The real command layer over a store where Reuters reported Israel's rejection."""
    conf = settings()
    await record(store, article("reuters-1", outlet="Reuters"),
                 [development("proposal_rejected", "Israel")], conf, NOON)
    return Commands(store, LiveConfig(LoadedConfig(Path("parley.yaml"), conf)), Clock(NOON))


async def test_status_talks_shows_the_topic_state(
    fake_discord: FakeDiscord, start_adapter: StartAdapter, core: Commands
) -> None:
    """/status topic:talks answers with the tracked state and its source as a link."""
    await start_adapter(core)
    message = await fake_discord.final_message(
        await fake_discord.send_command("status", {"topic": "talks"})
    )
    embed = message["embeds"][0]
    assert embed["title"].startswith("Gaza talks: stalled")
    assert any(f["name"] == "Status" for f in embed["fields"])
    assert "Israel rejected" in embed["description"]
    assert "(https://news.example/reuters-1)" in embed["description"]


async def test_an_unknown_topic_lists_the_known_ones(
    fake_discord: FakeDiscord, start_adapter: StartAdapter, core: Commands
) -> None:
    """/status with an unknown topic names the topics Parley tracks."""
    await start_adapter(core)
    message = await fake_discord.final_message(
        await fake_discord.send_command("status", {"topic": "tlaks"})
    )
    assert "Unknown topic" in message["embeds"][0]["title"]
    assert "talks" in str(message["embeds"][0])


async def test_admin_commands_are_refused_to_others(
    fake_discord: FakeDiscord, start_adapter: StartAdapter, core: Commands
) -> None:
    """/parley mute by a user not listed as admin gets a private refusal; an admin is obeyed."""
    await start_adapter(core)
    refused = await fake_discord.final_message(await fake_discord.send_command(
        "parley mute", {"topic": "talks", "duration": "2h"}, user_id=5))
    assert refused["flags"] & 64 and "admins" in refused["embeds"][0]["title"]
    obeyed = await fake_discord.final_message(await fake_discord.send_command(
        "parley mute", {"topic": "talks", "duration": "2h"}, user_id=ADMIN_USER))
    assert "admins" not in obeyed["embeds"][0]["title"]


async def test_timeline_chart_is_a_real_png(
    fake_discord: FakeDiscord, start_adapter: StartAdapter, core: Commands
) -> None:
    """/timeline with chart attaches the core's matplotlib PNG."""
    await start_adapter(core)
    interaction = await fake_discord.send_command("timeline", {"topic": "talks", "chart": True})
    message = await fake_discord.final_message(interaction)
    sent = (interaction.edits or interaction.callbacks)[-1]
    assert sent.files["timeline.png"].startswith(b"\x89PNG")
    assert message["embeds"][0]["image"]["url"] == "attachment://timeline.png"
