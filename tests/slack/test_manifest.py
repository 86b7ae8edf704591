"""config/slack-manifest.yaml declares what the adapter serves and needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from adapters.slack.commands import SLASH_COMMANDS

MANIFEST = Path(__file__).resolve().parents[2] / "config" / "slack-manifest.yaml"


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_manifest_declares_every_slash_command_the_adapter_listens_for() -> None:
    """The manifest's slash commands are exactly the ones registered on the bolt app."""
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert declared == set(SLASH_COMMANDS)


def test_manifest_asks_for_the_scopes_the_adapter_uses() -> None:
    """commands, chat:write and files:write (the chart upload); socket mode on by default."""
    data = manifest()
    assert set(data["oauth_config"]["scopes"]["bot"]) == {"commands", "chat:write", "files:write"}
    assert data["settings"]["socket_mode_enabled"] is True
