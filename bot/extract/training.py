"""`parley train`: rebuild the learned layer (bot/extract/trained/learned.npz) from the corpus.

1. Read the train and dev splits of the corpus (tests/data/reporting) with the rules alone,
   keeping each candidate sentence's features (Extractor.readings).
2. Label each sentence with the types of the current gold developments whose evidence it holds.
   The labels mark only the first sentence reporting each development, so a sentence that may
   repeat one (the headline, or a sentence the rules read as a type the article reports
   elsewhere) is left out of that type's training rather than counted as a negative.
3. Fit logistic regressions: one per type over sentences, one over (development, candidate
   actor) pairs, and one over whole articles for "reports nothing current".
4. Tune the thresholds (per type: veto and add; the article one; the two of the background
   model) on the train split itself,
   with probabilities from leave-one-negotiation-out fits, so that they are set on readings of
   negotiations the models did not see, as in use. The dev split is only reported.
Deterministic: the same corpus gives the same artifact.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.developments import TYPE_NAMES
from bot.extract.evaluate import GoldArticle, Score, load_gold_folder, score
from bot.extract.extractor import Extractor, Reading
from bot.extract.features import (
    actor_features,
    article_features,
    background_features,
    typed_features,
)
from bot.extract.learned import (
    LearnedLayer,
    LearnedModels,
    LinearModel,
    Thresholds,
    actor_candidates,
    likely_types,
)
from bot.models import Development
from bot.settings import ExtractorSettings, TopicSettings

log = logging.getLogger(__name__)

MIN_FEATURE_COUNT = 2
SENTENCE_C = 0.3
ACTOR_C = 1.0
ARTICLE_C = 0.3
BACKGROUND_C = 0.5
BACKGROUND_GRID = (0.5, 0.6, 0.7, 0.8, 1.01)
CURRENT_GRID = (0.0, 0.1, 0.2, 0.3)
VETO_GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4)
ADD_GRID = (0.6, 0.7, 0.8, 0.9, 1.01)
QUIET_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
TUNING_PASSES = 2
MAX_FALSE_ALARMS = 0.05
_SPACE = re.compile(r"\s+")


@dataclass
class Examples:
    """Training rows: features, and per output a label (1/0) or None (left out)."""

    features: list[list[str]] = field(default_factory=list)
    labels: list[dict[str, int | None]] = field(default_factory=list)

    def extend(self, other: Examples) -> None:
        self.features += other.features
        self.labels += other.labels


@dataclass
class TopicReadings:
    """One negotiation's articles of a split, read by the rules, with their training rows."""

    topic: TopicSettings
    gold: list[GoldArticle]
    readings: list[Reading]
    sentences: Examples
    background: Examples
    actors: Examples
    articles: Examples
    reachable: int = 0  # current gold developments a candidate sentence holds


@dataclass(frozen=True)
class TrainingReport:
    sentences: int
    reachable: int
    unreachable: int
    actor_pairs: int
    thresholds: Thresholds
    train_cross_validated: Score
    dev_rules: Score
    dev_learned: Score


def train(corpus: Path, settings: ExtractorSettings, seeds: Path) -> tuple[LearnedModels,
                                                                          TrainingReport]:
    """Fit the learned layer on the train split (see the module docstring)."""
    gold, topics = load_gold_folder(corpus, seeds)
    extractor = Extractor(settings.model_copy(update={"learned": False}))
    train_split = _read_split(extractor, gold, topics, "train")
    reachable = sum(t.reachable for t in train_split.values())
    unreachable = sum(len(_current(g)) for t in train_split.values() for g in t.gold) - reachable
    models = _fit_all(list(train_split.values()), Thresholds({}, {}, 1.01))
    thresholds, cross_validated = _tune(extractor, train_split, models)
    models = replace(models, thresholds=thresholds)
    dev_split = _read_split(extractor, gold, topics, "dev")
    dev_gold = [g for t in dev_split.values() for g in t.gold]
    dev_rules = score(dev_gold, _predict(extractor, dev_split, None))
    dev_learned = score(dev_gold, _predict(extractor, dev_split, _layer(extractor, models)))
    sentences = sum(len(t.readings) for t in train_split.values())
    pairs = sum(len(t.actors.features) for t in train_split.values())
    return models, TrainingReport(sentences, reachable, unreachable, pairs, thresholds,
                                  cross_validated, dev_rules, dev_learned)


def _current(entry: GoldArticle) -> list[dict[str, Any]]:
    return [d for d in entry.developments if not d.get("background")]


