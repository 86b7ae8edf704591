"""Supervising the chat adapters: retried while unreachable, never for a refused token, their
sinks fed by the outbox, closed on shutdown. Real slack-bolt and discord.py against the fakes."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.chat import MAX_RETRY, AdapterStarter, ChatAdapter, configured_adapters, supervise
from adapters.discord.adapter import DiscordAdapter
from bot.alerts.outbox import Outbox
from bot.settings import Settings, SlackSettings
from bot.store import SqlStore
from tests.discord.conftest import GUILD, discord_settings
from tests.discord.conftest import fake_discord as fake_discord  # noqa: F401 - a fixture
from tests.servers.discord_api import FakeDiscord
from tests.servers.slack_api import Failure, FakeSlack
from tests.slack.conftest import RecordingCommands
from tests.slack.conftest import fake_slack as fake_slack  # noqa: F401 - a fixture
from tests.slack.conftest import slack_settings as slack_settings  # noqa: F401 - a fixture
from tests.tracking_factories import Clock, article, development, record, settings

NOON = datetime(2024, 5, 9, 12, tzinfo=UTC)
SLACK_RULE = {"channel": "slack:C0ALERTS", "topics": ["talks"]}
DISCORD_RULE = {"channel": f"discord:{GUILD.channel_id}", "topics": ["talks"]}


@dataclass
class RecordingSleep:
    """The supervisor's injected sleep: records each delay; from the `hold_after`-th on it
    never returns, so a test can look at the delays of a platform that stays down."""

    hold_after: int = 100
    delays: list[float] = field(default_factory=list)
    held: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if len(self.delays) >= self.hold_after:
            self.held.set()
            await asyncio.Event().wait()


@dataclass
class Started:
    """The adapters a starter returned, so a test can check they were closed."""

    adapters: list[ChatAdapter] = field(default_factory=list)

    def around(self, starter: AdapterStarter) -> AdapterStarter:
        async def start() -> ChatAdapter:
            adapter = await starter.start()
            self.adapters.append(adapter)
            return adapter

        return AdapterStarter(starter.name, start)


def with_chat(slack: SlackSettings | None = None, discord: Any = None,
              rules: tuple[dict[str, Any], ...] = (SLACK_RULE,)) -> Settings:
    return settings(rules=list(rules)).model_copy(update={"slack": slack, "discord": discord})


def starter_for(conf: Settings, name: str) -> AdapterStarter:
    starters = {s.name: s for s in configured_adapters(conf, RecordingCommands(), lambda: [])}
    return starters[name]


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def supervisor_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "parley.chat"]


def test_configured_adapters_are_those_whose_section_is_present(
    slack_settings: Callable[..., SlackSettings], fake_discord: FakeDiscord,
) -> None:
    """Slack and Discord are started when their sections are set, and only then."""
    both = with_chat(slack_settings(), discord_settings(fake_discord))
    assert [s.name for s in configured_adapters(both, RecordingCommands(), list)] == [
        "Slack", "Discord"]
    assert configured_adapters(with_chat(), RecordingCommands(), list) == []


async def test_unreachable_platform_is_retried_with_doubling_backoff_up_to_a_cap(
    store: SqlStore,
) -> None:
    """Nothing listening at Slack's address: tries again after 5 s, 10 s ... at most 5 min."""
    dead = SlackSettings.model_validate({
        "bot_token": "xoxb-t", "app_token": "xapp-t",
        "api_base_url": f"http://127.0.0.1:{unused_port()}/api/"})
    sleep = RecordingSleep(hold_after=8)
    task = asyncio.create_task(supervise(
        starter_for(with_chat(dead), "Slack"), Outbox(store, {}, Clock(NOON)), sleep))
    await asyncio.wait_for(sleep.held.wait(), 10)
    assert sleep.delays == [5, 10, 20, 40, 80, 160, MAX_RETRY, MAX_RETRY]
    await stopped(task)


