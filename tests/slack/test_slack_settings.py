"""The slack section: each connection mode needs only its own secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.errors import ConfigError
from bot.settings import SlackSettings, load_settings

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "parley.yaml"
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
          "SLACK_SIGNING_SECRET": "s3cret"}


def config_in_mode(tmp_path: Path, mode: str) -> Path:
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    raw["slack"]["mode"] = mode
    path = tmp_path / "parley.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def slack_warnings(warnings: tuple[str, ...]) -> list[str]:
    return [w for w in warnings if w.startswith("slack")]


def test_socket_mode_runs_without_a_signing_secret(tmp_path: Path) -> None:
    """Socket mode needs the bot and app tokens only."""
    env = {k: v for k, v in TOKENS.items() if k != "SLACK_SIGNING_SECRET"}
    loaded = load_settings(config_in_mode(tmp_path, "socket"), env)
    assert loaded.settings.slack is not None
    assert loaded.settings.slack.signing_secret is None
    assert slack_warnings(loaded.warnings) == []


def test_http_mode_runs_without_an_app_token(tmp_path: Path) -> None:
    """HTTP mode needs the bot token and the signing secret only."""
    env = {k: v for k, v in TOKENS.items() if k != "SLACK_APP_TOKEN"}
    loaded = load_settings(config_in_mode(tmp_path, "http"), env)
    assert loaded.settings.slack is not None and loaded.settings.slack.mode == "http"
    assert slack_warnings(loaded.warnings) == []


@pytest.mark.parametrize("mode, env, missing", [
    ("socket", {"SLACK_SIGNING_SECRET": "s"}, "SLACK_APP_TOKEN, SLACK_BOT_TOKEN"),
    ("socket", {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
    ("http", {"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
])
def test_warning_names_exactly_the_missing_variables(
    tmp_path: Path, mode: str, env: dict[str, str], missing: str
) -> None:
    """Slack is skipped with a warning naming only the variables its mode needs and lacks."""
    loaded = load_settings(config_in_mode(tmp_path, mode), env)
    assert loaded.settings.slack is None
    assert slack_warnings(loaded.warnings) == [
        f"slack adapter skipped: environment variable(s) {missing} not set"]


def test_a_mode_without_its_token_keys_is_a_config_error(tmp_path: Path) -> None:
    """A slack section that omits a key its mode needs fails, naming the key."""
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    del raw["slack"]["app_token"]
    path = tmp_path / "parley.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match="slack: .*socket mode needs app_token"):
        load_settings(path, TOKENS)


def test_settings_model_refuses_http_mode_without_a_signing_secret() -> None:
    """SlackSettings itself checks the mode's secrets."""
    with pytest.raises(ValidationError, match="http mode needs signing_secret"):
        SlackSettings(mode="http", bot_token="xoxb-1")  # type: ignore[arg-type]
