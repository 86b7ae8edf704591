"""The answers of the commands as platform-neutral Replies (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Event, Field, Link, Position, Reply, TopicState
from bot.track.describe import (
    describe_event,
    describe_position,
    describe_terms,
    format_day,
    join_names,
)
from bot.track.queries import AlertRecord

MAX_OUTLETS = 8


def event_line(event: Event) -> Link:
    """'9 May 2024 · Hamas accepted ... — Outlet A, Outlet B', linked to the first source."""
    url = next((s.url for s in event.sources if s.url), None)
    outlets = ", ".join(event.outlets)
    return Link(f"{format_day(event.when)} · {describe_event(event)} — {outlets}", url)


def position_line(position: Position) -> Link:
    """'Hamas accepted a six-week ceasefire proposal with ... (9 May 2024)'."""
    return Link(describe_position(position))


def status_reply(state: TopicState, name: str) -> Reply:
    """`status <topic>`: status and since, parties, venue, terms and positions, latest events."""
    since = f" since {format_day(state.since)}" if state.since else ""
    fields = [Field("Status", f"{state.status}{since}")]
    if state.parties:
        fields.append(Field("Parties", join_names(state.parties)))
    if state.mediators:
        fields.append(Field("Mediators", join_names(state.mediators)))
    if state.venue:
        fields.append(Field("Venue", state.venue))
    if state.terms:
        fields.append(Field("On the table", describe_terms(state.terms), inline=False))
    if state.outlets:
        more = len(state.outlets) - MAX_OUTLETS
        shown = "; ".join(state.outlets[:MAX_OUTLETS]) + (f" and {more} more" if more > 0 else "")
        fields.append(Field("Sources", shown, inline=False))
    lines = [position_line(p) for p in state.positions]
    lines += [event_line(e) for e in state.recent]
    if not state.recent:
        footer = "Nothing stored yet for this topic."
    else:
        footer = f"Latest {len(state.recent)} events, newest first · /timeline {state.topic}"
    return Reply(title=f"{name}: {state.status}{since}", fields=tuple(fields),
                 lines=tuple(lines), footer=footer)


def timeline_reply(events: Sequence[Event], name: str, topic: str, png: bytes | None) -> Reply:
    """`timeline <topic> [n]`: the last n events, newest first."""
    lines = tuple(event_line(e) for e in reversed(events))
    footer = f"{len(events)} event(s)" if events else f"No events yet for {topic}."
    return Reply(title=f"{name}: timeline", lines=lines, footer=footer, image_png=png)


def why_reply(record: AlertRecord) -> Reply:
    """`why <alert-id>`: the evidence, the rule that matched, the sources."""
    alert = record.alert
    fields = [Field("Kind", alert.kind), Field("Significance", f"{alert.level} ({alert.score})")]
    if alert.event_type:
        fields.append(Field("Type", alert.event_type))
        fields.append(Field("Confidence", f"{alert.confidence:.2f}"))
    for d in record.deliveries:
        note = f" ({d.note})" if d.note else ""
        fields.append(Field(f"Sent to {d.channel}", f"{d.rule}; {d.state}{note}", inline=False))
    lines: list[Link] = []
    if record.event is not None:
        event = record.event
        lines += [Link(f"“{s.evidence}” — {s.outlet}", s.url or None)
                  for s in event.sources if s.evidence]
        lines += [Link(f"Source: {s.outlet}, {format_day(s.reported.date())}", s.url or None)
                  for s in event.sources]
    else:
        lines += list(alert.lines)
    return Reply(title=f"Why alert {alert.id}: {alert.title}", fields=tuple(fields),
                 lines=tuple(lines))


def error_reply(message: str, *lines: str) -> Reply:
    """A clear answer to bad input, shown only to the user who typed it."""
    return Reply(title=message, lines=tuple(Link(line) for line in lines), ephemeral=True,
                 kind="error")
