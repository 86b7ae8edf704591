"""The scorer's matching rule (see bot/extract/evaluate.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.extract.evaluate import GoldArticle, score
from bot.models import Article, Development

ARTICLE = Article(id="a", url="", title="", published=datetime(2024, 5, 9, tzinfo=UTC),
                  source="t", text="")


def gold(*developments: dict[str, object]) -> GoldArticle:
    return GoldArticle(ARTICLE, "talks", tuple(developments))


def test_same_type_with_partly_right_actors() -> None:
    """A type match is one true positive; actors are scored one by one."""
    result = score([gold({"type": "talks_held", "actors": ["Israel", "Egypt"]})],
                   [[Development("talks_held", ("Israel", "Qatar"))]])
    assert (result.types.tp, result.types.fp, result.types.fn) == (1, 0, 0)
    assert (result.actors.tp, result.actors.fp, result.actors.fn) == (1, 1, 1)


def test_pairs_are_one_to_one_by_actor_overlap() -> None:
    """Two gold proposals of one type pair with the predictions whose actors fit best."""
    result = score([gold({"type": "proposal_presented", "actors": ["Russia"]},
                         {"type": "proposal_presented", "actors": ["Ukraine"]})],
                   [[Development("proposal_presented", ("Ukraine",)),
                     Development("proposal_presented", ("Russia",))]])
    assert result.types.f1 == 1.0 and result.actors.f1 == 1.0


def test_background_is_left_out_on_both_sides() -> None:
    """Recaps count neither as hits nor as misses."""
    result = score([gold({"type": "release", "actors": ["Hamas"], "background": True})],
                   [[Development("release", ("Hamas",), background=True)]])
    assert (result.types.tp, result.types.fp, result.types.fn) == (0, 0, 0)


def test_unmatched_predictions_and_gold_count_with_their_actors() -> None:
    """A wrong type is a false positive and a false negative, actors included."""
    result = score([gold({"type": "deal_reached", "actors": ["Israel", "Hamas"]})],
                   [[Development("no_breakthrough", ("Israel",))]])
    assert (result.types.tp, result.types.fp, result.types.fn) == (0, 1, 1)
    assert (result.actors.fp, result.actors.fn) == (1, 2)


def test_false_alarm_rate_is_over_articles_without_developments() -> None:
    """Any current prediction on a quiet article is a false alarm."""
    result = score([gold(), gold(), gold({"type": "pressure", "actors": ["Qatar"]})],
                   [[Development("deal_reached")], [], [Development("pressure", ("Qatar",))]])
    assert result.quiet_articles == 2 and result.false_alarms == 1
    assert result.false_alarm_rate == pytest.approx(0.5)
