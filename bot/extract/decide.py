"""Per-match decisions: whether a rule's match is a development, and its fields.

A match is kept when its subject and context checks pass and it is neither negated (or it flips
to the rule's negation type) nor hypothetical. Its actors depend on the rule's actor mode (the
subject, every participant, the noun's modifiers); its venue, terms, date and background come
from the sentence around the trigger.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from spacy.tokens import Doc, Token

from bot.extract.actors import (
    LOCATIVE_PREPS,
    PRONOUNS,
    VENUE_SPANS,
    ActorIndex,
    in_scope,
    modifier_tokens,
    participant_tokens,
    subject_tokens,
)
from bot.extract.matching import Match
from bot.extract.modality import is_hedged, is_hypothetical, is_negated, predicate
from bot.extract.patterns import PatternSet
from bot.extract.temporal import timing
from bot.extract.terms import find_terms
from bot.models import Article, Development

HEDGE_FACTOR = 0.9
CONFIGURED_ACTOR_BONUS = 0.05
FLIP_MODALS = frozenset({"could", "would", "ca"})


class MatchDecisions:
    """Turns one rule match into a Development, or None (see the module docstring)."""

    def __init__(self, patterns: PatternSet) -> None:
        self.cues = patterns.cues
        lexicon = patterns.lexicon
        self._delegation = lexicon.get("delegation", frozenset())
        self._talks = lexicon.get("talks", frozenset())
        self._context = lexicon.get("context", frozenset())

    def development(self, match: Match, doc: Doc, index: ActorIndex, article: Article,
                    antecedent: list[str], parties: frozenset[str]) -> Development | None:
        rule, trigger = match.rule, match.trigger
        cues = self.cues
        subject = subject_tokens(trigger)
        pronoun = subject is not None and len(subject) == 1 and subject[0].lower_ in PRONOUNS
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
        if rule.negation != "keep" and is_negated(trigger, cues):
            if rule.negation == "drop":
                return None
            dev_type, actor_mode, allowed = rule.negation, "participants", allowed | FLIP_MODALS
        if is_hypothetical(trigger, cues, allowed):
            return None
        names = self._actors(trigger, subject, actor_mode, actor_index)
        if referent:
            names = list(dict.fromkeys([*referent, *names]))
        if rule.third_party and not self._third_party(trigger, names, index, parties):
            return None
        when = timing(trigger, _published_date(article), cues)
        confidence = rule.confidence
        if is_hedged(trigger, cues):
            confidence *= HEDGE_FACTOR
        if names and subject and any(index.is_configured(t) for t in subject):
            confidence += CONFIGURED_ACTOR_BONUS
        return Development(
            type=dev_type,
            actors=tuple(names),
            venue=venue(doc, trigger),
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
                     parties: frozenset[str]) -> bool:
        """Someone other than a party acts, on a party (its object, else anyone named)."""
        if not names or set(names) <= parties:
            return False
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
                index: ActorIndex) -> list[str]:
        if mode == "participants":
            names = index.names(subject or [])
            return list(dict.fromkeys([*names, *index.names(participant_tokens(trigger))]))
        if mode == "modifiers":
            return index.names(modifier_tokens(trigger))
        return index.names(subject or [])


def venue(doc: Doc, trigger: Token) -> str | None:
    """A configured venue in the trigger's phrase, else a place it names ("met in Jerusalem"),
    else a configured venue of its clause."""
    venues = list(doc.spans[VENUE_SPANS])
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
