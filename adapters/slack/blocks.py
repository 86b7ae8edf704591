"""Render a platform-neutral `Reply` as Block Kit blocks plus a plain `text` fallback (pure).

Every piece of text in a Reply is plain and may come from an article or a user, so it is escaped
(`&`, `<`, `>`): nothing rendered here can ping `<!channel>` or fake a link. Only links the Reply
names (http/https URLs) and an admin-configured ping become Slack markup.
Slack's limits are respected by truncating with an ellipsis (and the line's link), never by
failing: 50 blocks, header 150, section text 3000, 10 fields of 2000, and a total size kept
below the undocumented `msg_blocks_too_long` cap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from slack_sdk.models.blocks import (
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.models import Field, Link, Reply

MAX_BLOCKS = 50
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_PER_SECTION = 10
CONTEXT_TEXT_MAX = 2000
# Slack refuses messages whose blocks total about 13,200 characters even when each block is
# within its documented limit (msg_blocks_too_long); stay well below it.
BLOCKS_TEXT_BUDGET = 11_000
# The fallback is what notifications and screen readers show; a summary, not the whole reply.
FALLBACK_MAX = 3000
OMISSION_NOTE_MAX = 100
ELLIPSIS = "…"

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_UNESCAPES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_UNESCAPE_PATTERN = re.compile("&lt;|&gt;|&amp;")
# A Slack mention an admin may configure as `ping_high`: <!here>, <!channel>, <!subteam^ID>,
# <@U123>. Anything else is shown as text.
_MENTION = re.compile(r"^<(?:!here|!channel|!everyone|!subteam\^[A-Z0-9]+|@[UW][A-Z0-9]+)>$")

ResponseType = Literal["in_channel", "ephemeral"]


@dataclass(frozen=True)
class SlackMessage:
    """A message ready for chat.postMessage, ack() or respond()."""

    text: str
    blocks: tuple[dict[str, Any], ...]
    response_type: ResponseType

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by chat.postMessage, ack() and respond()."""
        return {"text": self.text, "blocks": list(self.blocks)}


def escape(text: str) -> str:
    """Make plain text inert in Slack markup."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def unescape(text: str) -> str:
    """Undo Slack's escaping of user input (slash command text arrives escaped)."""
    return _UNESCAPE_PATTERN.sub(lambda m: _UNESCAPES[m.group(0)], text)


def fit(text: str, limit: int, *, suffix: str = "") -> str:
    """Escape `text` and cut it so that it plus `suffix` (already markup) fits in `limit`.

    `suffix` is only added when the text had to be cut; the ellipsis always is.
    """
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    room = limit - len(ELLIPSIS) - len(suffix)
    pieces: list[str] = []
    size = 0
    for ch in text:
        piece = _ESCAPES.get(ch, ch)
        if size + len(piece) > room:
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces).rstrip() + ELLIPSIS + suffix


def link(url: str, label: str, limit: int) -> str:
    """`<url|label>` for http(s) URLs, else the escaped label alone; at most `limit` chars."""
    target = _safe_url(url)
    if target is None or len(target) > limit // 2:
        return fit(label, limit)
    return f"<{target}|{fit(label or url, limit - len(target) - 3)}>"


def render(reply: Reply, *, ping: str | None = None) -> SlackMessage:
    """Block Kit blocks and a text fallback for `reply`, within Slack's limits."""
    mention = _mention(ping)
    head = [_header(reply.title)] + ([_section(mention)] if mention else [])
    tail = [_context(reply.footer)] if reply.footer else []
    body = _field_sections(reply.fields) + _line_sections(reply.lines)
    room = MAX_BLOCKS - len(head) - len(tail)
    budget = BLOCKS_TEXT_BUDGET - _size(head) - _size(tail)
    kept = _take_within(body, room, budget)
    if len(kept) < len(body):
        kept = _take_within(body, room - 1, budget - OMISSION_NOTE_MAX)
        omitted = sum(count for _, count in body[len(kept):])
        kept.append((_context(f"{omitted} more item(s) not shown: too long for Slack"), 0))
    blocks = head + [block for block, _ in kept] + tail
    response_type: ResponseType = (
        "ephemeral" if reply.ephemeral or reply.kind != "answer" else "in_channel"
    )
    return SlackMessage(
        text=_fallback(reply, mention), blocks=tuple(blocks), response_type=response_type
    )


