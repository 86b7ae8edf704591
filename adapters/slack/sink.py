"""The Slack `AlertSink`: posts outbox alerts with chat.postMessage, updates as thread replies.

HTTP 429 is retried by the client's `AsyncRateLimitErrorRetryHandler` (honouring Retry-After)
before anything reaches this module; what still fails becomes a `DeliveryError` and the alert
stays in the outbox. Channel problems an admin must fix are logged once per channel with a hint.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import render
from bot.ports import DeliveryError, OutgoingAlert, Platform

log = logging.getLogger(__name__)

# Errors retrying cannot fix: the admin has to change Slack or the config.
HINTS = {
    "not_in_channel": "the bot is not a member: type `/invite @Parley` in that channel",
    "channel_not_found": (
        "no such channel for this bot: check the id in alerts.rules (channel details, at the "
        "bottom; it starts with C) and, for a private channel, invite the bot first"
    ),
    "is_archived": "the channel is archived: unarchive it or change alerts.rules",
    "missing_scope": "the app lacks a scope: reinstall it from config/slack-manifest.yaml",
    "invalid_auth": "the bot token was refused: check slack.bot_token's variable",
    "not_authed": "no bot token was sent: check slack.bot_token's variable",
    "token_revoked": "the bot token was revoked: reinstall the app and set the new token",
    "account_inactive": "the bot token's app or workspace is inactive",
    "restricted_action": "a workspace setting forbids the bot to post there",
}
# Slack rejected our blocks despite the local limits: the text alone still gets the news out.
BLOCK_ERRORS = ("invalid_blocks", "msg_blocks_too_long", "invalid_blocks_format")
CHART_FILENAME = "parley-chart.png"


class SlackAlertSink:
    """Delivers alerts to Slack channels; returns the posted message's `ts`."""

    platform: Platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._hinted: set[tuple[str, str]] = set()

    async def deliver(self, alert: OutgoingAlert) -> str:
        """Post the alert (a thread reply when `reply_to` is set). Raises DeliveryError."""
        message = render(alert.reply, ping=alert.ping)
        post: dict[str, Any] = {
            "channel": alert.channel,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if alert.reply_to:
            post["thread_ts"] = alert.reply_to
        if alert.delivery_key:
            # Slack has no idempotency key; the metadata lets a duplicate be traced to its alert.
            post["metadata"] = {"event_type": "parley_alert", "event_payload": {
                "alert_id": alert.alert_id, "delivery_key": alert.delivery_key}}
        try:
            response = await self._post(post, message.as_kwargs())
        except SlackApiError as exc:
            raise self._delivery_error(alert, _error_code(exc)) from exc
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Slack unreachable for alert {alert.alert_id}: "
                                f"{type(exc).__name__}") from exc
        ts = str(response["ts"])
        if alert.reply.image_png:
            await self._upload_chart(alert, alert.reply.image_png, thread_ts=alert.reply_to or ts)
        return ts

    async def _post(self, post: dict[str, Any], content: dict[str, Any]) -> Any:
        try:
            return await self._client.chat_postMessage(**post, **content)
        except SlackApiError as exc:
            if _error_code(exc) not in BLOCK_ERRORS:
                raise
            log.warning("Slack refused the blocks of a message to %s (%s); posting text only",
                        post["channel"], _error_code(exc))
            return await self._client.chat_postMessage(**post, text=content["text"])

    async def _upload_chart(self, alert: OutgoingAlert, png: bytes, *, thread_ts: str) -> None:
        """Attach the chart under the alert. The alert itself is delivered already, so a failed
        upload is logged, not raised (raising would post the alert twice)."""
        try:
            await self._client.files_upload_v2(
                channel=alert.channel, file=png, filename=CHART_FILENAME,
                title=alert.reply.title[:250], thread_ts=thread_ts,
            )
        except SlackApiError as exc:
            code = _error_code(exc)
            log.warning("chart for alert %s not uploaded to %s: %s%s", alert.alert_id,
                        alert.channel, code, f" ({HINTS[code]})" if code in HINTS else "")
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("chart for alert %s not uploaded to %s: %s", alert.alert_id,
                        alert.channel, type(exc).__name__)

    def _delivery_error(self, alert: OutgoingAlert, code: str) -> DeliveryError:
        hint = HINTS.get(code)
        if hint is None:
            return DeliveryError(
                f"Slack refused alert {alert.alert_id} for {alert.channel}: {code}"
            )
        if (alert.channel, code) not in self._hinted:
            self._hinted.add((alert.channel, code))
            log.error("cannot post alerts to Slack channel %s: %s: %s", alert.channel, code, hint)
        return DeliveryError(f"Slack channel {alert.channel}: {code}: {hint}", permanent=True)


def _error_code(exc: SlackApiError) -> str:
    response = exc.response
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {getattr(response, 'status_code', '?')}"
