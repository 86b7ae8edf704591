"""Reply -> Block Kit rendering: layout, escaping and Slack's limits (pure)."""

from __future__ import annotations

import json

from adapters.slack.blocks import (
    BLOCKS_TEXT_BUDGET,
    MAX_BLOCKS,
    escape,
    link,
    render,
    unescape,
)
from bot.models import Field, Link, Reply
from tests.servers.slack_api import block_texts, message_problem


def test_reply_becomes_header_fields_lines_and_context() -> None:
    """Title -> header, inline fields side by side, lines as a section, footer as context."""
    message = render(Reply(
        title="Talks: active",
        fields=(Field("Status", "active"), Field("Venue", "Cairo")),
        lines=(Link("Hamas accepts proposal", "https://example.com/a"), Link("No link here")),
        footer="Sources: BBC",
    ))
    assert [b["type"] for b in message.blocks] == ["header", "section", "section", "context"]
    assert [f["text"] for f in message.blocks[1]["fields"]] == ["*Status*\nactive",
                                                               "*Venue*\nCairo"]
    assert message.blocks[2]["text"]["text"] == (
        "<https://example.com/a|Hamas accepts proposal>\nNo link here")
    assert message.blocks[3]["elements"][0]["text"] == "Sources: BBC"
    assert message.text.startswith("Talks: active\nStatus: active")


def test_answers_go_to_the_channel_and_errors_to_the_user_only() -> None:
    """Answers are in_channel; errors, refusals and ephemeral replies are ephemeral."""
    assert render(Reply(title="ok")).response_type == "in_channel"
    assert render(Reply(title="no", kind="refusal")).response_type == "ephemeral"
    assert render(Reply(title="bad", kind="error")).response_type == "ephemeral"
    assert render(Reply(title="help", ephemeral=True)).response_type == "ephemeral"


def test_markup_in_text_is_escaped_everywhere() -> None:
    """&, <, > from articles or users are escaped in header, fields, lines, footer and text."""
    hostile = "<!channel> <https://evil|click> & <@U123>"
    message = render(Reply(title=hostile, fields=(Field(hostile, hostile),),
                           lines=(Link(hostile, "https://example.com"), Link(hostile)),
                           footer=hostile))
    payload = json.dumps({"text": message.text, "blocks": message.blocks})
    assert "<!channel>" not in payload and "<https://evil" not in payload
    assert "<@U123>" not in payload
    assert escape(hostile) in message.blocks[0]["text"]["text"]


def test_link_targets_cannot_break_out_of_the_link_syntax() -> None:
    """`|` and `>` in a URL are percent-encoded; non-web schemes lose their link."""
    assert link("https://x.org/a|b>c&d", "label", 3000) == "<https://x.org/a%7Cb%3Ec&amp;d|label>"
    assert link("javascript:alert(1)", "label", 3000) == "label"
    assert link("https://x.org/", "<b>", 3000) == "<https://x.org/|&lt;b&gt;>"


def test_text_from_slack_commands_is_unescaped() -> None:
    """Slack escapes &, <, > in command text; unescape restores what the user typed."""
    assert unescape("a &lt;b&gt; &amp;amp;") == "a <b> &amp;"


def test_long_texts_are_cut_with_an_ellipsis_and_keep_their_link() -> None:
    """Over-long header and lines are truncated, never refused; a cut line still links."""
    message = render(Reply(title="x" * 400, lines=(Link("y" * 5000, "https://example.com/y"),)))
    header = message.blocks[0]["text"]["text"]
    section = message.blocks[1]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")
    assert len(section) <= 3000
    assert section.startswith("<https://example.com/y|y") and section.endswith("…>")


def test_truncation_never_splits_an_escape() -> None:
    """Cutting text full of & leaves whole &amp; entities."""
    header = render(Reply(title="&" * 400)).blocks[0]["text"]["text"]
    assert header.removesuffix("…") == "&amp;" * 29


def test_many_lines_stay_within_fifty_blocks_and_the_size_budget() -> None:
    """Hundreds of long lines are cut at 50 blocks / the size budget, saying how many are left."""
    lines = tuple(Link(f"line {i} " + "z" * 2900, f"https://example.com/{i}") for i in range(300))
    message = render(Reply(title="Timeline", fields=tuple(Field(f"f{i}", "v") for i in range(25)),
                           lines=lines, footer="end"))
    assert len(message.blocks) <= MAX_BLOCKS
    assert message_problem({"text": message.text, "blocks": list(message.blocks)}) is None
    assert sum(len(text) for text in block_texts(message.blocks)) <= BLOCKS_TEXT_BUDGET
    assert "more item(s) not shown" in message.blocks[-2]["elements"][0]["text"]
    assert message.blocks[-1]["elements"][0]["text"] == "end"
    assert len(message.text) <= 3000


def test_eleven_inline_fields_take_two_sections() -> None:
    """A section holds at most 10 fields; more go into the next section."""
    message = render(Reply(title="t", fields=tuple(Field(f"n{i}", "v") for i in range(11))))
    assert [len(b.get("fields", [])) for b in message.blocks[1:]] == [10, 1]


def test_only_a_real_mention_is_kept_as_a_ping() -> None:
    """ping_high like <!subteam^ID> or <!here> pings; anything else is shown as text."""
    assert render(Reply(title="t"), ping="<!here>").blocks[1]["text"]["text"] == "<!here>"
    odd = render(Reply(title="t"), ping="<https://evil|x>").blocks[1]["text"]["text"]
    assert odd == "&lt;https://evil|x&gt;"
