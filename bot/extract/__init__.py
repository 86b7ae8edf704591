"""The extractor: the developments an article reports about a topic (see ONTOLOGY.md).

Public API:

- `Extractor(settings: ExtractorSettings)`: loads the spaCy model once (or a rule-only
  fallback, with a warning, when the model is not installed) and caches one actor ruler per
  topic. `extractor.extract(article, topic) -> list[Development]`;
  `extractor.extract_many(articles, topic) -> list[list[Development]]` runs one batched
  `nlp.pipe` over all candidate sentences of the batch (faster for a feed poll).
  Blocking and CPU-bound: call it from a worker thread (`asyncio.to_thread`) or a pool.
  Thread-safe: calls on one Extractor are serialised by a lock, because a spaCy pipeline must
  not be used by two threads at once; for parallel extraction use one Extractor per process.
- `extract(article, topic, settings=None)`: the same through an Extractor cached per settings;
  cheap to call repeatedly.

Developments below `settings.min_confidence` are left out. Background recaps are returned with
`background=True`. `when` is the resolved date of the event, else the article's date (None for
a recap that gives no date). Nothing here knows a conflict: parties, mediators, venues and
keywords come from the topic's config; the wording rules from bot/extract/rules.
"""

from __future__ import annotations

from functools import lru_cache

from bot.extract.extractor import Extractor
from bot.models import Article, Development
from bot.settings import ExtractorSettings, TopicSettings

__all__ = ["Extractor", "extract", "shared_extractor"]


@lru_cache(maxsize=4)
def shared_extractor(settings: ExtractorSettings | None = None) -> Extractor:
    """One Extractor per distinct settings, built on first use."""
    return Extractor(settings)


def extract(article: Article, topic: TopicSettings,
            settings: ExtractorSettings | None = None) -> list[Development]:
    """The developments `article` reports about `topic`."""
    return shared_extractor(settings).extract(article, topic)
