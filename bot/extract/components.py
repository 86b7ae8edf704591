"""spaCy components the extractor registers, and the token attributes it sets.

- `parley_lookup_lemmatizer`: the rule-only fallback's lemmatizer, used when no trained
  pipeline is installed: it maps each inflected form of every word the rules name to its lemma
  (from config/patterns), so lemma patterns still match without a statistical model.
- Token extensions `parley_actor`, `parley_venue`, `parley_place`: set per sentence by
  `bot.extract.actors.TopicActors` from the topic's config, read by patterns as
  `{_: {parley_venue: true}}`.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token

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
