"""The cheap first pass: split an article into sentences and keep those a rule could match.

Only the tokenizer and a rule-based sentencizer run over the whole text. A sentence is a
candidate when, for at least one rule, it contains a form of every word the rule cannot do
without (e.g. a form of "reject" and a proposal word); only candidates go through the full
statistical pipeline. An article with no negotiation vocabulary at all (from the lexicon's
`context` list and the topic's keywords) yields no candidates.

A sentence that could only spell out the terms of a proposal or deal named just before it
("Israel would free 30 prisoners for each hostage") is a candidate too: see `could_state_terms`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.pipeline import Sentencizer

from bot.extract.patterns import PatternSet, Rule, inflect
from bot.extract.terms import TERM_WORDS, text_value

PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article, the lower-case forms of its words and its paragraph."""

    text: str
    forms: frozenset[str]
    paragraph: int


class CandidateFilter:
    def __init__(self, nlp: Language, sentencizer: Sentencizer, patterns: PatternSet) -> None:
        self._tokenizer = nlp.tokenizer
        self._sentencizer = sentencizer
        self._rules: tuple[Rule, ...] = patterns.rules
        # Each distinct required word set is numbered, and each form points to the sets it
        # belongs to: a sentence's forms then tell which sets it meets in one pass over them.
        numbers: dict[frozenset[str], int] = {}
        self._needs: list[frozenset[int]] = []
        for rule in patterns.rules:
            self._needs.append(frozenset(numbers.setdefault(required, len(numbers))
                                         for required in rule.required_forms))
        self._sets_of_form: dict[str, set[int]] = {}
        for required, number in numbers.items():
            for form in required:
                self._sets_of_form.setdefault(form, set()).add(number)
        self.context_forms = frozenset(
            form for lemma in patterns.lexicon.get("context", ()) for form in inflect(lemma))
        self._term_markers = frozenset(
            form for word in patterns.cues.term_markers for form in inflect(word))

    def sentences(self, text: str) -> Iterator[Sentence]:
        """Each sentence of `text`, in order."""
        paragraphs = [p for p in PARAGRAPH_BREAK.split(text) if p]
        for paragraph, doc in enumerate(self._tokenizer.pipe(paragraphs)):
            for sentence in self._sentencizer(doc).sents:
                if sentence.text.strip():
                    yield Sentence(sentence.text.strip(),
                                   frozenset(t.lower_ for t in sentence), paragraph)

    def matching_types(self, sentence: Sentence, actor_forms: frozenset[str]) -> set[str]:
        """The development types some rule of which could match: its words are there, and so
        is the context it requires when that can be told from words alone (negotiation
        vocabulary, an alias)."""
        forms = sentence.forms
        has_context = bool(forms & self.context_forms)
        has_actor = bool(forms & actor_forms)
        found = set()
        for index in self.possible_rules(forms):
            rule = self._rules[index]
            if rule.type in found:
                continue
            if rule.require and set(rule.require) <= {"context", "actor"} and not (
                    ("context" in rule.require and has_context)
                    or ("actor" in rule.require and has_actor)):
                continue
            found.add(rule.type)
        return found

    def possible_rules(self, forms: frozenset[str]) -> list[int]:
        """The indexes (in rule order) of the rules whose required words `forms` all hold."""
        met: set[int] = set()
        sets_of_form = self._sets_of_form
        for form in forms:
            numbers = sets_of_form.get(form)
            if numbers:
                met |= numbers
        return [index for index, needs in enumerate(self._needs) if needs <= met]

    def could_state_terms(self, sentence: Sentence) -> bool:
        """Whether the sentence could spell out terms: a number, a term word (hostages,
        prisoners, days, phases ...) and a marker of stated terms ("would", "include")."""
        forms = sentence.forms
        return not forms.isdisjoint(TERM_WORDS) and not forms.isdisjoint(self._term_markers) \
            and any(text_value(form) is not None for form in forms)

    def on_topic(self, forms: Iterable[frozenset[str]], keywords: frozenset[str]) -> bool:
        """Whether any sentence uses negotiation vocabulary or a topic keyword."""
        vocabulary = self.context_forms | keywords
        return any(vocabulary & sentence for sentence in forms)
