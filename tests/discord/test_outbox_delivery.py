"""The real alert outbox delivering through the Discord sink to the fake Discord."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.discord.adapter import DiscordAdapter
from bot.alerts.outbox import Outbox
from bot.store import SqlStore
from tests.servers.discord_api import FakeDiscord
from tests.tracking_factories import Clock, article, development, record, settings
from tests.tracking_factories import store as store  # noqa: F401 - a fixture

CHANNELS = ("910000000000000001", "910000000000000002")
NOON = datetime(2024, 5, 9, 12, tzinfo=UTC)
RULES = {"rules": [{"channel": f"discord:{c}", "topics": ["talks"]} for c in CHANNELS]}


async def rejection_reported_by(store: SqlStore, clock: Clock, outlet: str) -> None:
    await record(store, article(f"{outlet}-1", outlet=outlet),
                 [development("proposal_rejected", "Israel")], settings(**RULES), clock())


async def test_an_event_is_one_message_per_channel_and_a_second_source_a_reply(
    fake_discord: FakeDiscord, adapter: DiscordAdapter, store: SqlStore
) -> None:
    """An event alerts each Discord channel once; a later source replies to those messages."""
    clock = Clock(NOON)
    outbox = Outbox(store, {"discord": adapter.sink}, clock)
    await rejection_reported_by(store, clock, "Reuters")
    await outbox.send_due()
    first = dict(fake_discord.messages)
    per_channel = [m["channel_id"] for m in first.values()]
    assert sorted(per_channel) == sorted(CHANNELS * (len(first) // 2))
    assert all(m["type"] == 0 for m in first.values())

    await rejection_reported_by(store, clock, "AP")
    await outbox.send_due()
    later = [m for i, m in fake_discord.messages.items() if i not in first]
    assert sorted(m["channel_id"] for m in later) == sorted(CHANNELS)
    for reply in later:
        original = first[int(reply["message_reference"]["message_id"])]
        assert reply["type"] == 19 and original["channel_id"] == reply["channel_id"]
        assert "rejected" in original["embeds"][0]["title"]
    assert await outbox.send_due() == 0
    posted = fake_discord.requests_to("POST", r"^/channels/\d+/messages$")
    assert all(r.json["allowed_mentions"]["parse"] == [] for r in posted)
