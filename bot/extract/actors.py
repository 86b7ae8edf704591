"""Who does what: topic actors in a sentence, and the actors of a matched trigger.

`TopicActors` is built once per topic from its config: a phrase ruler over every alias
(canonical names included) and over the nationality adjectives of the canonical names
(bot/extract/rules/demonyms.yaml), plus the topic's venues. `annotate(doc)` marks a parsed
sentence and returns an `ActorIndex`: the canonical actor of each token the topic knows, then
the statistical model's PERSON / ORG / NORP / GPE entities, un-normalised, for the rest.

The actors of a development (see `actors_for`): the grammatical subject of the trigger, or the
`by` agent of a passive (who did what); the participants named in the clause for talks and
impasses; the noun's own modifiers for "US pressure".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from bot.extract.patterns import PatternSet
from bot.settings import TopicSettings

ACTOR_SPANS = "parley_actors"
VENUE_SPANS = "parley_venues"
ENTITY_LABELS = ("PERSON", "ORG", "NORP", "GPE")
LOCATIVE_PREPS = frozenset({"in", "at", "to", "from", "into", "near", "across", "inside", "via"})
# Clauses and phrases that do not take part in the event the trigger reports.
CLAUSE_BREAKS = frozenset({"relcl", "advcl", "acl", "parataxis", "ccomp", "csubj"})
ASIDE_PREPS = frozenset({"despite", "after", "before", "following", "amid", "since", "unlike",
                         "than", "like", "against", "over", "toward", "towards", "about",
                         "without"})
# Whoever brokered or hosted the talks or deal takes part, even when named in an aside
# ("signed a truce after two weeks of talks brokered by Saudi Arabia and the United States").
BROKER_VERBS = frozenset({"broker", "mediate", "host", "facilitate", "sponsor", "chair"})
# "The government's delegation, led by Otty Patiño": the leader says whose delegation it is.
LEADER_VERBS = frozenset({"lead", "head"})
POSSESSIVE_MARKS = ("'s", "’s")
DASHES = frozenset({"-", "--", "–", "—"})
DATELINE_WIDTH = 8
SUBJECT_DEPS = frozenset({"nsubj", "csubj", "expl"})
PRONOUNS = frozenset({"it", "they", "he", "she", "we", "i", "its", "their", "his", "her"})
RELATIVE_TAGS = frozenset({"WDT", "WP", "WP$"})
GROUP_NOUNS = frozenset({"side", "party", "belligerent", "delegation", "foe", "rival", "leader",
                         "country", "government", "minister", "negotiator", "team",
                         "president"})
GROUP_MARKERS = frozenset({"both", "two", "warring", "rival", "opposing"})
PRESSURE_VERBS = frozenset({"put", "exert", "apply", "step", "increase", "ramp", "pile", "heap",
                            "mount", "ratchet", "keep"})


@dataclass
class ActorIndex:
    """Actors found in one sentence: configured (canonical) and statistical (as written).

    `groups` holds words that stand for all the topic's parties: "both sides", "the two
    parties", "the warring parties"."""

    configured: dict[int, str] = field(default_factory=dict)
    entities: dict[int, str] = field(default_factory=dict)
    groups: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def names(self, tokens: Iterable[Token]) -> list[str]:
        """Actors of `tokens`, configured ones first; entities only if no configured one, and
        organisations or places before people."""
        tokens = list(tokens)
        found = _unique(name for t in tokens
                        for name in ((self.configured[t.i],) if t.i in self.configured
                                     else self.groups.get(t.i, ())))
        if found:
            return found
        named = [t for t in tokens if t.i in self.entities]
        # "the UN envoy, Carlos Ruiz Massieu": the body acts, its envoy only speaks for it.
        bodies = [t for t in named if t.ent_type_ != "PERSON"]
        return _unique(self.entities[t.i] for t in bodies or named)

    def is_configured(self, token: Token) -> bool:
        return token.i in self.configured or token.i in self.groups


