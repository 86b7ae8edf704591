"""A local fake Discord for tests: REST API v10 and a gateway WebSocket, on 127.0.0.1.

The real discord.py client talks to it through `discord.api_base_url` / `discord.gateway_url`
(see ../../shared/PLATFORMS.md §2). It answers like Discord where discord.py depends on it:
- JSON with `Content-Type` exactly `application/json` (discord.py parses nothing else);
- 429s carry a `Via` header and a JSON body with `retry_after` (else discord.py assumes a
  Cloudflare ban);
- interactions carry `application_id`, `version` and `attachment_size_limit` (discord.py
  raises KeyError without them); callbacks answer the `with_response` body;
- message limits (content 2000, 10 embeds, embed field limits, 6000 in total) are enforced
  with Discord's 400 / 50035, and an interaction answered after 3 s gets 404 / 10062.
Every request is recorded; tests inject one-off responses (429, 403 ...) with `inject`.
This module is the only test code that knows Discord's wire format.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

TOKEN = "fake-bot-token"
APPLICATION_ID = 1_200_000_000_000_000_001
BOT_USER_ID = 1_200_000_000_000_000_002
OWNER_ID = 1_200_000_000_000_000_003
WAIT = 5.0  # seconds a test waits for the bot to do something
INTERACTION_WINDOW = 3.0  # seconds Discord gives for the first response
ATTACHMENT_SIZE_LIMIT = 8 * 1024 * 1024
JSON_TYPE = "application/json"
OPTION_TYPES = {str: 3, int: 4, bool: 5, float: 10}
EPHEMERAL = 1 << 6
EMBED_LIMITS = {"title": 256, "description": 4096, "footer": 2048, "author": 256}


def bot_user() -> dict[str, Any]:
    return {
        "id": str(BOT_USER_ID), "username": "parley", "discriminator": "0", "global_name": None,
        "avatar": None, "bot": True, "flags": 0, "verified": True, "mfa_enabled": False,
    }


def member_user(user_id: int) -> dict[str, Any]:
    return {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0",
            "global_name": None, "avatar": None, "public_flags": 0}


@dataclass(frozen=True)
class FakeGuild:
    """A guild the bot is in, with its roles and one text channel."""

    id: int
    channel_id: int
    roles: tuple[int, ...] = ()

    def payload(self) -> dict[str, Any]:
        role_ids = (self.id, *self.roles)  # the @everyone role has the guild's id
        return {
            "id": str(self.id), "name": f"guild {self.id}", "icon": None, "owner_id": str(OWNER_ID),
            "unavailable": False, "member_count": 2, "large": False, "features": [],
            "emojis": [], "stickers": [], "members": [], "threads": [], "voice_states": [],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [], "mfa_level": 0, "verification_level": 0,
            "explicit_content_filter": 0, "default_message_notifications": 0,
            "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0,
            "roles": [
                {"id": str(r), "name": "@everyone" if r == self.id else f"role {r}",
                 "permissions": "0", "position": i, "color": 0, "hoist": False,
                 "managed": False, "mentionable": False, "flags": 0}
                for i, r in enumerate(role_ids)
            ],
            "channels": [{"id": str(self.channel_id), "type": 0, "name": "news", "position": 0,
                          "permission_overwrites": [], "nsfw": False, "parent_id": None}],
        }


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


@dataclass
class Injected:
    """A response to give once, instead of the normal one, to the next matching request."""

    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str]


@dataclass
class InteractionLog:
    """An interaction the fake dispatched and how the bot answered it."""

    payload: dict[str, Any]
    sent_at: float
    callbacks: list[Recorded] = field(default_factory=list)
    edits: list[Recorded] = field(default_factory=list)
    followups: list[Recorded] = field(default_factory=list)


def rate_limited(retry_after: float, *, is_global: bool = False) -> tuple[int, dict, dict]:
    """A real-shaped 429 (with `Via`, so discord.py does not take it for a Cloudflare ban)."""
    body = {"message": "You are being rate limited.", "retry_after": retry_after,
            "global": is_global}
    headers = {"Via": "1.1 google", "Retry-After": str(max(1, round(retry_after))),
               "X-RateLimit-Scope": "global" if is_global else "user"}
    return 429, body, headers


def missing_permissions() -> tuple[int, dict, dict]:
    return 403, {"message": "Missing Permissions", "code": 50013}, {}


def unknown_channel() -> tuple[int, dict, dict]:
    return 404, {"message": "Unknown Channel", "code": 10003}, {}


RECORDED = web.RequestKey("recorded", Recorded)


class FakeDiscord:
    """Start with `await fake.start()`; point discord.py at `api_base_url` / `gateway_url`."""

    def __init__(self, guilds: tuple[FakeGuild, ...] = (), token: str = TOKEN) -> None:
        self.guilds = guilds
        self.token = token
        self.requests: list[Recorded] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, InteractionLog] = {}
        self.identify: dict[str, Any] | None = None
        self.resumes: list[dict[str, Any]] = []
        self.ready = asyncio.Event()
        self._snowflakes = itertools.count(1_300_000_000_000_000_000)
        self._sequence = itertools.count(1)
        self._injected: list[Injected] = []
        self._sockets: set[web.WebSocketResponse] = set()
        self._socket: web.WebSocketResponse | None = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record])
        api = "/api/v10"
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get(f"{api}/gateway", self._get_gateway)
        app.router.add_get(f"{api}/gateway/bot", self._get_gateway)
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._put_commands)
        app.router.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands",
                           self._put_commands)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._create_message)
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_patch(f"{api}/webhooks/{{app}}/{{token}}/messages/@original",
                             self._edit_original)
        app.router.add_delete(f"{api}/webhooks/{{app}}/{{token}}/messages/@original",
                              self._delete_original)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- test controls -------------------------------------------------------------------

    def inject(self, method: str, path: str, response: tuple[int, dict, dict]) -> None:
        """Answer the next `method` request whose path matches regex `path` with `response`."""
        status, body, headers = response
        self._injected.append(Injected(method, re.compile(path), status, body, headers))

    def requests_to(self, method: str, path: str) -> list[Recorded]:
        """Recorded requests of `method` whose path matches regex `path`."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.search(r.path)]

    async def wait_for(self, predicate: Callable[[], Any]) -> Any:
        """Wait (at most WAIT seconds) until `predicate()` is truthy; return its value."""
        async with asyncio.timeout(WAIT):
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway dispatch (op 0) to the connected bot."""
        await asyncio.wait_for(self.ready.wait(), 5)
        assert self._socket is not None
        await self._socket.send_json({"op": 0, "t": event, "s": next(self._sequence), "d": data})

    async def disconnect(self, code: int) -> None:
        """Close the bot's gateway connection with `code` (4000: an error it should resume)."""
        assert self._socket is not None
        self.ready.clear()
        await self._socket.close(code=code, message=b"fake disconnect")

    async def send_command(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        user_id: int = 42,
        roles: tuple[int, ...] = (),
        guild: FakeGuild | None = None,
        focused: str | None = None,
    ) -> InteractionLog:
        """Dispatch INTERACTION_CREATE for a slash command typed in `guild` (default: the first).

        `command` is the full path, e.g. "status" or "parley feeds add". With `focused`, it is
        an autocomplete request for that option instead.
        """
        guild = guild or self.guilds[0]
        name, *path = command.split()
        data_options = [
            {"type": OPTION_TYPES[type(v)], "name": k, "value": v}
            | ({"focused": True} if k == focused else {})
            for k, v in (options or {}).items()
        ]
        for depth, part in enumerate(reversed(path)):
            data_options = [{"type": 1 if depth == 0 else 2, "name": part,
                             "options": data_options}]
        registered = self._registered(name, guild.id)
        data = {"id": registered["id"], "name": name, "type": 1, "options": data_options}
        if registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        interaction_id = next(self._snowflakes)
        payload = {
            "id": str(interaction_id), "application_id": str(APPLICATION_ID),
            "type": 4 if focused else 2, "token": f"itoken-{interaction_id}", "version": 1,
            "data": data, "guild_id": str(guild.id),
            "channel_id": str(guild.channel_id),
            "channel": {"id": str(guild.channel_id), "type": 0, "guild_id": str(guild.id),
                        "name": "news", "position": 0, "permission_overwrites": [],
                        "nsfw": False, "parent_id": None},
            "member": {"user": member_user(user_id), "roles": [str(r) for r in roles],
                       "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False,
                       "flags": 0, "pending": False, "nick": None, "permissions": "2147483647"},
            "app_permissions": "2147483647", "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0, "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        log = InteractionLog(payload=payload, sent_at=time.monotonic())
        self.interactions[interaction_id] = log
        await self.dispatch("INTERACTION_CREATE", payload)
        return log

    async def final_message(self, log: InteractionLog) -> dict[str, Any]:
        """The message the bot finally showed for an interaction: its immediate response, or
        the edit of its deferred one."""

        def answered() -> dict[str, Any] | None:
            if log.edits:
                return log.edits[-1].json
            if log.callbacks and log.callbacks[0].json["type"] == 4:
                return log.callbacks[0].json["data"]
            return None

        return await self.wait_for(answered)  # type: ignore[no-any-return]

    # -- recording ---------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)  # type: ignore[no-any-return]
        recorded = Recorded(request.method, request.path.removeprefix("/api/v10"),
                            dict(request.query), dict(request.headers))
        await _read_body(request, recorded)
        request[RECORDED] = recorded
        self.requests.append(recorded)
        try:
            # Webhook-style routes (interaction answers) and GET /gateway take no bot token.
            if request.headers.get("Authorization") != f"Bot {self.token}" and not (
                recorded.path.startswith(("/webhooks/", "/interactions/"))
                or recorded.path == "/gateway"
            ):
                return _json({"message": "401: Unauthorized", "code": 0}, status=401)
            for injected in self._injected:
                if injected.method == request.method and injected.path.search(recorded.path):
                    self._injected.remove(injected)
                    return _json(injected.body, status=injected.status, headers=injected.headers)
            return await handler(request)  # type: ignore[no-any-return]
        finally:
            async with self._changed:
                self._changed.notify_all()

    # -- REST --------------------------------------------------------------------------------

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}})

    async def _me(self, request: web.Request) -> web.Response:
        return _json(bot_user())

    async def _application(self, request: web.Request) -> web.Response:
        return _json({
            "id": str(APPLICATION_ID), "name": "Parley", "icon": None, "description": "",
            "summary": "", "bot_public": True, "bot_require_code_grant": False,
            "verify_key": "0" * 64, "owner": member_user(OWNER_ID), "team": None, "flags": 0,
            "interactions_endpoint_url": None, "bot": bot_user(),
        })

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        guild_id = int(guild) if guild else None
        commands = []
        for command in request[RECORDED].json:
            error = _command_error(command)
            if error:
                return _form_error(error)
            commands.append({**command, "id": str(next(self._snowflakes)),
                             "application_id": str(APPLICATION_ID), "version": "1",
                             "guild_id": guild, "default_member_permissions": None,
                             "type": command.get("type", 1)})
        self.commands[guild_id] = commands
        return _json(commands)

    async def _create_message(self, request: web.Request) -> web.Response:
        body = request[RECORDED].json or {}
        error = _message_error(body, request[RECORDED].files)
        if error:
            return _form_error(error)
        channel_id = int(request.match_info["channel"])
        if body.get("enforce_nonce") and (earlier := self._by_nonce(channel_id, body["nonce"])):
            return _json(earlier)  # Discord returns the message that nonce already created
        message = self._message(channel_id, body, body.get("message_reference"))
        return _json(message)

    def _by_nonce(self, channel_id: int, nonce: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.values()
                     if m["channel_id"] == str(channel_id) and m.get("nonce") == nonce), None)

    async def _callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(int(request.match_info["id"]))
        if interaction is None or interaction.payload["token"] != request.match_info["token"]:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        recorded: Recorded = request[RECORDED]
        if time.monotonic() - interaction.sent_at > INTERACTION_WINDOW:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        if interaction.callbacks:
            return _json({"message": "Interaction has already been acknowledged.",
                          "code": 40060}, status=400)
        kind = recorded.json["type"]
        data = recorded.json.get("data") or {}
        if kind == 4 and (error := _message_error(data, recorded.files)):
            return _form_error(error)
        interaction.callbacks.append(recorded)
        flags = data.get("flags", 0)
        channel_id = int(interaction.payload["channel_id"])
        response: dict[str, Any] = {"interaction": {
            "id": interaction.payload["id"], "type": interaction.payload["type"],
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL)}}
        if kind in (4, 5):
            message = self._message(channel_id, data if kind == 4 else {"flags": flags | 128})
            interaction.payload["_original"] = message
            response["interaction"]["response_message_id"] = message["id"]
            response["resource"] = {"type": kind, "message": message}
        else:
            response["resource"] = {"type": kind}
        return _json(response)

    def _webhook_message(
        self, request: web.Request
    ) -> tuple[InteractionLog, Recorded] | web.Response:
        """The answered interaction a webhook call names and its valid message, or the error
        Discord would answer."""
        interaction = self._interaction_by_token(request.match_info["token"])
        recorded: Recorded = request[RECORDED]
        if interaction is None or not interaction.callbacks:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        if error := _message_error(recorded.json or {}, recorded.files):
            return _form_error(error)
        return interaction, recorded

    async def _edit_original(self, request: web.Request) -> web.Response:
        target = self._webhook_message(request)
        if isinstance(target, web.Response):
            return target
        interaction, recorded = target
        interaction.edits.append(recorded)
        original = interaction.payload["_original"]
        original.update({k: v for k, v in (recorded.json or {}).items() if k in original})
        return _json(original)

    async def _delete_original(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _followup(self, request: web.Request) -> web.Response:
        target = self._webhook_message(request)
        if isinstance(target, web.Response):
            return target
        interaction, recorded = target
        interaction.followups.append(recorded)
        return _json(self._message(int(interaction.payload["channel_id"]), recorded.json or {}))

    def _interaction_by_token(self, token: str) -> InteractionLog | None:
        return next((i for i in self.interactions.values() if i.payload["token"] == token), None)

    def _registered(self, name: str, guild_id: int) -> dict[str, Any]:
        for command in self.commands.get(guild_id, []) + self.commands.get(None, []):
            if command["name"] == name:
                return command
        raise AssertionError(f"/{name} was never synced; synced: {self.commands}")

    def _message(
        self, channel_id: int, body: dict[str, Any], reference: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        message_id = next(self._snowflakes)
        message = {
            "id": str(message_id), "channel_id": str(channel_id), "author": bot_user(),
            "content": body.get("content") or "", "timestamp": "2025-01-01T00:00:00+00:00",
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": body.get("embeds") or [],
            "pinned": False, "type": 19 if reference else 0, "flags": body.get("flags", 0),
            "nonce": body.get("nonce"),
        }
        if reference:
            message["message_reference"] = {**reference, "channel_id": str(channel_id)}
        self.messages[message_id] = message
        return message

    # -- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.add(socket)
        self._socket = socket
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None,
                                "t": None})
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                await self._gateway_payload(socket, json.loads(frame.data))
        finally:
            self._sockets.discard(socket)
        return socket

    async def _gateway_payload(self, socket: web.WebSocketResponse, payload: dict) -> None:
        op = payload["op"]
        if op == 1:
            await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self.identify = payload["d"]
            if payload["d"]["token"] != self.token:
                await socket.close(code=4004, message=b"Authentication failed.")
                return
            await socket.send_json({"op": 0, "t": "READY", "s": next(self._sequence), "d": {
                "v": 10, "user": bot_user(), "session_id": "fake-session",
                "resume_gateway_url": self.gateway_url, "shard": [0, 1],
                "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds],
                "application": {"id": str(APPLICATION_ID), "flags": 0},
            }})
            for guild in self.guilds:
                await socket.send_json({"op": 0, "t": "GUILD_CREATE",
                                        "s": next(self._sequence), "d": guild.payload()})
            self.ready.set()
        elif op == 6:
            self.resumes.append(payload["d"])
            await socket.send_json({"op": 0, "t": "RESUMED", "s": next(self._sequence), "d": {}})
            self.ready.set()


