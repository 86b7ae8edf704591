"""Fixtures of the extractor tests: extractors built once per session, topics from real configs.

`extractor` is the rule layer alone: tests of single sentences specify what the rules do.
`full_extractor` adds the learned layer, as shipped: quality on labelled sets and the seeds
are measured with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import spacy.util

from bot.extract import Extractor
from bot.models import Article, Development
from bot.settings import ExtractorSettings, TopicSettings, load_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL = ExtractorSettings().model
LABELLED = REPO_ROOT / "tests" / "data" / "extract"
SEED_GOLD = REPO_ROOT / "seeds" / "gold.jsonl"
PUBLISHED = datetime(2024, 5, 9, tzinfo=UTC)  # a Thursday


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if spacy.util.is_package(MODEL):
        return
    skip = pytest.mark.skip(reason=f"spaCy model {MODEL} is not installed")
    for item in items:
        if "model" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor(ExtractorSettings(learned=False))


@pytest.fixture(scope="session")
def full_extractor() -> Extractor:
    return Extractor(ExtractorSettings())


@pytest.fixture(scope="session")
def gaza() -> TopicSettings:
    """The Gaza topic of the shipped config."""
    return load_settings(REPO_ROOT / "config" / "parley.yaml", environ={}).settings.topics["talks"]


@pytest.fixture(scope="session")
def topics() -> dict[str, TopicSettings]:
    """The five topics of the labelled set (Gaza, Ukraine, Iran, Sudan, Colombia)."""
    return dict(load_settings(LABELLED / "topics.yaml", environ={}).settings.topics)


@pytest.fixture(scope="session")
def ukraine(topics: dict[str, TopicSettings]) -> TopicSettings:
    return topics["ukraine"]


def article(text: str, title: str = "", published: datetime = PUBLISHED) -> Article:
    """An article as ingestion would hand it over."""
    return Article(id="test", url="https://news.example/1", title=title, published=published,
                   source="test", text=text)


def types(developments: list[Development], *, current_only: bool = True) -> list[str]:
    return [d.type for d in developments if not (current_only and d.background)]


def one(developments: list[Development], dev_type: str) -> Development:
    """The single development of `dev_type`."""
    found = [d for d in developments if d.type == dev_type]
    assert len(found) == 1, developments
    return found[0]
