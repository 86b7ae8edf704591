"""The learned layer beside the rules: four small classifiers over the rules' reading.

All are logistic regressions over the string features of features.py, trained on the train
split of tests/data/reporting (`parley train`, bot/extract/training.py) and shipped as one
package-data file (`trained/learned.npz`):
- an article classifier: an article that reports nothing current (a sports, business, court or
  aid story that only mentions the negotiation's names) keeps only its recaps;
- a background classifier: a rule's development is a recap of an earlier event, or not;
- a sentence classifier (per type) decides which developments a sentence reports, while the
  rules keep what they are good at (negation, terms, dates):
- a rule's current development whose type the classifier finds unlikely in its sentence
  (below `veto`) is dropped, unless the rules read terms for it: the false alarms the rules
  raise on sports, business, court and aid stories, and on readings the rules get wrong;
- a type the classifier finds likely (at or above `add`) that no rule found in the sentence is
  added, with its venue, terms and date read by the rules' own helpers from the main verb.
- the actor classifier then assigns each current development its actors by role, as the
  labelling conventions define them, from the candidates: the configured actors the
  sentence names, those of the sentence before, and the topic's parties.
Thresholds (per type, and the article's and background's) are part of the artifact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Doc, Token

from bot.developments import TYPE_BY_NAME, TYPE_NAMES
from bot.errors import ConfigError
from bot.extract.actors import ActorIndex
from bot.extract.decide import venue
from bot.extract.features import (
    ActorContext,
    HasSentence,
    actor_features,
    article_features,
    rule_found,
    rule_said,
)
from bot.extract.patterns import Cues
from bot.extract.temporal import timing
from bot.extract.terms import find_terms
from bot.models import Article, Development

DEFAULT_ARTIFACT = "learned.npz"
ACTOR_THRESHOLD = 0.5


@dataclass(frozen=True)
class LinearModel:
    """A logistic regression per output over binary string features."""

    index: dict[str, int]
    weights: NDArray[np.float32]  # features x outputs
    bias: NDArray[np.float32]  # outputs
    outputs: tuple[str, ...]

    def probabilities(self, features: list[str]) -> dict[str, float]:
        rows = sorted({self.index[f] for f in features if f in self.index})
        scores = self.weights[rows].sum(axis=0) + self.bias
        values = 1.0 / (1.0 + np.exp(-scores))
        return dict(zip(self.outputs, (float(v) for v in values), strict=True))

    def arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        names = sorted(self.index, key=self.index.__getitem__)
        return {f"{prefix}_features": np.array(names), f"{prefix}_weights": self.weights,
                f"{prefix}_bias": self.bias, f"{prefix}_outputs": np.array(self.outputs)}

    @classmethod
    def from_arrays(cls, data: Any, prefix: str) -> LinearModel:
        names = [str(n) for n in data[f"{prefix}_features"]]
        return cls({n: i for i, n in enumerate(names)},
                   np.asarray(data[f"{prefix}_weights"], dtype=np.float32),
                   np.asarray(data[f"{prefix}_bias"], dtype=np.float32),
                   tuple(str(o) for o in data[f"{prefix}_outputs"]))


@dataclass(frozen=True)
class TypedLinear:
    """A LinearModel over `typed_features`, scored for all types at once: each base feature's
    row holds, per type, its typed weight plus its shared (`*|`) weight, so one gather and sum
    gives the twelve scores that twelve calls on the typed features would."""

    index: dict[str, int]
    matrix: NDArray[np.float32]  # base features x types
    bias: NDArray[np.float32]  # per type: the model's bias and its `type=<type>` weight

    @classmethod
    def of(cls, model: LinearModel) -> TypedLinear:
        column = {name: i for i, name in enumerate(TYPE_NAMES)}
        weight = model.weights[:, 0]
        index: dict[str, int] = {}
        for name in model.index:
            prefix, _, feature = name.partition("|")
            if feature and (prefix == "*" or prefix in column):
                index.setdefault(feature, len(index))
        matrix = np.zeros((len(index), len(TYPE_NAMES)), dtype=np.float32)
        bias = np.full(len(TYPE_NAMES), model.bias[0], dtype=np.float32)
        for name, row in model.index.items():
            prefix, _, feature = name.partition("|")
            if name.startswith("type=") and name[5:] in column:
                bias[column[name[5:]]] += weight[row]
            elif prefix == "*" and feature:
                matrix[index[feature]] += weight[row]
            elif prefix in column and feature:
                matrix[index[feature], column[prefix]] += weight[row]
        return cls(index, matrix, bias)

    def probabilities(self, features: list[str],
                      extras: dict[str, list[str]]) -> NDArray[np.float64]:
        """Per type (in TYPE_NAMES order), the probability given the base features and each
        type's own extra features."""
        rows = sorted({self.index[f] for f in features if f in self.index})
        scores = self.bias + self.matrix[rows].sum(axis=0)
        for column, dev_type in enumerate(TYPE_NAMES):
            for extra in extras.get(dev_type, ()):
                row = self.index.get(extra)
                if row is not None:
                    scores[column] += self.matrix[row, column]
        return np.asarray(1.0 / (1.0 + np.exp(-scores.astype(np.float64))))


