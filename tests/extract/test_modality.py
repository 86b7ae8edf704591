"""Negation, modality and hedges decide whether a matched wording is a development."""

from __future__ import annotations

import pytest

from bot.extract import Extractor
from bot.settings import TopicSettings
from tests.extract.conftest import article, one, types

pytestmark = pytest.mark.model


@pytest.mark.parametrize("sentence", [
    "The Israeli delegation did not put a new offer on the table in the truce talks.",
    "Iran has not presented any new proposal in the nuclear talks, its foreign ministry said.",
    "Israel sent a delegation to Cairo without presenting a new proposal for the truce.",
])
def test_negated_proposal_is_not_presented(
        extractor: Extractor, gaza: TopicSettings, sentence: str) -> None:
    """A negated presentation reports nothing presented."""
    assert "proposal_presented" not in types(extractor.extract(article(sentence), gaza))


@pytest.mark.parametrize("sentence", [
    "The talks in Cairo ended without a deal on Thursday.",
    "No agreement was reached after two days of negotiations in Doha.",
    "Israel and Hamas failed to reach a deal on the hostages.",
])
def test_negated_deal_is_no_breakthrough(
        extractor: Extractor, gaza: TopicSettings, sentence: str) -> None:
    """Negation flips a deal into no_breakthrough."""
    found = types(extractor.extract(article(sentence), gaza))
    assert "no_breakthrough" in found
    assert "deal_reached" not in found


@pytest.mark.parametrize("sentence", [
    "Israel and Hamas could reach a ceasefire deal within days, officials said.",
    "Mediators hope to secure a truce before the holiday.",
    "If Hamas accepts the proposal, a truce deal could be signed next week.",
    "Will Israel and Hamas finally reach a ceasefire deal?",
    "US officials said a deal might be announced soon, ending the war in Gaza.",
])
def test_hypothetical_deal_is_not_a_deal(
        extractor: Extractor, gaza: TopicSettings, sentence: str) -> None:
    """Modals, hopes, conditions and questions do not report a deal."""
    assert "deal_reached" not in types(extractor.extract(article(sentence), gaza))


def test_refusing_to_accept_is_not_accepting(extractor: Extractor, gaza: TopicSettings) -> None:
    """A governing "refused" negates what it governs."""
    found = extractor.extract(article(
        "Hamas refused to accept the Israeli proposal for a six-week truce."), gaza)
    assert "proposal_accepted" not in types(found)


def test_hedged_claim_counts_with_lower_confidence(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """"reportedly" keeps the development and its attribution, less confidently."""
    plain = one(extractor.extract(article(
        "Hamas accepted the proposal for a ceasefire on Monday."), gaza), "proposal_accepted")
    hedged = one(extractor.extract(article(
        "Hamas reportedly accepted the proposal for a ceasefire on Monday, according to Kan."),
        gaza), "proposal_accepted")
    assert hedged.confidence < plain.confidence
    assert "according to Kan" in hedged.evidence


def test_reported_future_counts_for_arrivals(extractor: Extractor, gaza: TopicSettings) -> None:
    """"would send a delegation" in reported speech is a decided arrival."""
    found = extractor.extract(article(
        "Netanyahu's office said it would send a delegation to Cairo for the hostage talks."),
        gaza)
    assert one(found, "delegation_arrived").actors == ("Israel",)


@pytest.mark.parametrize(("topic", "sentence"), [
    ("talks", "Israel waffled on sending representatives to the Cairo talks this week, but came "
              "under US pressure to do so."),
    ("ukraine", "Kyiv hesitated to send a delegation to Istanbul for the talks with Russia."),
    ("colombia", "The ELN debated sending negotiators to Havana for the peace talks."),
    ("iran_nuclear", "Iran is mulling over sending its negotiators to Muscat for the nuclear "
                     "talks."),
])
def test_hesitating_to_send_a_delegation_is_not_sending_one(
        extractor: Extractor, topics: dict[str, TopicSettings], topic: str,
        sentence: str) -> None:
    """Waffling, hesitating, debating or mulling over a trip is not an arrival."""
    found = types(extractor.extract(article(sentence), topics[topic]))
    assert "delegation_arrived" not in found


def test_hesitation_that_ends_in_sending_is_an_arrival(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """A delegation sent after waffling is sent."""
    found = extractor.extract(article(
        "Israel waffled for days but sent a delegation to Cairo on Sunday for the truce talks."),
        gaza)
    assert one(found, "delegation_arrived").actors == ("Israel",)


def test_weighing_a_proposal_is_not_accepting_it(extractor: Extractor, gaza: TopicSettings) -> None:
    """"weighing whether to accept" leaves the proposal unanswered."""
    found = extractor.extract(article("Hamas is weighing whether to accept the ceasefire "
                                      "proposal."), gaza)
    assert "proposal_accepted" not in types(found)
