"""End to end on the console: seeds set the state silently, one summary, one alert per news."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adapters.console.sink import ConsoleSink
from bot.app import build_app
from bot.ingest.seeds import ingest_seeds
from bot.settings import FeedSettings, SeedSettings, StorageSettings, load_settings
from tests.servers.feed_server import FeedServer, item, rss
from tests.tracking_factories import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.model]

OLD_NEWS = item("Mediators meet in Doha", description="Qatar hosted talks in Doha on Sunday.",
                published="Sun, 12 May 2024 10:00:00 GMT")
NEWS = item(
    "Israeli delegation arrives in Cairo",
    description="An Israeli delegation arrived in Cairo on Monday for a new round of ceasefire "
                "and hostage talks with Egyptian officials.",
    published="Mon, 13 May 2024 09:00:00 GMT",
)


def _settings(tmp_path: Path, feed_url: str | None = None):  # noqa: ANN202 - Settings
    base = load_settings(ROOT / "config" / "parley.yaml", environ={}).settings
    feeds = (FeedSettings(url=feed_url, topics=("talks",), name="Local News"),) if feed_url else ()
    return base.model_copy(update={
        "storage": StorageSettings(url=f"sqlite:///{tmp_path / 'parley.db'}"),
        "seeds": SeedSettings(path=ROOT / "seeds"),
        "feeds": feeds,
    })


async def test_seeds_and_a_new_feed_are_silent_and_a_new_article_alerts_once(
    tmp_path: Path,
) -> None:
    """Seeds + a feed's backlog: one 'now tracking'; a new entry: exactly one alert."""
    out = io.StringIO()
    async with FeedServer() as server:
        url = server.serve("talks.xml", rss([OLD_NEWS]))
        settings = _settings(tmp_path, url)
        async with build_app(settings) as app:
            app.outbox.add_sink(ConsoleSink(out))
            await ingest_seeds(app.store, settings.seeds.path, app.poller.matcher)
            await app.poller.poll(settings.feeds[0])
            await app.tracking.drain()
            await app.outbox.send_due()
            assert out.getvalue().count("Now tracking") == 1
            assert out.getvalue().count("[alert") == 1

            server.serve("talks.xml", rss([NEWS, OLD_NEWS]))
            await app.poller.poll(settings.feeds[0], force=True)
            await app.tracking.drain()
            await app.outbox.send_due()
            await app.tracking.drain()
            await app.outbox.send_due()
    alerts = [line for line in out.getvalue().splitlines() if line.startswith("[alert")]
    assert len(alerts) == 2, out.getvalue()
    assert "arrived in Cairo" in alerts[1]


def _run_until(config: Path, wait_for: str, settle: float = 3.0) -> str:
    """`parley run` until `wait_for` was printed, then `settle` seconds more, then Ctrl-C."""
    out = config.parent / "stdout.txt"
    with out.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=config.parent,
            stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        deadline, settled = time.monotonic() + 120, None
        while time.monotonic() < deadline and process.poll() is None:
            if settled is None and wait_for in out.read_text():
                settled = time.monotonic() + settle
            if settled is not None and time.monotonic() > settled:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    return out.read_text()


def test_parley_run_prints_the_summary_once_and_nothing_new_the_second_time(
    tmp_path: Path,
) -> None:
    """First run: the seeds give one 'now tracking' summary; second run: no alert at all."""
    config = tmp_path / "parley.yaml"
    text = (ROOT / "config" / "parley.yaml").read_text()
    text = text.replace("url: sqlite:///data/parley.db", f"url: sqlite:///{tmp_path}/p.db")
    text = text.replace("  path: seeds", f"  path: {ROOT / 'seeds'}")
    head, _, tail = text.partition("\nfeeds:\n")
    config.write_text(head + "\nfeeds: []\n" + tail[tail.index("\n# Slack"):])
    first = _run_until(config, "Now tracking")
    assert first.count("Now tracking") == 1
    assert "Status: stalled" in first
    second = _run_until(config, "seeds: 0 new")
    assert "[alert" not in second
