"""One plain-English line per event and per set of terms, for replies and alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.models import Event, Position

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _duration(days: int) -> str:
    if days % 7 == 0 and days // 7 < len(_NUMBER_WORDS):
        weeks = days // 7
        return f"{_NUMBER_WORDS[weeks]}-week"
    return f"{days}-day"


def describe_terms(terms: Mapping[str, int]) -> str:
    """'a six-week ceasefire proposal with 33 hostages and 30 prisoners per hostage'."""
    head = "proposal"
    if terms.get("ceasefire_days"):
        head = f"{_duration(terms['ceasefire_days'])} ceasefire proposal"
    parts = []
    if terms.get("hostages"):
        parts.append(f"{terms['hostages']} hostages")
    if terms.get("prisoners"):
        parts.append(f"{terms['prisoners']} prisoners")
    if terms.get("prisoners_per_hostage"):
        parts.append(f"{terms['prisoners_per_hostage']} prisoners per hostage")
    if terms.get("phases"):
        parts.append(f"{terms['phases']} phases")
    article = "an" if head[0] in "aeiou8" else "a"
    return f"{article} {head}" + (f" with {join_names(parts)}" if parts else "")


def describe_event(event: Event) -> str:
    """What happened, in one line, e.g. 'Hamas accepted a six-week ceasefire proposal ...'."""
    who = join_names(event.actors)
    where = f" in {event.venue}" if event.venue else ""
    proposal = describe_terms(event.terms) if event.terms else "the proposal"
    match event.type:
        case "talks_held":
            return f"Talks held{where}" + (f" with {who}" if who else "")
        case "delegation_arrived":
            return f"{who or 'A'} delegation{'s' if len(event.actors) > 1 else ''} arrived" + where
        case "delegation_departed":
            plural = "s" if len(event.actors) > 1 else ""
            place = f" {event.venue}" if event.venue else ""
            return f"{who or 'A'} delegation{plural} left{place}"
        case "proposal_presented":
            return f"{who or 'A party'} presented {describe_terms(event.terms)}"
        case "proposal_accepted":
            return f"{who or 'A party'} accepted {proposal}"
        case "proposal_rejected":
            return f"{who or 'A party'} rejected {proposal}"
        case "no_breakthrough":
            return f"Talks{where} ended without a breakthrough"
        case "talks_continue":
            return f"Talks{where} to continue"
        case "talks_suspended":
            return f"Talks suspended{f' by {who}' if who else ''}"
        case "deal_reached":
            terms = f": {describe_terms(event.terms)}" if event.terms else ""
            return f"Deal reached{f' by {who}' if who else ''}{terms}"
        case "release":
            freed = ", ".join(f"{n} {k}" for k, n in event.terms.items()
                              if k in ("hostages", "prisoners"))
            return f"{who or 'A party'} released {freed or 'captives'}"
        case "pressure":
            return f"{who or 'A third party'} pressed the parties"
    return f"{event.type.replace('_', ' ').capitalize()}{where}"


def describe_position(position: Position) -> str:
    """'Hamas accepted a six-week ceasefire proposal with ... (9 May 2024)'."""
    what = describe_terms(position.terms) if position.terms else "it"
    if not position.terms and position.stance == "presented":
        what = "a proposal"
    return f"{position.actor} {position.stance} {what} ({format_day(position.when)})"


def format_day(day: date) -> str:
    """'9 May 2024'."""
    return f"{day.day} {day:%b %Y}"
