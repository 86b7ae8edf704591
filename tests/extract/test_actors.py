"""Actors: topic aliases, nationality adjectives, statistical names, "both sides"."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from bot.extract import Extractor
from bot.extract.actors import in_scope
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


def test_brokers_named_in_an_aside_take_part_in_the_deal(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"after talks mediated by X and Y": the mediators are participants of the deal."""
    found = extractor.extract(article(
        "Sudan's army and the RSF signed a humanitarian truce in Jeddah on Sunday after ten "
        "days of talks mediated by Saudi Arabia and the United States."), topics["sudan"])
    assert set(one(found, "deal_reached").actors) == {"SAF", "RSF", "Saudi Arabia",
                                                      "United States"}


def test_the_talks_behind_a_deal_include_its_parties_and_brokers(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """Brokers named in the next sentence about the deal attended the talks too."""
    found = extractor.extract(article(
        "Israel and Hamas agreed to a ceasefire on Friday after a week of negotiations in Doha. "
        "The deal, brokered by Qatar and Egypt, takes effect on Sunday."), gaza)
    assert set(one(found, "talks_held").actors) == {"Israel", "Hamas", "Qatar", "Egypt"}


def test_talks_resumed_by_unnamed_negotiators_are_the_parties(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"Negotiators are due to resume talks" with no talks named before: the topic's parties."""
    found = extractor.extract(article(
        "Negotiators are due to resume talks in Havana next week."), topics["colombia"])
    assert set(one(found, "talks_continue").actors) == {"Colombia", "ELN"}


def test_a_possessive_alias_names_its_actor(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"The government's delegation" is the configured "government delegation"."""
    found = extractor.extract(article(
        "The government's delegation arrived in Havana on Sunday for the peace talks."),
        topics["colombia"])
    assert one(found, "delegation_arrived").actors == ("Colombia",)


def test_a_delegation_is_named_by_its_leader(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"the delegation, led by Umerov" belongs to Umerov's side."""
    found = extractor.extract(article(
        "The delegation, led by Umerov, arrived in Istanbul on Thursday for the peace talks."),
        ukraine)
    assert one(found, "delegation_arrived").actors == ("Ukraine",)


def test_talks_held_without_a_party_do_not_include_it(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"opened ... without the Sudanese army": the army is not a participant."""
    found = extractor.extract(article(
        "US-led talks on Sudan opened in Geneva on Wednesday without the Sudanese army."),
        topics["sudan"])
    assert one(found, "talks_held").actors == ("United States",)


def test_the_two_sides_are_those_named_just_before(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"The two sides" after a sentence about Ukraine and the US means them, not Russia."""
    found = extractor.extract(article(
        "A Ukrainian delegation and US envoy Witkoff met in Geneva on Sunday for talks on the "
        "peace plan. The two sides agreed to meet again next week."), ukraine)
    assert set(one(found, "talks_continue").actors) == {"Ukraine", "United States"}


def test_a_token_of_another_sentence_tree_is_out_of_the_triggers_clause() -> None:
    """A candidate that the parser splits into two trees: the other tree's words are not in the
    trigger's clause, and walking up to the other root ends (it once looped without end)."""
    vocab = spacy.blank("en").vocab
    doc = Doc(vocab, words=["Talks", "ended", ".", "Delegates", "left", "Cairo", "."],
              heads=[1, 1, 1, 4, 4, 4, 4],
              deps=["nsubj", "ROOT", "punct", "nsubj", "ROOT", "dobj", "punct"])
    assert not in_scope(doc[5], doc[1])
    assert in_scope(doc[0], doc[1])


def test_each_team_that_travels_is_one_arrival(extractor: Extractor,
                                               ukraine: TopicSettings) -> None:
    """'The Russian and Ukrainian delegations arrived in Istanbul': two teams, two arrivals."""
    found = extractor.extract(article(
        "The Russian and Ukrainian delegations arrived in Istanbul for the talks on Friday."),
        ukraine)
    arrivals = sorted(d.actors for d in found if d.type == "delegation_arrived")
    assert arrivals == [("Russia",), ("Ukraine",)]