class TopicActors:
    """The actors and venues of one topic, as phrase rulers over a sentence."""

    def __init__(self, nlp: Language, topic: TopicSettings, patterns: PatternSet) -> None:
        self.topic = topic
        self.venues = frozenset(v.lower() for v in topic.venues)
        self._demonym_country = {d.lower(): country for country, ds in patterns.demonyms.items()
                                 for d in ds}
        self._place_words = patterns.lexicon.get("place", frozenset())
        self._delegation = patterns.lexicon.get("delegation", frozenset())
        self._actor_ruler = PhraseRuler(nlp, ACTOR_SPANS, self._actor_patterns(patterns))
        self._venue_ruler = PhraseRuler(nlp, VENUE_SPANS, (
            (venue, pattern) for venue in topic.venues for pattern in _case_variants(venue)))
        self.keyword_forms = frozenset(k.lower() for k in topic.keywords)
        # The distinctive words of each actor's names (capitalised, not a venue), to count
        # which sentences of an article mention it.
        self.name_forms = {
            name: frozenset(
                t.lower_ for alias in (name, *aliases, *patterns.demonyms.get(name, ()))
                for t in nlp.make_doc(alias)
                if t.text[:1].isupper() and len(t.text) > 1 and t.lower_ not in self.venues)
            for name, aliases in topic.aliases().items()}
        self.alias_forms = frozenset(
            t.lower_ for name, aliases in topic.aliases().items()
            for alias in (name, *aliases) for t in nlp.make_doc(alias)
        ) | frozenset(d.lower() for name in topic.aliases()
                      for d in patterns.demonyms.get(name, ()))

    def _stationed_in(self, token: Token) -> bool:
        """"the UN representative in Colombia": where an envoy serves, not who acts."""
        preposition = token.head
        return preposition.lower_ == "in" and preposition.head.pos_ == "NOUN" \
            and preposition.head.lemma_.lower() in self._delegation

    def _actor_patterns(self, patterns: PatternSet) -> Iterator[tuple[str, str]]:
        for canonical, aliases in self.topic.aliases().items():
            for alias in (canonical, *aliases):
                for pattern in _case_variants(alias):
                    for variant in _possessive_variants(pattern):
                        yield canonical, variant
            for demonym in patterns.demonyms.get(canonical, ()):
                yield canonical, demonym

    def annotate(self, doc: Doc) -> ActorIndex:
        """Mark actor/venue/place tokens of `doc` and index its actors."""
        self._venue_ruler(doc)
        self._actor_ruler(doc)
        index = ActorIndex()
        venue_tokens = {t.i for span in doc.spans[VENUE_SPANS] for t in span}
        story = dateline_end(doc[:])
        for span in doc.spans[ACTOR_SPANS]:
            if self._stationed_in(span.root) or span.start < story:
                continue
            for token in span:
                if token.i not in venue_tokens:
                    index.configured[token.i] = span.label_
        for ent in doc.ents:
            if ent.label_ not in ENTITY_LABELS or any(t.i in index.configured for t in ent):
                continue
            if any(t.i in venue_tokens for t in ent):
                continue
            if ent.label_ == "GPE" and ent.root.head.lower_ in LOCATIVE_PREPS:
                continue
            name = self._entity_name(ent.text, ent.label_)
            for token in ent:
                index.entities[token.i] = name
        parties = tuple(self.topic.parties)
        for token in doc:
            if token.lemma_.lower() in GROUP_NOUNS and token.tag_ in ("NNS", "NNPS") and any(
                    c.lower_ in GROUP_MARKERS for c in token.children) and len(parties) >= 2:
                index.groups[token.i] = parties
        # Token flags default to False: set only the true ones (setting them is not cheap).
        for i in index.configured:
            doc[i]._.parley_actor = True
        places = {t.i for ent in doc.ents if ent.label_ == "GPE" for t in ent}
        for i in venue_tokens | (places - index.configured.keys()):
            doc[i]._.parley_venue = True
            doc[i]._.parley_place = True
        for i in places:
            doc[i]._.parley_place = True
        for token in doc:
            if token.lemma_.lower() in self._place_words:
                token._.parley_place = True
        return index

    def _entity_name(self, text: str, label: str) -> str:
        cleaned = text.removesuffix("'s").removesuffix("’s").strip()
        if cleaned[:4].lower() == "the ":
            cleaned = cleaned[4:]
        if label == "NORP":
            return self._demonym_country.get(cleaned.lower(), cleaned)
        return cleaned


