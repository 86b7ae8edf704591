"""The command layer: answers, unknown topics, admin refusal, reload, mute, feeds, why."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.commands.handler import Commands, Hooks, LiveConfig, parse_duration
from bot.ports import CommandRequest
from bot.settings import load_settings
from bot.store import SqlStore
from tests.tracking_factories import Clock, article, development, record

NOW = datetime(2024, 5, 10, 9, tzinfo=UTC)
CONFIG = """
topics:
  talks:
    name: Gaza talks
    parties: {Israel: [], Hamas: []}
    mediators: {Egypt: [], United States: []}
  iran:
    name: Iran nuclear talks
feeds:
  - url: https://feeds.example/world.xml
    name: World
    topics: [talks]
alerts:
  rules:
    - channel: console
      topics: [talks]
"""


def ask(text: str, admin: bool = False) -> CommandRequest:
    return CommandRequest(text=text, platform="console", user_id="U1", is_admin=admin)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "parley.yaml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
async def commands(store: SqlStore, config_file: Path) -> Commands:
    loaded = load_settings(config_file, environ={})
    conf = loaded.settings
    await record(store, article("a1", day=date(2024, 5, 9), outlet="Outlet A"), [
        development("proposal_accepted", "Hamas", when=date(2024, 5, 6),
                    terms={"ceasefire_days": 42, "hostages": 33, "prisoners_per_hostage": 30},
                    evidence="Hamas said it accepted a proposal for a six-week cease-fire"),
        development("proposal_rejected", "Israel", evidence="Israel rejected those terms"),
        development("delegation_departed", "Israel", "Hamas", venue="Cairo",
                    evidence="Both delegations left Cairo"),
    ], conf, NOW)
    await record(store, article("b1", day=date(2024, 5, 9), outlet="Outlet B"), [
        development("delegation_departed", "Israel", venue="Cairo",
                    evidence="The Israeli delegation departed Cairo"),
    ], conf, NOW)
    return Commands(store, LiveConfig(loaded), Clock(NOW))


async def test_status_gives_the_status_positions_and_sourced_events(commands: Commands) -> None:
    """status: stalled, who accepted and rejected what, the departure with both outlets."""
    reply = await commands.handle(ask("status talks"))
    assert reply.title == "Gaza talks: stalled since 9 May 2024"
    texts = [line.text for line in reply.lines]
    assert ("Hamas accepted a six-week ceasefire proposal with 33 hostages and 30 prisoners per "
            "hostage (6 May 2024)") in texts
    assert "Israel rejected it (9 May 2024)" in texts
    assert "9 May 2024 · Israel and Hamas delegations left Cairo — Outlet A, Outlet B" in texts


async def test_an_unknown_topic_answers_the_known_ones_and_the_closest(commands: Commands) -> None:
    """A typo gets the list and a suggestion, not an error."""
    reply = await commands.handle(ask("status talk"))
    assert reply.kind == "error"
    assert [line.text for line in reply.lines] == ["Did you mean `talks`?",
                                                   "Known topics: talks, iran"]


async def test_a_topic_with_nothing_stored_is_unknown(commands: Commands) -> None:
    """No events yet: unknown."""
    assert (await commands.handle(ask("status iran"))).title == "Iran nuclear talks: unknown"


async def test_timeline_lists_the_last_n_events_and_can_chart_them(commands: Commands) -> None:
    """timeline talks 2 --chart: two events, newest first, with a PNG."""
    reply = await commands.handle(ask("timeline talks 2 --chart"))
    assert len(reply.lines) == 2
    assert reply.image_png is not None and reply.image_png.startswith(b"\x89PNG")


async def test_topics_lists_each_topic_with_its_status(commands: Commands) -> None:
    """topics: one field per topic."""
    reply = await commands.handle(ask("topics"))
    assert [(f.name, f.value) for f in reply.fields] == [
        ("talks — Gaza talks", "stalled since 9 May 2024"),
        ("iran — Iran nuclear talks", "unknown")]


async def test_why_shows_evidence_rule_and_sources(commands: Commands) -> None:
    """why 1: the evidence sentence, the rule that sent it, the source."""
    reply = await commands.handle(ask("why 1"))
    assert any("accepted a proposal" in line.text for line in reply.lines)
    assert any(f.name == "Sent to console" and f.value.startswith("alerts.rules[0]")
               for f in reply.fields)


async def test_why_an_unknown_alert_says_so(commands: Commands) -> None:
    """why 999: no such alert."""
    assert (await commands.handle(ask("why 999"))).title == "No alert 999."


async def test_admin_commands_politely_refuse_non_admins(commands: Commands) -> None:
    """A non-admin asking to mute gets a refusal and nothing changes."""
    reply = await commands.handle(ask("mute talks 2h"))
    assert reply.kind == "refusal" and reply.title.startswith("Sorry")


async def test_mute_takes_a_duration_and_off(commands: Commands) -> None:
    """mute talks 2h sets a mute until two hours from now; off lifts it."""
    reply = await commands.handle(ask("mute talks 2h", admin=True))
    assert reply.title == "Alerts for talks muted until 2024-05-10 11:00 UTC."
    assert (await commands.handle(ask("mute talks off", admin=True))).title.endswith("back on.")


def test_durations_understood() -> None:
    """30m, 2h, 1d, 1w; anything else is not a duration."""
    assert parse_duration("90m").total_seconds() == 5400  # type: ignore[union-attr]
    assert parse_duration("1w").days == 7  # type: ignore[union-attr]
    assert parse_duration("soon") is None


async def test_reload_with_a_bad_file_keeps_the_old_config_and_says_why(
    commands: Commands, config_file: Path,
) -> None:
    """A broken YAML on reload: the validation error is the answer; the old config stays."""
    broken = CONFIG.replace("channel: console", "channel: telegram")
    await asyncio.to_thread(config_file.write_text, broken)
    reply = await commands.handle(ask("reload", admin=True))
    assert reply.kind == "error"
    assert any("alerts.rules[0].channel" in line.text for line in reply.lines)
    assert "talks" in commands.settings.topics


async def test_reload_with_a_good_file_swaps_the_config_and_runs_the_hooks(
    store: SqlStore, config_file: Path,
) -> None:
    """A valid file replaces the config and the app is told."""
    calls: list[str] = []

    async def hook() -> None:
        calls.append("reloaded")

    commands = Commands(store, LiveConfig(load_settings(config_file, environ={})), Clock(NOW),
                        Hooks(after_reload=[hook]))
    renamed = CONFIG.replace("name: Iran nuclear talks", "name: JCPOA")
    await asyncio.to_thread(config_file.write_text, renamed)
    reply = await commands.handle(ask("reload", admin=True))
    assert reply.title.startswith("Config reloaded")
    assert commands.settings.topics["iran"].name == "JCPOA" and calls == ["reloaded"]


async def test_feeds_add_list_and_remove(commands: Commands) -> None:
    """An admin adds a feed, sees it listed, removes it."""
    added = await commands.handle(ask("feeds add https://new.example/rss talks", admin=True))
    assert added.title == "Following https://new.example/rss for talks."
    listed = await commands.handle(ask("feeds list", admin=True))
    assert [line.url for line in listed.lines] == ["https://feeds.example/world.xml",
                                                   "https://new.example/rss"]
    removed = await commands.handle(ask("feeds remove https://feeds.example/world.xml",
                                        admin=True))
    assert removed.title.startswith("No longer following")
    listed = await commands.handle(ask("feeds list", admin=True))
    assert [line.url for line in listed.lines] == ["https://new.example/rss"]


async def test_feeds_add_rejects_what_is_not_a_url(commands: Commands) -> None:
    """A bad URL is an error answer."""
    reply = await commands.handle(ask("feeds add not-a-url talks", admin=True))
    assert reply.kind == "error"


async def test_sources_lists_the_topics_feeds(commands: Commands) -> None:
    """sources talks: the YAML feed, not polled yet."""
    reply = await commands.handle(ask("sources talks"))
    assert [line.text for line in reply.lines] == ["… World: not polled yet"]


async def test_unknown_commands_and_hostile_input_get_answers(commands: Commands) -> None:
    """Typos, unbalanced quotes and huge input are answered, never raised."""
    assert "status" in (await commands.handle(ask("stauts talks"))).lines[0].text
    assert (await commands.handle(ask('status "talks'))).title.startswith("Gaza talks")
    assert (await commands.handle(ask("x" * 5000))).kind == "error"


async def test_help_hides_admin_commands_from_non_admins(commands: Commands) -> None:
    """help lists what the user may run."""
    plain = await commands.handle(ask("help"))
    admin = await commands.handle(ask("help", admin=True))
    assert not any("reload" in line.text for line in plain.lines)
    assert any("reload" in line.text for line in admin.lines)
