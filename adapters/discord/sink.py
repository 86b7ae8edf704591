"""The Discord `AlertSink`: posts outbox alerts as channel messages with an embed.

An update to an alert already posted goes as a reply to that message, never as a new alert.
Every attempt of one delivery carries the same nonce, so Discord never shows a retry twice.
Nothing Parley posts can ping anyone: `allowed_mentions` is none, except the one role or user
an admin configured as a rule's `ping_high`, which is then named explicitly.
discord.py waits out rate limits itself; one longer than `max_ratelimit_timeout` of the client,
like every other failure, raises `DeliveryError` and the alert stays in the outbox.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import aiohttp
import discord

from adapters.discord.embeds import (
    CONTENT_LIMIT,
    SIGNIFICANCE_COLOURS,
    render_embed,
    render_file,
    truncate,
)
from bot.ports import DeliveryError, OutgoingAlert, Platform

log = logging.getLogger(__name__)

PERMISSION_HINT = (
    "give the Parley bot the View Channel, Send Messages, Embed Links, Attach Files and "
    "Read Message History permissions in that channel"
)
UNKNOWN_CHANNEL_HINT = (
    "check the channel id in alerts.rules and that the bot was invited to that server"
)
NONCE_LENGTH = 25  # Discord's maximum
_USER_PING = re.compile(r"^<@!?(\d+)>$")
_ROLE_PING = re.compile(r"^<@&(\d+)>$")


def mentions_for(ping: str | None) -> discord.AllowedMentions:
    """Allow exactly the configured ping (a `<@&role>`, `<@user>`, `@here` or `@everyone`)."""
    ping = (ping or "").strip()
    if role := _ROLE_PING.match(ping):
        return discord.AllowedMentions.none().merge(
            discord.AllowedMentions(roles=[discord.Object(int(role.group(1)))])
        )
    if user := _USER_PING.match(ping):
        return discord.AllowedMentions.none().merge(
            discord.AllowedMentions(users=[discord.Object(int(user.group(1)))])
        )
    if ping in ("@here", "@everyone"):
        return discord.AllowedMentions.none().merge(discord.AllowedMentions(everyone=True))
    return discord.AllowedMentions.none()


class DiscordAlertSink:
    """Posts alerts through a logged-in discord.py client."""

    platform: Platform = "discord"

    def __init__(self, client: discord.Client) -> None:
        self._client = client
        # Channels whose permanent failure was already logged, so the admin hears of it once.
        self._reported: set[int] = set()

    async def deliver(self, alert: OutgoingAlert) -> str:
        """Post the alert; return the Discord message id. Raises DeliveryError."""
        channel_id = _snowflake(alert.channel, "channel")
        if self._client.http.token is None or self._client.is_closed():
            raise DeliveryError("the Discord client is not logged in")
        message = await self._send(channel_id, alert)
        self._reported.discard(channel_id)
        return str(message.id)

    async def _send(self, channel_id: int, alert: OutgoingAlert) -> discord.Message:
        kwargs: dict[str, Any] = {
            "embed": render_embed(alert.reply, colour=SIGNIFICANCE_COLOURS[alert.significance]),
            "allowed_mentions": mentions_for(alert.ping),
        }
        if alert.delivery_key:
            kwargs["nonce"] = nonce_for(alert.delivery_key)
        if alert.ping:
            kwargs["content"] = truncate(alert.ping, CONTENT_LIMIT)
        if (file := render_file(alert.reply)) is not None:
            kwargs["file"] = file
        if alert.reply_to:
            kwargs["reference"] = discord.MessageReference(
                message_id=_snowflake(alert.reply_to, "reply_to"),
                channel_id=channel_id,
                # The original alert may have been deleted: still post the update.
                fail_if_not_exists=False,
            )
            kwargs["mention_author"] = False
        channel = self._client.get_partial_messageable(channel_id)
        try:
            return await channel.send(**kwargs)
        except discord.Forbidden as exc:
            raise self._permanent(channel_id, exc, PERMISSION_HINT) from exc
        except discord.NotFound as exc:
            raise self._permanent(channel_id, exc, UNKNOWN_CHANNEL_HINT) from exc
        except discord.RateLimited as exc:
            raise DeliveryError(
                f"Discord rate limit on channel {channel_id}: retry in {exc.retry_after:.0f}s"
            ) from exc
        except discord.HTTPException as exc:
            raise DeliveryError(
                f"Discord refused the alert for channel {channel_id}: "
                f"HTTP {exc.status} (code {exc.code}) {exc.text}"
            ) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryError(f"cannot reach Discord: {exc!r}") from exc

    def _permanent(self, channel_id: int, exc: discord.HTTPException, hint: str) -> DeliveryError:
        problem = f"Discord channel {channel_id}: {exc.text or exc.status} (code {exc.code})"
        if channel_id not in self._reported:
            self._reported.add(channel_id)
            log.error("cannot post alerts to %s; %s", problem, hint)
        return DeliveryError(f"{problem}; {hint}", permanent=True)


def nonce_for(delivery_key: str) -> str:
    """The message nonce of one (alert, channel) delivery, the same on every attempt.

    discord.py sends it with `enforce_nonce`, so Discord returns the message already created
    instead of posting a retry twice (e.g. after a crash between posting and marking delivered).
    """
    return hashlib.sha256(delivery_key.encode()).hexdigest()[:NONCE_LENGTH]


def _snowflake(value: str, what: str) -> int:
    if not value.isdigit():
        raise DeliveryError(f"not a Discord {what} id: {value!r}", permanent=True)
    return int(value)
