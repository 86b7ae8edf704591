"""The alert outbox: deliveries written with the events that cause them, sent by `Outbox`.

Each (alert, channel) delivery goes pending -> sending -> delivered. It is marked `sending`
in its own transaction before the sink is called, and `delivered` (with the platform's message
reference) only after the sink returns. A crash in between leaves it `sending`: on the next
start it is sent again with the same `delivery_key`, which sinks that can (Discord's enforced
nonce) use to drop the duplicate, so each (alert, channel) is posted once. Transient failures
are retried with exponential backoff; permanent ones (unknown channel, missing permission) wait
as `failed` until `retry_failed()` (a config reload). Digest deliveries of a channel that fall
due together go out as one message. An update is sent as a reply to its parent's message on the
same channel, once that one is delivered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from bot.alerts.compose import digest_reply, reply_for
from bot.errors import StorageError
from bot.models import Alert, Reply
from bot.ports import AlertSink, DeliveryError, OutgoingAlert, Platform
from bot.store import SqlStore
from bot.store.tables import alerts, deliveries
from bot.track.store import alert_lines

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_MAX = timedelta(minutes=30)
BATCH = 50

Clock = Callable[[], datetime]


def split_channel(channel: str) -> tuple[Platform, str]:
    """'slack:C123' -> ('slack', 'C123'); 'console' -> ('console', 'console')."""
    platform, _, ident = channel.partition(":")
    return cast(Platform, platform), ident or platform


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 5 s, 10 s, 20 s ... 30 min."""
    return min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(20, max(0, attempts - 1)))


@dataclass(frozen=True)
class Due:
    """One delivery ready to go."""

    alert_id: int
    channel: str
    digest: bool
    ping: str | None
    attempts: int
    alert: Alert
    reply_to: str | None


def _alert(row: Any) -> Alert:
    return Alert(
        kind=row.kind, topic=row.topic, title=row.title, lines=alert_lines(row.lines),
        level=row.level, score=row.score, created=row.created, event_id=row.event_id,
        event_type=row.event_type, confidence=row.confidence, parent_id=row.parent_id,
        id=row.id,
    )


def due_deliveries(conn: Connection, now: datetime, limit: int = BATCH,
                   platforms: Collection[Platform] | None = None) -> list[Due]:
    """Pending or interrupted deliveries due by `now`; updates only once their parent is out.

    With `platforms`, only those for these platforms: deliveries waiting for a platform that
    is not connected must not fill the batch and hold up every other channel's.
    """
    if platforms is not None and not platforms:
        return []
    due = [deliveries.c.state.in_(("pending", "sending")), deliveries.c.next_attempt_at <= now]
    if platforms is not None:
        due.append(or_(*(_on_platform(p) for p in platforms)))
    parent = aliased(deliveries)
    query = (
        select(deliveries, alerts, parent.c.message_ref.label("parent_ref"),
               parent.c.state.label("parent_state"))
        .join(alerts, alerts.c.id == deliveries.c.alert_id)
        .outerjoin(parent, and_(parent.c.alert_id == alerts.c.parent_id,
                                parent.c.channel == deliveries.c.channel))
        .where(*due)
        .order_by(deliveries.c.due_at, deliveries.c.alert_id)
        .limit(limit)
    )
    out = []
    for row in conn.execute(query):
        if row.parent_id is not None and row.parent_state != "delivered":
            if row.parent_state in ("skipped", "failed", None):
                _skip(conn, row.alert_id, row.channel, "the alert it updates was not posted")
            continue
        out.append(Due(row.alert_id, row.channel, row.digest, row.ping, row.attempts,
                       _alert(row), row.parent_ref))
    return out


def _on_platform(platform: Platform) -> Any:
    """Channels are `console` or `<platform>:<id>`."""
    if platform == "console":
        return deliveries.c.channel == "console"
    return deliveries.c.channel.startswith(f"{platform}:", autoescape=True)


def _skip(conn: Connection, alert_id: int, channel: str, reason: str) -> None:
    conn.execute(update(deliveries).where(
        deliveries.c.alert_id == alert_id, deliveries.c.channel == channel,
    ).values(state="skipped", last_error=reason))


