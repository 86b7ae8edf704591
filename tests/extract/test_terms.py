"""Terms of a proposal or deal, in digits or words (tokenizer only, no model needed), and
terms a following sentence spells out (with the model)."""

from __future__ import annotations

import pytest
import spacy

from bot.extract import Extractor
from bot.extract.terms import find_terms
from bot.settings import TopicSettings
from tests.extract.conftest import REPO_ROOT, article, one

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


@pytest.mark.model
def test_terms_spelled_out_next_belong_to_the_accepted_proposal(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """Seed 003: "Israel would free 30 prisoners for each hostage" adds to Hamas' acceptance."""
    seed = next((REPO_ROOT / "seeds").glob("003_*.txt"))
    found = extractor.extract(article(seed.read_text(encoding="utf-8")), gaza)
    accepted = one(found, "proposal_accepted")
    assert accepted.actors == ("Hamas",)
    assert accepted.terms == {"ceasefire_days": 42, "hostages": 33, "prisoners_per_hostage": 30}


@pytest.mark.model
@pytest.mark.parametrize(("topic", "text", "dev_type", "expected"), [
    ("ukraine", "On Tuesday, Kyiv accepted a US proposal for a 30-day ceasefire. Russia would "
     "release 150 prisoners under the plan.", "proposal_accepted",
     {"ceasefire_days": 30, "prisoners": 150}),
    ("sudan", "The SAF and the RSF agreed on a humanitarian truce in Jeddah on Saturday. The "
     "truce would run for 90 days in three phases.", "deal_reached",
     {"ceasefire_days": 90, "phases": 3}),
    ("colombia", "Colombian government negotiators presented a new ceasefire proposal to the ELN "
     "in Havana on Monday. The plan envisages a 180-day ceasefire and the release of 20 "
     "hostages held by the rebels.", "proposal_presented",
     {"ceasefire_days": 180, "hostages": 20}),
    ("colombia", "The ELN rejected the government's proposal on Monday.\n"
     "Under the plan, 300 prisoners would go free.", "proposal_rejected", {"prisoners": 300}),
])
def test_terms_continue_into_the_next_sentence(
        extractor: Extractor, topics: dict[str, TopicSettings], topic: str, text: str,
        dev_type: str, expected: dict[str, int]) -> None:
    """Terms of a sentence with no development of its own go to the proposal or deal before."""
    assert one(extractor.extract(article(text), topics[topic]), dev_type).terms == expected


@pytest.mark.model
@pytest.mark.parametrize(("text", "expected"), [
    ("Hamas accepted a proposal for the release of 33 hostages. An Israeli draft would free 40 "
     "hostages and 900 prisoners.", {"hostages": 33}),
    ("Hamas accepted the proposal on Monday.\n\nFighting continued in Rafah.\n\n"
     "Under the plan, 33 hostages would be freed.", {}),
    ("Hamas accepted the proposal on Monday. At least 38 of the 132 hostages still held in "
     "Gaza are no longer alive.", {}),
    ("Hamas accepted the proposal on Monday. Israel would not free 1,000 prisoners, "
     "Netanyahu said.", {}),
], ids=["conflicting value", "another paragraph", "a reported fact", "negated"])
def test_terms_that_do_not_continue(extractor: Extractor, gaza: TopicSettings, text: str,
                                    expected: dict[str, int]) -> None:
    """Conflicting values, a distant paragraph, facts and negations add no terms."""
    assert one(extractor.extract(article(text), gaza), "proposal_accepted").terms == expected


@pytest.mark.model
def test_a_sentence_with_its_own_development_keeps_its_terms(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """A release reported next is its own development: its numbers stay with it."""
    found = extractor.extract(article(
        "Kyiv accepted a proposal for a 30-day truce. Russia released 150 prisoners on "
        "Friday."), ukraine)
    assert one(found, "proposal_accepted").terms == {"ceasefire_days": 30}
    assert one(found, "release").terms == {"prisoners": 150}
