"""spaCy components the extractor registers, and the token attributes it sets.

- `TagAttributes`: the trained pipeline's attribute ruler as dictionary lookups (tag map and
  word-and-tag exceptions, read and written as integer IDs), and the few remaining rules one
  by one, each only on sentences holding a token it can start with (`GuardedRules`): same
  annotations, several times cheaper than matching ~180 patterns on every token.
- `CachedLemmatizer`: the trained lemmatizer with a cache of every word it has seen.
- Token extensions `parley_actor`, `parley_venue`, `parley_place`: set per sentence by
  `bot.extract.actors.TopicActors` from the topic's config, read by patterns as
  `{_: {parley_venue: true}}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.strings import StringStore
from spacy.tokens import Doc, MorphAnalysis, Token
from spacy.vocab import Vocab

TOKEN_FLAGS = ("parley_actor", "parley_venue", "parley_place")


def register_extensions() -> None:
    """Declare the token attributes once per process (idempotent)."""
    for name in TOKEN_FLAGS:
        if not Token.has_extension(name):
            Token.set_extension(name, default=False)


class TagAttributes:
    """An AttributeRuler's single-token TAG and LOWER+TAG rules as lookups, in rule order."""

    FAST_ATTRS = frozenset({"POS", "MORPH", "LEMMA"})

    def __init__(self, ruler: AttributeRuler, vocab: Vocab) -> None:
        self.by_tag: dict[str, dict[str, str]] = {}
        self.by_word: dict[tuple[str, str], dict[str, str]] = {}
        rest = []
        for rule in ruler.patterns:
            keys = self._lookup_keys(rule)
            if keys is None:
                rest.append(rule)
                continue
            for key in keys:
                table: dict[Any, dict[str, str]] = self.by_word if isinstance(key, tuple) \
                    else self.by_tag
                table[key] = {**table.get(key, {}), **rule["attrs"]}
        # The rest in two rulers: rules for particular words ("gon na", "'em") run only on
        # sentences holding one of those words; the others on every sentence.
        by_word = [rule for rule in rest if _first_words(rule)]
        self.rest = GuardedRules(vocab, [rule for rule in rest if not _first_words(rule)])
        self.word_rest = GuardedRules(vocab, by_word)
        self.rest_words = frozenset(w for rule in by_word for w in _first_words(rule))
        # The same tables keyed and valued by integer IDs: reading and writing a token's
        # attributes as IDs skips the string conversions, and a morphology set from a
        # prepared analysis is not parsed again for every token.
        strings = vocab.strings
        self._tag_ids = {strings.add(tag): _TokenAttrs.of(attrs, vocab)
                         for tag, attrs in self.by_tag.items()}
        self._word_ids = {(strings.add(word), strings.add(tag)): _TokenAttrs.of(attrs, vocab)
                          for (word, tag), attrs in self.by_word.items()}
        self._rest_word_ids = frozenset(strings.add(word) for word in self.rest_words)

    def _lookup_keys(self, rule: dict[str, Any]) -> list[str | tuple[str, str]] | None:
        patterns = rule["patterns"]
        if rule.get("index", 0) != 0 or not set(rule["attrs"]) <= self.FAST_ATTRS \
                or len(patterns) != 1 or len(patterns[0]) != 1:
            return None
        token = patterns[0][0]
        tags = list(_plain_values(token.get("TAG")))
        if set(token) == {"TAG"} and tags:
            return list(tags)
        words = list(_plain_values(token.get("LOWER")))
        if set(token) == {"TAG", "LOWER"} and tags and words:
            return [(word, tag) for word in words for tag in tags]
        return None

    def __call__(self, doc: Doc) -> Doc:
        by_tag, by_word = self._tag_ids, self._word_ids
        array = doc.to_array(GUARD_COLUMNS)
        for i, (lower, tag, _, _) in enumerate(array.tolist()):
            for attrs in (by_tag.get(tag), by_word.get((lower, tag))):
                if attrs is not None:
                    attrs.apply(doc[i])
        self.rest(doc, _ColumnValues(array))
        if self._rest_word_ids and not self._rest_word_ids.isdisjoint(array[:, 0].tolist()):
            # Read again: the rules just applied may have changed a tag or a dependency.
            self.word_rest(doc, _ColumnValues(doc.to_array(GUARD_COLUMNS)))
        return doc


# The token attributes `GuardedRules` looks at before running a rule, as array columns.
GUARD_ATTRS = ("LOWER", "TAG", "DEP", "IS_SPACE")
GUARD_COLUMNS = [LOWER, TAG, DEP, IS_SPACE]


class _ColumnValues:
    """The values each column of a sentence's attribute array takes, computed on demand."""

    def __init__(self, array: Any) -> None:
        self._array = array
        self._sets: dict[int, set[int]] = {}

    def of(self, column: int) -> set[int]:
        if column not in self._sets:
            self._sets[column] = set(self._array[:, column].tolist())
        return self._sets[column]


