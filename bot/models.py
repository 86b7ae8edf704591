"""Typed values that flow through Parley: feed -> Article -> Development -> ... -> Reply.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from bot.developments import TYPE_NAMES

DEVELOPMENT_TYPES: tuple[str, ...] = TYPE_NAMES

TERM_KEYS: tuple[str, ...] = (
    "ceasefire_days",
    "hostages",
    "prisoners",
    "prisoners_per_hostage",
    "phases",
)


@dataclass(frozen=True)
class Article:
    """One news article, as stored. `id` is stable across polls and feeds."""

    id: str
    url: str
    title: str
    published: datetime
    source: str
    summary: str = ""
    text: str = ""
    topics: tuple[str, ...] = ()
    guid: str | None = None
    fetched: datetime | None = None
    content_hash: str = ""

    @property
    def body(self) -> str:
        """The best text we have: full text, else the summary."""
        return self.text or self.summary


@dataclass(frozen=True)
class Development:
    """One development an article reports (see ONTOLOGY.md)."""

    type: str
    actors: tuple[str, ...] = ()
    venue: str | None = None
    terms: dict[str, int] = field(default_factory=dict)
    when: date | None = None
    evidence: str = ""
    confidence: float = 0.0
    background: bool = False
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the `parley extract` contract."""
        data = asdict(self)
        data["actors"] = list(self.actors)
        data["when"] = self.when.isoformat() if self.when else None
        data.pop("source")
        return data


TopicStatus = Literal["deal_reached", "collapsed", "stalled", "active", "unknown"]
SignificanceLevel = Literal["low", "normal", "high"]


@dataclass(frozen=True)
class EventSource:
    """One article reporting an event. `key` identifies the text, so a reprint is one source."""

    article_id: str
    url: str
    outlet: str
    reported: datetime
    evidence: str = ""
    key: str = ""


@dataclass(frozen=True)
class Event:
    """One real-world development, however many outlets report it (see bot/track/cluster.py)."""

    topic: str
    type: str
    actors: tuple[str, ...]
    venue: str | None
    terms: dict[str, int]
    when: date
    first_reported: datetime
    confidence: float
    sources: tuple[EventSource, ...]
    id: int | None = None

    @property
    def outlets(self) -> tuple[str, ...]:
        """Distinct outlets, in the order they reported."""
        return tuple(dict.fromkeys(s.outlet for s in self.sources))


@dataclass(frozen=True)
class Position:
    """Where a party stands on the terms on the table."""

    actor: str
    stance: Literal["presented", "accepted", "rejected"]
    when: date
    event_id: int | None = None
    terms: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TopicState:
    """A topic's status and summary, derived from its events (bot/track/status.py)."""

    topic: str
    status: TopicStatus
    since: date | None = None
    parties: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    venue: str | None = None
    terms: dict[str, int] = field(default_factory=dict)
    positions: tuple[Position, ...] = ()
    recent: tuple[Event, ...] = ()
    outlets: tuple[str, ...] = ()


AlertKind = Literal["event", "update", "status", "tracking", "feed_health"]


@dataclass(frozen=True)
class Alert:
    """Something to tell channels about, as the outbox stores it.

    `update` alerts add a source or development to the event of their `parent_id`: adapters
    post them as thread replies of the parent, never as a new alert.
    """

    kind: AlertKind
    topic: str | None
    title: str
    lines: tuple[Link, ...]
    level: SignificanceLevel
    score: float
    created: datetime
    event_id: int | None = None
    event_type: str | None = None
    confidence: float = 1.0
    parent_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Link:
    """A line of a reply, optionally linking somewhere."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Field:
    """A named value shown side by side with others (Block Kit field, embed field)."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class Reply:
    """A platform-neutral message: console prints it, adapters render Block Kit / embeds.

    Text in a Reply is plain: adapters escape it for their platform.
    """

    title: str
    fields: tuple[Field, ...] = ()
    lines: tuple[Link, ...] = ()
    footer: str = ""
    image_png: bytes | None = None
    ephemeral: bool = False
    kind: Literal["answer", "error", "refusal"] = "answer"
