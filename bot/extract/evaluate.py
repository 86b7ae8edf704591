"""Score the extractor against hand-labelled articles (`parley eval GOLD`).

GOLD is a JSON Lines file, or a folder of them with one topic config (`<topic>.yaml`) per
negotiation beside them (tests/data/reporting/). A gold line: `{"id", "text"?, "title"?,
"published"?, "topic"?, "split"?, "status_after"?, "developments": [{"type", "actors",
"background", ...}]}`; without `text`, `id` names an article of the seed corpus.

Matching rule, per article, over developments with `background: false` on both sides
(a current development the extractor marks as background counts as missed, and vice versa):
- type level: a predicted and a gold development match when their types are equal; within a
  type, pairs are made one-to-one, greedily by the overlap (Jaccard) of their actor sets.
  Matched pairs are true positives, unmatched predictions false positives, unmatched gold
  developments false negatives.
- actor level: over the same pairs, each actor (canonical name, compared case-insensitively)
  in both is a true positive, in the prediction only a false positive, in the gold only a
  false negative; all actors of unmatched predictions / gold developments count as false
  positives / negatives.
- false alarms: among articles whose gold has no current development, the share for which
  the extractor returns at least one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.errors import ParleyError
from bot.models import Article, Development
from bot.settings import TopicSettings

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class GoldArticle:
    article: Article
    topic: str | None
    developments: tuple[dict[str, Any], ...]
    split: str | None = None
    status_after: str | None = None
    distractor: bool = False


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    types: Counts = field(default_factory=Counts)
    actors: Counts = field(default_factory=Counts)
    per_type: dict[str, Counts] = field(default_factory=dict)
    quiet_articles: int = 0
    false_alarms: int = 0
    distractors: int = 0
    distractor_alarms: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.quiet_articles if self.quiet_articles else 0.0

    @property
    def distractor_alarm_rate(self) -> float:
        return self.distractor_alarms / self.distractors if self.distractors else 0.0


def load_gold(path: Path, seeds_dir: Path) -> list[GoldArticle]:
    """Parse a gold file; raises ParleyError naming the line of a malformed entry."""
    seeds: dict[str, Article] | None = None
    gold = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ParleyError(f"{path}: cannot read gold file: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict) or not isinstance(entry.get("developments"), list):
                raise ValueError("expected an object with a `developments` list")
            if "text" in entry:
                article = Article(
                    id=str(entry.get("id", f"line-{number}")), url="",
                    title=str(entry.get("title", "")),
                    published=_published(entry.get("published")), source="gold",
                    text=str(entry["text"]))
            else:
                seeds = seeds if seeds is not None else load_seed_articles(seeds_dir)
                if entry.get("id") not in seeds:
                    raise ValueError(f"no `text`, and id {entry.get('id')!r} is not a seed "
                                     f"article of {seeds_dir}")
                article = seeds[entry["id"]]
            gold.append(GoldArticle(
                article, entry.get("topic"), tuple(entry["developments"]), entry.get("split"),
                entry.get("status_after"), bool(entry.get("distractor", False))))
        except ValueError as exc:
            raise ParleyError(f"{path}: line {number}: {exc}") from exc
    return gold


def load_gold_folder(folder: Path, seeds_dir: Path) -> tuple[list[GoldArticle],
                                                             dict[str, TopicSettings]]:
    """Every `*.jsonl` of a folder, and the topics of its `*.yaml` configs."""
    gold: list[GoldArticle] = []
    topics: dict[str, TopicSettings] = {}
    for config in sorted(folder.glob("*.yaml")):
        try:
            raw = yaml.safe_load(config.read_text(encoding="utf-8"))["topics"]
            topics.update({str(k): TopicSettings.model_validate(v) for k, v in raw.items()})
        except (OSError, KeyError, TypeError, yaml.YAMLError, ValidationError) as exc:
            raise ParleyError(f"{config}: cannot read the topic config: {exc}") from exc
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise ParleyError(f"{folder}: no *.jsonl gold files")
    for file in files:
        gold.extend(load_gold(file, seeds_dir))
    return gold, topics


def load_seed_articles(seeds_dir: Path) -> dict[str, Article]:
    """The seed corpus as Articles, keyed by id (from seeds.yaml and its text files)."""
    index = seeds_dir / "seeds.yaml"
    try:
        entries = yaml.safe_load(index.read_text(encoding="utf-8"))["articles"]
        return {
            str(e["id"]): Article(
                id=str(e["id"]), url=str(e.get("url", "")), title=str(e.get("title", "")),
                published=_published(e.get("published")), source=str(e.get("source", "")),
                text=(seeds_dir / e["file"]).read_text(encoding="utf-8"))
            for e in entries
        }
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ParleyError(f"{index}: cannot read the seed corpus: {exc}") from exc


def _published(value: object) -> datetime:
    if isinstance(value, date):
        day = value
    elif value is None:
        day = datetime.now(UTC).date()
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValueError(f"published: expected YYYY-MM-DD, got {value!r}") from exc
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def score(gold: Sequence[GoldArticle], predicted: Sequence[Sequence[Development]]) -> Score:
    """Compare predictions with gold, article by article (see the module docstring)."""
    result = Score()
    for entry, found in zip(gold, predicted, strict=True):
        expected = [d for d in entry.developments if not d.get("background", False)]
        current = [d for d in found if not d.background]
        if not expected:
            result.quiet_articles += 1
            if current:
                result.false_alarms += 1
                result.errors.append(f"{entry.article.id}: false alarm: "
                                     f"{', '.join(d.type for d in current)}")
        if entry.distractor:
            result.distractors += 1
            result.distractor_alarms += bool(current)
        _score_article(entry.article.id, expected, current, result)
    return result


def _score_article(article_id: str, expected: list[dict[str, Any]], found: list[Development],
                   result: Score) -> None:
    for dev_type in sorted({d["type"] for d in expected} | {d.type for d in found}):
        gold_sets = [_names(d.get("actors", ())) for d in expected if d["type"] == dev_type]
        pred_sets = [_names(d.actors) for d in found if d.type == dev_type]
        pairs = _pair(gold_sets, pred_sets)
        counts = result.per_type.setdefault(dev_type, Counts())
        matched_gold = {g for g, _ in pairs}
        matched_pred = {p for _, p in pairs}
        counts.add(tp=len(pairs), fp=len(pred_sets) - len(pairs), fn=len(gold_sets) - len(pairs))
        result.types.add(tp=len(pairs), fp=len(pred_sets) - len(pairs),
                         fn=len(gold_sets) - len(pairs))
        for g, p in pairs:
            gold_names, pred_names = gold_sets[g], pred_sets[p]
            result.actors.add(tp=len(gold_names & pred_names), fp=len(pred_names - gold_names),
                              fn=len(gold_names - pred_names))
            if gold_names != pred_names:
                result.errors.append(f"{article_id}: {dev_type}: actors {sorted(pred_names)} "
                                     f"!= gold {sorted(gold_names)}")
        for p, names in enumerate(pred_sets):
            if p not in matched_pred:
                result.actors.add(fp=len(names))
                result.errors.append(f"{article_id}: extra {dev_type} {sorted(names)}")
        for g, names in enumerate(gold_sets):
            if g not in matched_gold:
                result.actors.add(fn=len(names))
                result.errors.append(f"{article_id}: missed {dev_type} {sorted(names)}")


def _names(actors: Iterable[str]) -> frozenset[str]:
    return frozenset(a.casefold() for a in actors)


def _pair(gold: list[frozenset[str]], pred: list[frozenset[str]]) -> list[tuple[int, int]]:
    candidates = sorted(
        ((_jaccard(g_set, p_set), g, p) for g, g_set in enumerate(gold)
         for p, p_set in enumerate(pred)),
        key=lambda item: (-item[0], item[1], item[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, g, p in candidates:
        if g not in used_gold and p not in used_pred:
            pairs.append((g, p))
            used_gold.add(g)
            used_pred.add(p)
    return pairs


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def report(result: Score, articles: int) -> str:
    """The figures as a readable table."""
    lines = [f"articles: {articles}",
             f"{'':22}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    rows: list[tuple[str, Counts]] = [("type", result.types), ("actors", result.actors)]
    rows += [(f"  {name}", counts) for name, counts in sorted(result.per_type.items())]
    for name, c in rows:
        lines.append(f"{name:22}{c.precision:7.3f}{c.recall:7.3f}{c.f1:7.3f}"
                     f"{c.tp:6d}{c.fp:6d}{c.fn:6d}")
    lines.append(f"false alarms: {result.false_alarms}/{result.quiet_articles} articles with no "
                 f"development ({result.false_alarm_rate:.1%})")
    if result.distractors:
        lines.append(f"false alarms on distractors: {result.distractor_alarms}/"
                     f"{result.distractors} ({result.distractor_alarm_rate:.1%})")
    return "\n".join(lines)
