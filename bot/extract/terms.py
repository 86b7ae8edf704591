"""Numbers tied to a proposal or deal, written in digits or words.

- `ceasefire_days`: "six-week pause" -> 42, "40-day truce" -> 40, "a ceasefire of 60 days" -> 60;
- `phases`: "three-phase", "in three stages";
- `hostages`, `prisoners`: "33 hostages", "1,500 Palestinian prisoners", "35 to 40 hostages" -> 40;
- `prisoners_per_hostage`: "30 prisoners for each hostage".

Works on tokens only (no parser needed).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "dozen": 12, "dozens": 24,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
DAY_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}
TRUCE_WORDS = frozenset({"ceasefire", "cease", "truce", "pause", "halt", "lull", "phase",
                         "break", "armistice", "calm", "stop", "suspension", "moratorium"})
PHASE_WORDS = frozenset({"phase", "phases", "stage", "stages", "step", "steps", "tranche",
                         "tranches"})
HOSTAGE_WORDS = frozenset({"hostage", "hostages", "captive", "captives", "abductee",
                           "abductees"})
PRISONER_WORDS = frozenset({"prisoner", "prisoners", "detainee", "detainees", "pow", "pows",
                            "inmates", "inmate"})
PER_WORDS = frozenset({"for", "per"})
# Words without which a sentence states no term (the first pass looks for them).
TERM_WORDS = frozenset({*DAY_UNITS, *PHASE_WORDS, *HOSTAGE_WORDS, *PRISONER_WORDS})
GAP = 4


def number_value(token: Token) -> int | None:
    """The integer a token spells: "1,500", "40", "six", "twenty-five"; else None."""
    return text_value(token.lower_)


def text_value(lower: str) -> int | None:
    """The integer a lower-case word spells, as `number_value`."""
    text = lower.replace(",", "")
    if text.isdigit():
        return int(text)
    if text in UNITS and text not in ("a", "an"):
        return UNITS[text]
    if "-" in text:
        parts = text.split("-")
        if all(p in UNITS for p in parts):
            return sum(UNITS[p] for p in parts)
    return None


def _number_at(doc: Doc, i: int) -> tuple[int, int] | None:
    """(value, index after the number) for a number starting at token i, with words like
    "twenty - five", "one hundred and fifty", "1.5 thousand" folded in."""
    value = number_value(doc[i])
    if value is None:
        return None
    j = i + 1
    while j < len(doc):
        lower = doc[j].lower_
        if lower in SCALES:
            value *= SCALES[lower]
        elif lower == "-" and j + 1 < len(doc) and number_value(doc[j + 1]) is not None \
                and value >= 20 and value % 10 == 0:
            value += number_value(doc[j + 1]) or 0
            j += 1
        else:
            break
        j += 1
    return value, j


def find_terms(doc: Doc, start: int = 0, end: int | None = None) -> dict[str, int]:
    """Every term found between token `start` and `end` of `doc`."""
    end = len(doc) if end is None else end
    terms: dict[str, int] = {}
    i = start
    while i < end:
        found = _number_at(doc, i)
        if found is None:
            i += 1
            continue
        value, after = found
        upper = _range_end(doc, after, end)
        if upper is not None:
            value, after = upper
        key = _classify(doc, after, end)
        if key and key not in terms:
            terms[key] = value * DAY_UNITS[_unit(doc, after)] if key == "ceasefire_days" \
                else value
        i = after
    return terms


def states_terms(doc: Doc, markers: frozenset[str], negation: frozenset[str]) -> bool:
    """Whether a sentence spells out terms rather than reporting what happened: it has a
    modal or a verb of content ("Israel would free ...", "the plan includes ...") and no
    negation ("would not free")."""
    if any(t.dep_ == "neg" or (t.lower_ in negation and t.dep_ in ("det", "advmod"))
           for t in doc):
        return False
    return any(t.lower_ in markers or t.lemma_.lower() in markers for t in doc)


def _range_end(doc: Doc, after: int, end: int) -> tuple[int, int] | None:
    """"35 to 40", "35-40": the upper bound."""
    if after + 1 < end and doc[after].lower_ in ("to", "-", "or", "and"):
        upper = _number_at(doc, after + 1)
        if upper is not None:
            return upper
    return None


def _unit(doc: Doc, after: int) -> str:
    j = after + 1 if after < len(doc) and doc[after].text == "-" else after
    return doc[j].lower_ if j < len(doc) else ""


def _classify(doc: Doc, after: int, end: int) -> str | None:
    unit_index = after + 1 if after < end and doc[after].text == "-" else after
    if unit_index >= end:
        return None
    unit = doc[unit_index].lower_
    if unit in DAY_UNITS:
        window = doc[unit_index + 1:min(unit_index + 1 + GAP, end)]
        if any(t.lower_ in TRUCE_WORDS for t in window):
            return "ceasefire_days"
        before = doc[max(unit_index - GAP - 2, 0):unit_index]
        if any(t.lower_ in TRUCE_WORDS for t in before) and any(
                t.lower_ in ("for", "of", "lasting") for t in before):
            return "ceasefire_days"
        return None
    if unit in PHASE_WORDS:
        return "phases"
    window = list(doc[unit_index:min(unit_index + GAP, end)])
    for k, token in enumerate(window):
        lower = token.lower_
        if lower in PRISONER_WORDS:
            rest = window[k + 1:] + list(doc[unit_index + len(window):min(unit_index +
                                                                           len(window) + 5,
                                                                           end)])
            if rest and rest[0].lower_ in PER_WORDS and any(t.lower_ in HOSTAGE_WORDS
                                                           for t in rest[1:]):
                return "prisoners_per_hostage"
            return "prisoners"
        if lower in HOSTAGE_WORDS:
            return "hostages"
        if token.pos_ == "VERB" or token.is_punct or token.lower_ in ("of", "and", "in"):
            break
    return None
