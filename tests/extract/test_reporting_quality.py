"""Quality on the test split of the real-reporting corpus (tests/data/reporting): negotiations
never read while writing rules or training, only scored. The floors are what the shipped
extractor (rules and learned layer) reached when it was trained, minus 0.02: a change that
makes Parley read unseen reporting worse fails here.

Measured at the last training (`parley eval tests/data/reporting --split test --replay`):
type-F1 0.568, actor-F1 0.529, false alarms on distractors 19.4%, status right after 66.7% of
the articles. The issue's targets (0.90, 0.85, 5%, 90%) are far above: see the README.
"""

from __future__ import annotations

import pytest

from bot.extract import Extractor
from bot.extract.evaluate import GoldArticle, Score, load_gold_folder, score
from bot.models import Development
from bot.track.status_replay import Replay, replay
from tests.extract.conftest import REPO_ROOT

pytestmark = pytest.mark.model

CORPUS = REPO_ROOT / "tests" / "data" / "reporting"
MIN_TYPE_F1 = 0.548
MIN_ACTOR_F1 = 0.509
MAX_DISTRACTOR_ALARMS = 0.214
MIN_STATUS_RIGHT = 0.647


@pytest.fixture(scope="module")
def test_split(full_extractor: Extractor) -> tuple[list[GoldArticle], list[list[Development]]]:
    gold, topics = load_gold_folder(CORPUS, REPO_ROOT / "seeds")
    entries = [g for g in gold if g.split == "test"]
    found: dict[str, list[Development]] = {}
    for topic_id in dict.fromkeys(g.topic or "" for g in entries):
        group = [g for g in entries if g.topic == topic_id]
        for entry, devs in zip(group, full_extractor.extract_many(
                [g.article for g in group], topics[topic_id]), strict=True):
            found[entry.article.id] = devs
    return entries, [found[g.article.id] for g in entries]


@pytest.fixture(scope="module")
def result(test_split: tuple[list[GoldArticle], list[list[Development]]]) -> Score:
    return score(*test_split)


def test_the_test_split_is_a_quarter_of_the_corpus_and_unseen(
        test_split: tuple[list[GoldArticle], list[list[Development]]]) -> None:
    """At least 150 articles over ten negotiations, none of them a train or dev one."""
    entries, _ = test_split
    assert len(entries) >= 150
    assert len({g.topic for g in entries}) >= 10


def test_type_f1_holds_its_floor(result: Score) -> None:
    assert result.types.f1 >= MIN_TYPE_F1, result.errors


def test_actor_f1_holds_its_floor(result: Score) -> None:
    assert result.actors.f1 >= MIN_ACTOR_F1, result.errors


def test_false_alarms_on_distractors_hold_their_ceiling(result: Score) -> None:
    assert result.distractor_alarm_rate <= MAX_DISTRACTOR_ALARMS, result.errors


def test_status_replayed_article_by_article_holds_its_floor(
        test_split: tuple[list[GoldArticle], list[list[Development]]]) -> None:
    steps: Replay = replay(*test_split)
    assert steps.accuracy >= MIN_STATUS_RIGHT, steps.errors
