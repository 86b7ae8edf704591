"""The development types table (bot/developments.py) covers every type, and says what the
ontology says of each."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bot.developments import OUTCOME_PRECEDENCE, TYPE_BY_NAME, TYPE_NAMES, TYPES
from bot.extract.patterns import load_patterns
from bot.models import DEVELOPMENT_TYPES, Event, EventSource
from bot.track.describe import describe_event

ONTOLOGY_TYPES = {
    "talks_held", "delegation_arrived", "delegation_departed", "proposal_presented",
    "proposal_accepted", "proposal_rejected", "no_breakthrough", "talks_continue",
    "talks_suspended", "deal_reached", "release", "pressure",
}


def test_the_table_holds_every_type_of_the_ontology_once() -> None:
    """Twelve types, no duplicates, and the models' list is the table's."""
    assert set(TYPE_NAMES) == ONTOLOGY_TYPES
    assert len(TYPE_NAMES) == len(set(TYPE_NAMES))
    assert DEVELOPMENT_TYPES == TYPE_NAMES


def test_every_type_decides_the_status_but_pressure_and_release() -> None:
    """Outcomes as the ontology orders them: deal, collapse, stall, activity."""
    outcomes = {t.name: t.outcome for t in TYPES}
    assert outcomes == {
        "deal_reached": "deal_reached", "talks_suspended": "collapsed",
        "no_breakthrough": "stalled", "proposal_rejected": "stalled",
        "talks_held": "active", "talks_continue": "active", "delegation_arrived": "active",
        "delegation_departed": "active", "proposal_presented": "active",
        "proposal_accepted": "active", "release": None, "pressure": None,
    }
    assert OUTCOME_PRECEDENCE == ("deal_reached", "collapsed", "stalled", "active")


def test_stances_are_those_of_the_proposal_types() -> None:
    """Presented, accepted, rejected; the terms on the table come from proposals and deals."""
    assert {t.name: t.stance for t in TYPES if t.stance} == {
        "proposal_presented": "presented", "proposal_accepted": "accepted",
        "proposal_rejected": "rejected"}
    assert {t.name for t in TYPES if t.carries_terms} == {
        "proposal_presented", "proposal_accepted", "proposal_rejected", "deal_reached"}


def test_decisive_outcomes_weigh_more_than_activity() -> None:
    """A deal, a collapse and a rejection move a topic more than talks being held."""
    weight = {t.name: t.weight for t in TYPES}
    assert weight["deal_reached"] > weight["talks_suspended"] > weight["talks_held"]
    assert weight["proposal_rejected"] > weight["proposal_presented"]
    assert all(0 < w <= 1 for w in weight.values())


@pytest.mark.parametrize("dev_type", TYPE_NAMES)
def test_every_type_has_a_description_a_colour_rules_and_a_line(dev_type: str) -> None:
    """Each type is described, charted, has wording rules and reads as a line of text."""
    entry = TYPE_BY_NAME[dev_type]
    assert entry.description and re.fullmatch(r"#[0-9a-f]{6}", entry.colour)
    assert any(rule.type == dev_type for rule in load_patterns().rules)
    event = Event(topic="talks", type=dev_type, actors=("Israel",), venue="Cairo", terms={},
                  when=date(2024, 5, 9), first_reported=datetime(2024, 5, 9, tzinfo=UTC),
                  confidence=0.9, sources=(EventSource("a", "https://x.example/a", "X",
                                                       datetime(2024, 5, 9, tzinfo=UTC)),))
    assert describe_event(event)
