"""When a development happened, and whether it is a recap of an earlier event.

Time expressions in the trigger's clause are resolved against the article's published date:
"on Tuesday", "late on Wednesday", "Monday" -> the latest such day on or before publication
(the next one for future tense: "will meet on Sunday"); "yesterday", "today"; "February 12",
"Nov. 28, 2023"; "last November", "two weeks ago", "in 2022".

A development is background when its clause dates it more than `recap_days` before
publication ("last November", "in 2019", "two months ago"), or when the thing it is about is
marked as earlier ("a previous deal", "the first deal"). Tense alone does not decide: news
writes current events in the past perfect too ("said Moscow had put forward demands").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from spacy.tokens import Token

from bot.extract.actors import scoped
from bot.extract.modality import predicate
from bot.extract.patterns import Cues
from bot.extract.terms import number_value

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365, "decade": 3650}
YEAR = re.compile(r"^(19|20)\d\d$")
# Every word `_resolve` reads as the start of a time expression (weekdays also plural).
TIME_STARTS = frozenset({*WEEKDAYS, *MONTHS, "yesterday", "today", "tonight", "ago", "last",
                         "earlier"})
# Periods too long for "earlier this ..." to be the current round ("earlier this year").
LONG_PERIODS = frozenset({"year", "summer", "winter", "spring", "autumn", "fall", "decade"})
PERFECT_AUX = frozenset({"has", "have", "had"})
FUTURE_AUX = frozenset({"will", "'ll", "wo", "shall"})
FUTURE_GOVERNORS = frozenset({"schedule", "set", "due", "expect", "plan", "scheduled",
                              "expected"})


@dataclass(frozen=True)
class Timing:
    when: date | None
    background: bool


def timing(trigger: Token, published: date, cues: Cues) -> Timing:
    """Resolve the trigger's date and decide whether it is a recap."""
    # Only words that can start a time expression are worth placing in the clause.
    tokens = scoped([t for t in trigger.sent if _may_start_time(t)], trigger)
    future = _is_future(trigger)
    found: list[tuple[int, date | None, bool]] = []
    for token in tokens:
        resolved = _resolve(token, published, future, cues)
        if resolved is not None:
            found.append((abs(token.i - trigger.i), *resolved))
    found.sort(key=lambda item: item[0])
    when = next((d for _, d, _ in found if d is not None), None)
    past = any(is_past for _, _, is_past in found)
    cutoff = published - timedelta(days=cues.recap_days)
    background = past or (when is not None and when < cutoff)
    if not background and when is None:
        background = _marked_earlier(trigger, cues) or _describes_record(trigger)
    if when is None and not background:
        when = published
    return Timing(when=when, background=background)


def _is_future(trigger: Token) -> bool:
    node = trigger
    # A noun trigger ("for another round") takes the tense of the verb it hangs on.
    for _ in range(3):
        if node.pos_ in ("VERB", "AUX") or node.head == node:
            break
        node = node.head
    for _ in range(3):
        if any(c.dep_ == "aux" and (c.lower_ in FUTURE_AUX or _reported_would(c, node))
               for c in node.children):
            return True
        if node.dep_ == "xcomp" and node.head.lemma_.lower() in FUTURE_GOVERNORS:
            return True
        if node.head == node or node.dep_ not in ("xcomp", "conj"):
            break
        node = node.head
    return any(t.lower_ == "next" for t in trigger.sent)


def _reported_would(aux: Token, verb: Token) -> bool:
    """'said they would reconvene': the future of reported speech."""
    return aux.lower_ == "would" and verb.dep_ == "ccomp"


def _may_start_time(token: Token) -> bool:
    lower = token.lower_.rstrip(".")
    return lower in TIME_STARTS or lower.removesuffix("s") in TIME_STARTS \
        or YEAR.match(lower) is not None


