"""The Extractor: article text -> developments, for one topic at a time.

Steps: first pass (candidates.py) -> `nlp.pipe` over candidate sentences only -> topic actors
(actors.py) -> Matcher and DependencyMatcher rules (bot/extract/rules, run by matching.py) ->
per match, whether it is a development and its fields (decide.py) -> the learned layer checks,
completes and assigns actors (learned.py, on features.py) -> what earlier sentences tell later
ones, and one development per happening (discourse.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from bot.extract.actors import ActorIndex, TopicActors, subject_tokens
from bot.extract.candidates import CandidateFilter, Sentence
from bot.extract.decide import MatchDecisions
from bot.extract.discourse import TERM_HOSTS, ArticleState
from bot.extract.features import SentenceContext, sentence_features
from bot.extract.learned import LearnedLayer, LearnedModels, SentenceReading
from bot.extract.matching import Match, RuleMatchers
from bot.extract.patterns import PatternSet, load_patterns
from bot.extract.pipeline import Pipeline, build_pipeline
from bot.extract.temporal import MONTHS, WEEKDAYS
from bot.models import Article, Development
from bot.settings import ExtractorSettings, TopicSettings

BATCH_SIZE = 64
CALENDAR_WORDS = frozenset({*WEEKDAYS, *MONTHS})


@dataclass(frozen=True)
class Reading:
    """A candidate sentence as the rules read it, with the learned layer's features."""

    sentence: SentenceReading
    features: list[str]
    mentions: dict[str, int]  # how many of the article's sentences name each actor


@dataclass(frozen=True)
class _Unit:
    """A candidate sentence of one article."""

    article: int
    position: int
    paragraph: int
    text: str
    forms: frozenset[str]


