"""The outbox: once per (alert, channel), retries with backoff, digests, updates, restarts."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.alerts.outbox import BATCH, Outbox, backoff
from bot.ports import DeliveryError
from bot.store import SqlStore
from bot.store.tables import deliveries
from tests.tracking_factories import (
    ROOT,
    Clock,
    RecordingSink,
    article,
    development,
    record,
    settings,
)

NOON = datetime(2024, 5, 9, 12, tzinfo=UTC)


async def states(store: SqlStore) -> list[tuple[int, str]]:
    query = select(deliveries.c.alert_id, deliveries.c.state).order_by(deliveries.c.alert_id)
    return [tuple(r) for r in await store.read(lambda conn: conn.execute(query).all())]


async def rejected(store: SqlStore, clock: Clock, article_id: str = "a1", **conf: object) -> None:
    await record(store, article(article_id), [development("proposal_rejected", "Israel")],
                 settings(**conf) if conf else settings(), clock())


async def test_each_alert_is_delivered_once_and_not_again(store: SqlStore) -> None:
    """Delivered alerts are marked and never sent twice."""
    clock, sink = Clock(NOON), RecordingSink()
    await rejected(store, clock)
    outbox = Outbox(store, {"console": sink}, clock)
    assert await outbox.send_due() == 1
    assert await outbox.send_due() == 0
    assert [a.delivery_key for a in sink.posted] == ["1:console"]
    assert {s for _, s in await states(store)} == {"delivered"}


async def test_a_failed_delivery_is_retried_with_backoff(store: SqlStore) -> None:
    """A transient error keeps the alert queued until its backoff has passed."""
    clock, sink = Clock(NOON), RecordingSink()
    await rejected(store, clock)
    outbox = Outbox(store, {"console": sink}, clock)
    sink.fail_with = DeliveryError("rate limited")
    assert await outbox.send_due() == 0
    sink.fail_with = None
    clock.advance(backoff(1) - timedelta(seconds=1))
    assert await outbox.send_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await outbox.send_due() == 1


def test_backoff_doubles_up_to_a_ceiling() -> None:
    """5 s, 10 s, 20 s ... never more than 30 minutes."""
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(50) == timedelta(minutes=30)


async def test_a_permanent_failure_waits_for_a_config_change(store: SqlStore) -> None:
    """Unknown channel: not retried until retry_failed (a reload)."""
    clock, sink = Clock(NOON), RecordingSink()
    await rejected(store, clock)
    outbox = Outbox(store, {"console": sink}, clock)
    sink.fail_with = DeliveryError("channel_not_found", permanent=True)
    await outbox.send_due()
    sink.fail_with = None
    clock.advance(timedelta(days=1))
    assert await outbox.send_due() == 0
    assert await outbox.retry_failed() == 1
    assert await outbox.send_due() == 1


async def test_deliveries_wait_for_their_platform_to_connect(store: SqlStore) -> None:
    """No sink for a platform yet: its deliveries stay pending, nothing is lost."""
    clock = Clock(NOON)
    await rejected(store, clock, rules=[{"channel": "slack:C1", "topics": ["talks"]}])
    outbox = Outbox(store, {}, clock)
    assert await outbox.send_due() == 0
    sink = RecordingSink("slack")
    outbox.add_sink(sink)
    assert await outbox.send_due() == 1
    assert sink.posted[0].channel == "C1"


async def test_deliveries_waiting_for_a_platform_do_not_hold_up_the_others(
    store: SqlStore,
) -> None:
    """More alerts than a batch waiting for Slack (down, or its token refused) still let a
    later console alert through."""
    clock = Clock(NOON)
    slack_only = {"rules": [{"channel": "slack:C1", "topics": ["talks"]}]}
    for n in range(BATCH + 5):
        day = date(2020, 1, 1) + timedelta(days=40 * n)  # far apart: separate events
        await record(store, article(f"s{n}", day=day),
                     [development("proposal_rejected", "Israel", when=day)],
                     settings(**slack_only), clock())
    clock.advance(timedelta(minutes=1))
    await rejected(store, clock, "c1")
    sink = RecordingSink()
    assert await Outbox(store, {"console": sink}, clock).send_due() == 1
    assert [a.channel for a in sink.posted] == ["console"]


async def test_digest_alerts_go_out_together_at_the_digest_time(store: SqlStore) -> None:
    """Normal alerts in digest mode wait for digest_at, then form one message."""
    clock, sink = Clock(NOON), RecordingSink()
    rules = [{"channel": "console", "topics": ["talks"], "mode": "digest", "digest_at": "18:00",
              "types": ["talks_held", "delegation_arrived"]}]
    await record(store, article("a1"), [
        development("talks_held", venue="Cairo"),
        development("delegation_arrived", "Egypt", venue="Doha"),
    ], settings(rules=rules), clock())
    outbox = Outbox(store, {"console": sink}, clock)
    assert await outbox.send_due() == 0
    clock.advance(timedelta(hours=6))
    assert await outbox.send_due() == 1
    assert sink.posted[0].reply.title == "Digest: 2 developments"


async def test_quiet_hours_hold_alerts_until_morning_but_not_high_ones(store: SqlStore) -> None:
    """At 23:00, a normal alert waits until 07:00; a high one goes at once."""
    clock, sink = Clock(datetime(2024, 5, 9, 23, tzinfo=UTC)), RecordingSink()
    rules = [{"channel": "console", "topics": ["talks"],
              "quiet_hours": {"start": "22:00", "end": "07:00"}}]
    await record(store, article("a1"), [development("delegation_arrived", "Egypt", venue="Doha")],
                 settings(rules=rules), clock())
    await record(store, article("a2", day=date(2024, 5, 10)),
                 [development("deal_reached", "Israel", "Hamas")], settings(rules=rules), clock())
    outbox = Outbox(store, {"console": sink}, clock)
    await outbox.send_due()
    assert all(a.significance == "high" for a in sink.posted) and sink.posted
    clock.now = datetime(2024, 5, 10, 7, tzinfo=UTC)
    await outbox.send_due()
    assert any("arrived" in a.reply.title for a in sink.posted)


async def test_an_update_is_posted_as_a_reply_to_the_alert(store: SqlStore) -> None:
    """A later source for an alerted event goes out as a reply to the alert's message."""
    clock, sink = Clock(NOON), RecordingSink()
    outbox = Outbox(store, {"console": sink}, clock)
    await rejected(store, clock)
    await outbox.send_due()
    await record(store, article("b1", outlet="Outlet B"),
                 [development("proposal_rejected", "Israel")], settings(), clock())
    await outbox.send_due()
    update = sink.posted[-1]
    assert update.reply_to == "ref-1"
    assert update.reply.title.startswith("Also reported by Outlet B")