def _resolve(token: Token, published: date, future: bool,
             cues: Cues) -> tuple[date | None, bool] | None:
    """(date or None, is-clearly-past) for a token that starts a time expression, else None."""
    lower = token.lower_.rstrip(".")
    doc = token.doc
    previous = doc[token.i - 1].lower_ if token.i > 0 else ""
    following = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if lower in WEEKDAYS or (lower.endswith("s") and lower[:-1] in WEEKDAYS
                             and token.tag_ != "NNS"):
        weekday = WEEKDAYS.index(lower.rstrip("s") if lower not in WEEKDAYS else lower)
        return _weekday(published, weekday, future, previous == "last"), False
    if lower == "yesterday":
        return published - timedelta(days=1), False
    if lower in ("today", "tonight"):
        return published, False
    if lower in MONTHS and token.text[:1].isupper() and (lower != "may" or token.i > 0):
        return _month(token, published, MONTHS[lower], previous, future)
    if YEAR.match(lower) and previous not in MONTHS and not _after_month(token):
        year = int(lower)
        return None, year < published.year
    if lower == "ago" and token.i >= 2:
        unit = doc[token.i - 1].lemma_.lower()
        amount = number_value(doc[token.i - 2]) or 1
        days = PERIOD_DAYS.get(unit)
        if days:
            return published - timedelta(days=amount * days), amount * days > cues.recap_days
    if lower == "earlier" and following is not None and following.lower_ == "this" \
            and token.i + 2 < len(doc) and doc[token.i + 2].lemma_.lower() in LONG_PERIODS:
        return None, True
    if lower == "last" and following is not None:
        word = following.lemma_.lower()
        if word in cues.period_words and word not in ("week",):
            return None, True
    return None


def _after_month(token: Token) -> bool:
    doc = token.doc
    window = doc[max(token.i - 4, 0):token.i]
    return any(t.lower_.rstrip(".") in MONTHS for t in window)


def _weekday(published: date, weekday: int, future: bool, last: bool) -> date:
    delta = (published.weekday() - weekday) % 7
    if future:
        ahead = (weekday - published.weekday()) % 7
        return published + timedelta(days=ahead or 7)
    if last and delta == 0:
        delta = 7
    return published - timedelta(days=delta)


def _month(token: Token, published: date, month: int, previous: str,
           future: bool) -> tuple[date | None, bool]:
    # A month named by a future clause ("will meet again in April") is the next one, not a recap.
    ahead = future or previous == "next"
    doc = token.doc
    day = None
    year = None
    for t in doc[token.i + 1:token.i + 4]:
        if t.like_num and t.text.isdigit():
            value = int(t.text)
            if YEAR.match(t.text):
                year = value
                break
            if 1 <= value <= 31 and day is None:
                day = value
        elif t.text not in (",", "."):
            break
    if day is None and token.i > 0 and doc[token.i - 1].text.isdigit():
        day = int(doc[token.i - 1].text) if 1 <= int(doc[token.i - 1].text) <= 31 else None
    if year is None:
        year = published.year if month <= published.month else published.year - 1
        if ahead:
            later = month > published.month or (month == published.month and previous != "next")
            year = published.year if later else published.year + 1
    try:
        resolved = date(year, month, day or 1)
    except ValueError:
        return None, False
    if day is None:
        same_month = (year, month) == (published.year, published.month)
        return None, not same_month and resolved < published and not ahead
    return resolved, False


def _marked_earlier(trigger: Token, cues: Cues) -> bool:
    """"a previous deal which saw 105 released", "the first deal was struck"."""
    heads = [trigger, *list(trigger.ancestors)[:3]]
    nouns = [*heads, *(c for head in heads for c in head.children
                       if c.dep_ in ("nsubj", "nsubjpass", "dobj"))]
    return any(c.dep_ == "amod" and c.lower_ in cues.past_markers
               for noun in nouns for c in noun.children)


def _describes_record(trigger: Token) -> bool:
    """A perfect-tense relative clause on a name sums up its record, not this round's news:
    "Qatar, which has hosted months of negotiations, ..."."""
    verb = predicate(trigger)
    return verb.dep_ == "relcl" and verb.head.pos_ == "PROPN" \
        and any(c.dep_ == "aux" and c.lower_ in PERFECT_AUX for c in verb.children)
