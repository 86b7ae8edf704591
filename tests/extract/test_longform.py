"""Wordings of long wire stories: recaps, profiles, mediators, envoys named once in full."""

from __future__ import annotations

import pytest

from bot.extract import Extractor
from bot.settings import TopicSettings
from tests.extract.conftest import article, one, types

pytestmark = pytest.mark.model


def test_earlier_this_year_is_a_recap(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"earlier this year" dates a round well before the article: background."""
    found = extractor.extract(article(
        "Three rounds of talks between Russia and Ukraine in Istanbul earlier this year ended "
        "without agreement on a ceasefire."), ukraine)
    assert found and all(d.background for d in found)


def test_perfect_relative_clause_on_a_name_is_a_recap(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """"Qatar, which has hosted months of negotiations, ..." profiles Qatar: no current talks."""
    found = extractor.extract(article(
        "Qatar, which has hosted months of negotiations on a ceasefire in Gaza, has sought to "
        "build its profile through sport."), gaza)
    assert types(found) == []


def test_casualty_word_dead_is_no_impasse(extractor: Extractor, gaza: TopicSettings) -> None:
    """"35 are dead" counts casualties; only "a dead end" is an impasse."""
    found = extractor.extract(article(
        "Israel says 59 hostages remain in Gaza, of whom at least 35 are dead."), gaza)
    assert "no_breakthrough" not in types(found)


def test_pressure_on_a_pronoun_takes_the_party_named_before(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """"spoke with Netanyahu ... and urged him to" is pressure on a party."""
    found = extractor.extract(article(
        "Biden spoke with Netanyahu by phone on Thursday and urged him to finalise the deal."),
        gaza)
    assert one(found, "pressure").actors == ("United States",)


def test_both_leaders_means_the_parties(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"urged both leaders to sign" presses the topic's parties."""
    found = extractor.extract(article(
        "Erdogan urged both leaders to sign the ceasefire agreement without delay."), ukraine)
    assert one(found, "pressure").actors == ("Turkey",)


def test_envoy_stationed_in_a_country_is_not_that_country(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"the UN representative in Colombia urged the ELN": the UN presses, not Colombia."""
    found = extractor.extract(article(
        "The United Nations special representative in Colombia, Carlos Ruiz Massieu, urged "
        "the ELN to free all the captives it still holds."), topics["colombia"])
    assert "Colombia" not in one(found, "pressure").actors
    assert "United Nations" in one(found, "pressure").actors


def test_travelling_for_talks_schedules_talks(extractor: Extractor, gaza: TopicSettings) -> None:
    """"would travel on to Cairo on Friday for talks with Egyptian officials" -> talks_held."""
    found = extractor.extract(article(
        "The Israeli negotiating team would travel on to Cairo on Friday for talks with "
        "Egyptian officials."), gaza)
    held = one(found, "talks_held")
    assert held.venue == "Cairo" and "Egypt" in held.actors


def test_talks_facilitated_by_a_mediator_name_it(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"the meetings were facilitated by Emirati officials": talks with the UAE as host."""
    found = extractor.extract(article(
        "The meetings in Abu Dhabi were facilitated by Emirati officials, according to a UAE "
        "statement."), ukraine)
    assert "United Arab Emirates" in one(found, "talks_held").actors


def test_surname_keeps_the_actor_of_its_title(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"US Army Secretary Dan Driscoll" then "Driscoll arrived": the United States arrived."""
    found = extractor.extract(article(
        "US Army Secretary Dan Driscoll held talks with a Russian delegation on Monday. "
        "Driscoll arrived in Abu Dhabi on Sunday."), ukraine)
    assert one(found, "delegation_arrived").actors == ("United States",)


def test_meeting_again_in_a_named_month_is_ahead(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"will meet again in January" (published in May) is the next January: not a recap."""
    found = extractor.extract(article(
        "The government and the ELN negotiators will meet again in Caracas in January."),
        topics["colombia"])
    assert not one(found, "talks_continue").background


def test_reported_would_looks_ahead(extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"said they would reconvene in March" reports a future round: not a recap."""
    found = extractor.extract(article(
        "The delegations said they would reconvene in Havana in March for another round."),
        topics["colombia"])
    assert not one(found, "talks_continue").background


def test_ending_a_round_is_no_suspension(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"ended the third round of talks in Istanbul" closes a meeting, the talks go on."""
    found = extractor.extract(article(
        "Russia and Ukraine ended the third round of talks in Istanbul on Wednesday."), ukraine)
    assert "talks_suspended" not in types(found)
    assert "talks_held" in types(found)


def test_continuing_to_meet_continues_talks(extractor: Extractor, gaza: TopicSettings) -> None:
    """"working groups would continue to meet" means the negotiations go on."""
    found = extractor.extract(article(
        "A White House spokesman said the talks were useful and that working groups would "
        "continue to meet this week."), gaza)
    assert "talks_continue" in types(found)


def test_a_deadline_to_agree_is_pressure_not_a_deal(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"gave Moscow a 30-day deadline to agree to a truce" presses Russia; nothing is agreed."""
    found = extractor.extract(article(
        "Trump gave Moscow a 30-day deadline to agree to a truce or face new sanctions."), ukraine)
    assert one(found, "pressure").actors == ("United States",)
    assert "deal_reached" not in types(found)


def test_the_owner_of_a_deadline_presses(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"Trump's deadline for Moscow to accept ... still stands" is US pressure."""
    found = extractor.extract(article(
        "Officials said Trump's two-week deadline for Moscow to accept the truce plan still "
        "stands."), ukraine)
    assert one(found, "pressure").actors == ("United States",)


def test_a_threat_with_a_condition_is_still_pressure(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"threatened tariffs on Russia unless it accepted" is a real threat, not a hypothesis."""
    found = extractor.extract(article(
        "Washington threatened tariffs on Russia unless it accepted the ceasefire plan."), ukraine)
    assert one(found, "pressure").actors == ("United States",)


def test_a_proposal_put_forward_by_someone_was_presented(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """"failed to agree on proposals drafted by Qatar" still says Qatar drafted them."""
    found = extractor.extract(article(
        "The two sides failed to agree on two bridging proposals drafted by Qatari and Egyptian "
        "mediators."), gaza)
    assert set(one(found, "proposal_presented").actors) == {"Qatar", "Egypt"}


def test_proposing_a_truce_is_a_proposal(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"Kyiv proposed a 30-day ceasefire" puts a proposal forward."""
    found = extractor.extract(article(
        "At the talks, Kyiv proposed a 30-day ceasefire in the air and at sea."), ukraine)
    assert one(found, "proposal_presented").actors == ("Ukraine",)


def test_talks_in_an_as_clause_were_held(extractor: Extractor, gaza: TopicSettings) -> None:
    """"... plan to free captives, as the mediators met in Cairo" reports a meeting."""
    found = extractor.extract(article(
        "Hamas said it had agreed to an offer to free a soldier, as Qatari and Egyptian "
        "mediators met in Cairo for a third day of talks."), gaza)
    assert "talks_held" in types(found)


def test_a_that_clause_after_told_is_a_statement(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"told reporters that Tehran had rejected the demand" is a statement, not a question."""
    found = extractor.extract(article(
        "Officials told reporters that Tehran had rejected the US demand on enrichment."),
        topics["iran_nuclear"])
    assert one(found, "proposal_rejected").actors == ("Iran",)


def test_a_deadline_owned_by_a_pronoun_is_its_referent_s_pressure(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"Washington said its deadline for Moscow to accept ... stood" is US pressure."""
    found = extractor.extract(article(
        "Washington said on Monday that its two-week deadline for Moscow to accept the truce "
        "plan still applied."), ukraine)
    assert one(found, "pressure").actors == ("United States",)


def test_a_deal_inside_a_relative_clause_on_any_is_hypothetical(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"would veto any text that strayed from the understandings reached" reports no deal."""
    found = extractor.extract(article(
        "Moscow said it would veto any text that strayed from the understandings reached "
        "between Washington and Kyiv at the talks."), ukraine)
    assert "deal_reached" not in types(found)


def test_the_dateline_country_takes_no_part(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"HAVANA, Cuba - Colombia and the ELN held talks" leaves the filing place out."""
    found = extractor.extract(article(
        "HAVANA, Cuba - Colombia and the ELN held two days of peace talks on Monday."),
        topics["colombia"])
    assert set(one(found, "talks_held").actors) == {"Colombia", "ELN"}


def test_the_two_ministers_are_the_two_sides_named_before(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"the two ministers will keep negotiating" after a sentence naming both sides."""
    found = extractor.extract(article(
        "Sybiha and Lavrov met in Istanbul, hosted by Turkish Foreign Minister Hakan Fidan. "
        "The two ministers said afterwards they would continue negotiations next month."),
        ukraine)
    assert set(one(found, "talks_continue").actors) == {"Ukraine", "Russia"}


def test_signing_a_joint_declaration_is_a_deal(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"signed a joint declaration" in peace talks is an agreement reached."""
    found = extractor.extract(article(
        "Colombia and the ELN signed a joint declaration in Havana on the peace process."),
        topics["colombia"])
    assert set(one(found, "deal_reached").actors) >= {"Colombia", "ELN"}


def test_a_meeting_between_the_parties_is_on_topic(
        extractor: Extractor, ukraine: TopicSettings) -> None:
    """"Zelensky and Putin held a meeting" counts though no other negotiation word appears."""
    found = extractor.extract(article(
        "Zelensky and Putin held a short meeting with Erdogan at a palace on the Bosphorus."),
        ukraine)
    assert {"Ukraine", "Russia"} <= set(one(found, "talks_held").actors)


def test_a_lower_case_alias_matches_at_the_start_of_a_sentence(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"The army's negotiators left Jeddah" is the alias "the army", capitalised."""
    found = extractor.extract(article(
        "The army's negotiators left Jeddah on Sunday after the talks collapsed."),
        topics["sudan"])
    assert one(found, "delegation_departed").actors == ("SAF",)


def test_an_unnamed_team_is_the_delegation_named_before(
        extractor: Extractor, gaza: TopicSettings) -> None:
    """"the negotiating team then flew to Cairo" after "an Israeli delegation arrived"."""
    found = extractor.extract(article(
        "An Israeli delegation arrived in Doha on Monday for talks on the hostage deal. "
        "Officials said the negotiating team then flew on to Cairo for talks with Egyptian "
        "mediators."), gaza)
    arrivals = [d for d in found if d.type == "delegation_arrived"]
    assert {d.venue for d in arrivals} == {"Doha", "Cairo"}
    assert all(d.actors == ("Israel",) for d in arrivals)


def test_an_envoy_named_beside_an_unconfigured_body_is_the_body(
        extractor: Extractor, topics: dict[str, TopicSettings]) -> None:
    """"The United Nations envoy, Jean Arnault, urged" is the UN pressing, not the envoy."""
    found = extractor.extract(article(
        "The United Nations envoy, Jean Arnault, urged the ELN to free its hostages before the "
        "next round of talks."), topics["colombia"])
    assert one(found, "pressure").actors == ("United Nations",)


def test_talks_on_hold_are_suspended(extractor: Extractor, ukraine: TopicSettings) -> None:
    """"the negotiations were on ice" reports talks that stopped."""
    found = extractor.extract(article(
        "A Ukrainian official said the peace negotiations with Moscow were on ice for now."),
        ukraine)
    assert "talks_suspended" in types(found)
