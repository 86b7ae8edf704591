"""The contracts between the core and the chat adapters.

Adapters (console, Slack, Discord) depend on these; the core never imports an adapter.
- Inbound: an adapter turns a platform's slash command into a `CommandRequest` and awaits
  `CommandHandler.handle(request)`, which returns a `Reply` to render.
- Outbound: the alert outbox hands each `OutgoingAlert` to the `AlertSink` of the channel's
  platform and marks it delivered only when `deliver` returns the platform's message reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.models import Reply

Platform = Literal["console", "slack", "discord"]
Significance = Literal["low", "normal", "high"]


@dataclass(frozen=True)
class CommandRequest:
    """A command as typed by a user, e.g. text="status talks" (no leading slash).

    `is_admin` is decided by the adapter from the admins the YAML lists for its platform.
    """

    text: str
    platform: Platform
    user_id: str
    is_admin: bool = False
    channel_id: str | None = None


class CommandHandler(Protocol):
    """The one command layer every adapter maps its commands onto."""

    async def handle(self, request: CommandRequest) -> Reply:
        """Answer a command. Never raises for bad user input: that is a Reply too."""
        ...


@dataclass(frozen=True)
class OutgoingAlert:
    """One alert for one channel, as the outbox hands it to an adapter.

    `channel` is the platform's channel id (the part after `slack:` / `discord:`).
    `reply_to` is the platform message reference of the original alert when this is an
    update to an event already alerted (a later source or development): adapters post it as
    a thread reply / message reply, never as a new alert.
    `ping` is who to mention for high significance (a rule's `ping_high`), else None.
    `delivery_key` is the same on every attempt of one (alert, channel) delivery, also after a
    restart: a sink whose platform can deduplicate (Discord `nonce` + `enforce_nonce`) passes it
    so a retry of a post that did go through is not shown twice.
    """

    alert_id: int
    channel: str
    reply: Reply
    significance: Significance = "normal"
    reply_to: str | None = None
    ping: str | None = None
    delivery_key: str = ""


class DeliveryError(Exception):
    """Delivery failed. `permanent` errors (unknown channel, missing permission) are not retried
    until the config changes; others are retried with backoff. The alert stays in the outbox."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class AlertSink(Protocol):
    """Posts alerts to one platform."""

    platform: Platform

    async def deliver(self, alert: OutgoingAlert) -> str:
        """Post the alert; return the platform's reference of the posted message (Slack `ts`,
        Discord message id) for later thread replies. Raises DeliveryError."""
        ...
