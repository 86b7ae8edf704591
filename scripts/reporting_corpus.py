"""Tools for the real-reporting corpus in tests/data/reporting/ (see its README).

    python scripts/reporting_corpus.py excluded URL [URL ...]
        `excluded` or `ok` per address: pages listed in ../shared/eval-exclude.sha256 (the
        hidden evaluation sets were written from them) must not be used.
    python scripts/reporting_corpus.py check TOPIC [--pages DIR]
        validates tests/data/reporting/TOPIC.jsonl against TOPIC.yaml, and compares each brief
        with the page it was written from (DIR/<brief id>.txt: the page's address on the first
        line, then its text; default /work/pages): any run of more than ten words shared with
        the page is reported.
    python scripts/reporting_corpus.py fingerprint TOPIC [--pages DIR]
        writes the page fingerprints of TOPIC's briefs (hashed 11-word runs of each page, not
        its text) to tests/data/reporting/fingerprints/TOPIC.jsonl, so that the test suite can
        check the overlap rule without the pages.

The validation and the overlap rule live in bot-independent functions below, shared with
tests/extract/test_reporting_corpus.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "reporting"
EXCLUDE = ROOT.parent / "shared" / "eval-exclude.sha256"
TYPES = ("talks_held", "delegation_arrived", "delegation_departed", "proposal_presented",
         "proposal_accepted", "proposal_rejected", "no_breakthrough", "talks_continue",
         "talks_suspended", "deal_reached", "release", "pressure")
TERM_KEYS = ("ceasefire_days", "hostages", "prisoners", "prisoners_per_hostage", "phases")
STATUSES = ("deal_reached", "collapsed", "stalled", "active", "unknown")
SPLITS = ("train", "dev", "test")
RUN = 11  # a shared run of RUN words is one word more than the rule allows
MIN_WORDS, MAX_WORDS = 150, 450
_WORD = re.compile(r"[a-z0-9]+")


def page_key(url: str) -> str:
    """The address hash of ../shared/eval-exclude.md."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().split(":")[0].removeprefix("www.")
    return hashlib.sha256((host + parts.path.rstrip("/")).encode()).hexdigest()


def words(text: str) -> list[str]:
    """Lower-case words, punctuation and quotes dropped (so re-punctuating is no rewording)."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("'", ""))


def runs(text: str) -> Iterator[tuple[int, str]]:
    """Each run of RUN consecutive words, with its start index."""
    tokens = words(text)
    for start in range(len(tokens) - RUN + 1):
        yield start, " ".join(tokens[start:start + RUN])


def run_hash(run: str) -> str:
    return hashlib.sha256(run.encode()).hexdigest()[:12]


def fingerprint(page_text: str) -> list[str]:
    return sorted({run_hash(run) for _, run in runs(page_text)})


def shared_runs(brief_text: str, page_hashes: set[str]) -> list[str]:
    """The brief's stretches of words that occur, RUN or more at a time, in the page too."""
    tokens = words(brief_text)
    spans: list[list[int]] = []
    for start, run in runs(brief_text):
        if run_hash(run) not in page_hashes:
            continue
        if spans and start <= spans[-1][1]:
            spans[-1][1] = start + RUN
        else:
            spans.append([start, start + RUN])
    return [" ".join(tokens[first:end]) for first, end in spans]


