"""The Extractor: article text -> developments, for one topic at a time.

Steps: first pass (candidates.py) -> `nlp.pipe` over candidate sentences only -> topic actors
(actors.py) -> Matcher and DependencyMatcher rules (bot/extract/rules, run by matching.py) ->
per match: subject and context checks, negation and modality (modality.py), actors, venue,
terms (terms.py), date and background (temporal.py) -> merge what several sentences say about
the same development.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from spacy.tokens import Doc, Token

from bot.extract.actors import (
    ACTOR_SPANS,
    LOCATIVE_PREPS,
    PRONOUNS,
    VENUE_SPANS,
    ActorIndex,
    TopicActors,
    in_scope,
    modifier_tokens,
    participant_tokens,
    subject_tokens,
)
from bot.extract.candidates import CandidateFilter
from bot.extract.matching import Match, RuleMatchers
from bot.extract.modality import is_hedged, is_hypothetical, is_negated, predicate
from bot.extract.patterns import PatternSet, load_patterns
from bot.extract.pipeline import Pipeline, build_pipeline
from bot.extract.temporal import MONTHS, WEEKDAYS, timing
from bot.extract.terms import find_terms, states_terms
from bot.models import Article, Development
from bot.settings import ExtractorSettings, TopicSettings

BATCH_SIZE = 64
MAX_EVIDENCE = 3
HEDGE_FACTOR = 0.9
RULE_ONLY_FACTOR = 0.8
CONFIGURED_ACTOR_BONUS = 0.05
FLIP_MODALS = frozenset({"could", "would", "ca"})
# Developments whose terms a following sentence may spell out.
TERM_HOSTS = frozenset({"proposal_presented", "proposal_accepted", "proposal_rejected",
                        "deal_reached"})
CALENDAR_WORDS = frozenset({*WEEKDAYS, *MONTHS})


@dataclass(frozen=True)
class _Unit:
    """A candidate sentence of one article."""

    article: int
    position: int
    paragraph: int
    text: str
    forms: frozenset[str]


@dataclass(frozen=True)
class _Host:
    """Where the article's latest proposal or deal development is: its sentence, and its
    index in the article's list of found developments."""

    position: int
    paragraph: int
    index: int


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
        self._matchers = RuleMatchers(nlp.vocab, self.patterns.rules, self.pipeline.parsed)
        lexicon = self.patterns.lexicon
        self._delegation = lexicon.get("delegation", frozenset())
        self._talks = lexicon.get("talks", frozenset())
        self._context = lexicon.get("context", frozenset())
        self._topics: dict[str, TopicActors] = {}
        self._lock = threading.Lock()

    def extract(self, article: Article, topic: TopicSettings) -> list[Development]:
        """The developments `article` reports about `topic`, at or above min_confidence."""
        return self.extract_many([article], topic)[0]

    def extract_many(self, articles: Sequence[Article],
                     topic: TopicSettings) -> list[list[Development]]:
        """`extract` for a batch (one `nlp.pipe` over all their candidates): faster."""
        with self._lock:
            actors = self._topic_actors(topic)
            units = self._candidate_units(articles, actors)
            found: list[list[tuple[int, Development]]] = [[] for _ in articles]
            texts = [unit.text for unit in units]
            previous: dict[int, tuple[int, list[str]]] = {}
            hosts: dict[int, _Host] = {}
            people: dict[int, dict[str, str]] = {}
            docs = self.pipeline.process(texts, batch_size=BATCH_SIZE)
            for unit, doc in zip(units, docs, strict=True):
                article = articles[unit.article]
                last_position, last_names = previous.get(unit.article, (-2, []))
                antecedent = last_names if last_position == unit.position - 1 else []
                developments, names = self._sentence(doc, unit.forms, article, actors,
                                                     antecedent)
                known_people = people.setdefault(unit.article, {})
                developments = [_with_people(d, known_people) for d in developments]
                known_people.update(titled_people(doc))
                previous[unit.article] = (unit.position, names)
                items = found[unit.article]
                host = hosts.get(unit.article)
                if not developments and host is not None:
                    self._continue_terms(doc, unit, host, items)
                for development in developments:
                    items.append((unit.position, development))
                    if development.type in TERM_HOSTS:
                        hosts[unit.article] = _Host(unit.position, unit.paragraph,
                                                    len(items) - 1)
        minimum = self.settings.min_confidence
        known = frozenset(topic.aliases())
        parties = tuple(topic.parties)
        return [[d for d in fill_participants(merge(name_travellers(devs), known), parties)
                 if d.confidence >= minimum] for devs in found]

    def _topic_actors(self, topic: TopicSettings) -> TopicActors:
        key = topic.model_dump_json()
        if key not in self._topics:
            self._topics[key] = TopicActors(self.pipeline.nlp, topic, self.patterns)
        return self._topics[key]

    def _candidate_units(self, articles: Sequence[Article], actors: TopicActors) -> list[_Unit]:
        """The sentences some rule could match, and those that could spell out the terms of
        a proposal or deal a sentence just before could report (see `_continue_terms`)."""
        units = []
        candidates = self.candidates
        for index, article in enumerate(articles):
            sentences = list(candidates.sentences(article_text(article)))
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
        return units

    def _continue_terms(self, doc: Doc, unit: _Unit, host: _Host,
                        items: list[tuple[int, Development]]) -> None:
        """Terms spelled out by a sentence with no development of its own (or only a
        hypothetical one: "Israel would free 30 prisoners for each hostage") belong to the
        latest proposal or deal of the same paragraph or of the sentence just before,
        unless that development already gives another value for one of them."""
        if host.paragraph != unit.paragraph and host.position != unit.position - 1:
            return
        cues = self.patterns.cues
        if not states_terms(doc, cues.term_markers, cues.negation):
            return
        terms = find_terms(doc)
        position, development = items[host.index]
        if not terms or any(development.terms.get(k, v) != v for k, v in terms.items()):
            return
        evidence = development.evidence.split("\n")
        if doc.text not in evidence and len(evidence) < MAX_EVIDENCE:
            evidence.append(doc.text)
        items[host.index] = (position, replace(development,
                                               terms={**development.terms, **terms},
                                               evidence="\n".join(evidence)))

    def _sentence(self, doc: Doc, forms: frozenset[str], article: Article, actors: TopicActors,
                  antecedent: list[str]) -> tuple[list[Development], list[str]]:
        """The sentence's developments, and who its main clause is about (for "they" next).

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
        developments = []
        for match in sorted(best.values(), key=lambda m: m.trigger.i):
            development = self._development(match, doc, index, article, antecedent,
                                            frozenset(actors.topic.parties))
            if development is not None:
                developments.append(development)
        root = next((t for t in doc if t.dep_ == "ROOT"), None) if self.pipeline.parsed else None
        subject = subject_tokens(root) if root is not None else None
        return developments, index.names(subject or [])

    def _matches(self, doc: Doc, forms: frozenset[str]) -> list[Match]:
        """The matches of every rule the sentence's word forms allow, in rule order."""
        return _in_rule_order(self._matchers.matches(doc, self.candidates.possible_rules(forms)))

    def _development(self, match: Match, doc: Doc, index: ActorIndex, article: Article,
                     antecedent: list[str], parties: frozenset[str]) -> Development | None:
        rule, trigger = match.rule, match.trigger
        parsed = self.pipeline.parsed
        cues = self.patterns.cues
        subject = subject_tokens(trigger) if parsed else list(doc[:trigger.i])
        pronoun = bool(subject) and len(subject or []) == 1 and subject[0].lower_ in PRONOUNS
        referent = antecedent if pronoun else []
        actor_index = index
        if len(antecedent) >= 2 and any(t.i in index.groups for t in subject or []):
            # "the two sides" right after a sentence about two named sides means them, not
            # necessarily the topic's parties.
            referent, actor_index = antecedent, replace(index, groups={})
        if rule.subject and not (referent or self._subject_is(subject or [], rule.subject,
                                                              index)):
            return None
        if rule.require and not self._requirements_met(doc, rule.require, index):
            return None
        dev_type, actor_mode, allowed = rule.type, rule.actors, rule.allow
        if rule.negation != "keep" and is_negated(trigger, cues, parsed):
            if rule.negation == "drop":
                return None
            dev_type, actor_mode, allowed = rule.negation, "participants", allowed | FLIP_MODALS
        if is_hypothetical(trigger, cues, allowed, parsed):
            return None
        names = self._actors(trigger, subject, actor_mode, actor_index, parsed)
        if referent:
            names = list(dict.fromkeys([*referent, *names]))
        if rule.third_party and not self._third_party(trigger, names, index, parties, parsed):
            return None
        published = _published_date(article)
        when = timing(trigger, published, cues, parsed)
        confidence = rule.confidence
        if is_hedged(trigger, cues):
            confidence *= HEDGE_FACTOR
        if not parsed:
            confidence *= RULE_ONLY_FACTOR
        if names and subject and any(index.is_configured(t) for t in subject):
            confidence += CONFIGURED_ACTOR_BONUS
        return Development(
            type=dev_type,
            actors=tuple(names),
            venue=_venue(doc, trigger, parsed),
            terms=find_terms(doc) if rule.terms else {},
            when=when.when,
            evidence=doc.text,
            confidence=round(min(confidence, 0.99), 2),
            background=when.background,
            source=article.url or article.id,
        )

    def _subject_is(self, subject: list[Token], kinds: tuple[str, ...],
                    index: ActorIndex) -> bool:
        checks = {
            "actor": lambda: any(index.is_configured(t) for t in subject),
            "parties": lambda: len(index.names(subject)) >= 2,
            "entity": lambda: any(t.i in index.entities for t in subject),
            "delegation": lambda: any(t.lemma_.lower() in self._delegation
                                      and t.pos_ in ("NOUN", "PROPN", "") for t in subject),
            "talks": lambda: any(t.lemma_.lower() in self._talks for t in subject),
        }
        return any(checks[kind]() for kind in kinds)

    def _third_party(self, trigger: Token, names: list[str], index: ActorIndex,
                     parties: frozenset[str], parsed: bool) -> bool:
        """Someone other than a party acts, on a party (its object, else anyone named)."""
        if not names or set(names) <= parties:
            return False
        if not parsed:
            return bool(set(index.configured.values()) & parties)
        targets = [t for child in trigger.children if child.dep_ in ("dobj", "dative", "obj")
                   for t in child.subtree]
        targets += [t for child in trigger.children
                    if child.dep_ == "prep" and child.lower_ in ("on", "upon")
                    for t in child.subtree]
        if all(t.pos_ == "PRON" or t.is_punct for t in targets):
            # "urged him to ...": whoever the sentence names besides the one pressing.
            targets = list(trigger.sent)
        named = set(index.names(targets))
        return bool(named & parties)

    def _requirements_met(self, doc: Doc, require: tuple[str, ...], index: ActorIndex) -> bool:
        checks = {
            "context": lambda: any(t.lemma_.lower() in self._context for t in doc),
            "actor": lambda: bool(index.configured),
            "two_actors": lambda: bool(index.groups) or len(
                set(index.configured.values()) | set(index.entities.values())) >= 2,
            "venue": lambda: any(t._.parley_venue for t in doc),
        }
        return any(checks[need]() for need in require)

    def _actors(self, trigger: Token, subject: list[Token] | None, mode: str,
                index: ActorIndex, parsed: bool) -> list[str]:
        if not parsed:
            before = [t for t in trigger.doc[:trigger.i] if t.i in index.configured]
            return index.names(before[-1:]) if mode == "subject" else \
                index.names(trigger.doc)
        if mode == "participants":
            names = index.names(subject or [])
            return list(dict.fromkeys([*names, *index.names(participant_tokens(trigger))]))
        if mode == "modifiers":
            return index.names(modifier_tokens(trigger))
        return index.names(subject or [])