async def test_slack_answering_server_errors_at_start_is_retried_until_it_connects(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings],
) -> None:
    """Slack down (503, then 500) is an outage, not a refused token: retried, then connected."""
    fake_slack.fail_next("auth.test", Failure("service_unavailable", status=503),
                         Failure("internal_error", status=500))
    sleep = RecordingSleep()
    task = asyncio.create_task(supervise(
        starter_for(with_chat(slack_settings()), "Slack"), Outbox(store, {}, Clock(NOON)), sleep))
    await fake_slack.wait_for(lambda: fake_slack.open_sockets == 1)
    assert sleep.delays == [5, 10]
    assert len(fake_slack.calls_to("auth.test")) == 3
    await stopped(task)


async def test_discord_unavailable_at_login_is_retried_until_it_connects(
    store: SqlStore, fake_discord: FakeDiscord,
) -> None:
    """Discord answering 503 to the login is retried after the backoff, then the bot connects."""
    fake_discord.inject("GET", r"^/users/@me$", (503, {"message": "Unavailable", "code": 0}, {}))
    sleep = RecordingSleep()
    task = asyncio.create_task(supervise(
        starter_for(with_chat(discord=discord_settings(fake_discord)), "Discord"),
        Outbox(store, {}, Clock(NOON)), sleep))
    await asyncio.wait_for(fake_discord.ready.wait(), 10)
    assert sleep.delays == [5]
    assert len(fake_discord.requests_to("GET", r"^/users/@me$")) == 2
    await stopped(task)


async def test_refused_slack_token_is_logged_once_and_not_retried(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A wrong xoxb token: one error naming slack.bot_token (never the token), no retry."""
    sleep = RecordingSleep()
    starter = starter_for(with_chat(slack_settings(bot_token="xoxb-wrong-secret")), "Slack")
    with caplog.at_level(logging.WARNING, logger="parley.chat"):
        await asyncio.wait_for(supervise(starter, Outbox(store, {}, Clock(NOON)), sleep), 10)
    records = supervisor_logs(caplog)
    assert [r.levelno for r in records] == [logging.ERROR]
    assert "slack.bot_token" in records[0].getMessage()
    assert "xoxb-wrong-secret" not in caplog.text
    assert sleep.delays == [] and len(fake_slack.calls_to("auth.test")) == 1


async def test_refused_discord_token_is_logged_once_and_not_retried(
    store: SqlStore, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture,
) -> None:
    """Discord answering 401 to the login: one error naming discord.token, no retry."""
    sleep = RecordingSleep()
    starter = starter_for(
        with_chat(discord=discord_settings(fake_discord, token="wrong-discord-token")), "Discord")
    with caplog.at_level(logging.WARNING, logger="parley.chat"):
        await asyncio.wait_for(supervise(starter, Outbox(store, {}, Clock(NOON)), sleep), 10)
    records = supervisor_logs(caplog)
    assert [r.levelno for r in records] == [logging.ERROR]
    assert "discord.token" in records[0].getMessage()
    assert "wrong-discord-token" not in caplog.text
    assert sleep.delays == [] and len(fake_discord.requests_to("GET", r"^/users/@me$")) == 1


async def test_a_crash_while_starting_is_logged_with_its_traceback_and_retried(
    store: SqlStore, caplog: pytest.LogCaptureFixture,
) -> None:
    """An exception no adapter translated does not end the supervisor silently."""
    attempts: list[int] = []

    async def crashing() -> ChatAdapter:
        attempts.append(1)
        raise KeyError("application_id")

    sleep = RecordingSleep(hold_after=2)
    with caplog.at_level(logging.WARNING, logger="parley.chat"):
        task = asyncio.create_task(supervise(
            AdapterStarter("Discord", crashing), Outbox(store, {}, Clock(NOON)), sleep))
        await asyncio.wait_for(sleep.held.wait(), 10)
    assert len(attempts) == 2 and sleep.delays == [5, 10]
    assert all(r.exc_info for r in supervisor_logs(caplog))
    await stopped(task)


async def test_alerts_waiting_for_slack_are_posted_once_it_connects(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings],
) -> None:
    """The started adapter's sink is registered with the outbox, which sends at once."""
    conf = with_chat(slack_settings())
    await record(store, article("a1"), [development("proposal_rejected", "Israel")], conf, NOON)
    outbox = Outbox(store, {}, Clock(NOON), poll_seconds=3600)
    sending = asyncio.create_task(outbox.run())
    task = asyncio.create_task(supervise(starter_for(conf, "Slack"), outbox))
    try:
        await fake_slack.wait_for(lambda: bool(fake_slack.messages))
        assert {m.channel for m in fake_slack.messages} == {"C0ALERTS"}
        assert "Israel" in fake_slack.messages[0].text
    finally:
        await stopped(task)
        await stopped(sending)


async def test_alerts_waiting_for_discord_are_posted_once_it_connects(
    store: SqlStore, fake_discord: FakeDiscord,
) -> None:
    """Discord's sink too: the waiting alert becomes a message in the rule's channel."""
    conf = with_chat(discord=discord_settings(fake_discord), rules=(DISCORD_RULE,))
    await record(store, article("a1"), [development("proposal_rejected", "Israel")], conf, NOON)
    outbox = Outbox(store, {}, Clock(NOON), poll_seconds=3600)
    sending = asyncio.create_task(outbox.run())
    task = asyncio.create_task(supervise(starter_for(conf, "Discord"), outbox))
    posts = f"^/channels/{GUILD.channel_id}/messages$"
    try:
        await fake_discord.wait_for(lambda: fake_discord.requests_to("POST", posts))
        assert "Israel" in str(fake_discord.requests_to("POST", posts)[0].json["embeds"])
    finally:
        await stopped(task)
        await stopped(sending)


async def test_cancelling_the_supervisor_closes_the_slack_adapter(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings],
) -> None:
    """Shutdown disconnects Socket Mode."""
    task = asyncio.create_task(supervise(
        starter_for(with_chat(slack_settings()), "Slack"), Outbox(store, {}, Clock(NOON))))
    await fake_slack.wait_for(lambda: fake_slack.open_sockets == 1)
    await stopped(task)
    await fake_slack.wait_for(lambda: fake_slack.open_sockets == 0)