@dataclass(frozen=True)
class Thresholds:
    """Per type: a rule's development below `veto` is dropped, a classifier's at or above
    `add` is added. An article at or above `quiet` reports nothing current. A rule's current
    development at or above `to_background` is a recap; a rule's recap below `to_current` is
    current."""

    veto: dict[str, float]
    add: dict[str, float]
    quiet: float
    to_background: float = 1.01
    to_current: float = 0.0

    def array(self) -> NDArray[np.float32]:
        others = [self.quiet, self.to_background, self.to_current]
        return np.array([[self.veto[t] for t in TYPE_NAMES], [self.add[t] for t in TYPE_NAMES],
                         others + [0.0] * (len(TYPE_NAMES) - len(others))], dtype=np.float32)

    @classmethod
    def from_array(cls, values: Any) -> Thresholds:
        veto, add, others = (list(map(float, row)) for row in values)
        return cls(dict(zip(TYPE_NAMES, veto, strict=True)),
                   dict(zip(TYPE_NAMES, add, strict=True)), *others[:3])


@dataclass(frozen=True)
class LearnedModels:
    sentences: LinearModel
    background: LinearModel
    actors: LinearModel
    articles: LinearModel
    thresholds: Thresholds

    @cached_property
    def typed_sentences(self) -> TypedLinear:
        return TypedLinear.of(self.sentences)

    @cached_property
    def typed_background(self) -> TypedLinear:
        return TypedLinear.of(self.background)

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {
            **self.sentences.arrays("sentences"), **self.background.arrays("background"),
            **self.actors.arrays("actors"), **self.articles.arrays("articles"),
            "thresholds": self.thresholds.array()}
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path | None = None) -> LearnedModels:
        """The shipped artifact, or the one at `path`; a missing or broken file is a
        ConfigError naming it."""
        source = path or resources.files("bot.extract").joinpath("trained", DEFAULT_ARTIFACT)
        try:
            with source.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
                return cls(LinearModel.from_arrays(data, "sentences"),
                           LinearModel.from_arrays(data, "background"),
                           LinearModel.from_arrays(data, "actors"),
                           LinearModel.from_arrays(data, "articles"),
                           Thresholds.from_array(data["thresholds"]))
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"{source}: cannot load the learned extractor layer: {exc}; "
                              "rebuild it with `parley train`") from exc


@dataclass(frozen=True)
class SentenceReading:
    """One parsed candidate sentence, as the rules read it."""

    article: int
    position: int
    paragraph: int
    doc: Doc
    index: ActorIndex
    developments: list[Development]
    rule_ids: tuple[str, ...]
    antecedent: list[str]  # who the sentence just before was about
    names: list[str]  # who this sentence's main clause is about


