"""Start and stop Parley's Slack app: Socket Mode or HTTP mode, as `SlackSettings` says.

The composition root calls `start_slack(settings, commands)` and gets a `SlackAdapter` whose
`sink` is the AlertSink for `slack:` channels; `await adapter.close()` stops everything it
started. Tokens stay inside the clients: they are never logged or put in messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.commands import register
from adapters.slack.sink import HINTS, SlackAlertSink
from bot.errors import ConfigError, ParleyError
from bot.ports import CommandHandler
from bot.settings import SlackSettings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Enough 429 retries to ride out a burst (Retry-After is about 1 s for chat.postMessage);
# beyond that the alert stays in the outbox for its next try.
RATE_LIMIT_RETRIES = 5
REQUEST_TIMEOUT = 30

T = TypeVar("T")


# Answers meaning "Slack is having trouble, try again", not "this token is wrong".
UNAVAILABLE_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)


class SlackStartError(ParleyError):
    """Slack could not be started because it could not be reached or is unavailable."""


@dataclass
class SlackAdapter:
    """A running Slack app. `http_port` is the port HTTP mode listens on (None in socket mode)."""

    app: AsyncApp
    client: AsyncWebClient
    sink: SlackAlertSink
    socket: AsyncSocketModeHandler | None = None
    runner: web.AppRunner | None = None
    http_port: int | None = None
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_closed(self) -> None:
        """Return once closed: Socket Mode reconnects by itself and HTTP mode keeps
        listening, so the connection never ends on its own."""
        await self.closed.wait()

    async def close(self) -> None:
        """Disconnect Socket Mode / stop the HTTP listener; safe to call twice."""
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        self.closed.set()
        log.info("Slack adapter stopped")


def build_client(settings: SlackSettings) -> AsyncWebClient:
    """The Web API client: `api_base_url` from the YAML, 429s retried after Retry-After."""
    base_url = str(settings.api_base_url)
    client = AsyncWebClient(
        token=_secret(settings.bot_token),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=REQUEST_TIMEOUT,
    )
    client.retry_handlers.append(
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
    )
    return client


def build_app(
    settings: SlackSettings, client: AsyncWebClient, commands: CommandHandler
) -> AsyncApp:
    """The bolt app with Parley's listeners; requests are signature-checked in HTTP mode."""
    http = settings.mode == "http"
    app = AsyncApp(
        name="parley",
        client=client,
        signing_secret=_secret(settings.signing_secret) if http else "",
        request_verification_enabled=http,
        logger=logging.getLogger("adapters.slack.bolt"),
    )
    register(app, commands, admins=settings.admins)
    return app


async def start_slack(settings: SlackSettings, commands: CommandHandler) -> SlackAdapter:
    """Check the bot token, then connect (socket) or listen (http).

    Raises ConfigError when Slack refuses a token, SlackStartError when it cannot be reached.
    """
    client = build_client(settings)
    identity = await _checked(settings, "bot_token", client.auth_test())
    app = build_app(settings, client, commands)
    adapter = SlackAdapter(app=app, client=client, sink=SlackAlertSink(client))
    try:
        if settings.mode == "socket":
            await _connect_socket(settings, adapter)
        else:
            await _listen_http(settings, adapter)
    except BaseException:
        await adapter.close()
        raise
    log.info("Slack adapter running in %s mode as %s", settings.mode, identity.get("user", "?"))
    return adapter


async def _connect_socket(settings: SlackSettings, adapter: SlackAdapter) -> None:
    handler = AsyncSocketModeHandler(adapter.app, app_token=_secret(settings.app_token))
    adapter.socket = handler
    # Asking for the WebSocket URL here makes a refused app token fail now, instead of the
    # socket client retrying forever in the background.
    handler.client.wss_uri = await _checked(
        settings, "app_token", handler.client.issue_new_wss_url()
    )
    await handler.connect_async()


async def _listen_http(settings: SlackSettings, adapter: SlackAdapter) -> None:
    host, port = settings.http.host, settings.http.port
    adapter.runner = web.AppRunner(adapter.app.web_app(path=EVENTS_PATH, port=port))
    await adapter.runner.setup()
    try:
        await web.TCPSite(adapter.runner, host, port).start()
    except OSError as exc:
        raise SlackStartError(
            f"slack.http: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from exc
    adapter.http_port = adapter.runner.addresses[0][1]
    log.info("Slack HTTP mode listening on http://%s:%s%s", host, adapter.http_port, EVENTS_PATH)


async def _checked(settings: SlackSettings, key: str, call: Awaitable[T]) -> T:
    """Await a start-up call: Slack refusing it is a ConfigError naming `key`; Slack being
    unreachable or unavailable (5xx, 429) a SlackStartError, worth retrying."""
    try:
        return await call
    except SlackApiError as exc:
        code = str(exc.response.get("error", "unknown_error"))
        status = exc.response.status_code
        if status >= 500 or status == 429 or code in UNAVAILABLE_ERRORS:
            raise SlackStartError(
                f"Slack at {settings.api_base_url} is unavailable (HTTP {status}, {code})"
            ) from exc
        hint = HINTS.get(code, "see the Slack setup section of the README")
        raise ConfigError(f"slack.{key}: Slack refused it ({code}): {hint}") from exc
    except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise SlackStartError(
            f"cannot reach Slack at {settings.api_base_url}: {type(exc).__name__}"
        ) from exc


def _secret(value: object) -> str:
    get = getattr(value, "get_secret_value", None)
    return str(get()) if get else ""
