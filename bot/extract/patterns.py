"""Load the extractor's rule data (bot/extract/rules/) into typed, validated values.

The folder holds:
- `developments/<type>.yaml`: spaCy Matcher / DependencyMatcher patterns per development type;
- `lexicon.yaml`: named word lists that patterns reference as `$name`;
- `cues.yaml`: negation, modality, hedge and background cues;
- `demonyms.yaml`: nationality adjectives per country name;
- `inflections.yaml`: irregular word forms (regular ones are generated).

`load_patterns(folder)` raises ConfigError naming the file and rule when the data is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError
from bot.models import DEVELOPMENT_TYPES

DEFAULT_PATTERNS_DIR = Path(__file__).resolve().parent / "rules"
ACTOR_MODES = ("subject", "participants", "modifiers")
SUBJECT_KINDS = ("actor", "entity", "delegation", "talks", "parties")
REQUIREMENTS = ("context", "actor", "two_actors", "venue")
OPTIONAL_OPS = ("?", "*", "!")
VOWELS = set("aeiou")


class _RuleLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so words like `no`, `on`, `off` stay words."""


_RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


@dataclass(frozen=True)
class Expected:
    """One development an example sentence gives."""

    type: str
    actors: tuple[str, ...] = ()
    background: bool = False


@dataclass(frozen=True)
class Example:
    """A sentence and everything the extractor gives for it (tests/extract/test_patterns.py)."""

    text: str
    gives: tuple[Expected, ...]


@dataclass(frozen=True)
class Rule:
    """One wording of a development type."""

    id: str
    type: str
    pattern: tuple[dict[str, Any], ...] | None
    dep_pattern: tuple[dict[str, Any], ...] | None
    trigger: int
    negation: str
    allow: frozenset[str]
    actors: str
    subject: tuple[str, ...]
    require: tuple[str, ...]
    confidence: float
    terms: bool
    # Only a third party's act counts, and only on a party ("pressure").
    third_party: bool
    examples: tuple[Example, ...]
    # Sentences near the rule's wording that must give nothing at all.
    counter_examples: tuple[str, ...]
    # Word forms the sentence must contain (one of each set) for the rule to possibly match.
    required_forms: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Cues:
    negation: frozenset[str]
    negating_governors: frozenset[str]
    modals: frozenset[str]
    hypothetical_governors: frozenset[str]
    hesitations: frozenset[str]
    conditional_markers: frozenset[str]
    hedges: frozenset[str]
    past_markers: frozenset[str]
    period_words: frozenset[str]
    term_markers: frozenset[str]
    recap_days: int


@dataclass(frozen=True)
class PatternSet:
    rules: tuple[Rule, ...]
    lexicon: dict[str, frozenset[str]]
    cues: Cues
    demonyms: dict[str, tuple[str, ...]]
    # Every inflected form of every lemma the rules name, mapped to its lemma.
    lemma_of: dict[str, str]

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def inflect(lemma: str, irregular: Iterable[str] = ()) -> set[str]:
    """Plausible forms of an English lemma: -s, -es, -ed, -ing, doubled consonants."""
    forms = {lemma, *irregular}
    forms |= {lemma + "s", lemma + "es", lemma + "ed", lemma + "ing", lemma + "d"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing", lemma + "d"}
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in VOWELS:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if len(lemma) >= 3 and lemma[-1] not in VOWELS | {"w", "x", "y"} and lemma[-2] in VOWELS:
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


@lru_cache(maxsize=8)
def load_patterns(folder: Path | None = None) -> PatternSet:
    """Read and validate the rule data of `folder` (default: the shipped bot/extract/rules)."""
    root = folder or DEFAULT_PATTERNS_DIR
    lexicon = {k: frozenset(str(w).lower() for w in v)
               for k, v in _read(root / "lexicon.yaml").items() if isinstance(v, list)}
    cues = _load_cues(root / "cues.yaml")
    demonyms = {str(k): tuple(str(w) for w in v) for k, v in _read(root / "demonyms.yaml").items()}
    irregular = {str(k): [str(w).lower() for w in v]
                 for k, v in _read(root / "inflections.yaml").items()}
    rules: list[Rule] = []
    type_dir = root / "developments"
    files = sorted(type_dir.glob("*.yaml"))
    if not files:
        raise ConfigError(f"{type_dir}: no development pattern files found")
    for file in files:
        rules.extend(_load_type_file(file, lexicon, irregular))
    lemma_of: dict[str, str] = {}
    for lemma in _lemmas_named(rules) | set().union(*lexicon.values()):
        for form in inflect(lemma, irregular.get(lemma, ())):
            lemma_of.setdefault(form, lemma)
    for lemma, forms in irregular.items():
        for form in forms:
            lemma_of[form] = lemma
    return PatternSet(tuple(rules), lexicon, cues, demonyms, lemma_of)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_RuleLoader)  # noqa: S506
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: pattern file not found") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read pattern file: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _load_cues(path: Path) -> Cues:
    data = _read(path)

    def words(key: str) -> frozenset[str]:
        if not isinstance(data.get(key), list):
            raise ConfigError(f"{path}: {key}: expected a list of words")
        return frozenset(str(w).lower() for w in data[key])

    return Cues(
        negation=words("negation"),
        negating_governors=words("negating_governors"),
        modals=words("modals"),
        hypothetical_governors=words("hypothetical_governors"),
        hesitations=words("hesitations"),
        conditional_markers=words("conditional_markers"),
        hedges=words("hedges"),
        past_markers=words("past_markers"),
        period_words=words("period_words"),
        term_markers=words("term_markers"),
        recap_days=int(data.get("recap_days", 10)),
    )