class PhraseRuler:
    """A spaCy SpanRuler of (label, phrase) patterns matched on exact token text: the same
    spans, sorted, added to `doc.spans[key]`; without the SpanRuler's empty token Matcher and
    warning filters, which cost more per sentence than the phrase matching itself."""

    def __init__(self, nlp: Language, key: str, patterns: Iterable[tuple[str, str]]) -> None:
        self.key = key
        self._matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        phrases: dict[str, list[str]] = {}
        for label, phrase in patterns:
            phrases.setdefault(label, []).append(phrase)
        for label, texts in phrases.items():
            self._matcher.add(label, list(nlp.tokenizer.pipe(texts)))

    def __call__(self, doc: Doc) -> Doc:
        spans = sorted({Span(doc, start, end, label=label)
                        for label, start, end in self._matcher(doc) if start != end})
        if self.key in doc.spans:
            group = doc.spans[self.key]
            group.extend(spans)
            doc.spans[self.key] = group
        else:
            doc.spans[self.key] = spans
        return doc


def _case_variants(phrase: str) -> list[str]:
    """A phrase as written, in Title Case (headlines) and capitalised (at the start of a
    sentence: "The army's delegation"), matched case-sensitively so that "US" is not "us" and
    "Burns" is not "burns"."""
    title = " ".join(w[:1].upper() + w[1:] for w in phrase.split(" "))
    return sorted({phrase, title, phrase[:1].upper() + phrase[1:]})


def _possessive_variants(phrase: str) -> list[str]:
    """A two-word alias also written with a possessive: "government delegation" ->
    "government's delegation" (and with a typographic apostrophe)."""
    words = phrase.split(" ")
    if len(words) != 2 or words[0].endswith(("'", "’")):
        return [phrase]
    return [phrase, *(f"{words[0]}{mark} {words[1]}" for mark in POSSESSIVE_MARKS)]


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def in_scope(token: Token, trigger: Token) -> bool:
    """Whether `token` belongs to the clause of `trigger`, not to an aside or another clause."""
    return bool(scoped([token], trigger))


def scoped(tokens: Iterable[Token], trigger: Token) -> list[Token]:
    """The tokens of `tokens` that are `in_scope` of `trigger`, in order. Each path up the
    tree is walked once: a token's answer is its head's unless the token itself breaks."""
    anchors = {trigger.i, *(t.i for t in trigger.ancestors)}
    known: dict[int, bool] = {}
    kept = []
    for token in tokens:
        path = []
        node = token
        while True:
            if node.i in anchors:
                inside = True
                break
            if node.i in known:
                inside = known[node.i]
                break
            if _breaks_clause(node, trigger):
                inside = False
                break
            path.append(node.i)
            if node.head == node:
                inside = False  # the root of another sentence's tree: not the trigger's clause
                break
            node = node.head
        for i in path:
            known[i] = inside
        if node.i not in anchors:
            known[node.i] = inside
        if inside:
            kept.append(token)
    return kept


def _breaks_clause(node: Token, trigger: Token) -> bool:
    if node.dep_ in CLAUSE_BREAKS and not (node.dep_ == "acl" and trigger.is_ancestor(node)):
        return True  # ("talks involving the US and Egypt" keeps its participants)
    return node.dep_ == "prep" and node.lower_ in ASIDE_PREPS