def titled_people(doc: Doc) -> dict[str, str]:
    """Surnames introduced with a configured actor in their title ("US Army Secretary Dan
    Driscoll" -> driscoll: United States), so that a later bare "Driscoll" is that actor."""
    found = {}
    for span in doc.spans[ACTOR_SPANS]:
        node = span.root
        while node.dep_ == "compound" and node.head is not node:
            node = node.head
        if node is not span.root and node.pos_ == "PROPN" and not node._.parley_actor:
            found[node.lower_] = span.label_
    return found


def _with_people(development: Development, people: dict[str, str]) -> Development:
    if not people:
        return development
    names = [people.get(name.split()[-1].lower(), name) for name in development.actors]
    return replace(development, actors=tuple(dict.fromkeys(names)))


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


def _venue(doc: Doc, trigger: Token, parsed: bool) -> str | None:
    """A configured venue in the trigger's phrase, else a place it names ("met in Jerusalem"),
    else a configured venue of its clause."""
    venues = list(doc.spans[VENUE_SPANS])
    if not parsed:
        return venues[0].label_ if venues else None
    phrase = {t.i for t in trigger.subtree}
    for span in venues:
        if span.root.i in phrase:
            return span.label_
    heads = {trigger, predicate(trigger)}
    for ent in doc.ents:
        preposition = ent.root.head
        if ent.label_ == "GPE" and preposition.lower_ in LOCATIVE_PREPS \
                and preposition.head in heads and not ent.root._.parley_actor:
            return ent.text
    for span in venues:
        if in_scope(span.root, trigger):
            return span.label_
    return None


