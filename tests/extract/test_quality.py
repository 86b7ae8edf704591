"""Quality on the labelled sets: each gold file carries its expectations; targets hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.extract import Extractor
from bot.extract.evaluate import load_gold, score
from bot.settings import TopicSettings, load_settings
from tests.extract.conftest import LABELLED, REPO_ROOT, SEED_GOLD

pytestmark = pytest.mark.model

# (gold file, config, minimum type F1, minimum actor F1); false alarms at most 5% everywhere.
# The seed labels keep the departures from Cairo of seed 003 as one development with three
# actors, where the ontology's convention (two teams moving separately are two items), which the
# extractor follows, gives one per team: that alone costs the seeds' actor F1 about 0.05.
GOLD_SETS = [
    pytest.param(SEED_GOLD, REPO_ROOT / "config" / "parley.yaml", 0.90, 0.73, id="seeds"),
    pytest.param(LABELLED / "articles.jsonl", LABELLED / "topics.yaml", 0.85, 0.75,
                 id="labelled"),
]


@pytest.mark.parametrize(("gold_file", "config", "min_type_f1", "min_actor_f1"), GOLD_SETS)
def test_extraction_meets_its_targets(extractor: Extractor, gold_file: Path, config: Path,
                                      min_type_f1: float, min_actor_f1: float) -> None:
    """Type-level and actor-level F1 and the false-alarm rate stay within target."""
    topics: dict[str, TopicSettings] = dict(load_settings(config, environ={}).settings.topics)
    entries = load_gold(gold_file, REPO_ROOT / "seeds")
    predicted = [extractor.extract(e.article, topics[e.topic or next(iter(topics))])
                 for e in entries]
    result = score(entries, predicted)
    assert result.types.f1 >= min_type_f1, result.errors
    assert result.actors.f1 >= min_actor_f1, result.errors
    assert result.false_alarm_rate <= 0.05, result.errors
