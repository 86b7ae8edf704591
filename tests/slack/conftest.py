"""Fixtures for the Slack adapter tests: a started fake Slack and a recording command layer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.models import Field, Link, Reply
from bot.ports import CommandRequest
from bot.settings import SlackSettings
from tests.servers.slack_api import FakeSlack

STATUS_REPLY = Reply(
    title="Gaza ceasefire and hostage talks: active",
    fields=(Field("Status", "active since 2024-05-06"), Field("Venue", "Cairo")),
    lines=(Link("Hamas accepts Egyptian-Qatari proposal", "https://example.com/a"),),
    footer="Sources: Al Jazeera, BBC",
)


@dataclass
class RecordingCommands:
    """A CommandHandler fake: records requests, answers `reply` after `delay` seconds."""

    reply: Reply = STATUS_REPLY
    delay: float = 0.0
    error: Exception | None = None
    requests: list[CommandRequest] = field(default_factory=list)

    async def handle(self, request: CommandRequest) -> Reply:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.reply


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def commands() -> RecordingCommands:
    return RecordingCommands()


@pytest.fixture
def slack_settings(fake_slack: FakeSlack) -> Callable[..., SlackSettings]:
    """SlackSettings pointed at the fake; keyword arguments override fields."""

    def make(**overrides: Any) -> SlackSettings:
        values: dict[str, Any] = {
            "mode": "socket",
            "bot_token": fake_slack.bot_token,
            "app_token": fake_slack.app_token,
            "signing_secret": "test-signing-secret",
            "api_base_url": fake_slack.api_url,
            "http": {"host": "127.0.0.1", "port": 0},
            "admins": ["U0ADMIN"],
        }
        return SlackSettings.model_validate({**values, **overrides})

    return make


def slash_command(fake: FakeSlack, command: str, text: str, user: str = "U0USER") -> dict[str, str]:
    """A slash-command payload shaped like Slack's (PLATFORMS.md 1.1)."""
    return {
        "token": "verification-token", "team_id": "T0TEAM", "team_domain": "fake",
        "channel_id": "C0ALERTS", "channel_name": "alerts", "user_id": user,
        "user_name": "someone", "command": command, "text": text, "api_app_id": "A0APP",
        "is_enterprise_install": "false", "response_url": fake.response_url(),
        "trigger_id": "111.222.abc",
    }
