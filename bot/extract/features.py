"""What the learned layer reads: features of a parsed sentence, and of a candidate actor.

Features are strings, topic-neutral by construction: the topic's parties, mediators and venues,
other named people, places and organisations, and numbers are masked (`<party>`, `<mediator>`,
`<venue>`, `<person>` ...), so that what is learned on one negotiation carries to the next.

Sentence features: masked lemma unigrams and bigrams, the main verb and its dependents,
negation, modality and tense cues, dates that point back, quotes, the sentence's place in the
article, and what the rules found in it. Actor features: the development type crossed with the
candidate's role in the topic (party or mediator), its grammatical relation to the sentence's
main verb, whether the rules named it, and where else the article mentions it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Doc, Token

from bot.extract.actors import ActorIndex, subject_tokens
from bot.models import Development

MODALS = frozenset({"will", "would", "could", "may", "might", "should", "can", "must", "shall",
                    "'ll", "wo", "ca"})
NEGATIONS = frozenset({"not", "n't", "no", "never", "without", "neither", "nor", "none"})
REPORTING = frozenset({"say", "tell", "add", "state", "announce", "report", "confirm", "claim",
                       "insist", "note", "warn", "write", "according"})
BACK_WORDS = frozenset({"last", "previous", "earlier", "ago", "former", "since", "first",
                        "prior", "past", "before"})
YEAR = re.compile(r"^(19|20)\d\d$")
ENTITY_MASKS = {"PERSON": "<person>", "GPE": "<place>", "LOC": "<place>", "ORG": "<org>",
                "NORP": "<group>", "DATE": "<date>"}


@dataclass(frozen=True)
class SentenceContext:
    """Where the sentence sits and what the rules made of it."""

    position: int
    paragraph: int
    published_year: int
    developments: Sequence[Development]
    rule_ids: Sequence[str]


def masked_words(doc: Doc, index: ActorIndex, parties: frozenset[str]) -> list[str]:
    """The sentence's words as the classifier sees them: lemmas, with names and numbers masked;
    a multi-token name is one mask."""
    words: list[str] = []
    previous = ""
    for token in doc:
        if token.is_punct or token.is_space:
            previous = ""
            continue
        word = _mask(token, index, parties)
        if word.startswith("<") and word == previous:
            continue
        words.append(word)
        previous = word
    return words


def _mask(token: Token, index: ActorIndex, parties: frozenset[str]) -> str:
    if token.i in index.configured:
        return "<party>" if index.configured[token.i] in parties else "<mediator>"
    if token.i in index.groups:
        return "<parties>"
    if token._.parley_venue:
        return "<venue>"
    if token.like_num or YEAR.match(token.text):
        return "<num>"
    if token.ent_type_ in ENTITY_MASKS:
        return ENTITY_MASKS[token.ent_type_]
    return token.lemma_.lower() or token.lower_


def sentence_features(doc: Doc, index: ActorIndex, parties: frozenset[str],
                      context: SentenceContext) -> list[str]:
    """The features of one parsed sentence (see the module docstring)."""
    words = masked_words(doc, index, parties)
    features = [f"w={w}" for w in words]
    features += [f"b={a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None:
        features += _verb_features(root, index, parties)
    features += _cue_features(doc, context.published_year)
    features.append(f"pos={min(context.position, 5)}")
    features.append(f"para={min(context.paragraph, 4)}")
    for development in context.developments:
        tag = "bg" if development.background else "now"
        features.append(f"rule={development.type}")
        features.append(f"rule={development.type}:{tag}")
        features.append(f"rule_actors={development.type}:{min(len(development.actors), 2)}")
    features += [f"rule_id={rule}" for rule in context.rule_ids]
    if not context.developments:
        features.append("rule=none")
    return features


def _verb_features(root: Token, index: ActorIndex, parties: frozenset[str]) -> list[str]:
    lemma = root.lemma_.lower()
    features = [f"root={lemma}", f"root_tag={root.tag_}"]
    for child in root.children:
        if child.dep_ in ("punct", "det"):
            continue
        word = _mask(child, index, parties)
        features.append(f"rc={child.dep_}:{word}")
        features.append(f"rv={lemma}:{child.dep_}:{word}")
        if child.dep_ in ("ccomp", "xcomp", "advcl", "conj"):
            features.append(f"clause={child.dep_}:{child.lemma_.lower()}")
            features += [f"clause_aux={c.lower_}" for c in child.children
                         if c.dep_ in ("aux", "neg") and c.lower_ in MODALS | NEGATIONS]
    subject = subject_tokens(root) or []
    kinds = {_mask(t, index, parties) for t in subject}
    features += [f"subj={kind}" for kind in kinds if kind.startswith("<")]
    if lemma in REPORTING:
        features.append("reported_speech")
    return features


def _cue_features(doc: Doc, published_year: int) -> list[str]:
    features = []
    lowers = {t.lower_ for t in doc}
    features += [f"modal={m}" for m in lowers & MODALS]
    features += [f"neg={t.head.lemma_.lower()}" for t in doc if t.dep_ == "neg"]
    features += [f"negword={w}" for w in lowers & NEGATIONS]
    features += [f"back={w}" for w in lowers & BACK_WORDS]
    for token in doc:
        if YEAR.match(token.text):
            year = int(token.text)
            features.append("year_past" if year < published_year else "year_now")
        if token.tag_ in ("VBD", "VBN", "VBZ", "VBP", "VB", "MD") and token.dep_ == "ROOT":
            features.append(f"tense={token.tag_}")
    if any(t.text in ('"', "“", "”") for t in doc):
        features.append("quote")
    return features


class _Sentence(Protocol):
    @property
    def article(self) -> int: ...

    @property
    def developments(self) -> list[Development]: ...


class HasSentence(Protocol):
    """A sentence's reading (bot/extract/extractor.py: Reading) as article features see it."""

    @property
    def sentence(self) -> _Sentence: ...

    @property
    def features(self) -> list[str]: ...


