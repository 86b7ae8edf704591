"""Alerts to Slack: the real AsyncWebClient posting to the fake Slack Web API."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from adapters.slack.adapter import build_client
from adapters.slack.sink import SlackAlertSink
from bot.models import Field, Link, Reply
from bot.ports import DeliveryError, OutgoingAlert
from bot.settings import SlackSettings
from tests.servers.slack_api import Failure, FakeSlack, message_problem

ALERT = Reply(
    title="Deal reached: Gaza ceasefire and hostage talks",
    fields=(Field("Parties", "Israel, Hamas"), Field("Mediators", "Egypt, Qatar")),
    lines=(Link("Al Jazeera: Hamas and Israel agree to a truce", "https://example.com/deal"),),
    footer="confidence 0.9",
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def sink(slack_settings: Callable[..., SlackSettings]) -> SlackAlertSink:
    return SlackAlertSink(build_client(slack_settings()))


def alert(channel: str = "C0ALERTS", reply: Reply = ALERT, **extra: object) -> OutgoingAlert:
    return OutgoingAlert(alert_id=7, channel=channel, reply=reply, **extra)  # type: ignore[arg-type]


async def test_alert_is_posted_once_per_channel(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """One chat.postMessage per channel, with blocks and fallback text; the ts comes back."""
    first = await sink.deliver(alert("C0ALERTS"))
    second = await sink.deliver(alert("C0SECOND"))
    assert [(m.channel, m.ts) for m in fake_slack.messages] == [
        ("C0ALERTS", first), ("C0SECOND", second)]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    posted = fake_slack.messages[0]
    assert posted.blocks[0]["text"]["text"] == ALERT.title
    assert posted.text.startswith(ALERT.title)
    assert "<https://example.com/deal|" in str(posted.blocks)


async def test_rate_limit_then_success_delivers_exactly_once(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """A 429 with Retry-After is waited out and retried: one message, two calls."""
    fake_slack.fail_next("chat.postMessage", Failure("ratelimited", status=429, retry_after=1))
    ts = await sink.deliver(alert())
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert [m.ts for m in fake_slack.messages] == [ts]


async def test_update_is_posted_as_a_thread_reply(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """An alert with reply_to goes into the original alert's thread."""
    original = await sink.deliver(alert())
    await sink.deliver(alert(reply=Reply(title="New source: BBC"), reply_to=original))
    assert [m.thread_ts for m in fake_slack.messages] == [None, original]


async def test_twenty_thousand_character_article_fits_slack_limits(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """A 20,000-character article is truncated into a message Slack accepts, ending in a link."""
    article = ("Negotiators met again in Cairo on Tuesday. " * 500)[:20_000]
    long = Reply(title="Talks continue " * 20, fields=(Field("Evidence", article, inline=False),),
                 lines=(Link(article, "https://example.com/long"),) * 3 + tuple(
                     Link(f"source {i}", f"https://example.com/{i}") for i in range(200)))
    await sink.deliver(alert(reply=long))
    posted = fake_slack.messages[0]
    body = {"text": posted.text, "blocks": posted.blocks}
    assert message_problem(body) is None
    assert len(posted.blocks) <= 50
    assert len(posted.blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in posted.blocks if "text" in b)
    assert "…" in posted.blocks[0]["text"]["text"]
    assert "<https://example.com/long|" in str(posted.blocks)
    assert "not shown" in str(posted.blocks[-1])


async def test_hostile_article_text_is_posted_inert(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """`<!channel>` and `<https://evil|click>` in an article can neither ping nor link."""
    hostile = "Breaking <!channel> <!here> read <https://evil|click> & share"
    await sink.deliver(alert(reply=Reply(
        title=f"Talks {hostile}", fields=(Field("Evidence", hostile),),
        lines=(Link(hostile, "https://example.com/a"), Link(hostile)), footer=hostile)))
    raw = fake_slack.calls_to("chat.postMessage")[0].raw.decode()
    for markup in ("<!channel>", "<!here>", "<https://evil"):
        assert markup not in raw
    assert "&lt;!channel&gt;" in fake_slack.messages[0].text


async def test_configured_ping_is_a_real_mention(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """A rule's ping_high (e.g. a user group) is posted as a mention, in text and blocks."""
    await sink.deliver(alert(ping="<!subteam^S0DESK>", significance="high"))
    posted = fake_slack.messages[0]
    assert posted.text.startswith("<!subteam^S0DESK>")
    assert posted.blocks[1]["text"]["text"] == "<!subteam^S0DESK>"


@pytest.mark.parametrize("channel, error", [
    ("C0NOTIN", "not_in_channel"), ("C0MISSING", "channel_not_found")])
async def test_channel_problems_are_permanent_and_logged_once(
    sink: SlackAlertSink, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture,
    channel: str, error: str,
) -> None:
    """not_in_channel / channel_not_found raise a permanent error; the hint is logged once."""
    caplog.set_level(logging.ERROR, logger="adapters.slack.sink")
    for _ in range(3):
        with pytest.raises(DeliveryError) as caught:
            await sink.deliver(alert(channel))
        assert caught.value.permanent
        assert error in str(caught.value)
    hints = [r for r in caplog.records if channel in r.getMessage()]
    assert len(hints) == 1 and error in hints[0].getMessage()


async def test_other_slack_errors_leave_the_alert_for_a_retry(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """A Slack-side failure is a non-permanent DeliveryError; the next try goes through."""
    fake_slack.fail_next("chat.postMessage", Failure("fatal_error"))
    with pytest.raises(DeliveryError) as caught:
        await sink.deliver(alert())
    assert not caught.value.permanent
    assert await sink.deliver(alert()) == fake_slack.messages[0].ts


async def test_unreachable_slack_is_a_transient_error(
    slack_settings: Callable[..., SlackSettings]
) -> None:
    """Connection refused becomes a non-permanent DeliveryError, not a crash."""
    client = build_client(slack_settings(api_base_url="http://127.0.0.1:9/api/"))
    with pytest.raises(DeliveryError) as caught:
        await SlackAlertSink(client).deliver(alert())
    assert not caught.value.permanent


async def test_refused_blocks_fall_back_to_text(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """If Slack still refuses the blocks, the alert goes out as text rather than not at all."""
    fake_slack.fail_next("chat.postMessage", Failure("invalid_blocks"))
    ts = await sink.deliver(alert())
    assert [(m.ts, m.blocks) for m in fake_slack.messages] == [(ts, [])]
    assert fake_slack.messages[0].text.startswith(ALERT.title)


async def test_chart_is_uploaded_into_the_alert_thread(
    sink: SlackAlertSink, fake_slack: FakeSlack
) -> None:
    """Reply.image_png is uploaded as a file (files.uploadV2 steps) under the alert."""
    ts = await sink.deliver(alert(reply=Reply(title="Timeline", image_png=PNG)))
    assert list(fake_slack.uploads.values()) == [PNG]
    complete = fake_slack.calls_to("files.completeUploadExternal")[0].body
    assert (complete["channel_id"], complete["thread_ts"]) == ("C0ALERTS", ts)


async def test_tokens_never_reach_the_logs(
    sink: SlackAlertSink, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """Even at DEBUG, with failures, the bot token is not logged."""
    caplog.set_level(logging.DEBUG)
    fake_slack.fail_next("chat.postMessage", Failure("ratelimited", status=429, retry_after=1))
    await sink.deliver(alert())
    with pytest.raises(DeliveryError):
        await sink.deliver(alert("C0NOTIN"))
    assert caplog.records
    assert fake_slack.bot_token not in caplog.text