async def test_a_muted_topic_alerts_nothing(store: SqlStore) -> None:
    """Muted: the deliveries are recorded as skipped and nothing is posted."""
    from bot.track.store import set_mute

    clock, sink = Clock(NOON), RecordingSink()
    await store.write(lambda conn: set_mute(conn, "talks", NOON + timedelta(hours=1), "U1"))
    await rejected(store, clock)
    assert await Outbox(store, {"console": sink}, clock).send_due() == 0
    assert {s for _, s in await states(store)} == {"skipped"}


async def _crash_test_setup(url: str) -> None:
    store = await SqlStore.open(url)
    for i, type_ in enumerate(("proposal_rejected", "talks_suspended", "pressure")):
        await record(store, article(f"a{i}", day=date(2024, 5, 6 + i)),
                     [development(type_, "Israel")], settings(), datetime.now(UTC))
    await store.close()


async def _delivery_states(url: str) -> list[tuple[int, str]]:
    store = await SqlStore.open(url)
    try:
        return await states(store)
    finally:
        await store.close()


@pytest.mark.slow
def test_a_process_killed_mid_delivery_resends_only_the_unconfirmed_one(tmp_path: Path) -> None:
    """Killed after posting alert 3 but before marking it: a restart posts 3 again (same key,
    which the platform deduplicates) and none of the others."""
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    asyncio.run(_crash_test_setup(url))
    posts = tmp_path / "posts.log"
    worker = [sys.executable, "-m", "tests.alerts.outbox_worker", url, str(posts)]
    process = subprocess.Popen([*worker, "3:console"], cwd=ROOT)
    deadline = time.monotonic() + 30
    while not Path(f"{posts}.hanging").exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert subprocess.run(worker, cwd=ROOT, timeout=60).returncode == 0
    keys = posts.read_text().split()
    delivered = asyncio.run(_delivery_states(url))
    assert sorted(set(keys)) == sorted(f"{i}:console" for i, _ in delivered)
    assert [k for k in keys if keys.count(k) > 1] == ["3:console", "3:console"]
    assert {s for _, s in delivered} == {"delivered"}
