"""The YAML configuration: defaults, env interpolation, and one clear message per mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import ConfigError
from bot.settings import load_settings

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "parley.yaml"


def default_raw() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    return raw


def write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "parley.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def error_of(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ or {})
    return str(caught.value)


def test_default_config_is_valid_without_any_environment() -> None:
    """The shipped config loads on a fresh machine: chat adapters are skipped, not errors."""
    loaded = load_settings(DEFAULT_CONFIG, {})
    assert loaded.settings.storage.url == "sqlite:///data/parley.db"
    assert "talks" in loaded.settings.topics
    assert loaded.settings.slack is None and loaded.settings.discord is None


def test_unset_adapter_tokens_give_a_warning_naming_the_variables() -> None:
    """A chat adapter whose token variables are unset is skipped with a warning naming them."""
    loaded = load_settings(DEFAULT_CONFIG, {})
    assert any("DISCORD_BOT_TOKEN" in w and "discord" in w for w in loaded.warnings)


def test_adapter_tokens_are_read_from_the_environment_and_kept_secret() -> None:
    """Tokens come from ${ENV} references and never show in the settings' repr."""
    loaded = load_settings(DEFAULT_CONFIG, {"DISCORD_BOT_TOKEN": "very-secret-token"})
    assert loaded.settings.discord is not None
    assert loaded.settings.discord.token is not None
    assert loaded.settings.discord.token.get_secret_value() == "very-secret-token"
    assert "very-secret-token" not in repr(loaded.settings)


def test_storage_url_can_be_overridden_by_the_environment() -> None:
    """PARLEY_STORAGE_URL wins over the file's storage.url."""
    url = "postgresql+psycopg://postgres@127.0.0.1/test"
    loaded = load_settings(DEFAULT_CONFIG, {"PARLEY_STORAGE_URL": url})
    assert loaded.settings.storage.url == url


def test_parley_config_names_the_file_when_no_path_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no explicit path, PARLEY_CONFIG says which file to read."""
    raw = default_raw()
    raw["topics"]["talks"]["name"] = "From PARLEY_CONFIG"
    monkeypatch.setenv("PARLEY_CONFIG", str(write(tmp_path, raw)))
    assert load_settings(None, {}).settings.topics["talks"].name == "From PARLEY_CONFIG"


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A config file that does not exist is reported with its path."""
    missing = tmp_path / "nope.yaml"
    assert error_of(missing) == f"{missing}: config file not found"


def test_invalid_yaml_is_reported_with_the_file(tmp_path: Path) -> None:
    """Broken YAML syntax names the file and says it is not valid YAML."""
    path = tmp_path / "broken.yaml"
    path.write_text("topics: [unclosed\n", encoding="utf-8")
    assert error_of(path).startswith(f"{path}: not valid YAML")


def test_unknown_key_is_named_by_its_path(tmp_path: Path) -> None:
    """A misspelt key is an error naming where it is."""
    raw = default_raw()
    raw["storage"]["ulr"] = "sqlite://"
    message = error_of(write(tmp_path, raw))
    assert "storage.ulr: unknown key" in message


def test_wrong_type_names_the_path_and_the_expectation(tmp_path: Path) -> None:
    """A feed interval that is not a number says so at feeds[i].interval."""
    raw = default_raw()
    raw["feeds"][1]["interval"] = "often"
    message = error_of(write(tmp_path, raw))
    assert "feeds[1].interval:" in message and "valid number" in message


def test_poll_interval_below_thirty_seconds_is_refused(tmp_path: Path) -> None:
    """Feeds may not be polled more often than every 30 seconds."""
    raw = default_raw()
    raw["feeds"][0]["interval"] = 5
    assert "feeds[0].interval: Input should be greater than or equal to 30" in error_of(
        write(tmp_path, raw)
    )


def test_bad_feed_url_is_refused(tmp_path: Path) -> None:
    """A feed URL must be an http(s) URL."""
    raw = default_raw()
    raw["feeds"][3]["url"] = "not a url"
    assert "feeds[3].url:" in error_of(write(tmp_path, raw))


def test_ingest_concurrency_below_one_is_refused_with_the_value_shown(tmp_path: Path) -> None:
    """ingest.concurrency: at least one feed is fetched at a time; the error shows the value."""
    raw = default_raw()
    raw["ingest"]["concurrency"] = 0
    assert error_of(write(tmp_path, raw)) == (
        f"{tmp_path / 'parley.yaml'}: ingest.concurrency: "
        "Input should be greater than or equal to 1 (got 0)"
    )


def test_feed_naming_an_unknown_topic_lists_the_known_ones(tmp_path: Path) -> None:
    """feeds[i].topics[j] must name a configured topic."""
    raw = default_raw()
    raw["feeds"][2]["topics"] = ["talks", "tallks"]
    message = error_of(write(tmp_path, raw))
    assert message == (
        f"{tmp_path / 'parley.yaml'}: feeds[2].topics[1]: unknown topic 'tallks'; "
        "expected one of ['talks']"
    )


def test_alert_rule_naming_an_unknown_type_is_refused(tmp_path: Path) -> None:
    """Alert rules may only name development types of the ontology."""
    raw = default_raw()
    raw["alerts"]["rules"][0]["types"] = ["deal_reached", "deal_done"]
    message = error_of(write(tmp_path, raw))
    assert "alerts.rules[0].types:" in message and "deal_done" in message


def test_alert_channel_must_name_a_platform(tmp_path: Path) -> None:
    """A rule's channel is console, slack:<id> or discord:<id>."""
    raw = default_raw()
    raw["alerts"]["rules"][0]["channel"] = "#general"
    assert "alerts.rules[0].channel:" in error_of(write(tmp_path, raw))


def test_missing_env_var_outside_adapters_is_an_error(tmp_path: Path) -> None:
    """A setting that needs an unset variable (e.g. the DB password) fails, naming both."""
    raw = default_raw()
    raw["storage"]["url"] = "postgresql+psycopg://parley:${PARLEY_DB_PASSWORD}@db/parley"
    assert error_of(write(tmp_path, raw)) == (
        f"{tmp_path / 'parley.yaml'}: storage.url: "
        "environment variable PARLEY_DB_PASSWORD is not set"
    )


def test_secret_values_never_appear_in_error_messages(tmp_path: Path) -> None:
    """A validation error on a secret setting does not echo the secret."""
    raw = default_raw()
    raw["discord"]["token"] = "${DISCORD_BOT_TOKEN}"
    raw["discord"]["guilds"] = ["not-a-number"]
    message = error_of(write(tmp_path, raw), {"DISCORD_BOT_TOKEN": "hunter2-token"})
    assert "discord.guilds[0]" in message
    assert "hunter2-token" not in message


def test_topics_are_required(tmp_path: Path) -> None:
    """A config without any topic has nothing to follow and is refused."""
    raw = default_raw()
    del raw["topics"]
    raw["feeds"] = []
    raw["alerts"]["rules"] = []
    assert "topics: required key is missing" in error_of(write(tmp_path, raw))