def load_topic_config(path: Path) -> tuple[str, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = data["topics"]
    if len(topics) != 1:
        raise ValueError(f"{path}: expected exactly one topic")
    [(topic_id, topic)] = topics.items()
    return topic_id, topic


def load_briefs(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def problems(briefs: Iterable[dict[str, Any]], topic_id: str, topic: dict[str, Any]) -> list[str]:
    """Every way the briefs break the corpus format (README), one line each."""
    canonical = set(topic.get("parties", {})) | set(topic.get("mediators", {}))
    venues = set(topic.get("venues", []))
    found: list[str] = []
    seen: set[str] = set()
    splits: set[str] = set()
    for brief in briefs:
        bid = brief.get("id", "?")
        say = lambda msg, bid=bid: found.append(f"{bid}: {msg}")  # noqa: E731
        missing = {"id", "topic", "split", "published", "source_url", "title", "text",
                   "developments", "status_after", "distractor"} - set(brief)
        if missing:
            say(f"missing fields {sorted(missing)}")
            continue
        if bid in seen:
            say("duplicate id")
        seen.add(bid)
        if brief["topic"] != topic_id:
            say(f"topic {brief['topic']!r} is not {topic_id!r}")
        if brief["split"] not in SPLITS:
            say(f"split {brief['split']!r}")
        splits.add(brief["split"])
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(brief["published"])):
            say("published is not YYYY-MM-DD")
        if not str(brief["source_url"]).startswith("http"):
            say("source_url is not an address")
        count = len(brief["text"].split())
        if not MIN_WORDS <= count <= MAX_WORDS:
            say(f"{count} words (expected {MIN_WORDS}-{MAX_WORDS})")
        if brief["status_after"] not in STATUSES:
            say(f"status_after {brief['status_after']!r}")
        current = [d for d in brief["developments"] if not d.get("background")]
        if brief["distractor"] and current:
            say("a distractor with current developments")
        for number, dev in enumerate(brief["developments"]):
            where = f"development {number}"
            if dev.get("type") not in TYPES:
                say(f"{where}: type {dev.get('type')!r}")
            if not isinstance(dev.get("background"), bool):
                say(f"{where}: background must be true or false")
            for actor in dev.get("actors", []):
                if actor not in canonical:
                    say(f"{where}: actor {actor!r} is not a canonical name of {topic_id}.yaml")
            venue = dev.get("venue")
            if venue is not None and venue not in venues:
                say(f"{where}: venue {venue!r} is not in the venues of {topic_id}.yaml")
            for key, value in (dev.get("terms") or {}).items():
                if key not in TERM_KEYS or not isinstance(value, int):
                    say(f"{where}: term {key}={value!r}")
            evidence = dev.get("evidence", "")
            if not evidence or evidence not in brief["text"]:
                say(f"{where}: evidence is not a substring of the text")
    if len(splits) > 1:
        found.append(f"{topic_id}: one negotiation, several splits {sorted(splits)}")
    return found


def read_page(pages: Path, brief_id: str) -> tuple[str, str]:
    lines = (pages / f"{brief_id}.txt").read_text(encoding="utf-8").split("\n", 1)
    return lines[0].strip(), lines[1] if len(lines) > 1 else ""


def _excluded_keys() -> set[str]:
    if not EXCLUDE.exists():
        sys.exit(f"{EXCLUDE} is absent: cannot check addresses")
    return set(EXCLUDE.read_text().split())


def cmd_excluded(args: argparse.Namespace) -> int:
    keys = _excluded_keys()
    for url in args.urls:
        print(("excluded" if page_key(url) in keys else "ok"), url)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    topic_id, topic = load_topic_config(CORPUS / f"{args.topic}.yaml")
    briefs = load_briefs(CORPUS / f"{args.topic}.jsonl")
    found = problems(briefs, topic_id, topic)
    keys = _excluded_keys()
    for brief in briefs:
        if page_key(brief["source_url"]) in keys:
            found.append(f"{brief['id']}: source page is excluded (hidden evaluation set)")
        try:
            url, page = read_page(args.pages, brief["id"])
        except OSError:
            found.append(f"{brief['id']}: no saved page {args.pages}/{brief['id']}.txt")
            continue
        if url != brief["source_url"]:
            found.append(f"{brief['id']}: saved page is {url}, brief says {brief['source_url']}")
        for stretch in shared_runs(brief["title"] + "\n" + brief["text"], set(fingerprint(page))):
            found.append(f"{brief['id']}: shares with its page: {stretch!r}")
    print("\n".join(found) or f"{topic_id}: {len(briefs)} briefs ok")
    return 1 if found else 0


def cmd_fingerprint(args: argparse.Namespace) -> int:
    briefs = load_briefs(CORPUS / f"{args.topic}.jsonl")
    out = CORPUS / "fingerprints" / f"{args.topic}.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for brief in briefs:
            url, page = read_page(args.pages, brief["id"])
            handle.write(json.dumps({"id": brief["id"], "page_key": page_key(url),
                                     "runs": fingerprint(page)}) + "\n")
    print(f"{out}: {len(briefs)} pages")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True)
    excluded = sub.add_parser("excluded")
    excluded.add_argument("urls", nargs="+")
    excluded.set_defaults(handler=cmd_excluded)
    for name, handler in (("check", cmd_check), ("fingerprint", cmd_fingerprint)):
        command = sub.add_parser(name)
        command.add_argument("topic")
        command.add_argument("--pages", type=Path, default=Path("/work/pages"))
        command.set_defaults(handler=handler)
    args = parser.parse_args()
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
