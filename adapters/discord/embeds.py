"""Render a platform-neutral `Reply` as one Discord embed, always within Discord's limits.

Pure: no network, no client. Reply text is plain, so everything that Discord would read as
markdown is escaped here; an article can neither fake a link nor format itself. Whatever does
not fit is cut with an ellipsis and counted ("… 3 more"), never rejected by Discord.
Limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import quote, urlsplit

import discord

from bot.models import Field, Link, Reply

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
# A footer is meta (sources, alert number): it may not take the room of the content.
FOOTER_ROOM = 512
TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
# One line of a reply (an event, a source) may not crowd out the others.
LINE_LIMIT = 600
# Room the description keeps for itself when fields compete for the 6000-character total.
DESCRIPTION_RESERVE = 1500
URL_LIMIT = 512
ELLIPSIS = "…"
BLANK = "\u200b"  # Discord rejects empty field names and values.
IMAGE_FILENAME = "timeline.png"

KIND_COLOURS = {"answer": 0x3B82F6, "error": 0xDC2626, "refusal": 0xD97706}
SIGNIFICANCE_COLOURS = {"low": 0x9CA3AF, "normal": 0x3B82F6, "high": 0xDC2626}

_MARKDOWN = re.compile(r"([\\*_~`|\[\]<>#])")
_LINE_START_MARKDOWN = re.compile(r"^(\s*)([->+]|\d+\.)", re.MULTILINE)
_URL_UNSAFE = "()<> \t\r\n\"'`"


def escape(text: str) -> str:
    """Backslash-escape Discord markdown, masked links and mention syntax in plain text."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_START_MARKDOWN.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut.

    Never leaves half of a backslash escape at the end.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)].rstrip()
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + ELLIPSIS if limit > 0 else ""


def fit(plain: str, limit: int, *, one_line: bool = False) -> str:
    """Escape plain text and cut it to `limit` characters; `one_line` folds its whitespace."""
    return truncate(escape(" ".join(plain.split()) if one_line else plain), limit)


def render_embed(
    reply: Reply, *, timestamp: datetime | None = None, colour: int | None = None
) -> discord.Embed:
    """The embed for a reply: title, fields, lines (links) as description, footer with time."""
    title = truncate(" ".join(reply.title.split()), TITLE_LIMIT) or "Parley"
    footer = truncate(" ".join(reply.footer.split()), min(FOOTER_LIMIT, FOOTER_ROOM))
    budget = TOTAL_LIMIT - len(title) - len(footer)
    lines_wanted = sum(min(len(line.text), LINE_LIMIT) + 1 for line in reply.lines)
    fields = _fields(reply.fields, budget - min(lines_wanted, DESCRIPTION_RESERVE))
    budget -= sum(len(name) + len(value) for name, value, _ in fields)
    embed = discord.Embed(
        title=title,
        description=_description(reply.lines, min(DESCRIPTION_LIMIT, budget)) or None,
        colour=colour if colour is not None else KIND_COLOURS[reply.kind],
        timestamp=timestamp or datetime.now(UTC),
    )
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    if footer:
        embed.set_footer(text=footer)
    if reply.image_png:
        embed.set_image(url=f"attachment://{IMAGE_FILENAME}")
    return embed


def render_file(reply: Reply) -> discord.File | None:
    """The reply's chart as an attachment the embed's image refers to, if it has one."""
    if not reply.image_png:
        return None
    return discord.File(BytesIO(reply.image_png), filename=IMAGE_FILENAME)


def render_link(link: Link, limit: int = LINE_LIMIT) -> str:
    """One line: escaped text, as a masked link when it has a web URL."""
    url = _safe_url(link.url)
    text_room = limit - len(url) - 4 if url else limit
    if url is None or text_room < len(ELLIPSIS) + 1:
        return fit(link.text, limit, one_line=True)
    text = fit(link.text, text_room, one_line=True) or fit(url, text_room, one_line=True)
    return f"[{text}]({url})"


def _safe_url(url: str | None) -> str | None:
    if not url or len(url) > URL_LIMIT:
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return quote(url, safe="".join(chr(c) for c in range(33, 127) if chr(c) not in _URL_UNSAFE))


def _fields(fields: tuple[Field, ...], budget: int) -> list[tuple[str, str, bool]]:
    """As many fields as fit the count and the budget; the rest counted in a last field."""
    more_size = sum(len(part) for part in _more_field(len(fields))[:2])
    rendered: list[tuple[str, str, bool]] = []
    used = 0
    for index, field in enumerate(fields):
        name = fit(field.name, FIELD_NAME_LIMIT, one_line=True) or BLANK
        value = fit(field.value, FIELD_VALUE_LIMIT) or BLANK
        others = index + 1 < len(fields)
        fits_count = len(rendered) + 1 + others <= FIELD_COUNT_LIMIT
        fits_budget = used + len(name) + len(value) + (more_size if others else 0) <= budget
        if fits_count and fits_budget:
            rendered.append((name, value, field.inline))
            used += len(name) + len(value)
            continue
        if used + more_size <= budget:
            rendered.append(_more_field(len(fields) - index))
        break
    return rendered


def _more_field(count: int) -> tuple[str, str, bool]:
    return (ELLIPSIS, f"{count} more not shown", False)


def _description(lines: tuple[Link, ...], budget: int) -> str:
    """Lines joined one per row while they fit; then "… N more"."""
    rows: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        left = len(lines) - index - 1
        marker = len(f"\n{ELLIPSIS} {left} more") if left else 0
        row = render_link(line, max(min(LINE_LIMIT, budget - used - marker - 1), 0))
        needed = len(row) + (1 if rows else 0)
        if row and used + needed + marker <= budget:
            rows.append(row)
            used += needed
            continue
        more = f"{ELLIPSIS} {len(lines) - index} more"
        if used + len(more) + 1 <= budget:
            rows.append(more)
        break
    return "\n".join(rows)
