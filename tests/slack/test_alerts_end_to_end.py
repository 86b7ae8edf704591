"""Store -> outbox -> Slack sink -> fake Slack: alerts as a Slack channel sees them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from adapters.slack.adapter import build_client
from adapters.slack.sink import SlackAlertSink
from bot.alerts.outbox import Outbox
from bot.settings import SlackSettings
from bot.store import SqlStore
from tests.servers.slack_api import Failure, FakeSlack
from tests.tracking_factories import (
    Clock,
    article,
    development,
    record,
    settings,
)

NOON = datetime(2024, 5, 9, 12, tzinfo=UTC)
RULES = [{"channel": "slack:C0ALERTS", "topics": ["talks"]},
         {"channel": "slack:C0SECOND", "topics": ["talks"]}]


async def outbox_for(
    store: SqlStore, clock: Clock, slack_settings: Callable[..., SlackSettings]
) -> Outbox:
    return Outbox(store, {"slack": SlackAlertSink(build_client(slack_settings()))}, clock)


async def israel_rejects(store: SqlStore, clock: Clock, article_id: str, outlet: str) -> None:
    await record(store, article(article_id, outlet=outlet),
                 [development("proposal_rejected", "Israel")], settings(rules=RULES), clock())


async def test_an_event_is_posted_once_to_each_configured_channel(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings]
) -> None:
    """Each alert of a new event reaches each rule's channel exactly once, however often sent."""
    clock = Clock(NOON)
    outbox = await outbox_for(store, clock, slack_settings)
    await israel_rejects(store, clock, "a1", "Outlet A")
    sent = await outbox.send_due()
    assert await outbox.send_due() == 0
    by_channel = {c: [m.text for m in fake_slack.messages if m.channel == c]
                  for c in ("C0ALERTS", "C0SECOND")}
    assert sent == len(fake_slack.messages) == len(fake_slack.calls_to("chat.postMessage"))
    assert by_channel["C0ALERTS"] == by_channel["C0SECOND"] and by_channel["C0ALERTS"]


async def test_a_second_source_is_a_thread_reply_to_the_alert(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings]
) -> None:
    """Another outlet reporting the same event is posted in the alert's thread, per channel."""
    clock = Clock(NOON)
    outbox = await outbox_for(store, clock, slack_settings)
    await israel_rejects(store, clock, "a1", "Outlet A")
    await outbox.send_due()
    first: dict[str, str] = {}
    for message in fake_slack.messages:  # the event's alert comes before the status change
        first.setdefault(message.channel, message.ts)
    posted_before = len(fake_slack.messages)
    await israel_rejects(store, clock, "b1", "Outlet B")
    await outbox.send_due()
    updates = fake_slack.messages[posted_before:]
    assert {(m.channel, m.thread_ts) for m in updates} == {
        ("C0ALERTS", first["C0ALERTS"]), ("C0SECOND", first["C0SECOND"])}
    assert all("Outlet B" in m.text for m in updates)


async def test_rate_limited_post_is_delivered_exactly_once(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings]
) -> None:
    """429 then 200: the alert is posted once and marked delivered, nothing left to resend."""
    clock = Clock(NOON)
    outbox = await outbox_for(store, clock, slack_settings)
    await israel_rejects(store, clock, "a1", "Outlet A")
    fake_slack.fail_next("chat.postMessage", Failure("ratelimited", status=429, retry_after=1))
    sent = await outbox.send_due()
    assert sent == len(fake_slack.messages)
    assert len(fake_slack.calls_to("chat.postMessage")) == sent + 1
    assert await outbox.send_due() == 0


async def test_an_article_with_slack_markup_is_posted_inert(
    store: SqlStore, fake_slack: FakeSlack, slack_settings: Callable[..., SlackSettings]
) -> None:
    """Markup in an article's outlet and evidence reaches Slack escaped: no ping, no fake link."""
    clock = Clock(NOON)
    outbox = await outbox_for(store, clock, slack_settings)
    hostile = "<!channel> Israel rejects it, see <https://evil|click>"
    await record(store, article("a1", outlet="<!here> News"),
                 [development("proposal_rejected", "Israel", evidence=hostile)],
                 settings(rules=RULES), clock())
    assert await outbox.send_due() > 0
    raw = " ".join(c.raw.decode() for c in fake_slack.calls_to("chat.postMessage"))
    assert "<!channel>" not in raw and "<!here>" not in raw and "<https://evil" not in raw
    assert "&lt;!here&gt; News" in raw and "&lt;!channel&gt; Israel rejects" in raw
