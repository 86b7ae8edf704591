"""Terms of a proposal or deal, in digits or words (tokenizer only, no model needed)."""

from __future__ import annotations

import pytest
import spacy

from bot.extract.terms import find_terms

nlp = spacy.blank("en")


@pytest.mark.parametrize(("text", "expected"), [
    ("a six-week pause in the fighting", {"ceasefire_days": 42}),
    ("a 40-day truce", {"ceasefire_days": 40}),
    ("a ceasefire of 60 days", {"ceasefire_days": 60}),
    ("a two-month ceasefire", {"ceasefire_days": 60}),
    ("a three-phase deal", {"phases": 3}),
    ("in three phases", {"phases": 3}),
    ("the release of 33 hostages", {"hostages": 33}),
    ("thirty-three hostages would go free", {"hostages": 33}),
    ("some 1,500 Palestinian prisoners", {"prisoners": 1500}),
    ("35 to 40 Israeli hostages", {"hostages": 40}),
    ("30 Palestinian prisoners for each female civilian hostage",
     {"prisoners_per_hostage": 30}),
    ("110 hostages and 240 Palestinian prisoners", {"hostages": 110, "prisoners": 240}),
    ("sixty-four captives", {"hostages": 64}),
])
def test_terms_are_read_from_words_and_digits(text: str, expected: dict[str, int]) -> None:
    """Each wording yields the expected term."""
    assert find_terms(nlp(text)) == expected


@pytest.mark.parametrize("text", [
    "at least 74 Palestinians were killed",
    "an 18-month siege of the city",
    "the war entered its third week",
])
def test_numbers_that_are_not_terms_are_ignored(text: str) -> None:
    """Casualties and sieges are not terms of a deal."""
    assert find_terms(nlp(text)) == {}
