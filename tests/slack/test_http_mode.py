"""HTTP mode end to end: signed slash-command POSTs to the bolt app listening on a local port."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.adapter import EVENTS_PATH, SlackAdapter, start_slack
from bot.models import Reply
from bot.settings import SlackSettings
from tests.servers.slack_api import FakeSlack
from tests.slack.conftest import RecordingCommands, slash_command

SIGNING_SECRET = "test-signing-secret"
ACK_LIMIT = 3.0


@pytest.fixture
async def http_adapter(
    slack_settings: Callable[..., SlackSettings], commands: RecordingCommands
) -> AsyncIterator[SlackAdapter]:
    adapter = await start_slack(
        slack_settings(mode="http", app_token=None, signing_secret=SIGNING_SECRET), commands)
    yield adapter
    await adapter.close()


async def post_command(
    adapter: SlackAdapter, body: str, *, secret: str = SIGNING_SECRET, age: int = 0
) -> tuple[int, dict[str, object] | str]:
    """POST a slash command signed as Slack signs it (v0 HMAC-SHA256), `age` seconds old."""
    timestamp = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    url = f"http://127.0.0.1:{adapter.http_port}{EVENTS_PATH}"
    async with aiohttp.ClientSession() as session, session.post(
        url, data=body.encode(), headers=headers
    ) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def test_signed_status_command_is_answered_with_blocks(
    http_adapter: SlackAdapter, fake_slack: FakeSlack, commands: RecordingCommands
) -> None:
    """A correctly signed /status POST gets 200 within 3 s with the status blocks."""
    started = time.monotonic()
    status, body = await post_command(
        http_adapter, urlencode(slash_command(fake_slack, "/status", "talks")))
    assert time.monotonic() - started < ACK_LIMIT
    assert status == 200 and isinstance(body, dict)
    assert body["response_type"] == "in_channel"
    assert body["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "text": commands.reply.title, "emoji": True}}
    assert body["text"].startswith(commands.reply.title)
    assert [r.text for r in commands.requests] == ["status talks"]


async def test_wrong_signature_is_refused_and_runs_nothing(
    http_adapter: SlackAdapter, fake_slack: FakeSlack, commands: RecordingCommands
) -> None:
    """A POST signed with another secret gets 401 and never reaches the command layer."""
    status, _ = await post_command(
        http_adapter, urlencode(slash_command(fake_slack, "/status", "talks")),
        secret="not-the-secret")
    assert status == 401
    assert commands.requests == []


async def test_stale_timestamp_is_refused_and_runs_nothing(
    http_adapter: SlackAdapter, fake_slack: FakeSlack, commands: RecordingCommands
) -> None:
    """A correctly signed POST older than five minutes (a replay) gets 401."""
    status, _ = await post_command(
        http_adapter, urlencode(slash_command(fake_slack, "/status", "talks")), age=6 * 60)
    assert status == 401
    assert commands.requests == []


async def test_admins_listed_in_the_yaml_are_marked_admin(
    http_adapter: SlackAdapter, fake_slack: FakeSlack, commands: RecordingCommands
) -> None:
    """Only user ids in slack.admins reach the core with is_admin set."""
    for user in ("U0ADMIN", "U0USER"):
        await post_command(http_adapter, urlencode(
            slash_command(fake_slack, "/parley", "feeds pause 2", user=user)))
    assert [(r.user_id, r.is_admin, r.text) for r in commands.requests] == [
        ("U0ADMIN", True, "feeds pause 2"), ("U0USER", False, "feeds pause 2")]


async def test_bare_parley_command_asks_for_help(
    http_adapter: SlackAdapter, fake_slack: FakeSlack, commands: RecordingCommands
) -> None:
    """`/parley` with no text is the help command."""
    await post_command(http_adapter, urlencode(slash_command(fake_slack, "/parley", "")))
    assert [r.text for r in commands.requests] == ["help"]


async def test_command_text_arrives_unescaped_in_the_core(
    http_adapter: SlackAdapter, fake_slack: FakeSlack, commands: RecordingCommands
) -> None:
    """Slack escapes &, <, > in command text; the core sees what the user typed."""
    await post_command(http_adapter, urlencode(
        slash_command(fake_slack, "/status", "talks &lt;b&gt; &amp; more")))
    assert [r.text for r in commands.requests] == ["status talks <b> & more"]


async def test_timeline_chart_is_uploaded_to_the_channel(
    slack_settings: Callable[..., SlackSettings], fake_slack: FakeSlack
) -> None:
    """A reply carrying a chart PNG is answered, then the chart is uploaded as a file."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
    commands = RecordingCommands(reply=Reply(title="Timeline: talks", image_png=png))
    adapter = await start_slack(
        slack_settings(mode="http", signing_secret=SIGNING_SECRET), commands)
    try:
        status, _ = await post_command(
            adapter, urlencode(slash_command(fake_slack, "/timeline", "talks")))
        assert status == 200
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("files.completeUploadExternal")))
        assert list(fake_slack.uploads.values()) == [png]
        assert fake_slack.calls_to("files.completeUploadExternal")[0].body["channel_id"] == (
            "C0ALERTS")
    finally:
        await adapter.close()


async def test_chart_upload_refused_tells_the_user_how_to_fix_it(
    slack_settings: Callable[..., SlackSettings], fake_slack: FakeSlack
) -> None:
    """In a channel the bot is not in, the user gets an ephemeral hint to invite it."""
    commands = RecordingCommands(reply=Reply(title="Timeline: talks", image_png=b"\x89PNG"))
    adapter = await start_slack(
        slack_settings(mode="http", signing_secret=SIGNING_SECRET), commands)
    try:
        payload = {**slash_command(fake_slack, "/timeline", "talks"), "channel_id": "C0NOTIN"}
        await post_command(adapter, urlencode(payload))
        await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("response_url")))
        note = fake_slack.calls_to("response_url")[0].body
        assert note["response_type"] == "ephemeral" and "/invite @Parley" in note["text"]
    finally:
        await adapter.close()


async def test_a_smart_dash_typed_option_reaches_the_core_as_double_dash(
    http_adapter: SlackAdapter, fake_slack: FakeSlack, commands: RecordingCommands
) -> None:
    """`—chart` (a client's autocorrected `--chart`) is passed on as `--chart`."""
    await post_command(http_adapter, urlencode(
        slash_command(fake_slack, "/timeline", "talks 5 \u2014chart")))
    assert [r.text for r in commands.requests] == ["timeline talks 5 --chart"]
