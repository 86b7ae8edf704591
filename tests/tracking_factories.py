"""Hand-built reports and events for the tracker, alerts and command tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.models import Article, Development, EventSource
from bot.ports import DeliveryError, OutgoingAlert
from bot.settings import Settings
from bot.store import NewArticle, SqlStore
from bot.track.cluster import Report
from bot.track.store import ExtractionResult, record_extraction
from tests.conftest import store  # noqa: F401 - the shared fixture, for modules importing it here

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "seeds" / "gold.jsonl"
SEED_OUTLETS = {
    "000_1b836eb240e6e852": "The Times of Israel",
    "003_254ffbc15607c006": "Al-Monitor",
}


def report(
    type_: str,
    *actors: str,
    day: date = date(2024, 5, 9),
    venue: str | None = None,
    terms: dict[str, int] | None = None,
    outlet: str = "Outlet A",
    article: str | None = None,
    evidence: str = "",
    confidence: float = 0.9,
    background: bool = False,
    reported: datetime | None = None,
    when: date | None = None,
    topic: str = "talks",
) -> Report:
    """One development as one article reported it, with sensible defaults."""
    article_id = article or f"{outlet}-{type_}-{day}"
    return Report(
        topic=topic,
        development=Development(
            type=type_, actors=actors, venue=venue, terms=terms or {}, when=when or day,
            evidence=evidence, confidence=confidence, background=background, source=article_id,
        ),
        source=EventSource(
            article_id=article_id,
            url=f"https://news.example/{article_id}",
            outlet=outlet,
            reported=reported or datetime.combine(day, time(12), tzinfo=UTC),
            evidence=evidence,
            key=article_id,
        ),
    )


def gold_reports() -> list[Report]:
    """The seed corpus's gold developments as reports, oldest article first."""
    reports = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        published = date.fromisoformat(article["published"])
        for dev in article["developments"]:
            reports.append(report(
                dev["type"], *dev.get("actors", ()), day=published, venue=dev.get("venue"),
                terms=dev.get("terms"), outlet=SEED_OUTLETS[article["id"]], article=article["id"],
                evidence=dev.get("note", ""), background=dev["background"],
                topic=article["topic"],
            ))
    return reports


def settings(feeds: tuple[dict[str, object], ...] = (), **alerts: object) -> Settings:
    """The talks topic of the default config, with the given feeds and `alerts` section."""
    return Settings.model_validate({
        "feeds": list(feeds),
        "topics": {"talks": {
            "name": "Gaza talks",
            "parties": {"Israel": [], "Hamas": []},
            "mediators": {"Egypt": [], "Qatar": [], "United States": []},
            "venues": ["Cairo", "Doha"],
        }},
        "alerts": alerts or {"rules": [{"channel": "console", "topics": ["talks"]}]},
    })


def article(
    article_id: str, day: date = date(2024, 5, 9), outlet: str = "Outlet A",
    content_hash: str | None = None, topic: str = "talks",
) -> Article:
    """A stored article of a topic."""
    return Article(
        id=article_id, url=f"https://news.example/{article_id}", title=f"Story {article_id}",
        published=datetime.combine(day, time(9), tzinfo=UTC), source=outlet,
        text="...", topics=(topic,), content_hash=content_hash or f"hash-{article_id}",
    )


def development(type_: str, *actors: str, **kw: object) -> Development:
    """A development with a confident default."""
    return Development(type=type_, actors=actors, **{"confidence": 0.9, **kw})  # type: ignore[arg-type]


class Clock:
    """An injected clock the tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class RecordingSink:
    """A fake AlertSink recording what it was asked to post; can fail on demand."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.posted: list[OutgoingAlert] = []
        self.fail_with: DeliveryError | None = None

    async def deliver(self, alert: OutgoingAlert) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        self.posted.append(alert)
        return f"ref-{len(self.posted)}"


async def record(
    db: SqlStore, item: Article, devs: list[Development], conf: Settings, now: datetime,
    silent: bool = False,
) -> ExtractionResult:
    """Ingest an article and record its extracted developments, as the bot does."""
    await db.add_articles([NewArticle(item, silent=silent)])
    return await db.write(
        lambda conn: record_extraction(conn, item, {item.topics[0]: devs}, conf, now))
