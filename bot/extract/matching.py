"""Run the development rules' Matcher and DependencyMatcher patterns over a parsed sentence.

Each rule has its own matcher, run only when the sentence could hold a match: its words
(`Rule.required_forms`, checked by the caller) and, once parsed, a token for each of the
rule's obligatory pattern nodes with the node's lemma, form, POS, tag and dependency. Every
matcher call walks the whole sentence in Python, so skipping the calls that cannot match is
what makes matching cheap; the check reads the sentence's attributes once as integers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.attrs import DEP, LEMMA, LOWER, ORTH, POS, TAG
from spacy.matcher import DependencyMatcher, Matcher
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from bot.extract.patterns import OPTIONAL_OPS, Rule

# Token attributes a node constraint may name, in the column order of `Doc.to_array`.
CHECKED_ATTRS = (("LEMMA", LEMMA), ("LOWER", LOWER), ("ORTH", ORTH), ("TEXT", ORTH),
                 ("POS", POS), ("TAG", TAG), ("DEP", DEP))
COLUMNS = [attr for _, attr in CHECKED_ATTRS]
# Pattern keys whose values depend on the sentence's actor, venue and entity annotations.
ANNOTATION_KEYS = frozenset({"_", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID"})

# A node's constraints: (column, allowed integer values) pairs one token must all meet.
Node = tuple[tuple[int, frozenset[int]], ...]


@dataclass(frozen=True)
class Match:
    rule: Rule
    trigger: Token
    length: int


@dataclass(frozen=True)
class _RuleMatcher:
    rule: Rule
    matcher: Matcher | DependencyMatcher
    nodes: tuple[Node, ...]
    # Whether the rule reads the annotations the entity recognizer can change.
    annotated: bool


class RuleMatchers:
    """One matcher per rule."""

    def __init__(self, vocab: Vocab, rules: Iterable[Rule]) -> None:
        self._by_index: dict[int, _RuleMatcher] = {}
        for index, rule in enumerate(rules):
            if rule.pattern is not None:
                matcher: Matcher | DependencyMatcher = Matcher(vocab, validate=True)
                matcher.add(rule.id, exact_first_token(rule.pattern))
                nodes = rule.pattern
            elif rule.dep_pattern is not None:
                matcher = DependencyMatcher(vocab, validate=True)
                matcher.add(rule.id, [list(rule.dep_pattern)])
                nodes = tuple(node.get("RIGHT_ATTRS", {}) | {"OP": node.get("OP")}
                              for node in rule.dep_pattern)
            else:
                continue
            self._by_index[index] = _RuleMatcher(
                rule, matcher, tuple(_compile(node, vocab) for node in nodes
                                     if _obligatory(node)),
                any(_reads_annotations(node) for node in nodes))

    def matches(self, doc: Doc, rule_indexes: Iterable[int],
                annotated_only: bool = False) -> dict[int, list[Match]]:
        """The matches of each of the rules (or of those reading annotations), by index."""
        found: dict[int, list[Match]] = {}
        values: _Values | None = None
        for index in rule_indexes:
            entry = self._by_index.get(index)
            if entry is None or (annotated_only and not entry.annotated):
                continue
            if entry.nodes:
                values = values or _Values(doc)
                if not all(values.met(node) for node in entry.nodes):
                    found[index] = []
                    continue
            found[index] = _run(entry, doc)
        return found


class _Values:
    """A sentence's attribute values as integers: per column, and per token."""

    def __init__(self, doc: Doc) -> None:
        self.array = doc.to_array(COLUMNS)
        self._columns: dict[int, set[int]] = {}
        self._rows: list[list[int]] | None = None

    def met(self, node: Node) -> bool:
        """Whether one token meets all the node's constraints."""
        for column, allowed in node:
            if column not in self._columns:
                self._columns[column] = set(self.array[:, column].tolist())
            if allowed.isdisjoint(self._columns[column]):
                return False
        if len(node) == 1:
            return True
        if self._rows is None:
            self._rows = self.array.tolist()
        return any(all(row[column] in allowed for column, allowed in node)
                   for row in self._rows)


def _run(entry: _RuleMatcher, doc: Doc) -> list[Match]:
    rule, matcher = entry.rule, entry.matcher
    if isinstance(matcher, DependencyMatcher):
        return [Match(rule, doc[token_ids[0]], max(token_ids) - min(token_ids) + 1)
                for _, token_ids in matcher(doc)]
    found = []
    for _, start, end, alignment in matcher(doc, with_alignments=True):
        offset = alignment.index(rule.trigger) if rule.trigger in alignment else 0
        found.append(Match(rule, doc[start + offset], end - start))
    return found


def _obligatory(node: dict[str, Any]) -> bool:
    """Whether every match has a token for the node ("?", "*", "!", "{0,n}" need none)."""
    op = str(node.get("OP") or "")
    return op not in OPTIONAL_OPS and not op.startswith(("{0", "{,"))


def _compile(node: dict[str, Any], vocab: Vocab) -> Node:
    """The node's plain-value constraints as integers; others (REGEX, NOT_IN, extensions,
    numbers) are left to the matcher."""
    constraints = []
    for column, (key, _) in enumerate(CHECKED_ATTRS):
        values = _plain_values(node.get(key))
        if values is None:
            continue
        if key == "POS":
            if not values <= POS_IDS.keys():
                continue
            allowed = frozenset(POS_IDS[value] for value in values)
        else:
            allowed = frozenset(vocab.strings.add(value) for value in values)
        constraints.append((column, allowed))
    return tuple(constraints)


def _plain_values(spec: Any) -> frozenset[str] | None:
    if isinstance(spec, str):
        return frozenset({spec})
    if isinstance(spec, dict) and set(spec) == {"IN"} and all(
            isinstance(value, str) for value in spec["IN"]):
        return frozenset(spec["IN"])
    return None


def _reads_annotations(node: dict[str, Any]) -> bool:
    return bool(ANNOTATION_KEYS & node.keys())


def exact_first_token(pattern: tuple[dict[str, Any], ...]) -> list[list[dict[str, Any]]]:
    """The pattern as one pattern per value of its first token's `LEMMA: {IN: [...]}`: the
    matcher compares exact values natively, while a set is a Python call on every token."""
    first, rest = pattern[0], list(pattern[1:])
    lemmas = first.get("LEMMA")
    if not (isinstance(lemmas, dict) and set(lemmas) == {"IN"}):
        return [list(pattern)]
    return [[{**first, "LEMMA": lemma}, *rest] for lemma in lemmas["IN"]]
