"""The learned layer: the shipped artifact, its errors, and `parley train` end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.developments import TYPE_NAMES
from bot.errors import ConfigError
from bot.extract import Extractor
from bot.extract.evaluate import load_seed_articles
from bot.extract.features import background_features, typed_features
from bot.extract.learned import LearnedModels, background_key, likely_types
from bot.settings import TopicSettings
from tests.extract.conftest import REPO_ROOT

CORPUS = REPO_ROOT / "tests" / "data" / "reporting"


def test_the_shipped_artifact_loads_with_thresholds_for_every_type() -> None:
    """`pip install` brings the trained layer; no training step is needed to run Parley."""
    models = LearnedModels.load()
    assert set(models.thresholds.veto) == set(TYPE_NAMES) == set(models.thresholds.add)
    assert models.sentences.outputs == ("yes",) and models.actors.outputs == ("actor",)


def test_a_missing_artifact_is_an_error_saying_how_to_rebuild_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.npz.*parley train"):
        LearnedModels.load(tmp_path / "missing.npz")


def test_a_broken_artifact_is_an_error_too(tmp_path: Path) -> None:
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(ConfigError, match="broken.npz"):
        LearnedModels.load(broken)


@pytest.mark.model
@pytest.mark.slow
def test_parley_train_rebuilds_a_loadable_artifact_from_a_corpus(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On a small corpus (two train negotiations, one dev): the artifact is written, loads, and
    the report gives the dev split with and without the learned layer."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for topic in ("gaza", "us_china_trade", "sudan"):
        for suffix in (".jsonl", ".yaml"):
            shutil.copy(CORPUS / f"{topic}{suffix}", corpus / f"{topic}{suffix}")
    out = tmp_path / "learned.npz"
    code = main(["train", "--corpus", str(corpus), "--out", str(out)])
    report = capsys.readouterr().out
    assert code == 0
    assert "dev split, rules alone" in report and "with the learned layer" in report
    assert LearnedModels.load(out).thresholds.quiet > 0


@pytest.mark.model
def test_scoring_all_types_at_once_equals_scoring_each_types_features(
        full_extractor: Extractor, gaza: TopicSettings) -> None:
    """The fast path (learned.TypedLinear) gives what the model gives on typed features."""
    models = full_extractor.learned.models if full_extractor.learned else LearnedModels.load()
    seed = load_seed_articles(REPO_ROOT / "seeds")["003_254ffbc15607c006"]
    for reading in full_extractor.readings([seed], gaza):
        fast = likely_types(models, reading)
        rule_types = {d.type for d in reading.sentence.developments if not d.background}
        for dev_type in TYPE_NAMES:
            slow = models.sentences.probabilities(
                typed_features(reading.features, dev_type, rule_types))["yes"]
            assert fast[dev_type] == pytest.approx(slow, abs=1e-5)
        for development in reading.sentence.developments:
            slow = models.background.probabilities(background_features(
                reading.features, development.type, rule_types,
                development.background))["background"]
            assert fast[background_key(development)] == pytest.approx(slow, abs=1e-5)