class GuardedRules:
    """Attribute rules applied one at a time, each only to sentences holding a token that
    one of its patterns can start with (by LOWER, TAG, DEP, IS_SPACE): most rules are for
    words or relations a sentence lacks. One at a time equals an AttributeRuler's single
    pass (every match found, then applied in rule order) as long as no rule reads an
    attribute that an earlier one writes; if one does, all run as one AttributeRuler."""

    def __init__(self, vocab: Vocab, rules: list[dict[str, Any]]) -> None:
        self._steps: list[tuple[list[_Guard] | None, AttributeRuler]] = []
        if not _independent(rules):
            self._steps = [(None, _ruler(vocab, rules))] if rules else []
            return
        for rule in rules:
            self._steps.append((_guards(rule, vocab), _ruler(vocab, [rule])))

    def __call__(self, doc: Doc, values: _ColumnValues) -> Doc:
        strings = doc.vocab.strings
        for guards, ruler in self._steps:
            if guards is None or any(all(_present(need, values.of(column), strings)
                                         for column, need in guard) for guard in guards):
                ruler(doc)
        return doc


# A pattern's first token as (column, what some token of the sentence must have) pairs:
# one of a set of values, or a value a regular expression finds.
_Guard = tuple[tuple[int, "frozenset[int] | re.Pattern[str]"], ...]


def _present(need: frozenset[int] | re.Pattern[str], values: set[int],
             strings: StringStore) -> bool:
    if isinstance(need, frozenset):
        return not need.isdisjoint(values)
    return any(need.search(strings[value]) for value in values)


def _ruler(vocab: Vocab, rules: list[dict[str, Any]]) -> AttributeRuler:
    ruler = AttributeRuler(vocab, "parley_attributes")
    ruler.add_patterns(rules)
    return ruler


def _independent(rules: list[dict[str, Any]]) -> bool:
    """Whether no rule's patterns read an attribute that an earlier rule writes."""
    written: set[str] = set()
    for rule in rules:
        read = {key.upper() for pattern in rule["patterns"] for token in pattern
                for key in token if key.upper() != "OP"}
        if read & written:
            return False
        written |= {key.upper() for key in rule["attrs"]}
    return True


def _guards(rule: dict[str, Any], vocab: Vocab) -> list[_Guard] | None:
    """One guard per pattern of the rule; None if a pattern can start with any token."""
    guards = []
    for pattern in rule["patterns"]:
        first = pattern[0]
        if "OP" in first:
            return None
        guard = []
        for column, key in enumerate(GUARD_ATTRS):
            spec = first.get(key)
            if key == "IS_SPACE" and isinstance(spec, bool):
                guard.append((column, frozenset({int(spec)})))
            elif key == "IS_SPACE":
                continue
            elif values := list(_plain_values(spec)):
                guard.append((column, frozenset(vocab.strings.add(v) for v in values)))
            elif isinstance(spec, dict) and set(spec) == {"REGEX"}:
                guard.append((column, re.compile(spec["REGEX"])))
        guards.append(tuple(guard))
    return guards


@dataclass(frozen=True)
class _TokenAttrs:
    """An attribute rule's POS, morphology and lemma, as set on a token (None: unchanged)."""

    pos: int | None
    morph: MorphAnalysis | None
    lemma: int | None

    @classmethod
    def of(cls, attrs: dict[str, str], vocab: Vocab) -> _TokenAttrs:
        return cls(pos=POS_IDS[attrs["POS"]] if "POS" in attrs else None,
                   morph=MorphAnalysis(vocab, attrs["MORPH"]) if "MORPH" in attrs else None,
                   lemma=vocab.strings.add(attrs["LEMMA"]) if "LEMMA" in attrs else None)

    def apply(self, token: Token) -> None:
        if self.pos is not None:
            token.pos = self.pos
        if self.morph is not None:
            token.morph = self.morph
        if self.lemma is not None:
            token.lemma = self.lemma


class CachedLemmatizer:
    """A trained pipeline's lemmatizer, remembering its answer per word, POS and morphology.

    spaCy's own cache leaves out base forms (most words of a sentence), so the rules run on
    them again each time; this cache holds every answer, cleared when it grows past
    `MAX_ENTRIES` so that memory stays bounded over months of news."""

    MAX_ENTRIES = 200_000

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.cache: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        cache, strings = self.cache, doc.vocab.strings
        overwrite = self.lemmatizer.overwrite
        # The attributes read as one array: cheaper than a MorphAnalysis per token.
        for i, (orth, pos, morph, current) in enumerate(
                doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()):
            if not overwrite and current != 0:
                continue
            key = (orth, pos, morph)
            lemma = cache.get(key)
            token = doc[i]
            if lemma is None:
                if len(cache) >= self.MAX_ENTRIES:
                    cache.clear()
                lemma = cache[key] = strings.add(self.lemmatizer.lemmatize(token)[0])
            token.lemma = lemma
        return doc


def _first_words(rule: dict[str, Any]) -> frozenset[str]:
    """The words an attribute rule's patterns must start with; empty if any may start
    anywhere."""
    words: set[str] = set()
    for pattern in rule["patterns"]:
        first = list(_plain_values(pattern[0].get("LOWER")))
        if not first:
            return frozenset()
        words.update(first)
    return frozenset(words)


def _plain_values(spec: Any) -> Iterator[str]:
    if isinstance(spec, str):
        yield spec
    elif isinstance(spec, dict) and set(spec) == {"IN"}:
        yield from (str(v) for v in spec["IN"])
