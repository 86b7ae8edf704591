"""`parley ingest --once`, `parley feeds`, `parley corpus list` and `parley run`, as processes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.servers.feed_server import FeedServer, item, rss

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str


def write_config(tmp_path: Path, feed_urls: list[str]) -> Path:
    feeds = "".join(f"  - url: {url}\n    name: Feed {n}\n    topics: [talks]\n"
                    for n, url in enumerate(feed_urls)) or "  []\n"
    config = tmp_path / "parley.yaml"
    config.write_text(
        f"storage:\n  url: sqlite:///{tmp_path / 'data' / 'parley.db'}\n"
        f"seeds:\n  path: {REPO_ROOT / 'seeds'}\n"
        "topics:\n  talks:\n    name: Gaza talks\n    keywords: [ceasefire, hostages]\n"
        "  nuclear:\n    name: Iran nuclear talks\n    keywords: [enrichment]\n"
        f"feeds:\n{feeds}",
        encoding="utf-8",
    )
    return config


async def parley(*args: str, cwd: Path) -> Finished:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


def _env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    return {**keep, "PYTHONPATH": str(REPO_ROOT)}


@pytest.fixture
async def two_feeds(feed_server: FeedServer) -> list[str]:
    return [
        feed_server.serve("a.xml", rss([item("Ceasefire talks in Cairo"), item("Cup final")])),
        feed_server.serve("b.xml", rss([item("Hostages freed"),
                                        item("Ceasefire talks in Cairo")])),
    ]


async def test_ingest_once_prints_progress_and_a_summary(
    tmp_path: Path, two_feeds: list[str]
) -> None:
    """Feeds and seeds are ingested; stderr shows progress, stdout one summary line."""
    config = write_config(tmp_path, two_feeds)
    result = await parley("ingest", "--once", "--config", str(config), cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == ("feeds: 2 ok, 0 failed; new articles: 3 (2 queued for "
                                     "extraction); seeds: 2 new; corpus: 5")
    assert "[2/2] Feed" in result.stderr


async def test_ingest_once_again_stores_nothing_new(
    tmp_path: Path, two_feeds: list[str]
) -> None:
    """A second cycle over the same feeds and seeds adds nothing."""
    config = write_config(tmp_path, two_feeds)
    await parley("ingest", "--once", "--config", str(config), cwd=tmp_path)
    again = await parley("ingest", "--once", "--config", str(config), cwd=tmp_path)
    assert "new articles: 0 (0 queued for extraction); seeds: 0 new; corpus: 5" in again.stdout


async def test_a_failing_feed_makes_exit_code_1_and_shows_in_feeds(
    tmp_path: Path, feed_server: FeedServer, two_feeds: list[str]
) -> None:
    """A broken feed fails politely: one warning, exit 1, and `parley feeds` shows why."""
    config = write_config(tmp_path, [*two_feeds, feed_server.url("fault/500")])
    result = await parley("ingest", "--once", "--config", str(config), cwd=tmp_path)
    assert result.code == 1
    assert result.stdout.startswith("feeds: 2 ok, 1 failed;")
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING bot.ingest.poller" in line]
    assert len(warnings) == 1 and "HTTP 500" in warnings[0]

    listing = await parley("feeds", "--config", str(config), cwd=tmp_path)
    assert listing.code == 0
    assert "state:      failing x1, backing off" in listing.stdout
    assert "last error: HTTP 500 Internal Server Error" in listing.stdout
    assert listing.stdout.count("state:      ok") == 2


async def test_corpus_list_filters_by_topic_and_limits(
    tmp_path: Path, two_feeds: list[str]
) -> None:
    """`corpus list --topic talks --limit 2` shows the two newest talks articles."""
    config = write_config(tmp_path, two_feeds)
    await parley("ingest", "--once", "--config", str(config), cwd=tmp_path)
    result = await parley("corpus", "list", "--topic", "talks", "--limit", "2",
                          "--config", str(config), cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert result.code == 0 and len(lines) == 2
    assert all("[talks]" in line for line in lines)
    nuclear = await parley("corpus", "list", "--topic", "nuclear", "--config", str(config),
                           cwd=tmp_path)
    assert nuclear.stdout.strip() == "no articles for topic nuclear"


async def test_corpus_list_refuses_an_unknown_topic(tmp_path: Path) -> None:
    """An unknown topic is a usage error naming the known ones."""
    config = write_config(tmp_path, [])
    result = await parley("corpus", "list", "--topic", "weather", "--config", str(config),
                          cwd=tmp_path)
    assert result.code == 2
    assert "unknown topic 'weather'; expected one of ['nuclear', 'talks']" in result.stderr


async def test_two_processes_ingesting_one_database_store_everything_once(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Two `parley ingest --once` at the same time on one SQLite file: no errors, no doubles."""
    entries = [item(f"Ceasefire story {n}") for n in range(200)]
    urls = [feed_server.serve(f"{n}.xml", rss(entries[n::4])) for n in range(4)]
    config = write_config(tmp_path, urls)
    results = await asyncio.gather(*(
        parley("ingest", "--once", "--config", str(config), cwd=tmp_path) for _ in range(2)))
    assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
    new = [int(r.stdout.split("new articles: ")[1].split()[0]) for r in results]
    assert sum(new) == 200
    listing = await parley("corpus", "list", "--limit", "1000", "--config", str(config),
                           cwd=tmp_path)
    assert len(listing.stdout.splitlines()) == 202


async def test_run_reports_on_the_console_and_stops_cleanly_on_sigterm(
    tmp_path: Path, two_feeds: list[str]
) -> None:
    """`parley run` ingests seeds and feeds, prints to stdout, exits 0 on SIGTERM."""
    config = write_config(tmp_path, [*two_feeds, "http://127.0.0.1:1/offline.xml"])
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=tmp_path, env=_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    lines: list[str] = []
    while len([line for line in lines if line.startswith("[talks]")]) < 2:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        assert line, "parley run ended early"
        lines.append(line.decode().rstrip())
    process.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    assert lines[0].startswith("parley: console adapter:")
    assert lines[1] == "parley: seeds: 2 new; corpus holds 2 article(s)"
    offline = [line for line in stderr.decode().splitlines() if "offline.xml" in line]
    assert len(offline) == 1 and "cannot connect" in offline[0]
    assert "Traceback" not in stderr.decode()


@pytest.mark.parametrize("command", [["run"], ["ingest"], ["feeds"], ["corpus", "list"]])
async def test_every_command_has_help(command: list[str], tmp_path: Path) -> None:
    """`--help` describes each command and exits 0."""
    result = await parley(*command, "--help", cwd=tmp_path)
    assert result.code == 0 and "usage: parley" in result.stdout