def _published_date(article: Article) -> date:
    return article.published.date()


def article_text(article: Article) -> str:
    """Title and body, without repeating a title the body already starts with."""
    body = article.body.strip()
    title = article.title.strip()
    if not title or body.startswith(title):
        return body
    return f"{title}\n\n{body}"


def merge(found: list[tuple[int, Development]], known: frozenset[str]) -> list[Development]:
    """One development per (type, venue, background) in an article: several sentences (and
    the headline) often report the same one, and several actors doing the same thing ("both
    delegations left Cairo") are one development with all of them. Proposals are the exception:
    different parties' proposals (or acceptances, rejections) stay apart unless their actors
    overlap, or one side names none or only actors the topic does not configure ("Barnea"
    beside "Israel"); configured names then win."""
    merged: list[Development] = []
    for _, development in sorted(found, key=lambda item: item[0]):
        for i, kept in enumerate(merged):
            if _same(kept, development, known):
                merged[i] = _combine(kept, development, known)
                break
        else:
            merged.append(development)
    return merged


ROUND_TYPES = frozenset({"talks_continue", "no_breakthrough", "talks_suspended"})
TRAVEL_TYPES = frozenset({"delegation_arrived", "delegation_departed"})


def name_travellers(found: list[tuple[int, Development]]) -> list[tuple[int, Development]]:
    """A delegation that travels unnamed ("the negotiating team would travel on to Cairo") is
    the last one the article named as travelling."""
    named: tuple[str, ...] = ()
    resolved = []
    for position, development in sorted(found, key=lambda item: item[0]):
        if development.type in TRAVEL_TYPES and not development.background:
            if development.actors:
                named = development.actors
            elif named:
                development = replace(development, actors=named)
        resolved.append((position, development))
    return resolved




