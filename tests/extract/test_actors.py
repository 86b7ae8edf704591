"""Actors: topic aliases, nationality adjectives, statistical names, "both sides"."""

from __future__ import annotations

import pytest

from bot.extract import Extractor
from bot.settings import TopicSettings
from tests.extract.conftest import article, one

pytestmark = pytest.mark.model


@pytest.mark.parametrize(("subject", "expected"), [
    ("The Israeli delegation", "Israel"),
    ("Netanyahu", "Israel"),
    ("CIA director William Burns", "United States"),
    ("Qatari mediators", "Qatar"),
    ("Egypt's Al-Qahera News", "Egypt"),
])
def test_aliases_and_demonyms_map_to_canonical_names(
        extractor: Extractor, gaza: TopicSettings, subject: str, expected: str) -> None:
    """Every configured way of naming a party gives its canonical name."""
    found = extractor.extract(article(f"{subject} rejected the ceasefire proposal."), gaza)
    assert one(found, "proposal_rejected").actors == (expected,)


def test_demonyms_come_from_the_topic_canonical_names(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"Russian" maps to Russia because the topic configures Russia (a data table)."""
    found = extractor.extract(article(
        "The Russian negotiators rejected the ceasefire proposal in Istanbul."), ukraine)
    assert one(found, "proposal_rejected").actors == ("Russia",)


def test_unconfigured_person_appears_unnormalised(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """Someone the topic does not know still appears, as written."""
    found = extractor.extract(article(
        "UN envoy Sigrid Kaag presented a new framework for the truce talks."), gaza)
    assert "Sigrid Kaag" in one(found, "proposal_presented").actors


def test_both_sides_means_the_topics_parties(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"the two sides" stands for the parties of the topic, not its mediators."""
    found = extractor.extract(article(
        "The two sides agreed to exchange 1,000 prisoners of war each at the talks."), ukraine)
    assert set(one(found, "deal_reached").actors) == {"Ukraine", "Russia"}


def test_subject_of_leaving_is_the_one_leaving(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """Only who left is the actor of a departure, not whom they met."""
    found = extractor.extract(article(
        "Burns left Cairo on Thursday after the talks with Hamas and Egyptian officials."), gaza)
    assert one(found, "delegation_departed").actors == ("United States",)


def test_lower_case_words_do_not_match_case_sensitive_aliases(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """"us" is not the alias "US"."""
    found = extractor.extract(article(
        "Let us hope the hostage talks resume; Hamas rejected the proposal."), gaza)
    assert one(found, "proposal_rejected").actors == ("Hamas",)
