"""The seed corpus: articles in `seeds/` (text files + `seeds.yaml` metadata), ingested at start.

Idempotent: each seed keeps the id `seeds.yaml` gives it, so a restart stores nothing twice.
Seeds are matched against every topic, like feed articles, and stored `silent` (they are the
starting state, not news).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ParseError
from bot.ingest.parser import with_content_hash
from bot.ingest.text import tidy
from bot.ingest.topics import TopicMatcher
from bot.models import Article
from bot.store import NewArticle, SqlStore

METADATA_FILE = "seeds.yaml"


class SeedEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    file: str
    title: str
    source: str
    published: date
    url: str | None = None


class SeedIndex(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    articles: tuple[SeedEntry, ...] = ()


def load_seeds(folder: Path) -> list[Article]:
    """Read the seed articles. Raises ParseError naming the file and what is wrong."""
    index_file = folder / METADATA_FILE
    try:
        raw: Any = yaml.safe_load(index_file.read_text(encoding="utf-8"))
        index = SeedIndex.model_validate(raw or {})
    except FileNotFoundError as exc:
        raise ParseError(f"{index_file}: seed metadata not found") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ParseError(f"{index_file}: cannot read seed metadata: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ParseError(f"{index_file}: {where}: {first['msg']}") from None
    return [_seed_article(folder, entry) for entry in index.articles]


def _seed_article(folder: Path, entry: SeedEntry) -> Article:
    path = folder / entry.file
    try:
        text = tidy(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"{path}: cannot read seed article {entry.id}: {exc}") from exc
    published = datetime(entry.published.year, entry.published.month, entry.published.day,
                         tzinfo=UTC)
    return with_content_hash(Article(
        id=entry.id, url=entry.url or "", title=entry.title, published=published,
        source=entry.source, text=text,
    ))


async def ingest_seeds(store: SqlStore, folder: Path, matcher: TopicMatcher) -> list[Article]:
    """Store the seeds not stored yet, matched to all topics; return the new ones."""
    seeds = await asyncio.to_thread(load_seeds, folder)
    items = [
        NewArticle(replace(seed, topics=matcher.topics_of(seed)), feed_url=None, silent=True)
        for seed in seeds
    ]
    return await store.add_articles(items)