def fill_participants(developments: list[Development],
                      parties: tuple[str, ...]) -> list[Development]:
    """Who took part in the article's current round, told across its sentences:
    - the talks that produced a deal were attended by the deal's parties and brokers
      ("agreed to a ceasefire after weeks of negotiations in Doha. The agreement, brokered
      by Qatar, Egypt and the United States ...");
    - a round's outcome that names nobody ("they would reconvene", "negotiators are due to
      resume talks") takes the participants of the current talks, else the topic's parties."""
    deal = next((d for d in developments if d.type == "deal_reached" and not d.background
                 and d.actors), None)
    if deal is not None:
        developments = [
            replace(d, actors=tuple(dict.fromkeys([*d.actors, *deal.actors])))
            if d.type == "talks_held" and not d.background
            and (not d.venue or not deal.venue or d.venue == deal.venue) else d
            for d in developments]
    held = next((d for d in developments if d.type == "talks_held" and not d.background
                 and d.actors), None)
    fallback = held.actors if held is not None else parties
    return [replace(d, actors=fallback) if d.type in ROUND_TYPES and not d.actors
            and not d.background else d for d in developments]


def _same(a: Development, b: Development, known: frozenset[str]) -> bool:
    if a.type != b.type or a.background != b.background:
        return False
    if a.venue and b.venue and a.venue != b.venue:
        return False
    if not a.type.startswith("proposal_"):
        return True
    if not a.actors or not b.actors or set(a.actors) & set(b.actors):
        return True
    return not set(a.actors) & known or not set(b.actors) & known


def _combine(a: Development, b: Development, known: frozenset[str]) -> Development:
    evidence = a.evidence.split("\n")
    if b.evidence not in evidence and len(evidence) < MAX_EVIDENCE:
        evidence.append(b.evidence)
    actors = list(dict.fromkeys([*a.actors, *b.actors]))
    if set(actors) & known:
        actors = [name for name in actors if name in known]
    return replace(
        a,
        actors=tuple(actors),
        venue=a.venue or b.venue,
        terms={**b.terms, **a.terms},
        when=a.when or b.when,
        evidence="\n".join(evidence),
        confidence=max(a.confidence, b.confidence),
    )
