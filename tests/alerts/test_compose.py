"""The texts of alerts, built from events and topic state (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.alerts.compose import tracking_alert
from bot.track.cluster import cluster
from bot.track.status import topic_state
from tests.tracking_factories import gold_reports

NOW = datetime(2024, 5, 10, tzinfo=UTC)


def test_now_tracking_summary_of_the_seeds_says_who_accepted_and_who_rejected() -> None:
    """The 'now tracking' summary gives status, terms on the table and each party's position."""
    state = topic_state("talks", None, cluster(gold_reports()))
    alert = tracking_alert(state, "Gaza talks", NOW)
    lines = [line.text for line in alert.lines]
    assert alert.title == "Now tracking Gaza talks"
    assert lines[0] == "Status: stalled since 13 Feb 2024"
    assert ("Hamas accepted a six-week ceasefire proposal with 33 hostages and 30 prisoners "
            "per hostage (9 May 2024)") in lines
    assert "Israel rejected it (9 May 2024)" in lines
