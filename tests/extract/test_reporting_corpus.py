"""The real-reporting corpus (tests/data/reporting): its files follow the format of its README,
its briefs are not copies of their pages, and it has the size and spread the issue asks for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.settings import TopicSettings
from scripts.reporting_corpus import (
    CORPUS,
    EXCLUDE,
    load_briefs,
    load_topic_config,
    page_key,
    problems,
    shared_runs,
)

TOPICS = sorted(path.stem for path in CORPUS.glob("*.jsonl"))
BRIEFS = {topic: load_briefs(CORPUS / f"{topic}.jsonl") for topic in TOPICS}
ALL = [brief for briefs in BRIEFS.values() for brief in briefs]


@pytest.mark.parametrize("topic", TOPICS)
def test_a_negotiations_briefs_follow_the_format(topic: str) -> None:
    """Fields, splits, word counts, labels in the topic's canonical names, evidence quoted."""
    topic_id, config = load_topic_config(CORPUS / f"{topic}.yaml")
    TopicSettings.model_validate(config)
    assert topic_id == topic
    assert problems(BRIEFS[topic], topic_id, config) == []


@pytest.mark.parametrize("topic", TOPICS)
def test_briefs_are_in_date_order(topic: str) -> None:
    """Ids number the briefs in date order, so that status replays in that order."""
    briefs = BRIEFS[topic]
    assert [b["published"] for b in briefs] == sorted(b["published"] for b in briefs)
    assert [b["id"] for b in briefs] == [f"{topic}_{n:03d}" for n in range(1, len(briefs) + 1)]


@pytest.mark.parametrize("topic", TOPICS)
def test_no_brief_shares_more_than_ten_words_in_a_row_with_its_page(topic: str) -> None:
    """Checked against hashed 11-word runs of each page (the pages themselves are not kept)."""
    fingerprints = {row["id"]: row for row in map(
        json.loads, (CORPUS / "fingerprints" / f"{topic}.jsonl").read_text().splitlines())}
    for brief in BRIEFS[topic]:
        page = fingerprints[brief["id"]]
        assert page["page_key"] == page_key(brief["source_url"])
        assert shared_runs(brief["title"] + "\n" + brief["text"], set(page["runs"])) == [], \
            brief["id"]


@pytest.mark.skipif(not EXCLUDE.exists(), reason=f"{EXCLUDE} absent (optional: ../shared)")
def test_no_brief_comes_from_a_page_of_the_hidden_sets() -> None:
    """Pages listed in eval-exclude.sha256 were skipped."""
    excluded = set(EXCLUDE.read_text().split())
    assert [b["id"] for b in ALL if page_key(b["source_url"]) in excluded] == []


def test_the_corpus_has_the_size_and_spread_asked_for() -> None:
    """At least 300 briefs over 20 negotiations, 15% distractors, a quarter in test."""
    assert len(ALL) >= 300
    assert len(TOPICS) >= 20
    assert sum(b["distractor"] for b in ALL) >= 0.15 * len(ALL)
    assert sum(b["split"] == "test" for b in ALL) >= 0.25 * len(ALL)
    assert {b["split"] for b in ALL} == {"train", "dev", "test"}


def test_every_source_page_is_briefed_once() -> None:
    """One brief per page (by full address: some sites tell pages apart by the query)."""
    keys = [b["source_url"] for b in ALL]
    assert len(keys) == len(set(keys))


def test_the_folder_holds_nothing_but_briefs_and_their_configs() -> None:
    """Each jsonl has its yaml and the other way round."""
    configs = sorted(path.stem for path in CORPUS.glob("*.yaml"))
    assert configs == TOPICS
    assert Path(CORPUS / "README.md").exists()