def _read_split(extractor: Extractor, gold: Sequence[GoldArticle],
                topics: dict[str, TopicSettings], split: str) -> dict[str, TopicReadings]:
    groups: dict[str, list[GoldArticle]] = {}
    for entry in gold:
        if entry.split == split:
            groups.setdefault(entry.topic or "", []).append(entry)
    found = {}
    for topic_id, entries in sorted(groups.items()):
        topic = topics[topic_id]
        readings = extractor.readings([e.article for e in entries], topic)
        found[topic_id] = _label(TopicReadings(topic, entries, readings, Examples(),
                                               Examples(), Examples(), Examples()))
    return found


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def holds(sentence: str, evidence: str) -> bool:
    """Whether a sentence holds (part of) a development's evidence."""
    sentence, evidence = _normal(sentence), _normal(evidence)
    return bool(evidence) and (evidence in sentence or sentence in evidence
                               or evidence[:80] in sentence)


def _label(topic: TopicReadings) -> TopicReadings:
    """Fill the topic's training rows (see the module docstring)."""
    parties, mediators = tuple(topic.topic.parties), tuple(topic.topic.mediators)
    by_article: dict[int, list[Reading]] = {n: [] for n in range(len(topic.gold))}
    for reading in topic.readings:
        by_article[reading.sentence.article].append(reading)
    for number, entry in enumerate(topic.gold):
        current = _current(entry)
        recaps = [d for d in entry.developments if d.get("background")]
        article_types = {d["type"] for d in current}
        headline = bool(entry.article.title.strip())
        reached: set[int] = set()
        for reading in by_article[number]:
            sentence = reading.sentence
            held = [d for d in current if holds(sentence.doc.text, d.get("evidence", ""))]
            reached |= {id(d) for d in held}
            held_types = {d["type"] for d in held}
            rule_types = {d.type for d in sentence.developments if not d.background}
            repeats = article_types if headline and sentence.position == 0 else rule_types
            for dev_type in TYPE_NAMES:
                if dev_type in held_types:
                    label = 1
                elif dev_type in repeats and dev_type in article_types:
                    continue
                else:
                    label = 0
                topic.sentences.features.append(
                    typed_features(reading.features, dev_type, rule_types))
                topic.sentences.labels.append({"yes": label})
            for dev in held:
                _add_actor_rows(dev, reading, parties, mediators, topic.actors)
            for development in sentence.developments:
                told = [d for d in (*held, *recaps) if d["type"] == development.type
                        and holds(sentence.doc.text, d.get("evidence", ""))]
                if told:
                    topic.background.features.append(background_features(
                        reading.features, development.type, rule_types,
                        development.background))
                    topic.background.labels.append(
                        {"background": int(all(d.get("background") for d in told))})
        topic.reachable += len(reached)
        topic.articles.features.append(article_features(by_article[number]))
        topic.articles.labels.append({"quiet": int(not current)})
    return topic


def _add_actor_rows(dev: dict[str, Any], reading: Reading, parties: tuple[str, ...],
                    mediators: tuple[str, ...], actors: Examples) -> None:
    sentence = reading.sentence
    rule_dev = next((d for d in sentence.developments if d.type == dev["type"]),
                    Development(type=dev["type"]))
    candidates = actor_candidates(rule_dev, sentence, parties, mediators, reading.mentions)
    gold = set(dev.get("actors", ()))
    root = next((t for t in sentence.doc if t.dep_ == "ROOT"), sentence.doc[0])
    in_sentence = [c for c in candidates if c.tokens]
    for candidate in candidates:
        actors.features.append(actor_features(dev["type"], candidate, root, len(in_sentence),
                                              sum(c.is_party for c in in_sentence)))
        actors.labels.append({"actor": int(candidate.name in gold)})


def _fit_all(topics: Sequence[TopicReadings], thresholds: Thresholds) -> LearnedModels:
    sentences, background, actors, articles = Examples(), Examples(), Examples(), Examples()
    for topic in topics:
        sentences.extend(topic.sentences)
        background.extend(topic.background)
        actors.extend(topic.actors)
        articles.extend(topic.articles)
    return LearnedModels(_fit(sentences, ("yes",), SENTENCE_C),
                         _fit(background, ("background",), BACKGROUND_C),
                         _fit(actors, ("actor",), ACTOR_C),
                         _fit(articles, ("quiet",), ARTICLE_C), thresholds)


