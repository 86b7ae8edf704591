"""The Slack adapter over the real command layer, on a store holding the seed corpus."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest

from adapters.slack.adapter import SlackAdapter, start_slack
from bot.commands.handler import Commands, LiveConfig
from bot.ingest.seeds import ingest_seeds
from bot.ingest.topics import TopicMatcher
from bot.models import Development
from bot.settings import SlackSettings, load_settings
from bot.store import SqlStore
from bot.track.store import record_extraction
from tests.conftest import REPO_ROOT
from tests.servers.slack_api import FakeSlack, message_problem
from tests.slack.conftest import slash_command
from tests.slack.test_http_mode import SIGNING_SECRET, post_command

GOLD = REPO_ROOT / "seeds" / "gold.jsonl"
NOW = datetime(2024, 5, 10, 12, tzinfo=UTC)


async def seed_commands(store: SqlStore) -> Commands:
    """The seeds ingested with their gold developments, as if extracted; the real Commands."""
    loaded = load_settings(REPO_ROOT / "config" / "parley.yaml", environ={})
    settings = loaded.settings
    articles = await ingest_seeds(store, REPO_ROOT / "seeds", TopicMatcher(settings.topics))
    gold = {g["id"]: g for g in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines())}
    for item in articles:
        entry = gold[item.id]
        found = [Development(
            type=d["type"], actors=tuple(d.get("actors", ())), venue=d.get("venue"),
            terms=d.get("terms", {}), when=date.fromisoformat(entry["published"]),
            evidence=d.get("note", ""), confidence=0.9, background=d["background"],
            source=item.id) for d in entry["developments"]]
        by_topic = {entry["topic"]: found}
        await store.write(lambda conn, item=item, by_topic=by_topic: record_extraction(
            conn, item, by_topic, settings, NOW))
    return Commands(store, LiveConfig(loaded), lambda: NOW)


@pytest.fixture
async def seeded_slack(
    store: SqlStore, slack_settings: Callable[..., SlackSettings]
) -> AsyncIterator[SlackAdapter]:
    commands = await seed_commands(store)
    adapter = await start_slack(
        slack_settings(mode="http", signing_secret=SIGNING_SECRET), commands)
    yield adapter
    await adapter.close()


async def test_status_talks_answers_from_the_seed_corpus(
    seeded_slack: SlackAdapter, fake_slack: FakeSlack
) -> None:
    """`/status talks` over HTTP mode answers in channel with the topic's sourced status."""
    status, body = await post_command(
        seeded_slack, urlencode(slash_command(fake_slack, "/status", "talks")))
    assert status == 200 and isinstance(body, dict)
    assert body["response_type"] == "in_channel"
    assert message_problem(body) is None
    header = body["blocks"][0]["text"]["text"]
    assert "Gaza ceasefire and hostage talks" in header
    sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section" and "text" in b]
    assert any(text.startswith("*Sources*\nAl-Monitor") for text in sections)


async def test_unknown_topic_is_an_ephemeral_hint(
    seeded_slack: SlackAdapter, fake_slack: FakeSlack
) -> None:
    """A mistyped topic gets an ephemeral answer naming the known topics."""
    _, body = await post_command(
        seeded_slack, urlencode(slash_command(fake_slack, "/status", "tlaks")))
    assert isinstance(body, dict) and body["response_type"] == "ephemeral"
    assert "talks" in json.dumps(body)


async def test_admin_command_is_refused_to_other_users(
    seeded_slack: SlackAdapter, fake_slack: FakeSlack
) -> None:
    """`/parley reload` from a user not in slack.admins is refused, ephemerally."""
    _, body = await post_command(
        seeded_slack, urlencode(slash_command(fake_slack, "/parley", "reload", user="U0USER")))
    assert isinstance(body, dict) and body["response_type"] == "ephemeral"
    assert "admins" in body["text"]


async def test_timeline_chart_from_the_seed_corpus_is_uploaded(
    seeded_slack: SlackAdapter, fake_slack: FakeSlack
) -> None:
    """`/timeline talks 5 --chart` answers with the events and uploads the chart as a PNG."""
    status, body = await post_command(
        seeded_slack, urlencode(slash_command(fake_slack, "/timeline", "talks 5 --chart")))
    assert status == 200
    await fake_slack.wait_for(lambda: bool(fake_slack.calls_to("files.completeUploadExternal")))
    (png,) = fake_slack.uploads.values()
    assert png.startswith(b"\x89PNG")
