"""Article-level discourse state: what earlier sentences of an article tell the later ones, and
how the developments of its sentences become the article's developments.

While reading (`ArticleState.add_sentence`): people introduced with their title ("US envoy
Steve Witkoff" -> a later "Witkoff"), and the latest proposal or deal, whose terms the next
sentences may spell out. (Who the previous sentence was about, for a "they", is the rules'
reading: bot/extract/extractor.py.) At the end
(`ArticleState.developments`): unnamed travellers take the last named delegation, several
sentences reporting one development are merged, and a round's outcome that names nobody takes
the round's participants.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from bot.developments import TYPES
from bot.extract.actors import ACTOR_SPANS
from bot.extract.patterns import Cues
from bot.extract.terms import find_terms, states_terms
from bot.models import Development
from bot.settings import TopicSettings

MAX_EVIDENCE = 3
# Developments whose terms a following sentence may spell out.
TERM_HOSTS = frozenset(t.name for t in TYPES if t.carries_terms)
ROUND_TYPES = frozenset({"talks_continue", "no_breakthrough", "talks_suspended"})
TRAVEL_TYPES = frozenset({"delegation_arrived", "delegation_departed"})


@dataclass(frozen=True)
class _Host:
    """Where the article's latest proposal or deal is: its sentence, and its index in the
    article's list of found developments."""

    position: int
    paragraph: int
    index: int


@dataclass
class ArticleState:
    """The developments of one article's sentences so far, and what they tell the next one."""

    items: list[tuple[int, Development]] = field(default_factory=list)
    host: _Host | None = None
    people: dict[str, str] = field(default_factory=dict)

    def add_sentence(self, doc: Doc, position: int, paragraph: int,
                     developments: list[Development], cues: Cues) -> None:
        """Record one sentence's developments."""
        developments = [_with_people(d, self.people) for d in developments]
        self.people.update(titled_people(doc))
        if not developments and self.host is not None:
            self._continue_terms(doc, position, paragraph, cues)
        for development in developments:
            self.items.append((position, development))
            if development.type in TERM_HOSTS:
                self.host = _Host(position, paragraph, len(self.items) - 1)

    def developments(self, topic: TopicSettings) -> list[Development]:
        """The article's developments, one per happening (see the module docstring)."""
        known = frozenset(topic.aliases())
        return one_per_team(fill_participants(merge(name_travellers(self.items), known),
                                              tuple(topic.parties)))

    def _continue_terms(self, doc: Doc, position: int, paragraph: int, cues: Cues) -> None:
        """Terms spelled out by a sentence with no development of its own (or only a
        hypothetical one: "Israel would free 30 prisoners for each hostage") belong to the
        latest proposal or deal of the same paragraph or of the sentence just before,
        unless that development already gives another value for one of them."""
        host = self.host
        assert host is not None
        if host.paragraph != paragraph and host.position != position - 1:
            return
        if not states_terms(doc, cues.term_markers, cues.negation):
            return
        terms = find_terms(doc)
        host_position, development = self.items[host.index]
        if not terms or any(development.terms.get(k, v) != v for k, v in terms.items()):
            return
        evidence = development.evidence.split("\n")
        if doc.text not in evidence and len(evidence) < MAX_EVIDENCE:
            evidence.append(doc.text)
        self.items[host.index] = (host_position, replace(
            development, terms={**development.terms, **terms}, evidence="\n".join(evidence)))


def titled_people(doc: Doc) -> dict[str, str]:
    """Surnames introduced with a configured actor in their title ("US Army Secretary Dan
    Driscoll" -> driscoll: United States), so that a later bare "Driscoll" is that actor."""
    found = {}
    for span in doc.spans[ACTOR_SPANS]:
        node = span.root
        while node.dep_ == "compound" and node.head != node:
            node = node.head
        if node is not span.root and node.pos_ == "PROPN" and not node._.parley_actor:
            found[node.lower_] = span.label_
    return found


