"""Start the chat adapters the YAML configures (Slack, Discord) around a running core.

Each configured adapter gets a supervisor task: it starts the adapter, registers its alert sink
with the outbox and closes it on shutdown. A platform that cannot be reached at start is tried
again with backoff, so a network blip at boot does not silence Parley for good; a refused token
is reported once and not retried, since retrying cannot fix it. Alerts for a platform that is
not connected wait in the outbox: nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.alerts.outbox import Outbox
from bot.errors import ConfigError, ParleyError
from bot.ports import AlertSink, CommandHandler
from bot.settings import Settings

log = logging.getLogger("parley.chat")

FIRST_RETRY = 5.0
MAX_RETRY = 300.0


class ChatAdapter(Protocol):
    sink: AlertSink

    async def wait_closed(self) -> None:
        """Return (or raise what ended it) when the connection has ended for good."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class AdapterStarter:
    """How to start one platform's adapter; `start` raises ConfigError or ParleyError."""

    name: str
    start: Callable[[], Awaitable[ChatAdapter]]


def configured_adapters(
    settings: Settings, commands: CommandHandler, topics: Callable[[], list[str]]
) -> list[AdapterStarter]:
    """The adapters whose section is present (and whose secrets are set) in the config."""
    starters = []
    if settings.slack is not None:
        slack_settings = settings.slack

        async def start_slack() -> ChatAdapter:
            from adapters.slack.adapter import start_slack as start

            return await start(slack_settings, commands)

        starters.append(AdapterStarter("Slack", start_slack))
    if settings.discord is not None:
        discord_settings = settings.discord

        async def start_discord() -> ChatAdapter:
            from adapters.discord.adapter import start_discord as start

            return await start(discord_settings, commands, topics)

        starters.append(AdapterStarter("Discord", start_discord))
    return starters


async def supervise(starter: AdapterStarter, outbox: Outbox,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Keep the adapter running until cancelled, then close it: start it (retrying while its
    platform is unreachable), and start it again if its connection ends for good."""
    while (adapter := await _started(starter, sleep)) is not None:
        outbox.add_sink(adapter.sink)
        outbox.wake()  # alerts that waited for this platform go out now
        try:
            await adapter.wait_closed()
            log.warning("%s adapter disconnected; reconnecting", starter.name)
        except Exception as exc:
            log.error("%s adapter stopped (%s); reconnecting; its alerts wait in the outbox",
                      starter.name, exc)
        finally:
            await adapter.close()
        await sleep(FIRST_RETRY)  # a connection that dies at once must not spin


async def _started(starter: AdapterStarter,
                   sleep: Callable[[float], Awaitable[None]]) -> ChatAdapter | None:
    """The started adapter, or None when its config is wrong (retrying cannot help)."""
    delay = FIRST_RETRY
    while True:
        try:
            return await starter.start()
        except ConfigError as exc:
            log.error("%s adapter not started: %s", starter.name, exc)
            return None
        except ParleyError as exc:
            log.warning("%s adapter could not start (%s); retrying in %.0f s; its alerts wait "
                        "in the outbox", starter.name, exc, delay)
        except Exception:
            # A library error nobody translated: shown with its traceback (else the task would
            # end unseen and the platform stay silent), then retried like an outage.
            log.exception("%s adapter crashed while starting; retrying in %.0f s; its alerts "
                          "wait in the outbox", starter.name, delay)
        await sleep(delay)
        delay = min(delay * 2, MAX_RETRY)