async def _read_body(request: web.Request, recorded: Recorded) -> None:
    if request.content_type == JSON_TYPE:
        recorded.json = await request.json()
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            content = await part.read()  # type: ignore[union-attr]
            if part.name == "payload_json":  # type: ignore[union-attr]
                recorded.json = json.loads(content)
            else:
                recorded.files[part.filename or part.name or ""] = bytes(content)  # type: ignore[union-attr]


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py parses no other Content-Type (not even ;charset).
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={"Content-Type": JSON_TYPE, **(headers or {})})


def _form_error(error: str) -> web.Response:
    return _json({"message": "Invalid Form Body", "code": 50035,
                  "errors": {"_errors": [{"code": "BASE_TYPE_INVALID", "message": error}]}},
                 status=400)


def _command_error(command: dict[str, Any]) -> str | None:
    if not re.fullmatch(r"[-_\w]{1,32}", command["name"]) or command["name"].lower() != command[
        "name"
    ]:
        return f"invalid command name {command['name']!r}"
    if not 1 <= len(command.get("description", "")) <= 100:
        return f"/{command['name']}: description must be 1-100 characters"
    for option in command.get("options", []):
        if error := _command_error(option):
            return error
    return None


def _message_error(body: dict[str, Any], files: dict[str, bytes]) -> str | None:
    """Discord's limits on a message, as a 50035 message; None when valid."""
    content = body.get("content") or ""
    embeds = body.get("embeds") or []
    if not content and not embeds and not files and not body.get("flags", 0) & 128:
        return "Cannot send an empty message"
    if len(content) > 2000:
        return "content: Must be 2000 or fewer in length."
    if len(embeds) > 10:
        return "embeds: Must be 10 or fewer in length."
    total = 0
    for embed in embeds:
        texts = {
            "title": embed.get("title") or "",
            "description": embed.get("description") or "",
            "footer": (embed.get("footer") or {}).get("text") or "",
            "author": (embed.get("author") or {}).get("name") or "",
        }
        for key, text in texts.items():
            if len(text) > EMBED_LIMITS[key]:
                return f"embeds.{key}: Must be {EMBED_LIMITS[key]} or fewer in length."
        total += sum(len(t) for t in texts.values())
        fields = embed.get("fields") or []
        if len(fields) > 25:
            return "embeds.fields: Must be 25 or fewer in length."
        for item in fields:
            if not item.get("name") or not item.get("value"):
                return "embeds.fields: name and value are required"
            if len(item["name"]) > 256 or len(item["value"]) > 1024:
                return "embeds.fields: name 256 / value 1024 or fewer in length."
            total += len(item["name"]) + len(item["value"])
    if total > 6000:
        return "embeds: Embed size exceeds maximum size of 6000"
    return None