def _load_type_file(
    file: Path, lexicon: dict[str, frozenset[str]], irregular: dict[str, list[str]]
) -> list[Rule]:
    data = _read(file)
    dev_type = data.get("type")
    if dev_type not in DEVELOPMENT_TYPES:
        raise ConfigError(f"{file}: type: expected one of {list(DEVELOPMENT_TYPES)}")
    defaults = {
        "negation": str(data.get("negation", "drop")),
        "allow": data.get("allow", []),
        "actors": data.get("actors", "subject"),
        "terms": bool(data.get("terms", False)),
        "confidence": float(data.get("confidence", 0.75)),
        "third_party": bool(data.get("third_party", False)),
    }
    rules = []
    for i, raw in enumerate(data.get("rules") or []):
        where = f"{file}: rules[{i}]"
        try:
            rules.append(_build_rule(dev_type, {**defaults, **raw}, lexicon, irregular))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from exc
    return rules


def _build_rule(
    dev_type: str, raw: dict[str, Any], lexicon: dict[str, frozenset[str]],
    irregular: dict[str, list[str]],
) -> Rule:
    pattern = _expand(raw.get("pattern"), lexicon)
    dep_pattern = _expand(raw.get("dep_pattern"), lexicon)
    if (pattern is None) == (dep_pattern is None):
        raise ValueError("a rule needs exactly one of `pattern` or `dep_pattern`")
    negation = raw["negation"]
    if negation not in ("drop", "keep") and negation not in DEVELOPMENT_TYPES:
        raise ValueError(f"negation: expected drop, keep or a development type, got {negation!r}")
    if raw["actors"] not in ACTOR_MODES:
        raise ValueError(f"actors: expected one of {ACTOR_MODES}")
    subject = tuple(raw.get("subject", ()))
    require = tuple(raw.get("require", ()))
    if not set(subject) <= set(SUBJECT_KINDS):
        raise ValueError(f"subject: expected some of {SUBJECT_KINDS}")
    if not set(require) <= set(REQUIREMENTS):
        raise ValueError(f"require: expected some of {REQUIREMENTS}")
    trigger = int(raw.get("trigger", 0))
    if pattern is not None and not 0 <= trigger < len(pattern):
        raise ValueError("trigger: not an index of the pattern")
    if dep_pattern is not None and dep_pattern[0].get("RIGHT_ID") != "trigger":
        raise ValueError("dep_pattern: the first node must be RIGHT_ID: trigger")
    return Rule(
        id=str(raw["id"]),
        type=dev_type,
        pattern=pattern,
        dep_pattern=dep_pattern,
        trigger=trigger,
        negation=negation,
        allow=frozenset(str(w).lower() for w in raw["allow"]),
        actors=raw["actors"],
        subject=subject,
        require=require,
        confidence=float(raw["confidence"]),
        terms=bool(raw["terms"]),
        third_party=bool(raw.get("third_party", False)),
        examples=tuple(_example(item) for item in raw.get("examples") or ()),
        counter_examples=tuple(str(text) for text in raw.get("counter_examples") or ()),
        required_forms=_required_forms(pattern or dep_pattern or (), irregular),
    )


def _example(item: Any) -> Example:
    """`{text: ..., gives: [{type, actors?, background?}, ...]}`."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError(f"examples: expected {{text: ..., gives: [...]}}, got {item!r}")
    gives = []
    for entry in item.get("gives") or ():
        if entry.get("type") not in DEVELOPMENT_TYPES:
            raise ValueError(f"examples: {item['text']!r}: unknown type {entry.get('type')!r}")
        gives.append(Expected(entry["type"], tuple(str(a) for a in entry.get("actors") or ()),
                              bool(entry.get("background", False))))
    return Example(item["text"], tuple(gives))


def _expand(value: Any, lexicon: dict[str, frozenset[str]]) -> Any:
    """Replace `$name` strings with the lexicon list of that name, recursively."""
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in lexicon:
            raise ValueError(f"unknown word list {value}")
        return sorted(lexicon[value[1:]])
    if isinstance(value, dict):
        return {k: _expand(v, lexicon) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_expand(v, lexicon) for v in value)
    return value


def _token_attrs(node: dict[str, Any]) -> dict[str, Any]:
    return node.get("RIGHT_ATTRS", node)


def _values(spec: Any) -> list[str]:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and "IN" in spec:
        return [str(v) for v in spec["IN"]]
    return []


def _required_forms(
    nodes: Iterable[dict[str, Any]], irregular: dict[str, list[str]]
) -> tuple[frozenset[str], ...]:
    required = []
    for node in nodes:
        if node.get("OP") in OPTIONAL_OPS or str(node.get("OP", "")).startswith("{0"):
            continue
        attrs = _token_attrs(node)
        forms: set[str] = set()
        for lemma in _values(attrs.get("LEMMA")):
            forms |= inflect(lemma.lower(), irregular.get(lemma.lower(), ()))
        for key in ("LOWER", "ORTH", "TEXT"):
            forms |= {v.lower() for v in _values(attrs.get(key))}
        if forms:
            required.append(frozenset(forms))
    return tuple(required)


def _lemmas_named(rules: Iterable[Rule]) -> set[str]:
    lemmas: set[str] = set()
    for rule in rules:
        for node in rule.pattern or rule.dep_pattern or ():
            lemmas |= {v.lower() for v in _values(_token_attrs(node).get("LEMMA"))}
    return lemmas
