"""Cross-source clustering: one event per real development, with all its sources."""

from __future__ import annotations

from datetime import date

from bot.track.cluster import cluster, evidence_similarity
from tests.tracking_factories import report


def test_two_outlets_reporting_the_same_departure_make_one_event_with_both_sources() -> None:
    """Same type, actor and venue from two outlets: one event, two sources."""
    events = cluster([
        report("delegation_departed", "Israel", venue="Cairo", outlet="Outlet A"),
        report("delegation_departed", "Israel", venue="Cairo", outlet="Outlet B"),
    ])
    assert len(events) == 1
    assert events[0].outlets == ("Outlet A", "Outlet B")


def test_a_report_a_day_later_still_joins_the_event() -> None:
    """Outlets dating the same development a day apart still agree."""
    events = cluster([
        report("no_breakthrough", "Israel", venue="Cairo", day=date(2024, 5, 9)),
        report("no_breakthrough", "Israel", venue="Cairo", day=date(2024, 5, 10), outlet="B"),
    ])
    assert len(events) == 1
    assert events[0].when == date(2024, 5, 9)


def test_the_same_type_months_apart_is_two_events() -> None:
    """The delegation leaving Cairo in February and again in May are two events."""
    events = cluster([
        report("delegation_departed", "Israel", venue="Cairo", day=date(2024, 2, 13)),
        report("delegation_departed", "Israel", venue="Cairo", day=date(2024, 5, 9)),
    ])
    assert len(events) == 2


def test_different_actors_are_different_events() -> None:
    """Hamas accepting and Egypt accepting are not the same development."""
    events = cluster([
        report("proposal_accepted", "Hamas", outlet="A"),
        report("proposal_accepted", "Egypt", outlet="B"),
    ])
    assert len(events) == 2


def test_different_venues_are_different_events() -> None:
    """Talks in Cairo and talks in Doha the same day are two rounds."""
    events = cluster([
        report("talks_held", venue="Cairo", outlet="A"),
        report("talks_held", venue="Doha", outlet="B"),
    ])
    assert len(events) == 2


def test_conflicting_terms_are_different_events() -> None:
    """A proposal with 33 hostages is not the one with 40."""
    events = cluster([
        report("proposal_presented", "Egypt", terms={"hostages": 33}),
        report("proposal_presented", "Egypt", terms={"hostages": 40}, outlet="B"),
    ])
    assert len(events) == 2


def test_a_report_naming_no_actor_joins_by_similar_wording() -> None:
    """Without actors, venue or terms, similar evidence decides."""
    events = cluster([
        report("pressure", evidence="Biden threatened to stop weapons shipments to Israel"),
        report("pressure", evidence="Biden threatens to halt weapons shipments to Israel",
               outlet="B"),
        report("pressure", evidence="The UN urged restraint in Rafah", outlet="C"),
    ])
    assert [len(e.sources) for e in events] == [2, 1]


def test_a_reprint_under_another_url_is_one_source() -> None:
    """Two reports carrying the same article key count once."""
    first = report("talks_held", venue="Cairo", article="same-text")
    events = cluster([first, report("talks_held", venue="Cairo", article="same-text")])
    assert len(events[0].sources) == 1


def test_background_developments_make_no_event() -> None:
    """A recap of an earlier deal is not news."""
    assert cluster([report("release", "Hamas", terms={"hostages": 105}, background=True)]) == []


def test_merging_accumulates_actors_terms_and_keeps_the_earliest_report() -> None:
    """A later, fuller report adds its actors and terms to the event."""
    early = report("proposal_accepted", "Hamas", terms={"hostages": 33}, outlet="A")
    late = report("proposal_accepted", "Hamas", "Qatar", terms={"ceasefire_days": 42},
                  outlet="B", reported=early.source.reported.replace(hour=18))
    (event,) = cluster([late, early])
    assert event.actors == ("Hamas", "Qatar")
    assert event.terms == {"hostages": 33, "ceasefire_days": 42}
    assert event.first_reported == early.source.reported


def test_evidence_similarity_ignores_stopwords_and_case() -> None:
    """Wording similarity compares content words only."""
    assert evidence_similarity("The talks ended", "talks ended") == 1.0
    assert evidence_similarity("", "talks") == 0.0