def _where(ids: Sequence[int], channel: str) -> Any:
    return and_(deliveries.c.alert_id.in_(ids), deliveries.c.channel == channel)


class Outbox:
    """Sends due deliveries through the platform sinks. One per bot; `run` is its loop."""

    def __init__(self, store: SqlStore, sinks: Mapping[Platform, AlertSink], clock: Clock,
                 poll_seconds: float = 5.0) -> None:
        self._store = store
        self._sinks = dict(sinks)
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def add_sink(self, sink: AlertSink) -> None:
        """Route a platform's deliveries to `sink` (adapters register when connected)."""
        self._sinks[sink.platform] = sink

    def wake(self) -> None:
        """New alerts were written: send without waiting for the next poll."""
        self._wake.set()

    async def retry_failed(self) -> int:
        """Put permanently failed deliveries back in the queue (after a config change)."""
        now = self._clock()

        def reset(conn: Connection) -> int:
            return conn.execute(update(deliveries).where(deliveries.c.state == "failed").values(
                state="pending", attempts=0, next_attempt_at=now)).rowcount

        count = await self._store.write(reset)
        self.wake()
        return count

    async def run(self) -> None:
        """Send what is due, then wait for new alerts or the next poll; forever."""
        while True:
            try:
                while await self.send_due():
                    pass  # more may be due than one batch holds
            except StorageError as exc:
                log.error("outbox: %s; retrying", exc)
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    async def send_due(self) -> int:
        """Deliver every delivery due now; returns how many messages were posted."""
        now = self._clock()
        connected = set(self._sinks)
        due = await self._store.write(lambda conn: due_deliveries(conn, now, platforms=connected))
        sent = 0
        digests: dict[str, list[Due]] = {}
        for item in due:
            if item.digest:
                digests.setdefault(item.channel, []).append(item)
            else:
                sent += await self._send([item], reply_for(item.alert, item.alert_id))
        for items in digests.values():
            reply = (reply_for(items[0].alert, items[0].alert_id) if len(items) == 1
                     else digest_reply([(i.alert_id, i.alert) for i in items]))
            sent += await self._send(items, reply)
        return sent

    async def _send(self, items: list[Due], reply: Reply) -> int:
        first = items[0]
        platform, ident = split_channel(first.channel)
        sink = self._sinks.get(platform)
        if sink is None:
            return 0  # the platform is not connected (yet): the delivery waits
        ids = [i.alert_id for i in items]
        await self._store.write(lambda conn: conn.execute(
            update(deliveries).where(_where(ids, first.channel)).values(
                state="sending", attempts=deliveries.c.attempts + 1)))
        significance = "high" if any(i.alert.level == "high" for i in items) else (
            first.alert.level)
        outgoing = OutgoingAlert(
            alert_id=first.alert_id, channel=ident, reply=reply,
            significance=significance,
            reply_to=first.reply_to,
            ping=next((i.ping for i in items if i.ping), None),
            delivery_key=f"{first.alert_id}:{first.channel}",
        )
        try:
            ref = await sink.deliver(outgoing)
        except DeliveryError as exc:
            await self._failed(items, exc)
            return 0
        except Exception as exc:  # a sink bug must not stop the outbox; the alert stays queued
            log.exception("outbox: %s sink crashed", platform)
            await self._failed(items, DeliveryError(f"{type(exc).__name__}: {exc}"))
            return 0
        delivered_at = self._clock()
        await self._store.write(lambda conn: conn.execute(
            update(deliveries).where(_where(ids, first.channel)).values(
                state="delivered", message_ref=ref, delivered_at=delivered_at,
                last_error=None)))
        return 1

    async def _failed(self, items: list[Due], exc: DeliveryError) -> None:
        attempts = items[0].attempts + 1
        retry_at = self._clock() + backoff(attempts)
        state = "failed" if exc.permanent else "pending"
        log.warning("outbox: delivery of alert %d to %s failed (%s)%s", items[0].alert_id,
                    items[0].channel, exc, "" if exc.permanent else f"; retry at {retry_at}")
        ids = [i.alert_id for i in items]
        await self._store.write(lambda conn: conn.execute(
            update(deliveries).where(_where(ids, items[0].channel)).values(
                state=state, next_attempt_at=retry_at, last_error=str(exc)[:2000])))
