"""The development types (docs/ONTOLOGY.md) and what each means to the rest of Parley.

One table, read by everything that treats types differently: the extractor's rule loader, the
status machine, significance, the terms on the table, the timeline chart and the config's
validation. A new type is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["deal_reached", "collapsed", "stalled", "active"]
Stance = Literal["presented", "accepted", "rejected"]
Tone = Literal["positive", "negative", "neutral"]

TONE_COLOURS: dict[Tone, str] = {
    "positive": "#27ae60",
    "negative": "#c0392b",
    "neutral": "#2c3e50",
}


@dataclass(frozen=True)
class DevelopmentType:
    """One kind of development.

    `outcome`: the status a day with this development gives the topic (None: it leaves the
    status as it was). `stance`: where the actors stand on the terms on the table, for the types
    that state one. `weight`: how much it moves the topic, before novelty and corroboration
    (bot/track/significance.py). `carries_terms`: its terms are the terms on the table.
    """

    name: str
    description: str
    outcome: Outcome | None
    stance: Stance | None
    weight: float
    tone: Tone
    carries_terms: bool = False

    @property
    def colour(self) -> str:
        """The chart colour of its dots."""
        return TONE_COLOURS[self.tone]


TYPES: tuple[DevelopmentType, ...] = (
    DevelopmentType("talks_held", "a round of talks took place, is under way or is scheduled",
                    "active", None, 0.3, "neutral"),
    DevelopmentType("delegation_arrived", "a delegation or envoy arrived at or set off for the "
                    "venue", "active", None, 0.35, "neutral"),
    DevelopmentType("delegation_departed", "a delegation or envoy left the venue or was "
                    "recalled", "active", None, 0.35, "neutral"),
    DevelopmentType("proposal_presented", "a proposal, counter-proposal or list of demands was "
                    "put forward", "active", "presented", 0.5, "neutral", carries_terms=True),
    DevelopmentType("proposal_accepted", "a party accepted a proposal, also in principle",
                    "active", "accepted", 0.7, "positive", carries_terms=True),
    DevelopmentType("proposal_rejected", "a party rejected a proposal or the other side's "
                    "demands", "stalled", "rejected", 0.7, "negative", carries_terms=True),
    DevelopmentType("no_breakthrough", "talks ended without a result: impasse, deadlock, gaps "
                    "remain", "stalled", None, 0.55, "negative"),
    DevelopmentType("talks_continue", "talks will go on, resume or reconvene", "active", None,
                    0.35, "neutral"),
    DevelopmentType("talks_suspended", "talks were suspended, collapsed or boycotted",
                    "collapsed", None, 0.8, "negative"),
    DevelopmentType("deal_reached", "an agreement, partial deal or ceasefire was agreed, signed "
                    "or announced", "deal_reached", None, 0.9, "positive", carries_terms=True),
    DevelopmentType("release", "captives or prisoners were freed or exchanged", None, None, 0.6,
                    "positive"),
    DevelopmentType("pressure", "a third party pressed a negotiating party about the talks",
                    None, None, 0.3, "neutral"),
)

TYPE_BY_NAME: dict[str, DevelopmentType] = {t.name: t for t in TYPES}
TYPE_NAMES: tuple[str, ...] = tuple(t.name for t in TYPES)
# The most decisive outcome first: a day with several outcomes takes the first of these.
OUTCOME_PRECEDENCE: tuple[Outcome, ...] = ("deal_reached", "collapsed", "stalled", "active")
