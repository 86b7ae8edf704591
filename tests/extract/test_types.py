"""Every development type, from sentences written for these tests (not the seeds)."""

from __future__ import annotations

import pytest

from bot.extract import Extractor
from bot.settings import TopicSettings
from tests.extract.conftest import article, one, types

pytestmark = pytest.mark.model


def test_talks_held_with_participants(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"held talks in Istanbul" is talks_held with every party named, at the venue."""
    found = extractor.extract(article(
        "Russian and Ukrainian negotiators held talks in Istanbul on Monday, with Turkish "
        "officials in the room."), ukraine)
    talks = one(found, "talks_held")
    assert set(talks.actors) >= {"Russia", "Ukraine"}
    assert talks.venue == "Istanbul"


def test_scheduled_talks_count(extractor: Extractor, ukraine: TopicSettings) -> None:
    """Talks that "will be held" are talks_held: decided to happen."""
    found = extractor.extract(article(
        "Talks between US and Russian experts on a ceasefire will be held in Riyadh on Sunday."),
        ukraine)
    assert "talks_held" in types(found)


def test_delegation_arrived(extractor: Extractor, gaza: TopicSettings) -> None:
    """The subject of "arrived in" is the one arriving."""
    found = extractor.extract(article(
        "A Hamas delegation arrived in Cairo on Sunday for truce talks with Egyptian mediators."),
        gaza)
    arrived = one(found, "delegation_arrived")
    assert arrived.actors == ("Hamas",)
    assert arrived.venue == "Cairo"


def test_delegation_departed(extractor: Extractor, gaza: TopicSettings) -> None:
    """"left Doha" by a delegation is delegation_departed by its party."""
    found = extractor.extract(article(
        "The Israeli delegation left Doha on Friday after two days of hostage negotiations."), gaza)
    departed = one(found, "delegation_departed")
    assert departed.actors == ("Israel",)
    assert departed.venue == "Doha"


def test_proposal_presented(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"submitted a counter-proposal" is proposal_presented by the subject."""
    found = extractor.extract(article(
        "Kyiv submitted a counter-proposal to the US peace plan on Thursday."), ukraine)
    assert one(found, "proposal_presented").actors == ("Ukraine",)


def test_proposal_accepted(extractor: Extractor, gaza: TopicSettings) -> None:
    """"accepted a proposal" is proposal_accepted by the subject, with its terms."""
    found = extractor.extract(article(
        "Hamas accepted a Qatari proposal for a 40-day truce and the release of 18 hostages."),
        gaza)
    accepted = one(found, "proposal_accepted")
    assert accepted.actors == ("Hamas",)
    assert accepted.terms == {"ceasefire_days": 40, "hostages": 18}


def test_proposal_rejected_by_passive_agent(extractor: Extractor, gaza: TopicSettings) -> None:
    """In "was dismissed by Netanyahu" the agent, not the subject, is the actor."""
    found = extractor.extract(article(
        "The truce framework was dismissed by Netanyahu late on Tuesday."), gaza)
    assert one(found, "proposal_rejected").actors == ("Israel",)


def test_calling_demands_delusional_is_a_rejection(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """Calling the other side's demands unacceptable rejects them."""
    found = extractor.extract(article(
        "Zelensky called the Kremlin's demands for the ceasefire unacceptable."), ukraine)
    assert one(found, "proposal_rejected").actors == ("Ukraine",)


def test_no_breakthrough(extractor: Extractor, gaza: TopicSettings) -> None:
    """"ended without a breakthrough" is no_breakthrough with the participants."""
    found = extractor.extract(article(
        "Talks between Israel and Hamas in Doha ended without a breakthrough on Wednesday."), gaza)
    assert set(one(found, "no_breakthrough").actors) == {"Israel", "Hamas"}
    assert "deal_reached" not in types(found)


def test_talks_continue(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"will resume next week" is talks_continue."""
    found = extractor.extract(article(
        "The negotiations between Russia and Ukraine will resume next week in Geneva."), ukraine)
    assert one(found, "talks_continue").venue == "Geneva"


def test_talks_suspended_by_refusal(extractor: Extractor, gaza: TopicSettings) -> None:
    """A party refusing to send a delegation suspends the talks, not an arrival."""
    found = extractor.extract(article(
        "Israel refused to send a delegation to the hostage talks in Cairo."), gaza)
    assert one(found, "talks_suspended").actors == ("Israel",)
    assert "delegation_arrived" not in types(found)


def test_deal_reached(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"reached a deal" is deal_reached with both parties."""
    found = extractor.extract(article(
        "Russia and Ukraine reached a deal on a prisoner exchange in Istanbul on Wednesday."),
        ukraine)
    assert set(one(found, "deal_reached").actors) >= {"Russia", "Ukraine"}


def test_release(extractor: Extractor, gaza: TopicSettings) -> None:
    """"freed 24 hostages" is a release by the subject with the number freed."""
    found = extractor.extract(article(
        "Hamas freed 24 hostages on Friday under the ceasefire deal."), gaza)
    release = one(found, "release")
    assert release.actors == ("Hamas",)
    assert release.terms["hostages"] == 24


def test_release_as_a_term_is_not_a_release(extractor: Extractor, gaza: TopicSettings) -> None:
    """Hostages who "would be released" under a proposal have not been released."""
    found = extractor.extract(article(
        "Under the proposal, 33 hostages would be released in the first phase of the truce."), gaza)
    assert "release" not in types(found)


def test_pressure(extractor: Extractor, ukraine: TopicSettings) -> None:
    """A mediator urging a party to act is pressure by the mediator."""
    found = extractor.extract(article(
        "Trump urged Zelensky to accept the peace plan before Thanksgiving."), ukraine)
    assert one(found, "pressure").actors == ("United States",)


def test_a_partys_own_appeal_is_not_pressure(extractor: Extractor, ukraine: TopicSettings) -> None:
    """Pressure comes from a third party: a party urging others is not pressure."""
    found = extractor.extract(article(
        "Zelensky urged European allies to send more air defence systems during the talks."),
        ukraine)
    assert "pressure" not in types(found)


def test_several_developments_in_one_sentence(extractor: Extractor, gaza: TopicSettings) -> None:
    """"Hamas accepted ... while Israel rejected ..." holds two developments."""
    found = extractor.extract(article(
        "Hamas accepted the ceasefire proposal, while Israel rejected the terms of the deal."),
        gaza)
    assert one(found, "proposal_accepted").actors == ("Hamas",)
    assert one(found, "proposal_rejected").actors == ("Israel",)


def test_an_amended_proposal_is_presented(extractor: Extractor, gaza: TopicSettings) -> None:
    """A clause that "would be amended to" new wording is a new proposal on the table."""
    found = extractor.extract(article(
        "Talks on the truce continued in Cairo. Egyptian news outlets reported that the "
        "permanent ceasefire clause, rejected by Israel, would be amended to \"return to "
        "sustainable calm\"."), gaza)
    assert "proposal_presented" in types(found)


def test_a_party_revising_its_proposal_presents_it(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"Kyiv revised its peace plan" is proposal_presented by Kyiv."""
    found = extractor.extract(article("Kyiv revised its peace plan on Sunday after the talks "
                                      "in Geneva."), ukraine)
    assert one(found, "proposal_presented").actors == ("Ukraine",)


@pytest.mark.parametrize("sentence", [
    "Ukraine rejected the amended proposal on Monday.",
    "Kyiv wants the peace plan amended before the talks resume.",
    "The constitution would be amended to allow elections after a ceasefire.",
])
def test_amendments_that_are_not_proposals(
        extractor: Extractor, ukraine: TopicSettings, sentence: str) -> None:
    """An amended proposal rejected, an amendment wanted, a law amended: nothing presented."""
    assert "proposal_presented" not in types(extractor.extract(article(sentence), ukraine))
