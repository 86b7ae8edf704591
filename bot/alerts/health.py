"""Feed health for the admin channel: told once when a feed turns bad, once when it recovers.

A feed is bad when it has failed `FAILURES_BEFORE_BAD` polls in a row, or at once when it is
blocked (HTTP 401/403/429) or its document stops parsing twice in a row: those do not fix
themselves by waiting. What was last reported is stored, so a restart repeats nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.engine import Connection

from bot.alerts.compose import feed_health_alert
from bot.alerts.rules import plan_admin
from bot.commands.feed_admin import effective_feeds
from bot.errors import StorageError
from bot.settings import FeedSettings, Settings
from bot.store import SqlStore
from bot.store.sql import FeedState
from bot.store.tables import feed_health, feeds
from bot.track.store import write_alert

log = logging.getLogger(__name__)

FAILURES_BEFORE_BAD = 3
BLOCKED = re.compile(r"\b(401|403|429)\b")
UNPARSABLE = re.compile(r"pars|not a feed|html", re.IGNORECASE)


def is_bad(state: FeedState) -> bool:
    """Whether a feed's recorded state is worth an admin's attention."""
    if not state.failures:
        return False
    error = state.last_error or ""
    if BLOCKED.search(error):
        return True
    if UNPARSABLE.search(error) and state.failures >= 2:
        return True
    return state.failures >= FAILURES_BEFORE_BAD


def _state(row: Row[Any]) -> FeedState:
    return FeedState(url=row.url, name=row.name, failures=row.failures, last_error=row.last_error)


def report_feed_health(
    conn: Connection, watched: Sequence[FeedSettings], settings: Settings, now: datetime
) -> list[int]:
    """Write an admin alert for each watched feed whose health changed since last reported."""
    urls = [str(f.url) for f in watched]
    names = {str(f.url): f.name for f in watched}
    states = {r.url: _state(r) for r in conn.execute(select(feeds).where(feeds.c.url.in_(urls)))}
    reported = dict(conn.execute(select(feed_health.c.url, feed_health.c.healthy).where(
        feed_health.c.url.in_(urls))).all())
    ids = []
    for url, state in states.items():
        healthy = not is_bad(state)
        if reported.get(url, True) == healthy:
            continue
        label = f"{names.get(url)} ({url})" if names.get(url) else url
        detail = ("polling works again" if healthy else
                  f"{state.failures} failure(s) in a row; last: {state.last_error}")
        alert = feed_health_alert(label, healthy, detail, now)
        ids.append(write_alert(conn, alert, plan_admin(settings.alerts.admin_channel, now)))
        values = {"healthy": healthy, "detail": detail, "changed_at": now}
        if url in reported:
            conn.execute(update(feed_health).where(feed_health.c.url == url).values(**values))
        else:
            conn.execute(insert(feed_health).values(url=url, **values))
    return ids


async def check_feed_health(store: SqlStore, settings: Settings, now: datetime) -> list[int]:
    """One health check of every followed feed; returns the alert ids written."""
    return await store.write(lambda conn: report_feed_health(
        conn, effective_feeds(conn, settings), settings, now))


async def watch_feed_health(
    store: SqlStore, settings: Callable[[], Settings], clock: Callable[[], datetime],
    alerts_written: Callable[[], None], every: float = 60.0,
) -> None:
    """Check the feeds' health every `every` seconds and report changes; until cancelled."""
    while True:
        try:
            ids = await check_feed_health(store, settings(), clock())
        except StorageError as exc:
            log.error("feed health: %s", exc)
            ids = []
        if ids:
            alerts_written()
        await asyncio.sleep(every)
