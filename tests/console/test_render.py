"""The console renders Replies and alerts as plain text."""

from __future__ import annotations

from adapters.console.render import render, render_alert
from bot.models import Field, Link, Reply
from bot.ports import OutgoingAlert

REPLY = Reply(title="Gaza talks: stalled", fields=(Field("Venue", "Cairo"),),
              lines=(Link("Israel rejected it", "https://news.example/a"), Link("no link")),
              footer="alert 3")


def test_a_reply_prints_title_fields_lines_with_links_and_footer() -> None:
    """Every part of the message model shows, links in angle brackets."""
    assert render(REPLY).splitlines() == [
        "Gaza talks: stalled",
        "  Venue: Cairo",
        "  - Israel rejected it <https://news.example/a>",
        "  - no link",
        "  (alert 3)",
    ]


def test_a_high_alert_shows_its_ping_and_significance() -> None:
    """High alerts lead with the ping."""
    text = render_alert(OutgoingAlert(alert_id=3, channel="console", reply=REPLY,
                                      significance="high", ping="@analysts"))
    assert text.startswith("@analysts [alert 3, high] Gaza talks: stalled")


def test_an_update_names_the_message_it_updates() -> None:
    """Updates are marked as replies, not new alerts."""
    text = render_alert(OutgoingAlert(alert_id=4, channel="console", reply=REPLY,
                                      reply_to="console:3"))
    assert text.startswith("[update to console:3]")
