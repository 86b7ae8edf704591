"""`parley extract` and `parley eval`: the extractor from the command line.

`parley extract [--config F] [--topic T] [--format jsonl|text] [FILE|-]`
  Input: a plain text file (one article) or JSON Lines with `id`, `text` and optionally
  `title`, `published` (YYYY-MM-DD), `topic`. JSONL output: one line per valid input line,
  `{"id": ..., "developments": [...]}`, in input order. A line that is not valid JSON or lacks
  `text` is reported on stderr with its line number; the others are still processed and the
  exit code is 1. The topic comes from `--topic`, else the line's `topic`, else the config's
  only topic.

`parley eval GOLD [--config F] [--split S] [--replay] [--errors]`
  Type-level and actor-level precision/recall/F1 and the false-alarm rate (see evaluate.py),
  per split when the articles carry one. GOLD is a JSON Lines file or a folder of them with
  their topic configs beside them. `--replay` also feeds each topic's articles in date order
  through the tracker and scores the status after each (bot/track/status_replay.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from bot.cli import EXIT_FAILURE, EXIT_OK, add_config_option, load_config
from bot.errors import ConfigError, ParleyError
from bot.extract.evaluate import (
    SPLITS,
    GoldArticle,
    load_gold,
    load_gold_folder,
    load_seed_articles,
    report,
    score,
)
from bot.extract.extractor import Extractor
from bot.extract.training import train
from bot.models import Article, Development
from bot.settings import Settings, TopicSettings
from bot.track.status_replay import replay

# The corpus lives in a clone of the repository, not in the installed package.
DEFAULT_CORPUS = Path("tests/data/reporting")
DEFAULT_TRAINED = Path(__file__).parent / "trained" / "learned.npz"


@dataclass(frozen=True)
class _Input:
    line: int
    article: Article
    topic: str | None


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    extract = subparsers.add_parser(
        "extract", help="print the developments an article (or JSON Lines of articles) reports")
    add_config_option(extract)
    extract.add_argument("--topic", metavar="T", help="topic id (default: the line's `topic`, "
                         "else the config's only topic)")
    extract.add_argument("--format", choices=("jsonl", "text"), default="jsonl")
    extract.add_argument("--published", metavar="YYYY-MM-DD",
                         help="publication date of a plain-text article (default: its date in "
                         "seeds.yaml for a seed-corpus file, else today)")
    extract.add_argument("file", nargs="?", default="-", metavar="FILE|-",
                         help="plain text or .jsonl file; - or nothing reads stdin")
    extract.set_defaults(handler=run_extract)

    evaluate = subparsers.add_parser(
        "eval", help="score the extractor against labelled articles (P/R/F1, false alarms)")
    evaluate.add_argument("gold", metavar="GOLD", help="a .jsonl file, or a folder of .jsonl "
                          "files with their <topic>.yaml configs (tests/data/reporting)")
    add_config_option(evaluate)
    evaluate.add_argument("--split", choices=SPLITS, help="only the articles of this split")
    evaluate.add_argument("--replay", action="store_true",
                          help="also replay each topic's status article by article")
    evaluate.add_argument("--errors", action="store_true",
                          help="also list each missed, extra or mis-attributed development")
    evaluate.set_defaults(handler=run_eval)

    training = subparsers.add_parser(
        "train", help="rebuild the learned extractor layer from the labelled reporting corpus")
    add_config_option(training)
    training.add_argument("--corpus", metavar="DIR", default=str(DEFAULT_CORPUS),
                          help=f"the labelled corpus (default: {DEFAULT_CORPUS})")
    training.add_argument("--out", metavar="FILE", default=str(DEFAULT_TRAINED),
                          help="where to write the artifact (default: the shipped one, "
                          f"{DEFAULT_TRAINED})")
    training.set_defaults(handler=run_train)


def run_extract(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    if args.topic is not None and args.topic not in settings.topics:
        raise ConfigError(f"unknown topic {args.topic!r}; "
                          f"expected one of {sorted(settings.topics)}")
    text = _read_input(args.file)
    failed = False
    if _is_jsonl(args.file, text):
        inputs, failed = _parse_jsonl(text)
    else:
        inputs = [_Input(1, _plain_article(args.file, text, args.published), None)]
    extractor = Extractor(settings.extractor)
    results: dict[int, list[Development]] = {}
    for topic_id, group in _by_topic(inputs, args.topic, settings).items():
        if topic_id is None:
            for item in group:
                print(f"line {item.line}: unknown topic {item.topic!r}; expected one of "
                      f"{sorted(settings.topics)}", file=sys.stderr)
            failed = True
            continue
        found = extractor.extract_many([i.article for i in group], settings.topics[topic_id])
        results.update((item.line, devs) for item, devs in zip(group, found, strict=True))
    for item in inputs:
        if item.line in results:
            _write(sys.stdout, item.article, results[item.line], args.format)
    return EXIT_FAILURE if failed else EXIT_OK


def run_eval(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    topics = dict(settings.topics)
    path = Path(args.gold)
    if path.is_dir():
        gold, folder_topics = load_gold_folder(path, settings.seeds.path)
        topics.update(folder_topics)
    else:
        gold = load_gold(path, settings.seeds.path)
    if args.split:
        gold = [entry for entry in gold if entry.split == args.split]
    predicted = _predict(gold, topics, Extractor(settings.extractor), args.gold)
    splits = sorted({entry.split for entry in gold if entry.split})
    groups = [("all", list(range(len(gold))))]
    if len(splits) > 1:
        groups += [(split, [i for i, e in enumerate(gold) if e.split == split])
                   for split in splits]
    errors: list[str] = []
    for name, indices in groups:
        part = [gold[i] for i in indices]
        found = [predicted[i] for i in indices]
        if len(groups) > 1:
            print(f"== {name}")
        result = score(part, found)
        print(report(result, len(part)))
        steps = replay(part, found) if args.replay else None
        if steps is not None:
            print(f"status right after {steps.right}/{steps.steps} articles "
                  f"({steps.accuracy:.1%})")
        print()
        if args.errors and name == "all":
            errors = [*result.errors, *(steps.errors if steps is not None else [])]
    if args.errors:
        print("\n".join(errors))
    return EXIT_OK


def run_train(args: argparse.Namespace) -> int:
    settings = load_config(args).settings
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        raise ConfigError(f"{corpus}: no such corpus folder (run from a clone of Parley, or "
                          "give --corpus)")
    started = time.monotonic()
    models, result = train(corpus, settings.extractor, settings.seeds.path)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    models.save(out)
    print(f"trained on {result.sentences} sentences ({result.reachable} labelled developments "
          f"in them; {result.unreachable} in sentences the rules' first pass never reads) and "
          f"{result.actor_pairs} actor candidates")
    print(f"train split, cross-validated by negotiation, with the learned layer:\n"
          f"{report(result.train_cross_validated, 0)}")
    print(f"dev split, rules alone:\n{report(result.dev_rules, 0)}")
    print(f"dev split, with the learned layer:\n{report(result.dev_learned, 0)}")
    print(f"wrote {out} in {time.monotonic() - started:.0f} s")
    return EXIT_OK


def _predict(gold: list[GoldArticle], topics: dict[str, TopicSettings], extractor: Extractor,
             name: str) -> list[list[Development]]:
    """What the extractor finds in each gold article, one batch per topic."""
    predicted: list[list[Development]] = [[] for _ in gold]
    groups: dict[str, list[int]] = {}
    for i, entry in enumerate(gold):
        topic_id = entry.topic or _only_topic(topics)
        if topic_id not in topics:
            raise ConfigError(f"{name}: article {entry.article.id}: unknown topic "
                              f"{topic_id!r}; expected one of {sorted(topics)}")
        groups.setdefault(topic_id, []).append(i)
    for topic_id, indices in groups.items():
        found = extractor.extract_many([gold[i].article for i in indices], topics[topic_id])
        for i, devs in zip(indices, found, strict=True):
            predicted[i] = devs
    return predicted


def _read_input(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParleyError(f"{name}: cannot read input: {exc}") from exc


def _plain_article(name: str, text: str, published: str | None) -> Article:
    """A plain-text article; a seed-corpus file keeps its title and date from seeds.yaml."""
    path = Path(name)
    seed = None
    if name != "-" and (path.parent / "seeds.yaml").exists():
        seed = load_seed_articles(path.parent).get(path.stem)
    article = seed or Article(id=path.stem if name != "-" else "-", url="", title="",
                              published=datetime.now(UTC), source=name)
    return replace(article, text=text,
                   published=_parse_date(published) if published else article.published)


def _is_jsonl(name: str, text: str) -> bool:
    if name.endswith((".jsonl", ".ndjson")):
        return True
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first.lstrip().startswith("{")


def _parse_jsonl(text: str) -> tuple[list[_Input], bool]:
    inputs, failed = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"line {number}: not valid JSON: {exc}", file=sys.stderr)
            failed = True
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            print(f"line {number}: expected an object with a `text` string", file=sys.stderr)
            failed = True
            continue
        try:
            published = _parse_date(entry["published"]) if entry.get("published") \
                else datetime.now(UTC)
        except ValueError as exc:
            print(f"line {number}: {exc}", file=sys.stderr)
            failed = True
            continue
        article_id = str(entry.get("id", number))
        inputs.append(_Input(number, Article(
            id=article_id, url="", title=str(entry.get("title") or ""), published=published,
            source=article_id, text=entry["text"]), entry.get("topic")))
    return inputs, failed


def _parse_date(value: object) -> datetime:
    try:
        day = date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"published: expected YYYY-MM-DD, got {value!r}") from exc
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _only_topic(topics: Mapping[str, TopicSettings]) -> str:
    if len(topics) != 1:
        raise ConfigError(f"several topics are configured ({', '.join(sorted(topics))}); "
                          "choose one with --topic or a `topic` field per line")
    return next(iter(topics))


def _by_topic(inputs: list[_Input], chosen: str | None,
              settings: Settings) -> dict[str | None, list[_Input]]:
    groups: dict[str | None, list[_Input]] = {}
    for item in inputs:
        topic_id = chosen or item.topic or _only_topic(settings.topics)
        key = topic_id if topic_id in settings.topics else None
        groups.setdefault(key, []).append(item)
    return groups


def _write(out: TextIO, article: Article, developments: list[Development], fmt: str) -> None:
    if fmt == "jsonl":
        out.write(json.dumps({"id": article.id,
                              "developments": [d.to_dict() for d in developments]},
                             ensure_ascii=False) + "\n")
        return
    out.write(f"{article.id}: {len(developments)} development(s)\n")
    for d in developments:
        details = [", ".join(d.actors) or "(no actor)"]
        if d.venue:
            details.append(f"in {d.venue}")
        if d.when:
            details.append(f"on {d.when.isoformat()}")
        if d.terms:
            details.append(", ".join(f"{k}={v}" for k, v in d.terms.items()))
        flag = " [background]" if d.background else ""
        out.write(f"  - {d.type}{flag}: {'; '.join(details)} (confidence {d.confidence:.2f})\n")
        out.write(f"    evidence: {d.evidence.splitlines()[0]}\n")