def _safe_url(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # `|` and `>` would end Slack's <url|label> syntax early; `&` and `<` are control chars.
    return (
        url.strip()
        .replace("&", "&amp;")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("|", "%7C")
        .replace(" ", "%20")
    )


def _mention(ping: str | None) -> str:
    if not ping:
        return ""
    return ping if _MENTION.match(ping.strip()) else escape(ping)


def _header(title: str) -> dict[str, Any]:
    text = fit(" ".join(title.split()) or "Parley", HEADER_MAX)
    block: dict[str, Any] = HeaderBlock(text=PlainTextObject(text=text, emoji=True)).to_dict()
    return block


def _section(markup: str) -> dict[str, Any]:
    block: dict[str, Any] = SectionBlock(
        text=MarkdownTextObject(text=markup, verbatim=True)
    ).to_dict()
    return block


def _context(text: str) -> dict[str, Any]:
    element = MarkdownTextObject(text=fit(text, CONTEXT_TEXT_MAX), verbatim=True)
    block: dict[str, Any] = ContextBlock(elements=[element]).to_dict()
    return block


def _field_markup(field: Field, limit: int) -> str:
    name = f"*{fit(field.name, 200)}*\n" if field.name else ""
    return name + fit(field.value, limit - len(name))


def _field_sections(fields: tuple[Field, ...]) -> list[tuple[dict[str, Any], int]]:
    """Inline fields side by side (10 per section), others in their own section; with counts."""
    sections: list[tuple[dict[str, Any], int]] = []
    inline: list[str] = []

    def flush() -> None:
        for start in range(0, len(inline), FIELDS_PER_SECTION):
            chunk = inline[start:start + FIELDS_PER_SECTION]
            objects = [MarkdownTextObject(text=text, verbatim=True) for text in chunk]
            sections.append((SectionBlock(fields=objects).to_dict(), len(chunk)))
        inline.clear()

    for field in fields:
        if field.inline:
            inline.append(_field_markup(field, FIELD_TEXT_MAX))
        else:
            flush()
            sections.append((_section(_field_markup(field, SECTION_TEXT_MAX)), 1))
    flush()
    return sections


def _line_markup(line: Link, limit: int) -> str:
    if line.url:
        return link(line.url, line.text, limit)
    return fit(line.text, limit)


def _line_sections(lines: tuple[Link, ...]) -> list[tuple[dict[str, Any], int]]:
    """Lines packed into sections of at most 3000 characters, with how many lines each holds."""
    sections: list[tuple[dict[str, Any], int]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        markup = _line_markup(line, SECTION_TEXT_MAX)
        if current and size + 1 + len(markup) > SECTION_TEXT_MAX:
            sections.append((_section("\n".join(current)), len(current)))
            current, size = [], 0
        current.append(markup)
        size += len(markup) + (1 if size else 0)
    if current:
        sections.append((_section("\n".join(current)), len(current)))
    return sections


def _take_within(
    sections: list[tuple[dict[str, Any], int]], max_blocks: int, budget: int
) -> list[tuple[dict[str, Any], int]]:
    kept: list[tuple[dict[str, Any], int]] = []
    for section in sections:
        cost = _size([section[0]])
        if len(kept) >= max_blocks or cost > budget:
            break
        kept.append(section)
        budget -= cost
    return kept


def _size(blocks: list[dict[str, Any]]) -> int:
    """Characters of text the blocks carry (what Slack's total cap counts, roughly)."""
    total = 0
    for block in blocks:
        texts = [block.get("text")] + block.get("fields", []) + block.get("elements", [])
        total += sum(len(t["text"]) for t in texts if isinstance(t, dict))
    return total


def _fallback(reply: Reply, mention: str) -> str:
    parts = [mention, escape(reply.title)] if mention else [escape(reply.title)]
    parts += [f"{escape(f.name)}: {escape(f.value)}" if f.name else escape(f.value)
              for f in reply.fields]
    parts += [escape(line.text) for line in reply.lines]
    text = "\n".join(part for part in parts if part)
    if len(text) <= FALLBACK_MAX:
        return text
    # Never end inside an entity such as &amp;.
    cut = re.sub(r"&[a-z]{0,3}$", "", text[:FALLBACK_MAX - len(ELLIPSIS)])
    return cut.rstrip() + ELLIPSIS
