"""The cheap first pass: split an article into sentences and keep those a rule could match.

Only the tokenizer and a rule-based sentencizer run over the whole text. A sentence is a
candidate when, for at least one rule, it contains a form of every word the rule cannot do
without (e.g. a form of "reject" and a proposal word); only candidates go through the full
statistical pipeline. An article with no negotiation vocabulary at all (from the lexicon's
`context` list and the topic's keywords) yields no candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.pipeline import Sentencizer

from bot.extract.patterns import PatternSet, Rule, inflect

PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


class CandidateFilter:
    def __init__(self, nlp: Language, sentencizer: Sentencizer, patterns: PatternSet) -> None:
        self._tokenizer = nlp.tokenizer
        self._sentencizer = sentencizer
        self._rules: tuple[Rule, ...] = patterns.rules
        self.context_forms = frozenset(
            form for lemma in patterns.lexicon.get("context", ()) for form in inflect(lemma))

    def sentences(self, text: str) -> Iterator[tuple[str, frozenset[str]]]:
        """Each sentence of `text` with the lower-case forms of its words."""
        paragraphs = [p for p in PARAGRAPH_BREAK.split(text) if p]
        for doc in self._tokenizer.pipe(paragraphs):
            for sentence in self._sentencizer(doc).sents:
                if sentence.text.strip():
                    yield sentence.text.strip(), frozenset(t.lower_ for t in sentence)

    def could_match(self, forms: frozenset[str], actor_forms: frozenset[str]) -> bool:
        """Whether some rule could match: its words are there, and so is the context it
        requires when that can be told from words alone (negotiation vocabulary, an alias)."""
        has_context = bool(forms & self.context_forms)
        has_actor = bool(forms & actor_forms)
        for rule in self._rules:
            if any(required.isdisjoint(forms) for required in rule.required_forms):
                continue
            if rule.require and set(rule.require) <= {"context", "actor"} and not (
                    ("context" in rule.require and has_context)
                    or ("actor" in rule.require and has_actor)):
                continue
            return True
        return False

    def on_topic(self, forms: Iterable[frozenset[str]], keywords: frozenset[str]) -> bool:
        """Whether any sentence uses negotiation vocabulary or a topic keyword."""
        vocabulary = self.context_forms | keywords
        return any(vocabulary & sentence for sentence in forms)
