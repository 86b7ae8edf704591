"""Slash commands: Slack payloads -> `CommandRequest` -> core `CommandHandler` -> Block Kit.

`register(app, commands, admins=...)` adds one listener per slash command to a slack-bolt
`AsyncApp`; the same listeners serve Socket Mode and HTTP mode.
Slack wants an acknowledgement within 3 seconds: a quick answer rides on the ack itself, a
slow one is acked empty first and sent through `response_url`. Failures reach the user as a
short ephemeral message; the traceback goes to the log only.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import render, unescape
from adapters.slack.sink import CHART_FILENAME, HINTS
from bot.models import Link, Reply
from bot.ports import CommandHandler, CommandRequest

log = logging.getLogger(__name__)

# Each slash command and the core command its text is prefixed with; `/parley` carries the
# command itself (`/parley help`, `/parley feeds`, ...).
SLASH_COMMANDS: dict[str, str] = {
    "/status": "status",
    "/timeline": "timeline",
    "/topics": "topics",
    "/parley": "",
}
# Answer inside the ack when the core is this quick; Slack's limit is 3 s, network included.
ANSWER_IN_ACK_WITHIN = 2.0
SMART_DASH = re.compile(r"(^|\s)[\u2014\u2013]")
FAILURE_REPLY = Reply(
    title="Sorry, that did not work",
    lines=(Link("Parley hit an internal error; it has been logged for the admins."),),
    ephemeral=True,
    kind="error",
)

Listener = Callable[..., Awaitable[None]]


def register(app: AsyncApp, commands: CommandHandler, *, admins: Collection[str]) -> None:
    """Listen for Parley's slash commands on `app`, answering through `commands`."""
    for slash, verb in SLASH_COMMANDS.items():
        app.command(slash)(_listener(verb, commands, frozenset(admins)))


def to_request(verb: str, command: dict[str, Any], admins: Collection[str]) -> CommandRequest:
    """The core request for a slash command payload (its text arrives HTML-escaped)."""
    args = " ".join(unescape(command.get("text") or "").split())
    # Desktop clients may turn a typed `--chart` into `—chart`; the core expects `--`.
    args = SMART_DASH.sub(r"\1--", args)
    text = " ".join(part for part in (verb, args) if part) or "help"
    user = str(command.get("user_id", ""))
    return CommandRequest(
        text=text,
        platform="slack",
        user_id=user,
        is_admin=user in admins,
        channel_id=command.get("channel_id"),
    )


def _listener(verb: str, commands: CommandHandler, admins: frozenset[str]) -> Listener:
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        request = to_request(verb, command, admins)
        answer = asyncio.ensure_future(_answer(commands, request))
        try:
            reply = await asyncio.wait_for(asyncio.shield(answer), ANSWER_IN_ACK_WITHIN)
        except TimeoutError:
            await ack()
            reply = await answer
            message = render(reply)
            try:
                await respond(**message.as_kwargs(), response_type=message.response_type)
            except (SlackClientError, OSError) as exc:
                log.warning("could not answer %r through response_url: %s",
                            request.text, type(exc).__name__)
        else:
            message = render(reply)
            await ack(**message.as_kwargs(), response_type=message.response_type)
        if reply.image_png and message.response_type == "in_channel" and request.channel_id:
            await _upload_chart(client, respond, request.channel_id, reply, reply.image_png)

    return on_command


async def _answer(commands: CommandHandler, request: CommandRequest) -> Reply:
    try:
        return await commands.handle(request)
    except Exception:
        # The core promises Replies for bad input; anything else is our bug, kept out of chat.
        log.exception("command %r from Slack user %s failed", request.text, request.user_id)
        return FAILURE_REPLY


async def _upload_chart(
    client: AsyncWebClient, respond: AsyncRespond, channel: str, reply: Reply, png: bytes
) -> None:
    try:
        await client.files_upload_v2(
            channel=channel, file=png, filename=CHART_FILENAME, title=reply.title[:250]
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        code = exc.response.get("error", "") if isinstance(exc, SlackApiError) else ""
        log.warning("chart not uploaded to %s: %s", channel, code or type(exc).__name__)
        hint = HINTS.get(str(code), "try again later")
        try:
            await respond(text=f"The chart could not be posted here: {hint}.",
                          response_type="ephemeral")
        except (SlackClientError, OSError):
            log.warning("could not tell the user the chart failed in %s", channel)