def subject_tokens(trigger: Token) -> list[Token] | None:
    """The phrase naming who did `trigger`, following control and coordination; None if none."""
    node = trigger
    for _ in range(5):
        agents = [c for c in node.children if c.dep_ == "agent"]
        if agents:
            return [t for t in agents[0].subtree if t is not agents[0]]
        subjects = [c for c in node.children if c.dep_ in SUBJECT_DEPS]
        if subjects:
            subject = subjects[0]
            if subject.tag_ in RELATIVE_TAGS and node.dep_ == "relcl":
                return _phrase(node.head)
            if subject.lower_ in PRONOUNS and node.dep_ in ("ccomp", "conj", "advcl"):
                governing = subject_tokens(node.head)
                if governing:
                    return governing
            return _phrase(subject)
        if any(c.dep_ == "nsubjpass" for c in node.children):
            return None
        if node.dep_ == "xcomp":
            objects = [c for c in node.head.children if c.dep_ in ("dobj", "obj")]
            if objects:
                return _phrase(objects[0])
        if node.dep_ in ("acl", "relcl") and node.tag_ in ("VBG", "VBD", "VBZ", "VBP"):
            return _phrase(node.head)
        if node.dep_ in ("xcomp", "conj", "advcl", "pcomp", "ccomp") or node.pos_ == "AUX":
            node = node.head
            if node.dep_ == "prep":
                node = node.head
            continue
        if node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.head.pos_ == "AUX":
            node = node.head.head  # "the delegation is on its way to Cairo": its subject
            continue
        return None
    return None


def _phrase(head: Token) -> list[Token]:
    """A noun phrase with its conjuncts and appositions, without its relative clauses (but
    with the leader of a delegation: "the delegation, led by Umerov")."""
    skipped = {t.i for child in head.children if child.dep_ in ("relcl", "acl")
               and not _names_leader(child) for t in child.subtree}
    return [t for t in head.subtree if t.i not in skipped]


def _names_leader(clause: Token) -> bool:
    return clause.dep_ == "acl" and clause.lemma_.lower() in LEADER_VERBS and any(
        c.dep_ == "agent" for c in clause.children)


def modifier_tokens(noun: Token) -> list[Token]:
    """A noun's own modifiers ("US pressure", "pressure from Washington") or the subject of
    the verb that exerts it ("Washington put pressure on Kyiv")."""
    tokens = [t for child in noun.children if child.dep_ in ("compound", "amod", "poss", "nmod")
              for t in (_owner(child) if child.dep_ == "poss" else child.subtree)]
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):
            tokens.extend(child.subtree)
    if tokens:
        return tokens
    verb = noun.head
    if noun.dep_ in ("dobj", "obj") and verb.lemma_ in PRESSURE_VERBS:
        return subject_tokens(verb) or []
    return []


def _owner(possessive: Token) -> list[Token]:
    """Who "his"/"their" stands for: the nearest name before it in the sentence ("Trump said
    his deadline still stood"); any other possessor is itself."""
    if possessive.lower_ not in PRONOUNS:
        return list(possessive.subtree)
    names = [t for t in possessive.sent if t.i < possessive.i and (
        t._.parley_actor or t.ent_type_ in ENTITY_LABELS)]
    return names[-1:]


def participant_tokens(trigger: Token) -> list[Token]:
    """Every token of the sentence that belongs to the trigger's clause, and whoever the
    sentence says brokered or hosted something."""
    brokers = {t.i for verb in trigger.sent if verb.lemma_.lower() in BROKER_VERBS
               and verb.tag_ == "VBN" for agent in verb.children if agent.dep_ == "agent"
               for t in agent.subtree}
    inside = {t.i for t in scoped(trigger.sent, trigger)}
    return [t for t in trigger.sent if t.i in brokers or t.i in inside]


def dateline_end(sentence: Span) -> int:
    """Where the story starts after a wire dateline ("ALMATY, Kazakhstan - The ministers ...",
    "CAIRO (Reuters) - ..."): the place it was filed from takes no part in what follows."""
    first = sentence[0]
    if not (first.is_upper and first.is_alpha and len(first) > 1):
        return sentence.start
    for token in sentence[1:DATELINE_WIDTH]:
        if token.text in DASHES and token.whitespace_ and token.nbor(-1).whitespace_:
            return token.i + 1  # a spaced dash, not the hyphen of "US-led"
        if token.pos_ in ("VERB", "AUX"):
            break
    return sentence.start
