"""Benchmark: `extract` against a bare `nlp.pipe` of the same model over the full texts.

Run by hand from the repository root:  python benchmarks/extract.py [--repeat-to 200]

Articles: the seed corpus, the labelled set tests/data/extract/articles.jsonl and the briefs of
the real-reporting corpus tests/data/reporting (their text only), repeated until there are at
least `--repeat-to` of them. In one run it times (1) `Extractor.extract` called once per
article, learned layer included (the shipped default), (2) `Extractor.extract_many` over the
whole batch, (3) the same with the rules alone, (4) bare `nlp.pipe` of the same pipeline over the
full texts, and prints articles/s, words/s, the ratios to bare (target for extract <= 0.5) and
the peak RSS (target < 800 MB). Each is timed in `--rounds` interleaved rounds and the best
round is kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.extract.evaluate import load_gold_folder, load_seed_articles  # noqa: E402
from bot.extract.extractor import Extractor, article_text  # noqa: E402
from bot.models import Article  # noqa: E402
from bot.settings import TopicSettings, load_settings  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "extract" / "articles.jsonl"
TOPICS = ROOT / "tests" / "data" / "extract" / "topics.yaml"
REPORTING = ROOT / "tests" / "data" / "reporting"


def load_articles(topics: dict[str, TopicSettings]) -> list[tuple[Article, str]]:
    """(article, topic id) pairs: the seeds (topic `talks`), the labelled set and the
    reporting corpus (whose topics are added to `topics`)."""
    pairs = [(a, "talks") for a in load_seed_articles(ROOT / "seeds").values()]
    if LABELLED.exists():
        for line in LABELLED.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            day = date.fromisoformat(entry["published"])
            pairs.append((Article(
                id=entry["id"], url="", title=entry.get("title", ""),
                published=datetime(day.year, day.month, day.day, tzinfo=UTC),
                source="bench", text=entry["text"]), entry["topic"]))
    gold, reporting_topics = load_gold_folder(REPORTING, ROOT / "seeds")
    topics.update(reporting_topics)
    pairs += [(entry.article, entry.topic or "") for entry in gold]
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat-to", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (best is kept)")
    args = parser.parse_args()

    settings = load_settings(TOPICS).settings
    topics = dict(settings.topics)
    base = load_articles(topics)
    corpus = [base[i % len(base)] for i in range(max(args.repeat_to, len(base)))]
    texts = [article_text(a) for a, _ in corpus]
    words = sum(len(t.split()) for t in texts)

    extractor = Extractor(settings.extractor)
    rules_only = Extractor(settings.extractor.model_copy(update={"learned": False}),
                           pipeline=extractor.pipeline)
    for article, topic in base:  # warm up: build every topic's rulers, touch the model once
        extractor.extract(article, topics[topic])
        rules_only.extract(article, topics[topic])

    by_topic: dict[str, list[Article]] = {}
    for article, topic in corpus:
        by_topic.setdefault(topic, []).append(article)

    def run_extract() -> int:
        return sum(len(extractor.extract(a, topics[t])) for a, t in corpus)

    def run_extract_many() -> int:
        return sum(len(devs) for topic, articles in by_topic.items()
                   for devs in extractor.extract_many(articles, topics[topic]))

    def run_rules_only() -> int:
        return sum(len(devs) for topic, articles in by_topic.items()
                   for devs in rules_only.extract_many(articles, topics[topic]))

    def run_bare() -> int:
        return sum(1 for _ in extractor.pipeline.nlp.pipe(texts, batch_size=64))

    # Interleaved rounds, best of each: the machine's background load varies over a run.
    timings: dict[str, list[float]] = {"extract": [], "extract_many": [], "rules alone": [],
                                       "bare nlp.pipe": []}
    found = 0
    for _ in range(args.rounds):
        for name, run in (("extract", run_extract), ("extract_many", run_extract_many),
                          ("rules alone", run_rules_only), ("bare nlp.pipe", run_bare)):
            start = time.perf_counter()
            result = run()
            timings[name].append(time.perf_counter() - start)
            found = result if name == "extract" else found
    best = {name: min(times) for name, times in timings.items()}
    extract_seconds, batch_seconds, rules_seconds, bare_seconds = best.values()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model: {extractor.pipeline.model}; articles: {len(corpus)} "
          f"({len(base)} distinct); words: {words}; developments found: {found}")
    for name, seconds in best.items():
        print(f"{name:14} {seconds:7.2f} s  {len(corpus) / seconds:8.1f} articles/s  "
              f"{words / seconds:9.0f} words/s")
    print(f"ratio extract/bare:      {extract_seconds / bare_seconds:.2f} (target <= 0.5)")
    print(f"ratio extract_many/bare: {batch_seconds / bare_seconds:.2f}")
    print(f"ratio rules alone (batch)/bare: {rules_seconds / bare_seconds:.2f}")
    print(f"peak RSS: {peak_mb:.0f} MB (target < 800 MB)")


if __name__ == "__main__":
    main()
