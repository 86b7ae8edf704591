"""Alerts posted by the Discord sink through the real discord.py client, to the fake Discord."""

from __future__ import annotations

import logging

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.models import Field, Link, Reply
from bot.ports import DeliveryError, OutgoingAlert
from tests.servers.discord_api import (
    FakeDiscord,
    missing_permissions,
    rate_limited,
    unknown_channel,
)

CHANNELS = ("910000000000000001", "910000000000000002")
ALERT = Reply(
    title="talks: Israel rejected the proposal",
    fields=(Field("Type", "proposal_rejected"), Field("Sources", "2")),
    lines=(Link("Reuters: Israel rejects ceasefire offer @everyone", "https://example.org/r"),),
    footer="alert 7",
)


def alert(channel: str = CHANNELS[0], **changes: object) -> OutgoingAlert:
    return OutgoingAlert(alert_id=7, channel=channel, reply=ALERT, **changes)  # type: ignore[arg-type]


def messages_posted(fake: FakeDiscord) -> list[dict]:
    return [r.json for r in fake.requests_to("POST", r"^/channels/\d+/messages$")]


async def test_an_alert_is_one_message_per_channel_that_pings_no_one(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """Each configured channel gets one message, an embed with allowed_mentions parse empty."""
    ids = [await adapter.sink.deliver(alert(channel)) for channel in CHANNELS]
    posted = fake_discord.requests_to("POST", r"^/channels/\d+/messages$")
    assert [r.path for r in posted] == [f"/channels/{c}/messages" for c in CHANNELS]
    assert all(r.json["allowed_mentions"] == {"parse": []} for r in posted)
    assert [int(i) for i in ids] == [int(m) for m in fake_discord.messages]
    assert posted[0].json["embeds"][0]["title"] == ALERT.title


async def test_a_rate_limited_alert_is_sent_once_after_waiting(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """A 429 with retry_after, then 200: discord.py waits and the alert is posted exactly once."""
    fake_discord.inject("POST", r"^/channels/\d+/messages$", rate_limited(0.2))
    message_id = await adapter.sink.deliver(alert())
    assert len(messages_posted(fake_discord)) == 2
    assert list(fake_discord.messages) == [int(message_id)]


async def test_an_update_is_a_reply_to_the_original_alert(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """An alert with reply_to is posted as a reply to that message, not as a new alert."""
    original = await adapter.sink.deliver(alert())
    update = await adapter.sink.deliver(alert(reply_to=original))
    reference = messages_posted(fake_discord)[1]["message_reference"]
    assert reference["message_id"] == int(original)
    assert reference["fail_if_not_exists"] is False
    assert fake_discord.messages[int(update)]["type"] == 19  # a reply
    assert messages_posted(fake_discord)[1]["allowed_mentions"] == {
        "parse": [], "replied_user": False
    }


async def test_missing_permissions_are_permanent_and_logged_once(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    """403 / 50013 raises a permanent DeliveryError; the hint for the admin is logged once."""
    for _ in range(2):
        fake_discord.inject("POST", r"^/channels/\d+/messages$", missing_permissions())
        with pytest.raises(DeliveryError) as raised:
            await adapter.sink.deliver(alert())
        assert raised.value.permanent
    hints = [r for r in caplog.records
             if r.levelno == logging.ERROR and "Send Messages" in r.message]
    assert len(hints) == 1
    assert CHANNELS[0] in hints[0].message


async def test_an_unknown_channel_is_permanent(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """404 / 10003 (channel deleted or bot not in that server) raises a permanent DeliveryError."""
    fake_discord.inject("POST", r"^/channels/\d+/messages$", unknown_channel())
    with pytest.raises(DeliveryError, match="alerts.rules") as raised:
        await adapter.sink.deliver(alert())
    assert raised.value.permanent


async def test_a_refused_alert_is_a_retryable_delivery_error(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """Any other refusal raises a DeliveryError the outbox retries later."""
    fake_discord.inject("POST", r"^/channels/\d+/messages$",
                        (400, {"message": "Invalid Form Body", "code": 50035}, {}))
    with pytest.raises(DeliveryError) as raised:
        await adapter.sink.deliver(alert())
    assert not raised.value.permanent


async def test_a_closed_client_cannot_deliver(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """After close(), deliver raises a retryable DeliveryError instead of posting."""
    await adapter.close()
    with pytest.raises(DeliveryError) as raised:
        await adapter.sink.deliver(alert())
    assert not raised.value.permanent
    assert messages_posted(fake_discord) == []


async def test_the_chart_is_attached_as_a_png(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """An alert with a chart uploads timeline.png and shows it in the embed."""
    png = b"\x89PNG\r\n\x1a\n" + b"\1" * 32
    await adapter.sink.deliver(OutgoingAlert(1, CHANNELS[0], Reply(title="t", image_png=png)))
    posted = fake_discord.requests_to("POST", r"^/channels/\d+/messages$")[0]
    assert posted.files["timeline.png"] == png
    assert posted.json["embeds"][0]["image"]["url"] == "attachment://timeline.png"


async def test_a_configured_ping_mentions_only_that_role(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """A high alert with ping_high "<@&ROLE>" may mention exactly that role, nothing else."""
    await adapter.sink.deliver(alert(significance="high", ping="<@&123456789012345678>"))
    posted = messages_posted(fake_discord)[0]
    assert posted["content"] == "<@&123456789012345678>"
    assert posted["allowed_mentions"] == {"parse": [], "roles": [123456789012345678]}


async def test_a_20000_character_article_fits_discord_limits(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """An alert quoting a 20,000-character article is truncated and accepted by Discord."""
    article = ("Negotiators met in Doha. " * 800)[:20_000]
    reply = Reply(title=article, fields=(Field("Evidence", article),) * 30,
                  lines=(Link(article, "https://example.org/long"),) * 20, footer=article)
    message_id = await adapter.sink.deliver(OutgoingAlert(2, CHANNELS[0], reply))
    embed = fake_discord.messages[int(message_id)]["embeds"][0]
    assert len(embed["title"]) <= 256 and embed["title"].endswith("…")
    assert len(embed["description"]) <= 4096
    assert len(embed["fields"]) <= 25


async def test_a_retried_delivery_is_not_posted_twice(
    fake_discord: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """The same delivery sent again (e.g. after a crash) returns the message already posted."""
    first = await adapter.sink.deliver(alert(delivery_key="7:discord:910000000000000001"))
    again = await adapter.sink.deliver(alert(delivery_key="7:discord:910000000000000001"))
    assert first == again
    assert len(fake_discord.messages) == 1
    assert len(messages_posted(fake_discord)[0]["nonce"]) <= 25
