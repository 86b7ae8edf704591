"""Alert rules: type filter, confidence, instant/digest, quiet hours, high breaks through, mute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from bot.alerts.rules import plan_deliveries
from bot.models import Alert
from bot.settings import AlertRule

NOON = datetime(2024, 5, 9, 12, 0, tzinfo=UTC)


def alert(type_: str = "proposal_rejected", level: str = "normal", kind: str = "event",
          confidence: float = 0.9, topic: str = "talks") -> Alert:
    return Alert(kind=kind, topic=topic, title="t", lines=(), level=level,  # type: ignore[arg-type]
                 score=0.5, created=NOON, event_type=type_, confidence=confidence)


def rule(**kw: object) -> AlertRule:
    return AlertRule.model_validate({"channel": "console", "topics": ["talks"], **kw})


def test_an_instant_rule_delivers_now() -> None:
    """Instant: due at once, no ping for normal significance."""
    (plan,) = plan_deliveries(alert(), [rule(ping_high="@here")], NOON, {})
    assert (plan.due, plan.digest, plan.ping, plan.skipped) == (NOON, False, None, None)


def test_talks_held_is_filtered_by_default() -> None:
    """The default types are all but talks_held."""
    assert plan_deliveries(alert("talks_held"), [rule()], NOON, {}) == []


def test_low_confidence_is_filtered() -> None:
    """Below the rule's minimum confidence: nothing."""
    assert plan_deliveries(alert(confidence=0.4), [rule(min_confidence=0.6)], NOON, {}) == []


def test_other_topics_are_filtered() -> None:
    """A rule only serves its topics."""
    assert plan_deliveries(alert(topic="iran"), [rule()], NOON, {}) == []


def test_a_digest_rule_holds_alerts_until_the_digest_time_in_its_timezone() -> None:
    """digest_at 18:00 Europe/Paris on 9 May is 16:00 UTC."""
    (plan,) = plan_deliveries(
        alert(), [rule(mode="digest", digest_at="18:00", timezone="Europe/Paris")], NOON, {})
    assert plan.digest and plan.due == datetime(2024, 5, 9, 16, 0, tzinfo=UTC)


def test_a_digest_time_already_past_today_is_tomorrow() -> None:
    """After today's digest, the next one is tomorrow's."""
    (plan,) = plan_deliveries(alert(), [rule(mode="digest", digest_at="08:00")], NOON, {})
    assert plan.due == datetime(2024, 5, 10, 8, 0, tzinfo=UTC)


def test_quiet_hours_hold_normal_alerts_until_they_end() -> None:
    """Quiet 22:00-07:00 spans midnight; an alert at 23:30 waits until 07:00."""
    late = datetime(2024, 5, 9, 23, 30, tzinfo=UTC)
    quiet = {"start": "22:00", "end": "07:00"}
    (plan,) = plan_deliveries(alert(), [rule(quiet_hours=quiet)], late, {})
    assert plan.due == datetime(2024, 5, 10, 7, 0, tzinfo=UTC)


def test_high_significance_breaks_through_quiet_hours_and_digests_and_pings() -> None:
    """High: due now despite quiet hours and digest mode, with the rule's ping."""
    late = datetime(2024, 5, 9, 23, 30, tzinfo=UTC)
    r = rule(mode="digest", quiet_hours={"start": "22:00", "end": "07:00"}, ping_high="<!here>")
    (plan,) = plan_deliveries(alert(level="high"), [r], late, {})
    assert (plan.due, plan.digest, plan.ping) == (late, False, "<!here>")


def test_a_muted_topic_records_a_skipped_delivery() -> None:
    """Muted: planned as skipped with the reason, so `why` can tell."""
    (plan,) = plan_deliveries(alert(), [rule()], NOON, {"talks": datetime(2024, 5, 10, tzinfo=UTC)})
    assert plan.skipped is not None and "muted" in plan.skipped


def test_an_expired_mute_no_longer_applies() -> None:
    """A mute that ended yesterday skips nothing."""
    (plan,) = plan_deliveries(alert(), [rule()], NOON, {"talks": datetime(2024, 5, 8, tzinfo=UTC)})
    assert plan.skipped is None


def test_one_delivery_per_channel_the_first_matching_rule_decides() -> None:
    """Two rules on one channel: one delivery, named after the first."""
    plans = plan_deliveries(alert(), [rule(), rule(mode="digest")], NOON, {})
    assert len(plans) == 1 and plans[0].rule.startswith("alerts.rules[0]")


def test_status_changes_pass_the_type_filter() -> None:
    """A status change is an alert of its own, whatever the types listed."""
    plans = plan_deliveries(alert("talks_held", kind="status"), [rule()], NOON, {})
    assert len(plans) == 1



def test_an_unknown_time_zone_is_a_config_error() -> None:
    """A misspelt timezone fails at load, not at the first alert."""
    with pytest.raises(ValidationError, match="unknown time zone"):
        rule(timezone="Europe/Pariss")
