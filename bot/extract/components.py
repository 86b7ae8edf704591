"""spaCy components the extractor registers, and the token attributes it sets.

- `parley_lookup_lemmatizer`: the rule-only fallback's lemmatizer, used when no trained
  pipeline is installed: it maps each inflected form of every word the rules name to its lemma
  (from bot/extract/rules), so lemma patterns still match without a statistical model.
- `TagAttributes`: the trained pipeline's attribute ruler as dictionary lookups (tag map and
  word-and-tag exceptions), with a small attribute ruler for the rest: same annotations,
  several times cheaper than matching ~180 patterns on every token.
- `CachedLemmatizer`: the trained lemmatizer with a cache of every word it has seen.
- Token extensions `parley_actor`, `parley_venue`, `parley_place`: set per sentence by
  `bot.extract.actors.TopicActors` from the topic's config, read by patterns as
  `{_: {parley_venue: true}}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from bot.extract.patterns import load_patterns

TOKEN_FLAGS = ("parley_actor", "parley_venue", "parley_place")


def register_extensions() -> None:
    """Declare the token attributes once per process (idempotent)."""
    for name in TOKEN_FLAGS:
        if not Token.has_extension(name):
            Token.set_extension(name, default=False)


class LookupLemmatizer:
    """Sets `token.lemma_` from a form -> lemma table; unknown forms keep their lower case."""

    def __init__(self, lemma_of: dict[str, str]) -> None:
        self.lemma_of = lemma_of

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            lower = token.lower_
            token.lemma_ = self.lemma_of.get(lower, lower)
        return doc


@Language.factory("parley_lookup_lemmatizer", default_config={"patterns_dir": None})
def make_lookup_lemmatizer(nlp: Language, name: str, patterns_dir: str | None) -> LookupLemmatizer:
    folder = Path(patterns_dir) if patterns_dir else None
    return LookupLemmatizer(load_patterns(folder).lemma_of)


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
        self.rest = AttributeRuler(vocab, "parley_rest_attributes")
        self.rest.add_patterns([rule for rule in rest if not _first_words(rule)])
        self.word_rest = AttributeRuler(vocab, "parley_word_attributes")
        self.word_rest.add_patterns(by_word)
        self.rest_words = frozenset(w for rule in by_word for w in _first_words(rule))

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
        for token in doc:
            tag = token.tag_
            for attrs in (self.by_tag.get(tag), self.by_word.get((token.lower_, tag))):
                if attrs:
                    _apply(token, attrs)
        if self.rest.patterns:
            self.rest(doc)
        if self.rest_words and any(t.lower_ in self.rest_words for t in doc):
            self.word_rest(doc)
        return doc


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
        for token in doc:
            if not overwrite and token.lemma != 0:
                continue
            key = (token.orth, token.pos, token.morph.key)
            lemma = cache.get(key)
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


def _apply(token: Token, attrs: dict[str, str]) -> None:
    if "POS" in attrs:
        token.pos_ = attrs["POS"]
    if "MORPH" in attrs:
        token.set_morph(attrs["MORPH"])
    if "LEMMA" in attrs:
        token.lemma_ = attrs["LEMMA"]