def article_features(readings: Sequence[HasSentence]) -> list[str]:
    """An article as a whole: the words of its candidate sentences, and what the rules found
    in it (how many current developments, of which types)."""
    words = {f for reading in readings for f in reading.features if f.startswith("w=")}
    found = [d for reading in readings for d in reading.sentence.developments
             if not d.background]
    features = sorted(words)
    features += sorted({f"found={d.type}" for d in found})
    features.append(f"found_count={min(len(found), 6)}")
    features.append(f"candidates={min(len(readings), 8)}")
    return features


def rule_found(dev_type: str, rule_types: set[str]) -> str:
    """Whether the rules found this very type in the sentence, another, or none."""
    return "rule_same" if dev_type in rule_types else "rule_other" if rule_types else "rule_no"


def rule_said(background: bool) -> str:
    """What the rules' own reading of time said of a development."""
    return f"rule_bg={background}"


def typed_features(features: Sequence[str], dev_type: str, rule_types: set[str]) -> list[str]:
    """The sentence's features as evidence for one type: each feature twice, once for this type
    and once shared by all types (so that what negation, modality or a recap means is learned
    from every type's examples), and whether the rules found this very type here. (The learned
    layer scores all types at once from the same weights: learned.TypedLinear.)"""
    found = rule_found(dev_type, rule_types)
    return [f"type={dev_type}", f"{dev_type}|{found}", f"*|{found}",
            *(f"{dev_type}|{f}" for f in features), *(f"*|{f}" for f in features)]


def background_features(features: Sequence[str], dev_type: str, rule_types: set[str],
                        rule_background: bool) -> list[str]:
    """The sentence's features as evidence that the rules' development of `dev_type` is a
    recap of an earlier event, knowing what the rules' own reading of time said."""
    said = rule_said(rule_background)
    return [*typed_features(features, dev_type, rule_types), f"{dev_type}|{said}", f"*|{said}"]


@dataclass(frozen=True)
class ActorContext:
    """What is known of one candidate actor of a development."""

    name: str
    is_party: bool
    tokens: Sequence[Token]  # its mentions in the development's sentence
    named_by_rule: bool
    in_previous_sentence: bool
    article_mentions: int


def actor_features(dev_type: str, candidate: ActorContext, root: Token | None,
                   sentence_actors: int, sentence_parties: int) -> list[str]:
    """The features of one candidate actor of a development of `dev_type`."""
    role = "party" if candidate.is_party else "mediator"
    facts = [f"role={role}", "bias"]
    if candidate.tokens:
        facts.append("in_sentence")
        facts += [f"dep={d}" for d in _relations(candidate.tokens, root)]
    else:
        facts.append("not_in_sentence")
    if candidate.named_by_rule:
        facts.append("rule_named")
    if candidate.in_previous_sentence:
        facts.append("previous_sentence")
    facts.append(f"article_mentions={min(candidate.article_mentions, 3)}")
    facts.append(f"sentence_actors={min(sentence_actors, 3)}")
    facts.append(f"sentence_parties={min(sentence_parties, 2)}")
    crossed = [f"{dev_type}|{fact}" for fact in facts]
    crossed += [f"{dev_type}|{role}|{fact}" for fact in facts if fact != f"role={role}"]
    return facts + crossed


def _relations(tokens: Iterable[Token], root: Token | None) -> set[str]:
    """How the mentions relate to the main verb: its subject, object, a prepositional phrase
    (with the preposition), a possessor, or inside a clause the verb governs."""
    found: set[str] = set()
    for token in tokens:
        node, path = token, list[str]()
        while node.head != node and node != root and len(path) < 6:
            path.append(node.dep_)
            if node.dep_ == "pobj":
                found.add(f"prep_{node.head.lower_}")
            node = node.head
        found.add(f"head={path[-1] if path else 'root'}")
        if path:
            found.add(f"own={path[0]}")
        if node != root:
            found.add("outside_main")
        if token.head.lemma_.lower() in REPORTING and token.dep_ == "nsubj":
            found.add("speaker")
    return found