class Extractor:
    """Turns articles into developments. Thread-safe: calls are serialised by a lock, since a
    spaCy pipeline must not run in two threads at once; for parallelism use processes."""

    def __init__(self, settings: ExtractorSettings | None = None,
                 pipeline: Pipeline | None = None) -> None:
        self.settings = settings or ExtractorSettings()
        self.patterns: PatternSet = load_patterns(self.settings.patterns)
        self.pipeline = pipeline or build_pipeline(self.settings)
        nlp = self.pipeline.nlp
        self.candidates = CandidateFilter(nlp, self.pipeline.sentencizer, self.patterns)
        self._matchers = RuleMatchers(nlp.vocab, self.patterns.rules)
        self._decisions = MatchDecisions(self.patterns)
        self.learned = LearnedLayer(LearnedModels.load(self.settings.learned_model),
                                    self.patterns.cues) \
            if self.settings.learned else None
        self._topics: dict[str, TopicActors] = {}
        self._lock = threading.Lock()

    def extract(self, article: Article, topic: TopicSettings) -> list[Development]:
        """The developments `article` reports about `topic`, at or above min_confidence."""
        return self.extract_many([article], topic)[0]

    def extract_many(self, articles: Sequence[Article],
                     topic: TopicSettings) -> list[list[Development]]:
        """`extract` for a batch (one `nlp.pipe` over all their candidates): faster."""
        with self._lock:
            readings = self._read(articles, topic)
            return self.finish(articles, topic, readings, self.learned)

    def readings(self, articles: Sequence[Article], topic: TopicSettings) -> list[Reading]:
        """How the rules read each candidate sentence, with its features: what the learned
        layer reads, and is trained on (bot/extract/training.py)."""
        with self._lock:
            return self._read(articles, topic)

    def finish(self, articles: Sequence[Article], topic: TopicSettings,
               readings: Sequence[Reading], learned: LearnedLayer | None,
               likely: Sequence[dict[str, float]] | None = None,
               quiet: set[int] | None = None) -> list[list[Development]]:
        """Each article's developments from the readings of its sentences: revised by the
        learned layer when there is one, then told across sentences (discourse.py). Training
        gives `likely` (the sentence probabilities) and `quiet` (the articles reporting nothing)
        as cross-validation found them, instead of the layer's own."""
        states = [ArticleState() for _ in articles]
        parties, mediators = tuple(topic.parties), tuple(topic.mediators)
        if quiet is None:
            quiet = learned.quiet_articles(len(articles), readings) if learned else set()
        for number, reading in enumerate(readings):
            sentence = reading.sentence
            developments = sentence.developments
            if learned is not None:
                developments = learned.revise(
                    sentence, likely[number] if likely is not None
                    else learned.likely(reading),
                    articles[sentence.article], parties, mediators, reading.mentions)
            if sentence.article in quiet:
                developments = [d for d in developments if d.background]
            states[sentence.article].add_sentence(sentence.doc, sentence.position,
                                                  sentence.paragraph, developments,
                                                  self.patterns.cues)
        minimum = self.settings.min_confidence
        return [[d for d in state.developments(topic) if d.confidence >= minimum]
                for state in states]

    def _read(self, articles: Sequence[Article], topic: TopicSettings) -> list[Reading]:
        """Parse every candidate sentence and read it with the rules, in order."""
        actors = self._topic_actors(topic)
        party_set = frozenset(topic.parties)
        units, mentions = self._candidate_units(articles, actors)
        docs = self.pipeline.process([unit.text for unit in units], batch_size=BATCH_SIZE)
        # Who the previous candidate sentence of each article was about, and its position.
        previous: dict[int, tuple[int, list[str]]] = {}
        readings = []
        for unit, doc in zip(units, docs, strict=True):
            article = articles[unit.article]
            last_position, last_names = previous.get(unit.article, (-2, []))
            antecedent = last_names if last_position == unit.position - 1 else []
            index, developments, names, rule_ids = self._sentence(doc, unit.forms, article,
                                                                  actors, antecedent)
            previous[unit.article] = (unit.position, names)
            reading = SentenceReading(unit.article, unit.position, unit.paragraph, doc, index,
                                      developments, rule_ids, antecedent, names)
            context = SentenceContext(unit.position, unit.paragraph, article.published.year,
                                      developments, rule_ids)
            readings.append(Reading(reading, sentence_features(doc, index, party_set, context),
                                    mentions[unit.article]))
        return readings

    def _topic_actors(self, topic: TopicSettings) -> TopicActors:
        key = topic.model_dump_json()
        if key not in self._topics:
            self._topics[key] = TopicActors(self.pipeline.nlp, topic, self.patterns)
        return self._topics[key]

    def _candidate_units(self, articles: Sequence[Article], actors: TopicActors
                         ) -> tuple[list[_Unit], list[dict[str, int]]]:
        """The sentences some rule could match, and those that could spell out the terms of
        a proposal or deal a sentence just before could report (see discourse.py); and per
        article, how many of its sentences mention each configured actor."""
        units = []
        mentions: list[dict[str, int]] = []
        candidates = self.candidates
        for index, article in enumerate(articles):
            sentences = list(candidates.sentences(article_text(article)))
            mentions.append(_mentions(sentences, actors))
            if not candidates.on_topic((s.forms for s in sentences), actors.keyword_forms):
                continue
            host: tuple[int, int] | None = None  # (position, paragraph)
            for position, sentence in enumerate(sentences):
                found = candidates.matching_types(sentence, actors.alias_forms)
                near_host = host is not None and (host[1] == sentence.paragraph
                                                  or host[0] == position - 1)
                if found or (near_host and candidates.could_state_terms(sentence)):
                    units.append(_Unit(index, position, sentence.paragraph, sentence.text,
                                       sentence.forms))
                if not found.isdisjoint(TERM_HOSTS):
                    host = (position, sentence.paragraph)
        return units, mentions

    def _sentence(self, doc: Doc, forms: frozenset[str], article: Article, actors: TopicActors,
                  antecedent: list[str]
                  ) -> tuple[ActorIndex, list[Development], list[str], tuple[str, ...]]:
        """The sentence's actors, its developments, who its main clause is about (for "they"
        next) and the rules that matched it.

        Components the pipeline defers (the entity recognizer) run only on sentences that
        match a rule and name someone the topic does not configure."""
        index = actors.annotate(doc)
        rules = self.candidates.possible_rules(forms)
        by_rule = self._matchers.matches(doc, rules)
        matches = _in_rule_order(by_rule)
        if self.pipeline.deferred and _needs_entities(matches, doc, index):
            for name in self.pipeline.deferred:
                self.pipeline.nlp.get_pipe(name)(doc)
            index = actors.annotate(doc)
            # Only rules reading actor, venue or entity annotations can match differently.
            by_rule.update(self._matchers.matches(doc, rules, annotated_only=True))
            matches = _in_rule_order(by_rule)
        best: dict[int, Match] = {}
        for match in matches:
            current = best.get(match.trigger.i)
            if current is None or match.length > current.length:
                best[match.trigger.i] = match
        parties = frozenset(actors.topic.parties)
        developments = []
        for match in sorted(best.values(), key=lambda m: m.trigger.i):
            development = self._decisions.development(match, doc, index, article, antecedent,
                                                      parties)
            if development is not None:
                developments.append(development)
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        subject = subject_tokens(root) if root is not None else None
        rule_ids = tuple(dict.fromkeys(m.rule.id for m in best.values()))
        return index, developments, index.names(subject or []), rule_ids


def _mentions(sentences: Sequence[Sentence], actors: TopicActors) -> dict[str, int]:
    return {name: sum(1 for s in sentences if not forms.isdisjoint(s.forms))
            for name, forms in actors.name_forms.items()}


def _in_rule_order(by_rule: dict[int, list[Match]]) -> list[Match]:
    return [match for index in sorted(by_rule) for match in by_rule[index]]


def _needs_entities(matches: list[Match], doc: Doc, index: ActorIndex) -> bool:
    """Whether a matched development may be done by someone the topic does not configure:
    its subject has a proper name but no configured actor (or, for rules that take all
    participants, the sentence names no configured actor)."""
    for match in matches:
        if match.rule.actors == "participants" and not index.configured:
            scope: list[Token] = list(doc)
        else:
            scope = subject_tokens(match.trigger) or []
            if any(index.is_configured(t) for t in scope):
                continue
        if any(t.pos_ == "PROPN" and not t._.parley_venue and t.lower_ not in CALENDAR_WORDS
               for t in scope):
            return True
    return False


def article_text(article: Article) -> str:
    """Title and body, without repeating a title the body already starts with."""
    body = article.body.strip()
    title = article.title.strip()
    if not title or body.startswith(title):
        return body
    return f"{title}\n\n{body}"
