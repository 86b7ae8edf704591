"""Rendering a Reply as a Discord embed: content, escaping and limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.discord.embeds import (
    BLANK,
    DESCRIPTION_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_VALUE_LIMIT,
    IMAGE_FILENAME,
    TITLE_LIMIT,
    TOTAL_LIMIT,
    escape,
    render_embed,
    render_file,
    render_link,
    truncate,
)
from bot.models import Field, Link, Reply

ARTICLE = ("Delegations from Israel and Hamas arrived in Cairo on Monday. " * 400)[:20_000]
WHEN = datetime(2024, 5, 8, 12, 0, tzinfo=UTC)


def test_a_reply_becomes_title_fields_description_footer_and_time() -> None:
    """Title, fields, lines (as links) and footer land where a reader expects them."""
    reply = Reply(title="talks: stalled", fields=(Field("Status", "stalled", inline=False),),
                  lines=(Link("Reuters", "https://example.org/r"), Link("no link")),
                  footer="2 sources")
    embed = render_embed(reply, timestamp=WHEN).to_dict()
    assert embed["title"] == "talks: stalled"
    assert embed["fields"] == [{"name": "Status", "value": "stalled", "inline": False}]
    assert embed["description"] == "[Reuters](https://example.org/r)\nno link"
    assert embed["footer"] == {"text": "2 sources"}
    assert embed["timestamp"] == WHEN.isoformat()


def test_a_20000_character_article_stays_within_every_limit() -> None:
    """Title, 30 fields, 50 lines and footer all 20,000 characters long: cut, never invalid."""
    reply = Reply(title=ARTICLE, fields=(Field(ARTICLE, ARTICLE),) * 30,
                  lines=(Link(ARTICLE, "https://example.org/a"),) * 50, footer=ARTICLE)
    embed = render_embed(reply)
    data = embed.to_dict()
    assert len(embed) <= TOTAL_LIMIT
    assert len(data["title"]) <= TITLE_LIMIT and data["title"].endswith("…")
    assert len(data["description"]) <= DESCRIPTION_LIMIT
    assert len(data["fields"]) <= FIELD_COUNT_LIMIT
    assert all(len(f["value"]) <= FIELD_VALUE_LIMIT and f["name"] for f in data["fields"])


def test_lines_that_do_not_fit_are_counted() -> None:
    """Past the description's room, the remaining lines are summed up as "… N more"."""
    lines = tuple(Link(f"event {i} " + "x" * 200) for i in range(100))
    description = render_embed(Reply(title="t", lines=lines)).description or ""
    shown = description.count("event ")
    assert description.endswith(f"… {100 - shown} more")
    assert len(description) <= DESCRIPTION_LIMIT


def test_fields_beyond_25_are_counted_in_a_last_field() -> None:
    """40 fields show 24 and a 25th saying how many more were left out."""
    fields = tuple(Field(f"f{i}", "v") for i in range(40))
    rendered = render_embed(Reply(title="t", fields=fields)).fields
    assert len(rendered) == FIELD_COUNT_LIMIT
    assert rendered[-1].value == "16 more not shown"


def test_article_text_cannot_fake_links_or_formatting() -> None:
    """Markdown, masked links and mention syntax from an article are shown literally."""
    text = "[click](https://evil.example) **now** <@&1> # head"
    line = render_link(Link(text))
    assert "\\[click\\]" in line and "\\*\\*now\\*\\*" in line and "\\<@&1\\>" in line
    assert "\\#" in line


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", None])
def test_only_web_urls_become_links(url: str | None) -> None:
    """A line is linked only when its URL is http(s)."""
    assert render_link(Link("Reuters", url)) == "Reuters"


def test_parentheses_in_a_url_do_not_break_the_link() -> None:
    """Characters that would end a markdown link early are percent-encoded."""
    line = render_link(Link("Source", "https://example.org/a_(b)?q=x y"))
    assert line == "[Source](https://example.org/a_%28b%29?q=x%20y)"


def test_empty_field_values_are_made_valid() -> None:
    """Discord rejects empty field names and values; they become a zero-width space."""
    field = render_embed(Reply(title="t", fields=(Field("", " "),))).fields[0]
    assert (field.name, field.value) == (BLANK, BLANK)


def test_truncation_never_leaves_half_an_escape() -> None:
    """Cutting escaped text never ends on a lone backslash."""
    cut = truncate(escape("a" * 9 + "*" * 20), 11)
    assert cut == "aaaaaaaaa…"


def test_a_chart_is_attached_and_shown_in_the_embed() -> None:
    """A reply with a PNG gets a file and an embed image pointing at it."""
    reply = Reply(title="Timeline", image_png=b"\x89PNG")
    file = render_file(reply)
    assert file is not None and file.filename == IMAGE_FILENAME
    assert render_embed(reply).image.url == f"attachment://{IMAGE_FILENAME}"
    assert render_file(Reply(title="x")) is None


def test_colour_follows_the_kind_of_reply() -> None:
    """Errors look different from answers."""
    assert render_embed(Reply(title="x", kind="error")).colour != render_embed(
        Reply(title="x")
    ).colour
