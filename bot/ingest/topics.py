"""Which configured topics an article is about, by the words the topic's settings name.

A topic matches when the title, summary or text mentions one of its keywords, parties,
mediators (canonical names or aliases) or venues, as whole words, case-insensitively.
Acronyms written in capitals ("US", "CIA") match only in capitals: as lower case "us" is a
pronoun, and matching it would queue every article for every topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from bot.models import Article
from bot.settings import TopicSettings

_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.]{0,5}$")


def topic_terms(topic: TopicSettings) -> tuple[str, ...]:
    """Every word or phrase that signals the topic."""
    terms = [*topic.keywords, *topic.venues]
    for name, aliases in topic.aliases().items():
        terms.extend((name, *aliases))
    return tuple(dict.fromkeys(t.strip() for t in terms if t.strip()))


def _pattern(terms: Iterable[str], flags: int) -> re.Pattern[str] | None:
    alternatives = [
        r"\s+".join(re.escape(word) for word in term.split())
        for term in sorted(terms, key=len, reverse=True)
    ]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", flags)


class TopicMatcher:
    """Matches articles against the configured topics; built once from settings."""

    def __init__(self, topics: Mapping[str, TopicSettings]) -> None:
        self._patterns: dict[str, tuple[re.Pattern[str], ...]] = {}
        for key, topic in topics.items():
            terms = topic_terms(topic)
            acronyms = [t for t in terms if _ACRONYM.match(t)]
            words = [t for t in terms if not _ACRONYM.match(t)]
            patterns = (_pattern(words, re.IGNORECASE), _pattern(acronyms, 0))
            self._patterns[key] = tuple(p for p in patterns if p is not None)

    def topics_of(self, article: Article, among: Iterable[str] | None = None) -> tuple[str, ...]:
        """The topics (of `among`, default all) that the article mentions, in config order."""
        return self.topics_in((article.title, article.summary, article.text), among)

    def topics_in(
        self, texts: Sequence[str], among: Iterable[str] | None = None
    ) -> tuple[str, ...]:
        """The topics (of `among`, default all) that `texts` (title, summary, text) mention."""
        wanted = set(self._patterns if among is None else among)
        text = "\n".join(texts)
        return tuple(
            key for key, patterns in self._patterns.items()
            if key in wanted and any(p.search(text) for p in patterns)
        )
