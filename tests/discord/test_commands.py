"""Slash commands through the real discord.py client, against the local fake Discord."""

from __future__ import annotations

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.models import Reply
from tests.discord.conftest import ADMIN_ROLE, ADMIN_USER, GUILD, TOPICS, RecordingCommands
from tests.servers.discord_api import FakeDiscord


async def test_status_answers_with_an_embed_holding_the_status(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, commands: RecordingCommands
) -> None:
    """/status topic:talks is answered in the interaction with the status embed."""
    interaction = await fake_discord.send_command("status", {"topic": "talks"})
    message = await fake_discord.final_message(interaction)
    assert commands.requests[0].text == "status talks"
    callback = interaction.callbacks[0]
    assert callback.json["type"] == 4
    assert callback.at - interaction.sent_at < 3
    embed = message["embeds"][0]
    assert embed["title"] == "talks: stalled"
    assert {"name": "Status", "value": "stalled since 2024-05-08", "inline": True} in embed[
        "fields"
    ]
    assert "Hamas accepted the ceasefire proposal" in embed["description"]
    assert message["allowed_mentions"]["parse"] == []


async def test_unknown_topic_is_answered_with_the_list_of_topics(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """/status with a topic Parley does not track lists the topics it does track, privately."""
    interaction = await fake_discord.send_command("status", {"topic": "brexit"})
    message = await fake_discord.final_message(interaction)
    embed = message["embeds"][0]
    assert "brexit" in embed["title"]
    assert all(topic in embed["description"] for topic in TOPICS)
    assert message["flags"] & 64  # ephemeral


async def test_slow_answer_is_deferred_then_completed(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, commands: RecordingCommands
) -> None:
    """An answer not ready in time is deferred within 3 s, then the deferred message is edited."""
    commands.delay = 1.0
    interaction = await fake_discord.send_command("status", {"topic": "talks"})
    message = await fake_discord.final_message(interaction)
    assert interaction.callbacks[0].json["type"] == 5
    assert interaction.callbacks[0].at - interaction.sent_at < 3
    assert message["embeds"][0]["title"] == "talks: stalled"
    assert message["allowed_mentions"]["parse"] == []


async def test_timeline_maps_its_options_and_attaches_the_chart(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, commands: RecordingCommands
) -> None:
    """/timeline topic n chart becomes "timeline talks 5 --chart"; the PNG is attached."""
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    commands.answer = lambda request: Reply(title="Timeline", image_png=png)
    interaction = await fake_discord.send_command(
        "timeline", {"topic": "talks", "n": 5, "chart": True}
    )
    message = await fake_discord.final_message(interaction)
    assert commands.requests[0].text == "timeline talks 5 --chart"
    assert interaction.callbacks[0].files["timeline.png"] == png
    assert message["embeds"][0]["image"]["url"] == "attachment://timeline.png"


async def test_topics_takes_no_arguments(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, commands: RecordingCommands
) -> None:
    """/topics asks the core for "topics"."""
    await fake_discord.final_message(await fake_discord.send_command("topics"))
    assert commands.requests[0].text == "topics"


async def test_admin_subcommands_map_onto_the_core_grammar(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, commands: RecordingCommands
) -> None:
    """/parley feeds add|remove|list, mute and reload become the core's admin commands."""
    url = "https://example.org/feed.xml"
    invocations = [
        ("parley feeds add", {"url": url, "topic": "talks"}, f"feeds add {url} talks"),
        ("parley feeds remove", {"url": url}, f"feeds remove {url}"),
        ("parley feeds list", {}, "feeds list"),
        ("parley mute", {"topic": "talks", "duration": "2h"}, "mute talks 2h"),
        ("parley reload", {}, "reload"),
    ]
    for command, options, _ in invocations:
        await fake_discord.final_message(
            await fake_discord.send_command(command, options, user_id=ADMIN_USER)
        )
    assert [r.text for r in commands.requests] == [text for *_, text in invocations]
    assert all(r.is_admin and r.platform == "discord" for r in commands.requests)


@pytest.mark.parametrize(
    ("user_id", "roles", "expected"),
    [(ADMIN_USER, (), True), (5, (ADMIN_ROLE,), True), (5, (GUILD.roles[1],), False)],
    ids=["listed-user", "listed-role", "other"],
)
async def test_admin_is_a_listed_user_or_role(
    fake_discord: FakeDiscord,
    adapter: DiscordAdapter,
    commands: RecordingCommands,
    user_id: int,
    roles: tuple[int, ...],
    expected: bool,
) -> None:
    """The core is told the user is an admin only for ids or roles listed in the YAML."""
    interaction = await fake_discord.send_command("parley reload", user_id=user_id, roles=roles)
    await fake_discord.final_message(interaction)
    request = commands.requests[0]
    assert (request.is_admin, request.user_id) == (expected, str(user_id))
    assert request.channel_id == str(GUILD.channel_id)


async def test_topic_autocompletes_from_the_configured_topics(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """Typing "u" in the topic option offers the configured topics that contain it."""
    interaction = await fake_discord.send_command("status", {"topic": "u"}, focused="topic")
    await fake_discord.wait_for(lambda: interaction.callbacks)
    callback = interaction.callbacks[0].json
    assert callback["type"] == 8
    assert [c["value"] for c in callback["data"]["choices"]] == ["ukraine", "iran-nuclear"]


async def test_a_failing_command_gets_a_short_private_error(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, commands: RecordingCommands
) -> None:
    """If the core raises, the user sees a short ephemeral error, not a traceback."""

    def explode(request: object) -> Reply:
        raise RuntimeError("database is on fire")

    commands.answer = explode
    message = await fake_discord.final_message(
        await fake_discord.send_command("status", {"topic": "talks"})
    )
    assert message["flags"] & 64
    assert "fire" not in str(message)
    assert message["embeds"][0]["title"] == "Sorry, that command failed"


async def test_commands_are_synced_to_the_configured_guild(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """At start the commands are registered in the configured guild, with topic autocomplete."""
    synced = {c["name"]: c for c in fake_discord.commands[GUILD.id]}
    assert set(synced) == {"status", "timeline", "topics", "parley"}
    assert synced["status"]["options"][0]["autocomplete"] is True
    parley = {o["name"]: o for o in synced["parley"]["options"]}
    assert {o["name"] for o in parley["feeds"]["options"]} == {"add", "remove", "list"}
    assert {"mute", "reload"} <= set(parley)


async def test_an_option_with_spaces_stays_one_argument(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, commands: RecordingCommands
) -> None:
    """A topic typed with spaces reaches the core quoted, as one argument."""
    await fake_discord.final_message(
        await fake_discord.send_command("status", {"topic": "gaza talks"})
    )
    assert commands.requests[0].text == "status 'gaza talks'"
