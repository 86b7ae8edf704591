"""Negation, modality and hedges around a trigger, from the dependency parse.

- negated: "did not put a new offer", "no deal was reached", "without reaching a deal",
  "refused to accept", "failed to reach";
- hypothetical: "could reach a deal", "hopes to reach a deal", "if Israel accepts", questions,
  hesitation ("waffled on sending representatives");
  a development type may allow some modals and governors ("talks will continue",
  "talks are set to resume");
- hedged: "reportedly", "according to Kan" - still a development, with less confidence.

Without a parser (rule-only fallback) the same cues are looked for in the three words before
the trigger.
"""

from __future__ import annotations

from spacy.tokens import Token

from bot.extract.patterns import Cues

# Dependencies through which a governing word's meaning reaches the trigger.
GOVERNED_DEPS = frozenset({"xcomp", "acl", "pcomp", "prep", "advcl", "amod", "ccomp", "pobj",
                           "dobj", "conj", "nsubjpass", "attr", "oprd"})
NEGATING_PREPS = frozenset({"without"})
GOVERNED_BY_WORD = frozenset({"xcomp", "acl", "pcomp", "prep", "amod", "pobj"})
# Clauses on a word that are hypothetical only as complements ("efforts to reach a deal").
CLAUSE_DEPS = frozenset({"acl", "relcl", "advcl"})
# How a hesitation verb governs what is not done: "waffled on sending", "mulling (over) sending".
HESITANT_DEPS = frozenset({"xcomp", "pcomp", "prep", "advcl", "ccomp", "pobj", "dobj"})
WH_TAGS = frozenset({"WDT", "WP", "WRB"})
CIRCUMSTANCE_MARKERS = frozenset({"as", "while"})


def predicate(trigger: Token) -> Token:
    """The verb a noun trigger depends on ("reached an impasse" -> reached), else the trigger."""
    node = trigger
    for _ in range(3):
        if node.pos_ in ("VERB", "AUX") or node.head == node:
            return node
        node = node.head
    return node


def is_negated(trigger: Token, cues: Cues) -> bool:
    verb = predicate(trigger)
    for node in {trigger, verb}:
        for child in node.children:
            if child.dep_ == "neg" or (child.dep_ in ("det", "advmod") and child.lower_ in
                                       cues.negation):
                return True
            if child.dep_ in ("dobj", "nsubjpass", "attr", "nsubj") and child.pos_ == "NOUN" \
                    and any(g.dep_ in ("det", "neg") and g.lower_ in cues.negation
                            for g in child.children):
                return True
    left = trigger.doc[trigger.i - 1] if trigger.i > 0 else trigger
    if left.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in cues.negation
                                   for c in left.children):
        return True
    if trigger.dep_ in ("acl", "amod") and any(
            c.dep_ in ("det", "neg") and c.lower_ in cues.negation for c in trigger.head.children):
        return True
    node = verb
    for _ in range(3):
        head = node.head
        if head == node:
            break
        if node.dep_ in ("pcomp", "pobj") and head.lower_ in NEGATING_PREPS:
            return True
        if node.dep_ in ("xcomp", "ccomp") and head.lemma_.lower() in cues.negating_governors:
            return True
        if node.dep_ not in ("xcomp", "conj", "pcomp", "pobj"):
            break
        node = head
    return False


def is_hypothetical(trigger: Token, cues: Cues, allowed: frozenset[str]) -> bool:
    if trigger.sent.text.rstrip().rstrip('"”’').endswith("?"):
        return True
    verb = predicate(trigger)
    # An indirect question: "choose which prisoners are released"; a "that" the tagger takes
    # for a relative pronoun ("told TV that Tehran had rejected it") introduces a statement.
    if verb.dep_ == "ccomp" and any(c.tag_ in WH_TAGS and c.lower_ != "that"
                                    for c in verb.children):
        return True
    if verb.dep_ in ("advcl", "acl") and "will" not in allowed and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return True  # a purpose, for types that do not count what is decided to happen
    if _done_by_agent(verb, cues):
        return False  # "agree on proposals put forward by the mediators": they were put forward
    for child in verb.children:
        if child.dep_ == "aux" and child.lower_ in cues.modals and child.lower_ not in allowed \
                and child.lemma_.lower() not in allowed:
            return True
    conditions = cues.conditional_markers - allowed  # "threatened sanctions unless" is a threat
    if any(c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in conditions
                                     for m in c.children) for c in verb.children):
        return True  # "talks will fail unless Europe steps in"
    node = verb
    for _ in range(4):
        if any(c.dep_ == "mark" and c.lower_ in cues.conditional_markers for c in node.children):
            return True
        if _circumstance(node):
            break  # "agreed to a plan to free him, as the envoys met in Doha": they met
        if node.dep_ == "relcl" and any(c.dep_ == "det" and c.lower_ == "any"
                                        for c in node.head.children):
            return True  # "would reject any plan that departed from the understandings reached"
        head = node.head
        if head == node or not (node.dep_ in GOVERNED_DEPS or _governed_by_word(node)):
            break
        lemma = head.lemma_.lower()
        if _governed_by_word(node) and lemma in cues.hypothetical_governors \
                and lemma not in allowed and (node.dep_ not in CLAUSE_DEPS
                                              or _complement_clause(node)):
            return True
        if lemma in cues.hesitations and node.dep_ in HESITANT_DEPS:
            return True
        if node.dep_ in ("advcl", "conj") and any(
                c.dep_ == "aux" and c.lower_ in cues.modals - allowed for c in head.children):
            return True
        if node.pos_ == "NOUN" and node.dep_ in ("dobj", "pobj", "nsubjpass") and any(
                (c.dep_ == "aux" and c.lower_ in cues.modals - allowed) or c.dep_ == "neg"
                for c in head.children):
            return True  # "would not recognise any agreement reached without it"
        node = head
    return False


def _circumstance(node: Token) -> bool:
    """A past-tense "as"/"while" clause reports what was happening, whatever it hangs on."""
    return node.dep_ == "advcl" and node.tag_ == "VBD" and any(
        c.dep_ == "mark" and c.lower_ in CIRCUMSTANCE_MARKERS for c in node.children)


def _done_by_agent(verb: Token, cues: Cues) -> bool:
    """A participle on a definite noun with its own agent states a fact ("the plan drafted by
    Egypt"), unlike one on "any" or "no" ("any deal brokered by Qatar")."""
    return verb.dep_ == "acl" and verb.tag_ == "VBN" \
        and any(c.dep_ == "agent" for c in verb.children) \
        and not any(c.dep_ == "aux" and c.lower_ in cues.modals for c in verb.children) \
        and not any(c.dep_ == "det" and c.lower_ in {"any", *cues.negation}
                    for c in verb.head.children)


def _governed_by_word(node: Token) -> bool:
    """'efforts to reach', 'a deadline to agree' (parsed as a relative clause of the noun)."""
    return node.dep_ in GOVERNED_BY_WORD or (
        node.dep_ in ("relcl", "advcl") and node.head.pos_ == "NOUN" and _complement_clause(node))


def _complement_clause(node: Token) -> bool:
    """"efforts to reach a deal", "insistence that it choose": not a participle ("talks ended")."""
    return any((c.dep_ == "aux" and c.lower_ == "to") or (c.dep_ == "mark" and c.lower_ == "that")
               for c in node.children)


def is_hedged(trigger: Token, cues: Cues) -> bool:
    """A hedge or attribution anywhere in the sentence ("reportedly", "according to")."""
    return any(t.lower_ in cues.hedges for t in trigger.sent)