class LearnedLayer:
    """Applies the learned models to the rules' reading of a sentence."""

    def __init__(self, models: LearnedModels, cues: Cues) -> None:
        self.models = models
        self.cues = cues

    def likely(self, reading: HasSentence) -> dict[str, float]:
        """How likely the sentence reports each type, as a current development."""
        return likely_types(self.models, reading)

    def quiet_articles(self, count: int, readings: Sequence[HasSentence]) -> set[int]:
        """The articles (by number) that report nothing current: sports, business, court and
        aid stories that merely mention the negotiation's names."""
        by_article: dict[int, list[HasSentence]] = {number: [] for number in range(count)}
        for reading in readings:
            by_article[reading.sentence.article].append(reading)
        threshold = self.models.thresholds.quiet
        return {number for number, found in by_article.items()
                if self.models.articles.probabilities(article_features(found))["quiet"]
                >= threshold}

    def revise(self, reading: SentenceReading, likely: dict[str, float], article: Article,
               parties: tuple[str, ...], mediators: tuple[str, ...],
               article_mentions: dict[str, int]) -> list[Development]:
        """The sentence's developments once the classifiers have had their say."""
        thresholds = self.models.thresholds
        timed = [self._retimed(d, likely, article) for d in reading.developments]
        # A development whose terms the rules read ("a six-week ceasefire, 33 hostages") is
        # specific enough to stand: the veto is for the rules' vaguer readings.
        kept = [d for d in timed if d.background or d.terms
                or likely.get(d.type, 1.0) >= thresholds.veto[d.type]]
        root = next((t for t in reading.doc if t.dep_ == "ROOT"), reading.doc[0])
        for dev_type in TYPE_NAMES:
            probability = likely[dev_type]
            if probability >= thresholds.add[dev_type] \
                    and not any(d.type == dev_type for d in kept):
                added = self._added(dev_type, probability, reading.doc, root, article)
                if not added.background:
                    kept.append(added)
        return [self.assign_actors(d, reading, root, parties, mediators, article_mentions)
                if not d.background else d for d in kept]

    def _retimed(self, development: Development, likely: dict[str, float],
                 article: Article) -> Development:
        """A rule's development, a recap or not as the background model finds it."""
        recap = likely.get(background_key(development))
        thresholds = self.models.thresholds
        if recap is None:
            return development
        if not development.background and recap >= thresholds.to_background:
            return replace(development, background=True)
        if development.background and recap < thresholds.to_current:
            return replace(development, background=False,
                           when=development.when or article.published.date())
        return development

    def _added(self, dev_type: str, probability: float, doc: Doc, root: Token,
               article: Article) -> Development:
        when = timing(root, article.published.date(), self.cues)
        return Development(
            type=dev_type,
            venue=venue(doc, root),
            terms=find_terms(doc) if TYPE_BY_NAME[dev_type].carries_terms else {},
            when=when.when,
            evidence=doc.text,
            confidence=round(probability, 2),
            background=when.background,
            source=article.url or article.id,
        )

    def assign_actors(self, development: Development, reading: SentenceReading, root: Token,
                      parties: tuple[str, ...], mediators: tuple[str, ...],
                      article_mentions: dict[str, int]) -> Development:
        candidates = actor_candidates(development, reading, parties, mediators,
                                      article_mentions)
        if not candidates:
            return development
        in_sentence = [c for c in candidates if c.tokens]
        chosen: list[str] = []
        for candidate in candidates:
            features = actor_features(development.type, candidate, root, len(in_sentence),
                                      sum(c.is_party for c in in_sentence))
            if self.models.actors.probabilities(features)["actor"] >= ACTOR_THRESHOLD:
                chosen.append(candidate.name)
        if not chosen:
            # Someone the topic does not configure ("UN envoy Sigrid Kaag") is still news.
            chosen = [name for name in development.actors
                      if name not in parties and name not in mediators]
        return replace(development, actors=tuple(chosen))


def likely_types(models: LearnedModels, reading: HasSentence) -> dict[str, float]:
    """The sentence model's probability for each type (see features.typed_features), and the
    background model's that each of the rules' developments is a recap (`background_key`)."""
    rule_types = {d.type for d in reading.sentence.developments if not d.background}
    found = {t: rule_found(t, rule_types) for t in TYPE_NAMES}
    values = models.typed_sentences.probabilities(reading.features,
                                                  {t: [f] for t, f in found.items()})
    likely = dict(zip(TYPE_NAMES, (float(v) for v in values), strict=True))
    for flag in (False, True):
        developments = [d for d in reading.sentence.developments if d.background == flag]
        if not developments:
            continue
        recap = models.typed_background.probabilities(
            reading.features, {t: [f, rule_said(flag)] for t, f in found.items()})
        for development in developments:
            likely[background_key(development)] = float(recap[TYPE_NAMES.index(
                development.type)])
    return likely


def background_key(development: Development) -> str:
    return f"background:{development.type}:{development.background}"


def actor_candidates(development: Development, reading: SentenceReading,
                     parties: tuple[str, ...], mediators: tuple[str, ...],
                     article_mentions: dict[str, int]) -> list[ActorContext]:
    """The configured actors a development could be done by (see the module docstring)."""
    mentions: dict[str, list[Token]] = {}
    for i, name in reading.index.configured.items():
        mentions.setdefault(name, []).append(reading.doc[i])
    for i, names in reading.index.groups.items():
        for name in names:
            mentions.setdefault(name, []).append(reading.doc[i])
    candidates = list(dict.fromkeys([*mentions, *reading.antecedent, *parties]))
    return [ActorContext(
        name=name,
        is_party=name in parties,
        tokens=tuple(mentions.get(name, ())),
        named_by_rule=name in development.actors,
        in_previous_sentence=name in reading.antecedent,
        article_mentions=article_mentions.get(name, 0),
    ) for name in candidates if name in parties or name in mediators]

