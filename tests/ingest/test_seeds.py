"""The seed corpus: loaded from seeds/, matched to all topics, ingested idempotently."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ParseError
from bot.ingest.seeds import ingest_seeds, load_seeds
from bot.ingest.topics import TopicMatcher
from bot.settings import load_settings
from bot.store import SqlStore
from tests.conftest import REPO_ROOT

SEEDS = REPO_ROOT / "seeds"


def test_the_seed_articles_load_with_their_metadata() -> None:
    """Both seeds come with the id, title, source and date seeds.yaml gives."""
    seeds = {a.id: a for a in load_seeds(SEEDS)}
    first = seeds["000_1b836eb240e6e852"]
    assert first.title == "Israeli Delegation Leaves Cairo Without Breakthrough in Hostage Talks"
    assert first.source == "The Times of Israel"
    assert first.published == datetime(2024, 2, 13, tzinfo=UTC)
    assert "Mossad head David Barnea" in first.text
    assert len(seeds) == 2


async def test_seeds_are_ingested_once_and_queued_for_the_default_topic(
    store: SqlStore,
) -> None:
    """A second start stores nothing; both seeds await extraction for `talks`."""
    settings = load_settings(REPO_ROOT / "config" / "parley.yaml", environ={}).settings
    matcher = TopicMatcher(settings.topics)
    assert len(await ingest_seeds(store, SEEDS, matcher)) == 2
    assert await ingest_seeds(store, SEEDS, matcher) == []
    queued = await store.articles_awaiting_extraction()
    assert {a.id for a in queued} == {"000_1b836eb240e6e852", "003_254ffbc15607c006"}
    assert all(a.topics == ("talks",) for a in queued)


def test_a_missing_seed_folder_is_a_clear_error(tmp_path: Path) -> None:
    """No seeds.yaml raises ParseError naming the file."""
    with pytest.raises(ParseError, match="seeds.yaml: seed metadata not found"):
        load_seeds(tmp_path)


def test_a_seed_entry_missing_a_field_is_a_clear_error(tmp_path: Path) -> None:
    """An entry without its title raises ParseError naming the key."""
    (tmp_path / "seeds.yaml").write_text("articles:\n  - {id: a, file: a.txt, source: S, "
                                         "published: 2024-01-01}\n")
    with pytest.raises(ParseError, match=r"articles\.0\.title: Field required"):
        load_seeds(tmp_path)


def test_a_seed_whose_text_file_is_missing_is_a_clear_error(tmp_path: Path) -> None:
    """A listed file that does not exist raises ParseError naming it."""
    (tmp_path / "seeds.yaml").write_text("articles:\n  - {id: a, file: a.txt, title: T, "
                                         "source: S, published: 2024-01-01}\n")
    with pytest.raises(ParseError, match="a.txt: cannot read seed article a"):
        load_seeds(tmp_path)