def _fit(examples: Examples, outputs: Sequence[str], c: float) -> LinearModel:
    """One L2 logistic regression per output over the features seen MIN_FEATURE_COUNT times."""
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    counts: dict[str, int] = {}
    for row in examples.features:
        for feature in set(row):
            counts[feature] = counts.get(feature, 0) + 1
    names = sorted(f for f, n in counts.items() if n >= MIN_FEATURE_COUNT)
    index = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for r, row in enumerate(examples.features):
        for col in sorted({index[f] for f in row if f in index}):
            rows.append(r)
            cols.append(col)
    matrix = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                        shape=(len(examples.features), len(names)))
    weights = np.zeros((len(names), len(outputs)), dtype=np.float32)
    bias = np.full(len(outputs), -10.0, dtype=np.float32)
    for column, output in enumerate(outputs):
        keep = [i for i, labels in enumerate(examples.labels) if labels[output] is not None]
        y = np.array([examples.labels[i][output] for i in keep])
        if len(set(y.tolist())) < 2:
            log.warning("no positive and negative examples for %s: it is never predicted",
                        output)
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000,
                                   solver="liblinear")
        model.fit(matrix[keep], y)
        weights[:, column] = model.coef_[0]
        bias[column] = model.intercept_[0]
    return LinearModel(index, weights, bias, tuple(outputs))


def _layer(extractor: Extractor, models: LearnedModels) -> LearnedLayer:
    return LearnedLayer(models, extractor.patterns.cues)


def _predict(extractor: Extractor, split: dict[str, TopicReadings], layer: LearnedLayer | None,
             given: dict[str, tuple[list[dict[str, float]], set[int]]] | None = None,
             ) -> list[list[Development]]:
    """Each article's developments, from the cached readings."""
    predicted: list[list[Development]] = []
    for topic_id, topic in split.items():
        likely, quiet = given[topic_id] if given else (None, None)
        predicted += extractor.finish([g.article for g in topic.gold], topic.topic,
                                      topic.readings, layer, likely, quiet)
    return predicted


CrossValidated = dict[str, tuple[list[dict[str, float]], list[float]]]


def _cross_validate(split: dict[str, TopicReadings]) -> CrossValidated:
    """Per negotiation, its sentence probabilities and its articles' quiet scores from models
    fitted on the other negotiations."""
    found: CrossValidated = {}
    for topic_id, topic in split.items():
        others = [t for other, t in split.items() if other != topic_id]
        models = _fit_all(others, Thresholds({}, {}, 1.01))
        likely = [likely_types(models, r) for r in topic.readings]
        quiet = [models.articles.probabilities(f)["quiet"] for f in topic.articles.features]
        found[topic_id] = (likely, quiet)
    return found


def _objective(result: Score) -> float:
    return result.types.f1 + result.actors.f1 / 100 \
        - max(0.0, result.false_alarm_rate - MAX_FALSE_ALARMS)


def _tune(extractor: Extractor, split: dict[str, TopicReadings],
          models: LearnedModels) -> tuple[Thresholds, Score]:
    """Coordinate ascent over the thresholds on cross-validated train probabilities."""
    cross = _cross_validate(split)
    gold = [g for t in split.values() for g in t.gold]
    thresholds = Thresholds({t: 0.0 for t in TYPE_NAMES}, {t: 1.01 for t in TYPE_NAMES}, 1.01)

    def evaluate(candidate: Thresholds) -> Score:
        given = {topic_id: (likely, {n for n, s in enumerate(quiet) if s >= candidate.quiet})
                 for topic_id, (likely, quiet) in cross.items()}
        layer = _layer(extractor, replace(models, thresholds=candidate))
        return score(gold, _predict(extractor, split, layer, given))

    best = evaluate(thresholds)
    for _ in range(TUNING_PASSES):
        for dev_type in TYPE_NAMES:
            thresholds, best = _best_of(thresholds, best, VETO_GRID, evaluate,
                                        _setting("veto", dev_type))
            thresholds, best = _best_of(thresholds, best, ADD_GRID, evaluate,
                                        _setting("add", dev_type))
        thresholds, best = _best_of(thresholds, best, QUIET_GRID, evaluate,
                                    lambda t, v: replace(t, quiet=v))
        thresholds, best = _best_of(thresholds, best, BACKGROUND_GRID, evaluate,
                                    lambda t, v: replace(t, to_background=v))
        thresholds, best = _best_of(thresholds, best, CURRENT_GRID, evaluate,
                                    lambda t, v: replace(t, to_current=v))
    return thresholds, best


def _setting(field_name: str, dev_type: str) -> Callable[[Thresholds, float], Thresholds]:
    """A change of one type's veto or add threshold."""
    def change(thresholds: Thresholds, value: float) -> Thresholds:
        if field_name == "veto":
            return replace(thresholds, veto={**thresholds.veto, dev_type: value})
        return replace(thresholds, add={**thresholds.add, dev_type: value})
    return change


def _best_of(current: Thresholds, best: Score, grid: Iterable[float],
             evaluate: Callable[[Thresholds], Score],
             change: Callable[[Thresholds, float], Thresholds]) -> tuple[Thresholds, Score]:
    for value in grid:
        candidate = change(current, value)
        result = evaluate(candidate)
        if _objective(result) > _objective(best) + 1e-9:
            current, best = candidate, result
    return current, best
