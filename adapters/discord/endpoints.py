"""Where discord.py connects: the one place that points it at the configured endpoints.

discord.py reads the REST base from the class attribute `discord.http.Route.BASE` (every
route, including webhooks and interaction callbacks, is built from it) and the gateway from
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` (a plain `Client` never asks `/gateway/bot`).
Both are process-wide, so one process serves one Discord endpoint pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord.gateway
import discord.http
import yarl

from bot.settings import DiscordSettings


@dataclass(frozen=True)
class Endpoints:
    """The REST base URL (no trailing slash) and the gateway WebSocket URL."""

    api_base_url: str
    gateway_url: str


def endpoints_from(settings: DiscordSettings) -> Endpoints:
    """The endpoints the YAML names (`discord.api_base_url`, `discord.gateway_url`)."""
    return Endpoints(
        api_base_url=str(settings.api_base_url).rstrip("/"),
        gateway_url=settings.gateway_url,
    )


def current_endpoints() -> Endpoints:
    """The endpoints discord.py uses right now."""
    return Endpoints(
        api_base_url=discord.http.Route.BASE,
        gateway_url=str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY),
    )


def use_endpoints(endpoints: Endpoints) -> Endpoints:
    """Point discord.py's REST and gateway at `endpoints`; return the previous ones."""
    previous = current_endpoints()
    discord.http.Route.BASE = endpoints.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(endpoints.gateway_url)
    return previous
