"""Status derivation per ONTOLOGY.md, from hand-built sequences and the seeds' gold."""

from __future__ import annotations

from datetime import date

from bot.settings import TopicSettings
from bot.track.cluster import cluster
from bot.track.describe import describe_event, describe_terms
from bot.track.status import derive_status, topic_state
from tests.tracking_factories import gold_reports, report

D1, D2, D3 = date(2024, 5, 6), date(2024, 5, 7), date(2024, 5, 8)
TOPIC = TopicSettings(
    name="Gaza talks",
    parties={"Israel": (), "Hamas": ()},
    mediators={"Egypt": (), "Qatar": (), "United States": ()},
    venues=("Cairo",),
)


def status_of(*reports):  # noqa: ANN201, ANN002 - test helper
    return derive_status(cluster(list(reports)))


def test_nothing_stored_is_unknown() -> None:
    """No events: unknown, since never."""
    assert derive_status([]) == ("unknown", None)


def test_talks_held_make_the_topic_active() -> None:
    """A round of talks: active since that day."""
    assert status_of(report("talks_held", venue="Cairo", day=D1)) == ("active", D1)


def test_no_breakthrough_with_talks_continuing_the_same_day_is_stalled() -> None:
    """'Ended without a breakthrough; talks will continue' is stalled."""
    assert status_of(
        report("talks_held", venue="Cairo", day=D1),
        report("no_breakthrough", venue="Cairo", day=D1),
        report("talks_continue", venue="Cairo", day=D1),
    ) == ("stalled", D1)


def test_talks_resuming_a_later_day_make_a_stalled_topic_active_again() -> None:
    """A new round after a stall revives the talks."""
    assert status_of(
        report("proposal_rejected", "Israel", day=D1),
        report("talks_held", venue="Doha", day=D2),
    ) == ("active", D2)


def test_a_suspension_is_collapsed_until_something_revives_the_talks() -> None:
    """Collapsed; then a delegation arriving makes it active."""
    suspended = report("talks_suspended", "Israel", day=D1)
    assert status_of(suspended, report("pressure", "United States", day=D2)) == ("collapsed", D1)
    assert status_of(suspended, report("delegation_arrived", "Israel", venue="Cairo", day=D2)) == (
        "active", D2)


def test_a_deal_outranks_everything_on_its_day() -> None:
    """The deal's day is deal_reached even with a rejection reported the same day."""
    assert status_of(
        report("proposal_rejected", "Israel", day=D3),
        report("deal_reached", "Israel", "Hamas", day=D3),
    ) == ("deal_reached", D3)


def test_no_deal_reached_the_same_day_cancels_an_equally_reported_deal() -> None:
    """'Left Cairo with no deal reached' outweighs a deal only one outlet claims that day."""
    assert status_of(
        report("no_breakthrough", venue="Cairo", day=D3, outlet="A"),
        report("deal_reached", day=D3, outlet="A"),
    ) == ("stalled", D3)
    assert status_of(
        report("no_breakthrough", venue="Cairo", day=D3, outlet="A"),
        *(report("deal_reached", "Israel", "Hamas", day=D3, outlet=o) for o in "BC"),
    ) == ("deal_reached", D3)


def test_since_is_the_day_the_status_last_changed() -> None:
    """A second stall does not move `since`."""
    assert status_of(
        report("proposal_rejected", "Israel", day=D1),
        report("no_breakthrough", venue="Cairo", day=D3),
    ) == ("stalled", D1)


def test_pressure_and_releases_alone_decide_nothing() -> None:
    """Only pressure and a release reported: the status stays as it was, here unknown."""
    assert status_of(report("pressure", "United States", day=D1),
                     report("release", "Hamas", day=D2)) == ("unknown", None)


def test_a_delegation_leaving_is_activity() -> None:
    """Delegations moving count as activity, as the ontology says: a later departure after a
    stall makes the talks active again."""
    assert status_of(
        report("no_breakthrough", "Israel", "Hamas", day=D1),
        report("delegation_departed", "Israel", venue="Cairo", day=D2),
    ) == ("active", D2)


def test_a_partial_deal_reported_with_no_breakthrough_on_the_main_deal_is_stalled() -> None:
    """'Agreed a prisoner exchange but no breakthrough on a ceasefire', in one article: the round
    stalled, whatever the number of outlets."""
    assert status_of(
        report("deal_reached", "Russia", "Ukraine", day=D1, outlet="A", article="a1"),
        report("no_breakthrough", "Russia", "Ukraine", day=D1, outlet="A", article="a1"),
        report("deal_reached", "Russia", "Ukraine", day=D1, outlet="B"),
    ) == ("stalled", D1)


def test_summary_shows_terms_and_each_partys_latest_stance() -> None:
    """Terms on the table come from the latest proposal with terms; positions follow it."""
    state = topic_state("talks", TOPIC, cluster([
        report("proposal_presented", "Israel", day=D1),
        report("proposal_accepted", "Hamas", day=D2,
               terms={"ceasefire_days": 42, "hostages": 33, "prisoners_per_hostage": 30}),
        report("proposal_rejected", "Israel", day=D3),
    ]))
    assert state.terms == {"ceasefire_days": 42, "hostages": 33, "prisoners_per_hostage": 30}
    assert [(p.actor, p.stance, p.when) for p in state.positions] == [
        ("Hamas", "accepted", D2), ("Israel", "rejected", D3)]
    assert state.parties == ("Israel", "Hamas")


def test_summary_lists_the_newest_events_first() -> None:
    """Recent events are newest first."""
    state = topic_state("talks", TOPIC, cluster([
        report("talks_held", venue="Cairo", day=D1),
        report("no_breakthrough", venue="Cairo", day=D2),
    ]))
    assert [e.type for e in state.recent] == ["no_breakthrough", "talks_held"]
    assert state.venue == "Cairo"


def test_terms_read_as_the_issue_states_them() -> None:
    """A 42-day ceasefire reads as six weeks."""
    assert describe_terms({"ceasefire_days": 42, "hostages": 33, "prisoners_per_hostage": 30}) == (
        "a six-week ceasefire proposal with 33 hostages and 30 prisoners per hostage")


def test_the_seed_gold_replays_to_the_stalled_summary_of_the_issue() -> None:
    """Seeds' gold developments: stalled, Hamas accepted the terms, Israel rejected, left Cairo."""
    events = cluster(gold_reports())
    state = topic_state("talks", TOPIC, events, recent=len(events))
    assert state.status == "stalled"
    lines = [describe_event(e) for e in state.recent]
    assert ("Hamas accepted a six-week ceasefire proposal with 33 hostages and 30 prisoners "
            "per hostage") in lines
    assert ("Hamas", "accepted") in [(p.actor, p.stance) for p in state.positions]
    assert ("Israel", "rejected") in [(p.actor, p.stance) for p in state.positions]
    departures = [e for e in events if e.type == "delegation_departed"]
    assert {o for e in departures for o in e.outlets} == {
        "The Times of Israel", "Al-Monitor"}
    assert all(e.venue == "Cairo" for e in departures)


def test_talks_scheduled_for_later_do_not_lift_a_stall_reported_the_same_day() -> None:
    """'Gaps remain; the next round is set for next week': stalled, even when more talks are
    planned (the scheduled round counts on the day it was reported)."""
    assert status_of(
        report("no_breakthrough", "Israel", "Hamas", day=D1),
        report("talks_continue", "Israel", "Hamas", day=D1, when=D3),
    ) == ("stalled", D1)
