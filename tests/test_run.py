"""`parley run` in one process with Slack and Discord: commands answered, news alerted once.

The real slack-bolt (Socket Mode) and discord.py clients talk to the local fakes; the feeds come
from the local feed server; storage is a SQLite file; the extractor is the real spaCy pipeline.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.run import run
from bot.settings import (
    AlertSettings,
    FeedSettings,
    SeedSettings,
    Settings,
    SlackSettings,
    StorageSettings,
    load_settings,
)
from tests.discord.conftest import GUILD, discord_settings
from tests.discord.conftest import fake_discord as fake_discord  # noqa: F401 - a fixture
from tests.servers.discord_api import FakeDiscord
from tests.servers.feed_server import FeedServer, item, rss
from tests.servers.slack_api import FakeSlack
from tests.slack.conftest import fake_slack as fake_slack  # noqa: F401 - a fixture
from tests.slack.conftest import slack_settings as slack_settings  # noqa: F401 - a fixture
from tests.slack.conftest import slash_command
from tests.tracking_factories import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.model]

SLACK_CHANNEL = "C0ALERTS"
DISCORD_CHANNEL = str(GUILD.channel_id)
TOPIC_NAME = "Gaza ceasefire and hostage talks"
STARTUP_LIMIT = 120.0  # seconds: loading spaCy and extracting the seed corpus
# Already in the feed when Parley first polls it: news worth an alert (a delegation leaving),
# but a new feed's backlog only sets the state.
OLD_NEWS = item("Hamas delegation leaves Doha",
                description="The Hamas delegation left Doha on Sunday after talks with Qatari "
                            "mediators.",
                published="Sun, 12 May 2024 10:00:00 GMT")
NEWS = item(
    "Israeli delegation arrives in Cairo",
    description="An Israeli delegation arrived in Cairo on Monday for a new round of ceasefire "
                "and hostage talks with Egyptian officials.",
    published="Mon, 13 May 2024 09:00:00 GMT",
)


@dataclass
class Running:
    """A `run()` under way, with the fakes it talks to and what it printed."""

    slack: FakeSlack
    discord: FakeDiscord
    feeds: FeedServer
    out: io.StringIO

    def slack_messages(self) -> list[str]:
        return [m.text for m in self.slack.messages if m.channel == SLACK_CHANNEL]

    def discord_messages(self) -> list[dict[str, Any]]:
        return [m for m in self.discord.messages.values() if m["channel_id"] == DISCORD_CHANNEL]

    def feed_hits(self) -> int:
        return len(self.feeds.hits_of("feeds/talks.xml"))


async def eventually(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """Wait (at most `limit` s) for something run() prints or a fake records."""
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110 - stdout and the hit list have no event
            await asyncio.sleep(0.05)


def polled_every_second(url: str) -> FeedSettings:
    """The test's feed. The YAML's floor is 30 s between polls; a copy (not validated) polls
    every second, so a second poll comes without the test waiting half a minute."""
    feed = FeedSettings(url=url, topics=("talks",), name="Local News")  # type: ignore[arg-type]
    return feed.model_copy(update={"interval": 1.0})


def chat_settings(tmp_path: Path, feed_url: str, slack: SlackSettings,
                  fake_discord: FakeDiscord) -> Settings:
    """The shipped config, on a SQLite file, with Slack and Discord at the fakes and a rule
    for a channel on each."""
    base = load_settings(ROOT / "config" / "parley.yaml", environ={}).settings
    rules = [{"channel": f"slack:{SLACK_CHANNEL}", "topics": ["talks"]},
             {"channel": f"discord:{DISCORD_CHANNEL}", "topics": ["talks"]}]
    return base.model_copy(update={
        "storage": StorageSettings(url=f"sqlite:///{tmp_path / 'parley.db'}"),
        "seeds": SeedSettings(path=ROOT / "seeds"),
        "feeds": (polled_every_second(feed_url),),
        "slack": slack,
        "discord": discord_settings(fake_discord),
        "alerts": AlertSettings.model_validate({"rules": rules}),
    })


@pytest.fixture
async def running(
    tmp_path: Path, feed_server: FeedServer, fake_slack: FakeSlack, fake_discord: FakeDiscord,
    slack_settings: Callable[..., SlackSettings],
) -> AsyncIterator[Running]:
    """run() until the test ends, started once both chat adapters are connected."""
    url = feed_server.serve("talks.xml", rss([OLD_NEWS]))
    settings = chat_settings(tmp_path, url, slack_settings(), fake_discord)
    out, stop = io.StringIO(), asyncio.Event()
    task = asyncio.create_task(run(settings, stop=stop, out=out))
    try:
        await eventually(lambda: "parley: seeds:" in out.getvalue() or task.done(),
                         STARTUP_LIMIT)
        await fake_slack.wait_for(lambda: fake_slack.open_sockets == 1)
        await asyncio.wait_for(fake_discord.ready.wait(), 10)
        yield Running(fake_slack, fake_discord, feed_server, out)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)


async def test_slack_status_command_over_socket_mode_is_acked_and_answered(
    running: Running,
) -> None:
    """/status talks arrives as a Socket Mode envelope: acked, answered with the topic's state."""
    slack = running.slack
    envelope = await slack.send_envelope(
        "slash_commands", slash_command(slack, "/status", "talks"))
    await slack.wait_for(lambda: slack.ack_for(envelope) is not None)
    ack = slack.ack_for(envelope) or {}
    if "payload" not in ack:  # acked empty in time, answered through response_url
        await slack.wait_for(lambda: bool(slack.calls_to("response_url")))
    answer = ack.get("payload") or slack.calls_to("response_url")[0].body
    assert answer["response_type"] == "in_channel"
    assert answer["blocks"][0]["text"]["text"].startswith(TOPIC_NAME)


async def test_discord_status_interaction_is_answered(running: Running) -> None:
    """/status topic:talks through the gateway is answered with the topic's state."""
    interaction = await running.discord.send_command("status", {"topic": "talks"})
    message = await running.discord.final_message(interaction)
    assert message["embeds"][0]["title"].startswith(TOPIC_NAME)


async def test_a_new_article_is_alerted_once_on_each_channel_after_a_silent_start(
    running: Running,
) -> None:
    """Seeds and the feed's first entries give only 'Now tracking'; the next news one alert."""
    await eventually(lambda: "Hamas delegation leaves Doha" in running.out.getvalue())
    await eventually(lambda: bool(running.slack_messages()) and bool(running.discord_messages()))
    running.feeds.serve("talks.xml", rss([NEWS, OLD_NEWS]))

    def news_posted() -> bool:
        return (any("arrived in Cairo" in text for text in running.slack_messages())
                and any("arrived in Cairo" in str(m["embeds"])
                        for m in running.discord_messages()))

    await eventually(news_posted, 60)
    polls = running.feed_hits()
    await eventually(lambda: running.feed_hits() >= polls + 2)  # later polls add nothing
    slack, discord = running.slack_messages(), running.discord_messages()
    assert len(slack) == 2, slack
    assert "Now tracking" in slack[0] and "arrived in Cairo" in slack[1]
    assert len(discord) == 2, discord
    assert discord[0]["embeds"][0]["title"].startswith("Now tracking")
    assert "arrived in Cairo" in discord[1]["embeds"][0]["title"]