async def test_cancelling_the_supervisor_closes_the_discord_adapter(
    store: SqlStore, fake_discord: FakeDiscord,
) -> None:
    """Shutdown closes the discord.py client and its gateway."""
    started = Started()
    starter = started.around(
        starter_for(with_chat(discord=discord_settings(fake_discord)), "Discord"))
    task = asyncio.create_task(supervise(starter, Outbox(store, {}, Clock(NOON))))
    await asyncio.wait_for(fake_discord.ready.wait(), 10)
    await stopped(task)
    [adapter] = started.adapters
    assert isinstance(adapter, DiscordAdapter) and adapter.client.is_closed()


async def test_a_gateway_that_ends_for_good_is_reconnected_with_a_new_adapter(
    store: SqlStore, fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture,
) -> None:
    """Discord closing the session with a code discord.py does not resume (4014, disallowed
    intents) ends that adapter: the supervisor logs it, closes it and starts a new one."""
    started = Started()
    starter = started.around(
        starter_for(with_chat(discord=discord_settings(fake_discord)), "Discord"))
    task = asyncio.create_task(supervise(starter, Outbox(store, {}, Clock(NOON)),
                                         RecordingSleep()))
    try:
        await asyncio.wait_for(fake_discord.ready.wait(), 10)
        await fake_discord.disconnect(4014)
        await asyncio.wait_for(fake_discord.ready.wait(), 10)
        assert len(started.adapters) == 2
        first, _ = started.adapters
        assert isinstance(first, DiscordAdapter) and first.client.is_closed()
        assert any("Discord adapter stopped" in r.getMessage() for r in supervisor_logs(caplog))
    finally:
        await stopped(task)
