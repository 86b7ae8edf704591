"""Socket Mode end to end: the real bolt app connects to the fake Slack's WebSocket."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from adapters.slack.adapter import start_slack
from bot.errors import ConfigError
from bot.settings import SlackSettings
from tests.servers.slack_api import FakeSlack
from tests.slack.conftest import RecordingCommands, slash_command

ACK_LIMIT = 3.0


async def test_slash_command_envelope_is_acked_with_the_answer(
    fake_slack: FakeSlack, commands: RecordingCommands,
    slack_settings: Callable[..., SlackSettings],
) -> None:
    """After hello, a /status envelope is acked within 3 s carrying the status blocks."""
    adapter = await start_slack(slack_settings(), commands)
    try:
        sent = time.monotonic()
        envelope = await fake_slack.send_envelope(
            "slash_commands", slash_command(fake_slack, "/status", "talks"))
        await fake_slack.wait_for(lambda: fake_slack.ack_for(envelope) is not None)
        assert time.monotonic() - sent < ACK_LIMIT
        ack = fake_slack.ack_for(envelope)
        assert ack is not None
        assert ack["payload"]["response_type"] == "in_channel"
        assert ack["payload"]["blocks"][0]["text"]["text"] == commands.reply.title
        assert [(r.text, r.platform, r.user_id, r.channel_id, r.is_admin)
                for r in commands.requests] == [("status talks", "slack", "U0USER", "C0ALERTS",
                                                 False)]
    finally:
        await adapter.close()


async def test_slow_answer_is_acked_first_and_sent_to_response_url(
    fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings]
) -> None:
    """A command slower than the ack window is acked empty in time, then answered later."""
    commands = RecordingCommands(delay=2.5)
    adapter = await start_slack(slack_settings(), commands)
    try:
        sent = time.monotonic()
        envelope = await fake_slack.send_envelope(
            "slash_commands", slash_command(fake_slack, "/timeline", "talks 5"))
        await fake_slack.wait_for(lambda: fake_slack.ack_for(envelope) is not None)
        assert time.monotonic() - sent < ACK_LIMIT
        assert "payload" not in (fake_slack.ack_for(envelope) or {})
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("response_url")))
        answer = fake_slack.calls_to("response_url")[0].body
        assert answer["response_type"] == "in_channel"
        assert answer["blocks"][0]["text"]["text"] == commands.reply.title
        assert commands.requests[0].text == "timeline talks 5"
    finally:
        await adapter.close()


async def test_failing_command_gives_a_short_ephemeral_message(
    fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings]
) -> None:
    """An exception in the core reaches the user as an ephemeral line, not a traceback."""
    commands = RecordingCommands(error=RuntimeError("database exploded at line 42"))
    adapter = await start_slack(slack_settings(), commands)
    try:
        envelope = await fake_slack.send_envelope(
            "slash_commands", slash_command(fake_slack, "/topics", ""))
        await fake_slack.wait_for(lambda: fake_slack.ack_for(envelope) is not None)
        payload = (fake_slack.ack_for(envelope) or {})["payload"]
        assert payload["response_type"] == "ephemeral"
        assert "exploded" not in str(payload) and "Traceback" not in str(payload)
    finally:
        await adapter.close()


async def test_disconnect_request_leads_to_a_new_connection(
    fake_slack: FakeSlack, commands: RecordingCommands,
    slack_settings: Callable[..., SlackSettings],
) -> None:
    """On Slack's `disconnect` (refresh_requested) the app opens a new connection and serves it."""
    adapter = await start_slack(slack_settings(), commands)
    try:
        await fake_slack.wait_for(lambda: fake_slack.connections_opened == 1)
        await fake_slack.send_disconnect()
        await fake_slack.wait_for(
            lambda: fake_slack.sockets_accepted == 2 and fake_slack.open_sockets == 1)
        assert fake_slack.connections_opened == 2
        envelope = await fake_slack.send_envelope(
            "slash_commands", slash_command(fake_slack, "/status", "talks"))
        await fake_slack.wait_for(lambda: fake_slack.ack_for(envelope) is not None)
    finally:
        await adapter.close()


async def test_refused_app_token_fails_start_with_the_key_named(
    fake_slack: FakeSlack, commands: RecordingCommands,
    slack_settings: Callable[..., SlackSettings],
) -> None:
    """A wrong xapp token stops start_slack with a clear error instead of retrying forever."""
    refused = r"slack\.app_token: Slack refused it \(invalid_auth\)"
    with pytest.raises(ConfigError, match=refused):
        await asyncio.wait_for(
            start_slack(slack_settings(app_token="xapp-wrong"), commands), ACK_LIMIT)


async def test_refused_bot_token_fails_start_with_the_key_named(
    fake_slack: FakeSlack, commands: RecordingCommands,
    slack_settings: Callable[..., SlackSettings],
) -> None:
    """A wrong xoxb token is reported as slack.bot_token, without showing the token."""
    with pytest.raises(ConfigError) as caught:
        await start_slack(slack_settings(bot_token="xoxb-wrong-secret"), commands)
    assert "slack.bot_token" in str(caught.value)
    assert "xoxb-wrong-secret" not in str(caught.value)
