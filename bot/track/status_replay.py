"""Status replayed article by article against labels (`parley eval --replay`).

Each topic's labelled articles go in date order through the tracker's own step (clustering,
then status: bot/track/tracker.py), fed with what the extractor found; after each article the
topic's status is compared with the article's `status_after`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.extract.evaluate import GoldArticle
from bot.models import Development, Event, EventSource
from bot.track.cluster import Report
from bot.track.status import derive_status
from bot.track.tracker import apply_report, replace_event


@dataclass
class Replay:
    """Status replayed article by article, against each article's `status_after`."""

    steps: int = 0
    right: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.steps if self.steps else 1.0


def replay(gold: Sequence[GoldArticle], predicted: Sequence[Sequence[Development]]) -> Replay:
    """Feed each topic's articles in date order through the tracker's own step (clustering,
    then status: bot/track/tracker.py) and compare the status after each with its label."""
    result = Replay()
    by_topic: dict[str | None, list[int]] = {}
    for i, entry in enumerate(gold):
        if entry.status_after is not None:
            by_topic.setdefault(entry.topic, []).append(i)
    for topic, indices in by_topic.items():
        events: list[Event] = []
        for i in sorted(indices, key=lambda i: (gold[i].article.published, gold[i].article.id)):
            article = gold[i].article
            source = EventSource(article_id=article.id, url=article.url, outlet=article.id,
                                 reported=article.published, key=article.id)
            for development in predicted[i]:
                if not development.background:
                    report = Report(topic or "", development,
                                    replace(source, evidence=development.evidence))
                    replace_event(events, apply_report(events, report))
            status, _ = derive_status(events)
            result.steps += 1
            if status == gold[i].status_after:
                result.right += 1
            else:
                result.errors.append(f"{article.id}: status {status} != gold "
                                     f"{gold[i].status_after}")
    return result

