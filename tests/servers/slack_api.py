"""A local fake of Slack: Web API, Socket Mode WebSocket, response_url and file uploads.

It answers like Slack (HTTP 200 with `ok`/`error`, `ts` for posted messages, 429 with
Retry-After), enforces the Block Kit limits Parley relies on, and records every call so tests
assert on what the real slack_sdk / slack-bolt clients actually sent.
Wire contracts: ../shared/PLATFORMS.md section 1.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

# Slack's documented and observed limits (PLATFORMS.md 1.6).
TEXT_MAX = 40_000
BLOCKS_MAX = 50
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELDS_MAX = 10
FIELD_TEXT_MAX = 2000
BLOCKS_TOTAL_MAX = 13_200
# Longest a test waits for the app to do something before failing.
WAIT_LIMIT = 10.0


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received: the API method (or `response_url` / `upload`)."""

    method: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes


@dataclass(frozen=True)
class Failure:
    """A scripted answer replacing the normal one for the next call of a method."""

    error: str
    status: int = 200
    retry_after: int | None = None


@dataclass
class PostedMessage:
    """A message the fake accepted, as a channel would show it."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None


@dataclass
class FakeSlack:
    """Start with `await fake.start()`; point clients at `fake.api_url` (trailing slash kept)."""

    bot_token: str = "xoxb-test-token"
    app_token: str = "xapp-test-token"
    channels: tuple[str, ...] = ("C0ALERTS", "C0SECOND")
    not_in_channel: tuple[str, ...] = ("C0NOTIN",)
    calls: list[RecordedCall] = field(default_factory=list)
    messages: list[PostedMessage] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    socket_received: list[dict[str, Any]] = field(default_factory=list)
    connections_opened: int = 0
    sockets_accepted: int = 0
    _failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _changed: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None
    _port: int = 0
    _ts: int = 0

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/commands/{team}/{command}/{secret}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Close sockets and stop listening."""
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, command_id: str = "1") -> str:
        """A response_url for a slash command payload, served by this fake."""
        return f"{self.url}/commands/T0TEAM/{command_id}/secret"

    def fail_next(self, method: str, *failures: Failure) -> None:
        """Answer the next calls of `method` with these failures, in order."""
        self._failures[method].extend(failures)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        """Wait until `condition()` holds after some recorded call; TimeoutError after 10 s."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), WAIT_LIMIT)

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Send a Socket Mode envelope to the connected app; returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        await self._send_socket({
            "envelope_id": envelope_id,
            "type": kind,
            "accepts_response_payload": kind != "events_api",
            "payload": payload,
        })
        return envelope_id

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours."""
        await self._send_socket({"type": "disconnect", "reason": reason,
                                 "debug_info": {"host": "fake-slack"}})

    @property
    def open_sockets(self) -> int:
        return len(self._sockets)

    def ack_for(self, envelope_id: str) -> dict[str, Any] | None:
        """The app's acknowledgement of an envelope, if it arrived."""
        for message in self.socket_received:
            if message.get("envelope_id") == envelope_id:
                return message
        return None

    async def _send_socket(self, message: dict[str, Any]) -> None:
        await self.wait_for(lambda: bool(self._sockets))
        await self._sockets[-1].send_str(json.dumps(message))

    async def _record(self, call: RecordedCall) -> None:
        self.calls.append(call)
        await self._notify()

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        # slack_sdk sends some methods' arguments as query parameters, others in the body.
        body = {**request.query, **_parse_body(raw, request.content_type)}
        await self._record(RecordedCall(method, dict(request.headers), body, raw))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return _error("not_authed" if not token else "invalid_auth")
        if self._failures[method]:
            failure = self._failures[method].popleft()
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return _error(failure.error, status=failure.status, headers=headers)
        handler = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }.get(method)
        if handler is None:
            return _error("unknown_method")
        return await handler(body)

    async def _auth_test(self, body: dict[str, Any]) -> web.Response:
        return _ok({"url": "https://fake.slack.com/", "team": "Fake", "user": "parley",
                    "team_id": "T0TEAM", "user_id": "U0PARLEY", "bot_id": "B0PARLEY"})

    async def _connections_open(self, body: dict[str, Any]) -> web.Response:
        self.connections_opened += 1
        ticket = self.connections_opened
        return _ok({"url": f"ws://127.0.0.1:{self._port}/link/?ticket={ticket}&app_id=A0APP"})

    async def _post_message(self, body: dict[str, Any]) -> web.Response:
        channel = str(body.get("channel", ""))
        problem = self._channel_problem(channel) or message_problem(body)
        if problem:
            return _error(problem)
        self._ts += 1
        ts = f"1700000000.{self._ts:06d}"
        blocks = body.get("blocks") or []
        thread_ts = body.get("thread_ts")
        self.messages.append(PostedMessage(channel, ts, body.get("text", ""), blocks, thread_ts))
        await self._notify()
        return _ok({"channel": channel, "ts": ts, "message": {
            "type": "message", "subtype": "bot_message", "text": body.get("text", ""),
            "bot_id": "B0PARLEY", "ts": ts, "blocks": blocks}})

    async def _upload_url(self, body: dict[str, Any]) -> web.Response:
        if not body.get("filename") or not str(body.get("length", "")).isdigit():
            return _error("invalid_arguments")
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = b""
        return _ok({"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id})

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        raw = await request.read()
        if file_id not in self.uploads:
            return web.Response(status=404, text="not found")
        self.uploads[file_id] = raw
        await self._record(RecordedCall("upload", dict(request.headers), {"file_id": file_id}, raw))
        return web.Response(text=f"OK - {len(raw)}")

    async def _complete_upload(self, body: dict[str, Any]) -> web.Response:
        files = json.loads(body.get("files", "[]"))
        channel = body.get("channel_id")
        problem = self._channel_problem(str(channel)) if channel else None
        if problem:
            return _error(problem)
        if not files or any(f.get("id") not in self.uploads for f in files):
            return _error("file_not_found")
        return _ok({"files": [{"id": f["id"], "title": f.get("title")} for f in files]})

    def _channel_problem(self, channel: str) -> str | None:
        if channel in self.not_in_channel:
            return "not_in_channel"
        if channel not in self.channels:
            return "channel_not_found"
        return None

    async def _response_url(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = _parse_body(raw, request.content_type)
        await self._record(RecordedCall("response_url", dict(request.headers), body, raw))
        if message_problem(body):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.sockets_accepted += 1
        await ws.send_str(json.dumps({
            "type": "hello", "num_connections": len(self._sockets),
            "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0APP"}}))
        await self._notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.socket_received.append(json.loads(message.data))
                    await self._notify()
        finally:
            self._sockets.remove(ws)
            await self._notify()
        return ws


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if content_type == "application/json":
        parsed: dict[str, Any] = json.loads(raw or b"{}")
        return parsed
    body: dict[str, Any] = dict(parse_qsl(raw.decode("utf-8")))
    if isinstance(body.get("blocks"), str):
        body["blocks"] = json.loads(body["blocks"])
    return body


def message_problem(body: dict[str, Any]) -> str | None:
    """The error code Slack would answer for this message body, or None."""
    text = body.get("text") or ""
    blocks = body.get("blocks") or []
    if not text and not blocks:
        return "no_text"
    if len(text) > TEXT_MAX:
        return "msg_too_long"
    if len(blocks) > BLOCKS_MAX or any(_block_problem(block) for block in blocks):
        return "invalid_blocks"
    if sum(len(t) for t in block_texts(blocks)) > BLOCKS_TOTAL_MAX:
        return "msg_blocks_too_long"
    return None


def _block_problem(block: dict[str, Any]) -> bool:
    kind = block.get("type")
    text = (block.get("text") or {}).get("text", "")
    if kind == "header":
        return block["text"].get("type") != "plain_text" or not 0 < len(text) <= HEADER_MAX
    if kind == "section":
        fields = block.get("fields") or []
        return (
            len(text) > SECTION_TEXT_MAX
            or len(fields) > FIELDS_MAX
            or any(len(f.get("text", "")) > FIELD_TEXT_MAX for f in fields)
            or (not text and not fields)
        )
    if kind == "context":
        return not 0 < len(block.get("elements") or []) <= 10
    return kind not in ("divider", "image")


def block_texts(blocks: Iterable[dict[str, Any]]) -> Iterable[str]:
    for block in blocks:
        if isinstance(block.get("text"), dict):
            yield block["text"].get("text", "")
        for item in (block.get("fields") or []) + (block.get("elements") or []):
            if isinstance(item, dict):
                yield item.get("text", "")


def _ok(data: dict[str, Any]) -> web.Response:
    return web.json_response({"ok": True, **data})


def _error(code: str, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"ok": False, "error": code}, status=status, headers=headers)
