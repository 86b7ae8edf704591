"""A bot process reduced to its outbox, for the restart-safety test.

Usage: python -m tests.alerts.outbox_worker DB_URL POSTS_FILE [HANG_ON_KEY]
Sends what is due through a sink that appends each delivery key to POSTS_FILE (the "platform").
With HANG_ON_KEY it hangs right after posting that key, before the outbox can mark it
delivered, so the test can kill it there.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.alerts.outbox import Outbox
from bot.ports import OutgoingAlert
from bot.store import SqlStore


class FileSink:
    platform = "console"

    def __init__(self, posts: Path, hang_on: str | None) -> None:
        self.posts = posts
        self.hang_on = hang_on

    def _post(self, key: str) -> None:
        with self.posts.open("a") as out:
            out.write(key + "\n")
        if key == self.hang_on:
            Path(f"{self.posts}.hanging").touch()

    async def deliver(self, alert: OutgoingAlert) -> str:
        await asyncio.to_thread(self._post, alert.delivery_key)
        if alert.delivery_key == self.hang_on:
            await asyncio.sleep(3600)
        return f"msg-{alert.alert_id}"


async def main(url: str, posts: Path, hang_on: str | None) -> None:
    store = await SqlStore.open(url)
    try:
        await Outbox(store, {"console": FileSink(posts, hang_on)},
                     lambda: datetime.now(UTC)).send_due()
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
