"""Which channels get an alert, and when: the YAML alert rules applied to one alert (pure).

Per channel the first matching rule decides (one delivery per alert and channel):
- the alert's topic is among the rule's topics;
- event alerts: the development type is among the rule's `types` and the confidence reaches
  `min_confidence`; status changes and "now tracking" summaries pass every type filter;
- `instant` alerts are due now, `digest` ones at the next `digest_at` in the rule's timezone;
- inside `quiet_hours` a due time moves to the end of the quiet period;
- high significance breaks through both digests and quiet hours, and pings `ping_high`;
- a muted topic gets its deliveries recorded as skipped, so `why` can tell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.models import Alert
from bot.settings import AlertRule, QuietHours

TYPE_FILTERED_KINDS = ("event", "update")


@dataclass(frozen=True)
class DeliveryPlan:
    """One (alert, channel) delivery to write to the outbox."""

    channel: str
    rule: str
    due: datetime
    digest: bool = False
    ping: str | None = None
    skipped: str | None = None


def describe_rule(index: int, rule: AlertRule) -> str:
    """How `why` names a rule, e.g. 'alerts.rules[0]: console, talks, instant, min 0.5'."""
    mode = f"digest at {rule.digest_at:%H:%M} {rule.timezone}" if rule.mode == "digest" else (
        "instant")
    quiet = (f", quiet {rule.quiet_hours.start:%H:%M}-{rule.quiet_hours.end:%H:%M}"
             if rule.quiet_hours else "")
    return (f"alerts.rules[{index}]: {rule.channel}, topics {', '.join(rule.topics)}, {mode}, "
            f"min confidence {rule.min_confidence}{quiet}")


def rule_matches(rule: AlertRule, alert: Alert) -> bool:
    """Whether the rule wants this alert at all (topic, type, confidence)."""
    if alert.topic not in rule.topics:
        return False
    if alert.kind in TYPE_FILTERED_KINDS and alert.event_type not in rule.types:
        return False
    return alert.kind == "tracking" or alert.confidence >= rule.min_confidence


def in_quiet_hours(quiet: QuietHours, local: time) -> bool:
    """Whether a local wall-clock time falls in the quiet period (which may span midnight)."""
    if quiet.start <= quiet.end:
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end


def _next_local(at: time, after: datetime, zone: ZoneInfo) -> datetime:
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate.astimezone(after.tzinfo)


def due_time(rule: AlertRule, alert: Alert, now: datetime) -> tuple[datetime, bool]:
    """When the alert is due on this rule's channel, and whether it goes into a digest."""
    if alert.level == "high" or alert.kind == "tracking":
        return now, False
    zone = ZoneInfo(rule.timezone)
    digest = rule.mode == "digest"
    due = _next_local(rule.digest_at, now, zone) if digest else now
    quiet = rule.quiet_hours
    if quiet is not None and in_quiet_hours(quiet, due.astimezone(zone).time()):
        due = _next_local(quiet.end, due, zone)
    return due, digest


def plan_deliveries(
    alert: Alert,
    rules: Sequence[AlertRule],
    now: datetime,
    muted_until: Mapping[str, datetime],
) -> list[DeliveryPlan]:
    """The deliveries of a new event, status or tracking alert, one per channel."""
    plans: dict[str, DeliveryPlan] = {}
    for index, rule in enumerate(rules):
        if rule.channel in plans or not rule_matches(rule, alert):
            continue
        until = muted_until.get(alert.topic or "")
        name = describe_rule(index, rule)
        if until is not None and until > now and alert.kind != "tracking":
            plans[rule.channel] = DeliveryPlan(
                rule.channel, name, now, skipped=f"topic muted until {until:%Y-%m-%d %H:%M} UTC")
            continue
        due, digest = due_time(rule, alert, now)
        ping = rule.ping_high if alert.level == "high" else None
        plans[rule.channel] = DeliveryPlan(rule.channel, name, due, digest, ping)
    return list(plans.values())


def plan_admin(admin_channel: str, now: datetime) -> list[DeliveryPlan]:
    """Feed-health reports go to the admin channel, at once, whatever the rules say."""
    return [DeliveryPlan(admin_channel, "alerts.admin_channel", now)]