def _with_people(development: Development, people: dict[str, str]) -> Development:
    if not people:
        return development
    names = [people.get(name.split()[-1].lower(), name) for name in development.actors]
    return replace(development, actors=tuple(dict.fromkeys(names)))


def merge(found: list[tuple[int, Development]], known: frozenset[str]) -> list[Development]:
    """One development per (type, venue, background) in an article: several sentences (and
    the headline) often report the same one, and several actors doing the same thing ("both
    delegations left Cairo") are one development with all of them. Proposals are the exception:
    different parties' proposals (or acceptances, rejections) stay apart unless their actors
    overlap, or one side names none or only actors the topic does not configure ("Barnea"
    beside "Israel"); configured names then win."""
    merged: list[Development] = []
    for _, development in sorted(found, key=lambda item: item[0]):
        for i, kept in enumerate(merged):
            if _same(kept, development, known):
                merged[i] = _combine(kept, development, known)
                break
        else:
            merged.append(development)
    return merged


def name_travellers(found: list[tuple[int, Development]]) -> list[tuple[int, Development]]:
    """A delegation that travels unnamed ("the negotiating team would travel on to Cairo") is
    the last one the article named as travelling."""
    named: tuple[str, ...] = ()
    resolved = []
    for position, development in sorted(found, key=lambda item: item[0]):
        if development.type in TRAVEL_TYPES and not development.background:
            if development.actors:
                named = development.actors
            elif named:
                development = replace(development, actors=named)
        resolved.append((position, development))
    return resolved


def one_per_team(developments: list[Development]) -> list[Development]:
    """Each party's team travels on its own: "the Qatari, US and Hamas delegations landed in
    Cairo" is three arrivals, one per team (the ontology's convention)."""
    split: list[Development] = []
    for development in developments:
        if development.type in TRAVEL_TYPES and len(development.actors) > 1:
            split += [replace(development, actors=(actor,)) for actor in development.actors]
        else:
            split.append(development)
    return split


def fill_participants(developments: list[Development],
                      parties: tuple[str, ...]) -> list[Development]:
    """Who took part in the article's current round, told across its sentences:
    - the talks that produced a deal were attended by the deal's parties and brokers
      ("agreed to a ceasefire after weeks of negotiations in Doha. The agreement, brokered
      by Qatar, Egypt and the United States ...");
    - a round's outcome that names nobody ("they would reconvene", "negotiators are due to
      resume talks") takes the participants of the current talks, else the topic's parties."""
    deal = next((d for d in developments if d.type == "deal_reached" and not d.background
                 and d.actors), None)
    if deal is not None:
        developments = [
            replace(d, actors=tuple(dict.fromkeys([*d.actors, *deal.actors])))
            if d.type == "talks_held" and not d.background
            and (not d.venue or not deal.venue or d.venue == deal.venue) else d
            for d in developments]
    held = next((d for d in developments if d.type == "talks_held" and not d.background
                 and d.actors), None)
    fallback = held.actors if held is not None else parties
    return [replace(d, actors=fallback) if d.type in ROUND_TYPES and not d.actors
            and not d.background else d for d in developments]


def _same(a: Development, b: Development, known: frozenset[str]) -> bool:
    if a.type != b.type or a.background != b.background:
        return False
    if a.venue and b.venue and a.venue != b.venue:
        return False
    if not a.type.startswith("proposal_"):
        return True
    if not a.actors or not b.actors or set(a.actors) & set(b.actors):
        return True
    return not set(a.actors) & known or not set(b.actors) & known


def _combine(a: Development, b: Development, known: frozenset[str]) -> Development:
    evidence = a.evidence.split("\n")
    if b.evidence not in evidence and len(evidence) < MAX_EVIDENCE:
        evidence.append(b.evidence)
    actors = list(dict.fromkeys([*a.actors, *b.actors]))
    if set(actors) & known:
        actors = [name for name in actors if name in known]
    return replace(
        a,
        actors=tuple(actors),
        venue=a.venue or b.venue,
        terms={**b.terms, **a.terms},
        when=a.when or b.when,
        evidence="\n".join(evidence),
        confidence=max(a.confidence, b.confidence),
    )
